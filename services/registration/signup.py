"""A sign-up as it enters the registration service: shape checked, contacts normalised."""
import hashlib
import json
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Optional

from shared.api import SignUp, parse_body
from shared.contacts import contact_details
from shared.errors import ValidationFailed


@dataclass(frozen=True)
class NewRegistration:
    name: str
    phone: Optional[str]
    email: Optional[str]
    language: str
    channel: str
    seats: int
    # an assisted sign-up: the staff member ({"id", "name"}) who made it with the resident's consent
    assisted_by: Optional[dict] = None
    # the phone/email are the staff member's, because the resident has none
    contact_is_staff: bool = False
    # the client it came from (the gateway's keyed hash of its address), None when unknown
    client_ref: Optional[str] = None
    # SHA-256 of the request (event and body), to which its Idempotency-Key is bound
    request_hash: Optional[str] = None

    @property
    def contact_key(self):
        """Who this is, for spotting the same person signing up twice (nobody, when the contact
        is a staff member's: they sign up many residents)."""
        if self.contact_is_staff:
            return None
        return self.phone or (self.email or "").lower()


MAX_CLIENT_REF = 64


def request_hash(event_id, data, staff_id=None):
    """The same request (event, body, key order aside, and the staff token's holder, if any)
    always hashes the same; any other not."""
    canonical = json.dumps({"event_id": event_id, "data": data, "staff": staff_id}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def from_request(event_id, data, allowed_regions, assisted_by=None, client_ref=None):
    """`parse`, with where the sign-up came from and the hash its Idempotency-Key is bound to."""
    if client_ref is not None and (not isinstance(client_ref, str) or len(client_ref) > MAX_CLIENT_REF):
        client_ref = None  # the gateway's own value; never worth refusing a resident over
    return replace(parse(data, allowed_regions, assisted_by), client_ref=client_ref or None,
                   request_hash=request_hash(event_id, data, (assisted_by or {}).get("id")))


def parse(data, allowed_regions, assisted_by=None):
    """A NewRegistration, or ValidationFailed naming every bad field.

    `assisted_by` is the staff member ({"id", "name", "phone", "email"}) signing a resident up on
    their behalf: the resident's consent is then required, and a resident with no phone or email
    of their own gets their messages through the staff member's."""
    try:
        signup = parse_body(SignUp, data)
    except ValidationFailed as exc:
        raise _with_contact_errors(exc, data, allowed_regions) if assisted_by is None else exc
    if assisted_by is None:
        return _own(signup, allowed_regions)
    if signup.consent is not True:
        raise ValidationFailed("Ask the resident first: an assisted sign-up needs their consent.",
                               fields={"consent": "must be true: the resident agreed to be signed up"})
    staff = {"id": assisted_by["id"], "name": assisted_by["name"]}
    if signup.phone or signup.email:
        registration = _own(signup, allowed_regions)
        return NewRegistration(**{**registration.__dict__, "assisted_by": staff})
    phone, email = assisted_by.get("phone"), assisted_by.get("email")
    if not (phone or email):
        raise ValidationFailed(
            "The resident has no phone or email, and your staff token has no contact to send their "
            "messages to.", fields={"phone": "give the resident's phone or email, or add a contact to your token"})
    reachable = [channel for channel, address in (("sms", phone), ("email", email)) if address]
    channel = signup.channel if signup.channel in reachable else reachable[0]
    return NewRegistration(signup.name, phone, email, signup.language, channel, signup.seats,
                           assisted_by=staff, contact_is_staff=True)


def _with_contact_errors(error, data, allowed_regions):
    """`error` (some fields refused by the SignUp model) naming the contact details' mistakes too,
    so a resident with a bad name and a bad number hears of both at once, not one per try."""
    if not isinstance(data, dict):
        return error
    contacts = SimpleNamespace(phone=data.get("phone"), email=data.get("email"), channel=data.get("channel"))
    if not all(value is None or isinstance(value, str) for value in vars(contacts).values()):
        return error
    contacts.phone, contacts.email = (contacts.phone or "").strip(), (contacts.email or "").strip()
    *_, contact_errors = contact_details(contacts, allowed_regions)
    contact_errors = {field: reason for field, reason in contact_errors.items()
                      if field in ("phone", "email") and field not in error.fields}
    if not contact_errors:
        return error
    return ValidationFailed(error.message, code=error.code, fields={**error.fields, **contact_errors})


def _own(signup, allowed_regions):
    phone, email, channel, errors = contact_details(signup, allowed_regions)
    if errors:
        raise ValidationFailed("The contact details are not usable.", fields=errors)
    return NewRegistration(signup.name, phone, email, signup.language, channel, signup.seats)
