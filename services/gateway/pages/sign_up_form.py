"""The sign-up form: its fields as the API's SignUp body, and what the answer page tells of where
the confirmation goes. Every rule about the fields (a name, a usable phone or email, seats within
the group size) is registration's: this only turns what a browser sends into that body."""
import re
import uuid

from services.gateway.pages import form_errors
from services.gateway.pages.event_view import FALLBACK_LANGUAGE
from shared.contacts import allowed_regions, normalise_phone
from shared.errors import ValidationFailed
from shared.logs import mask_email, mask_phone

FIELDS = ("name", "phone", "email", "seats", "language")
MAX_IDEMPOTENCY_KEY_LENGTH = 200  # as the API's Idempotency-Key
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII only: "²" and "٣" are no seats


def new_idempotency_key():
    """The key a freshly drawn form carries: sent again with the same form (a double click, a
    reload), it gets the first answer instead of a second registration."""
    return str(uuid.uuid4())


def values(form, lang):
    """What the form is drawn with: what was sent (a new form: empty, seats 1, the page's
    language)."""
    drawn = {name: (form.get(name) or "").strip() for name in FIELDS}
    drawn["seats"] = drawn["seats"] or "1"
    drawn["language"] = drawn["language"] or lang or FALLBACK_LANGUAGE
    return drawn


def body(form):
    """(SignUp body, {field: the API's reason}) from the posted form. Empty phone or email are
    left out; seats that are no whole number are an error here and nothing is sent."""
    sent = {name: (form.get(name) or "").strip() for name in FIELDS}
    data = {"name": sent["name"]}
    for name in ("phone", "email", "language"):
        if sent[name]:
            data[name] = sent[name]
    if sent["seats"]:
        if not _WHOLE_NUMBER.fullmatch(sent["seats"]):
            return data, {"seats": "Input should be a valid integer"}
        data["seats"] = int(sent["seats"])
    return data, {}


def idempotency_key(form):
    key = (form.get("idempotency_key") or "").strip()
    return key if 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH else None


def confirmation_goes_to(data):
    """("sms", masked number) or ("email", masked address): where the confirmation is on its way,
    as registration chooses by default (a phone first), masked as our logs mask it."""
    if data.get("phone"):
        number, _reason = normalise_phone(data["phone"], allowed_regions())
        return "sms", mask_phone(number or data["phone"])
    return "email", mask_email(data.get("email"))


def refused(exc, again, _):
    """The sign-up form drawn again (`again(errors, status)`) with why the API refused it
    (`exc`): each field's mistake beside it; what is not a field's fault (a reused key, a full
    event, too many tries) or names a field the form has not, at the top. A missing event or
    series is raised on, as the page's 404."""
    if isinstance(exc, ValidationFailed):
        errors = form_errors.for_fields(exc.fields, _)
        known = {name: text for name, text in errors.items() if name in FIELDS}
        if exc.code != "validation_error" or len(known) < len(errors):
            known = {"form": form_errors.for_code(exc.code, _), **known}
        return again(known, 422)
    if exc.http_status == 404:
        raise exc
    response = again({"form": form_errors.for_code(exc.code, _)}, exc.http_status)
    response.headers.update(getattr(exc, "headers", None) or {})
    return response
