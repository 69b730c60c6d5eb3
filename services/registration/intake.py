"""Sign-ups: one (`register`) or a batch (`register_many`, which the gateway gathers from
concurrent requests), taken in one transaction in a few statements however many there are.

What the sign-ups need to know is read for all of them at once (earlier requests with the same
Idempotency-Key, the same people already registered, free cancel codes); each is then decided in
arrival order against seat counts kept in memory, exactly as if they had come one by one; the
writes go together at the end. A refused sign-up therefore writes nothing. The events' rows are
locked first, in id order, so nobody else changes their counts meanwhile.

Two answers protect strangers: an Idempotency-Key answers only the very request it came with
(README, HTTP API), and a person already registered who signs up again gets an answer that looks
like a new sign-up's (a decoy: nothing is written) while their real registration's details go to
their own phone or address, at most once a day.
"""
import collections
import logging
import uuid

from sqlalchemy import bindparam, func, select, update

from services.registration import codes, lookups, rules, seating, shapes
from services.registration.seating import ACTIVE, CONFIRMED, WAITLISTED
from services.registration.tables import events, idempotency_keys, outbox, registrations
from shared.database import utcnow
from shared.errors import NotFound, ServiceUnavailable, ValidationFailed, YhdessaError
from shared.outbox import add_events

log = logging.getLogger(__name__)

# Built once, values as parameters (building a statement with its values inside costs more CPU
# than running it: README, Performance).
REGISTRATIONS_OF_KEYS = select(
    registrations, idempotency_keys.c.key.label("idempotency_key"),
    idempotency_keys.c.request_hash.label("request_hash"), idempotency_keys.c.created_at.label("key_created_at"),
).join(idempotency_keys).where(idempotency_keys.c.key.in_(bindparam("keys", expanding=True)))
FORGET_KEYS = idempotency_keys.delete().where(idempotency_keys.c.key.in_(bindparam("keys", expanding=True)))
MARK_DETAILS_RESENT = update(registrations).where(registrations.c.id == bindparam("registration_id")).values(
    details_resent_at=bindparam("now"))
ACTIVE_REGISTRATIONS_OF_CONTACTS = select(registrations).where(
    registrations.c.event_id.in_(bindparam("event_ids", expanding=True)),
    registrations.c.contact_key.in_(bindparam("contact_keys", expanding=True)),
    registrations.c.status.in_(ACTIVE))
WAITING = select(func.count()).where(registrations.c.event_id == bindparam("event_id"),
                                     registrations.c.status == WAITLISTED)
HIGHEST_WAITLIST_SEQ = select(func.max(registrations.c.waitlist_seq)).where(
    registrations.c.event_id == bindparam("event_id"))
INSERT_REGISTRATION = registrations.insert()
INSERT_IDEMPOTENCY_KEY = idempotency_keys.insert()
ADD_TO_COUNTERS = events.update().where(events.c.id == bindparam("event_id")).values(
    seats_taken=events.c.seats_taken + bindparam("seats"), waitlist_taken=events.c.waitlist_taken + bindparam("waiting"))


def register(database, event_id, signup, idempotency_key=None):
    """(registration, repeat_of): a new registration and None, or the one this Idempotency-Key
    ("request") or this person ("contact") already has for the event."""
    with database.transaction() as session:
        event = lookups.lock_event(session, event_id)
        [result] = Intake(session, {event_id: event}, utcnow()).take([(event_id, signup, idempotency_key)])
    if isinstance(result, Exception):
        raise result
    return result


def register_many(database, sign_ups):
    """`register` for many (event_id, signup, idempotency_key) at once, in one transaction:
    one result each, in order, a YhdessaError instance standing for a refused one. Events are
    locked in id order (as no other verb locks two, no deadlock), then taken in arrival order."""
    if not sign_ups:
        return []
    try:
        with database.transaction() as session:
            locked = {}
            for event_id in sorted({event_id for event_id, _, _ in sign_ups}):
                try:
                    locked[event_id] = lookups.lock_event(session, event_id)
                except NotFound as exc:
                    locked[event_id] = exc
            return Intake(session, locked, utcnow()).take(sign_ups)
    except ServiceUnavailable:
        raise  # the database is away or the caller gave up: alone, each would fail the same way
    except Exception:
        if len(sign_ups) == 1:
            raise
        # Something unforeseen (a database error) undid them all: take each alone, so one
        # cannot fail the others.
        log.warning("a batch of %d sign-ups failed together; taking them one by one", len(sign_ups),
                    exc_info=True)
        return [_register_alone(database, *sign_up) for sign_up in sign_ups]


def _register_alone(database, event_id, signup, key):
    try:
        return register(database, event_id, signup, key)
    except Exception as exc:
        if not isinstance(exc, YhdessaError):
            log.error("a sign-up failed", exc_info=True)
        return exc


class Intake:
    """One batch. `locked` maps each event id to its locked row (a dict, kept current here) or to
    the NotFound its sign-ups get."""

    def __init__(self, session, locked, now):
        self.session, self.locked, self.now = session, locked, now
        self.earlier = {}        # Idempotency-Key -> (the registration it made before this batch, request hash)
        self.expired_keys = set()  # Idempotency-Keys older than a day: free to be used again
        self.resent = []         # ids of registrations whose details go to their registrant again
        self.contacts = {}       # (event id, contact key) -> that person's active registration
        self.taken_keys = {}     # Idempotency-Key -> the registration it made in this batch
        self.positions = {}      # id of a registration made in this batch -> its waiting-list place
        self.waiting = {}        # event id -> [highest waiting-list number, how many wait]
        self.free_codes = []
        self.new, self.new_keys, self.outgoing = [], [], []
        self.added = collections.defaultdict(lambda: {"seats": 0, "waiting": 0})

    def take(self, sign_ups):
        """One (registration, repeat_of) or YhdessaError per (event_id, signup, key), in order.
        A new registration's answer carries its link `token`, the only time it is ever shown."""
        self._read_ahead(sign_ups)
        results = []
        for event_id, signup, key in sign_ups:
            try:
                results.append(self._take(event_id, signup, key))
            except YhdessaError as exc:
                results.append(exc)
        self._write()
        return results

    def _read_ahead(self, sign_ups):
        keys = sorted({key for _, _, key in sign_ups if key})
        if keys:
            for row in self.session.execute(REGISTRATIONS_OF_KEYS, {"keys": keys}).mappings():
                registration = dict(row)
                key, request_hash = registration.pop("idempotency_key"), registration.pop("request_hash")
                if registration.pop("key_created_at") <= self.now - rules.IDEMPOTENCY_KEY_LIFETIME:
                    self.expired_keys.add(key)
                else:
                    self.earlier[key] = (registration, request_hash)
        open_events = sorted({event_id for event_id, _, _ in sign_ups if not isinstance(self.locked[event_id], NotFound)})
        contact_keys = sorted({signup.contact_key for _, signup, _ in sign_ups if signup.contact_key})
        if open_events and contact_keys:
            for row in self.session.execute(ACTIVE_REGISTRATIONS_OF_CONTACTS,
                                            {"event_ids": open_events, "contact_keys": contact_keys}).mappings():
                self.contacts[(row["event_id"], row["contact_key"])] = dict(row)
        self.free_codes = codes.free_codes(self.session, len(sign_ups))

    def _take(self, event_id, signup, key):
        event = self.locked[event_id]
        if isinstance(event, NotFound):
            raise event
        if key:
            earlier, request_hash = self.taken_keys.get(key) or self.earlier.get(key) or (None, None)
            if earlier is not None and (earlier["event_id"] != event_id or request_hash != signup.request_hash):
                # someone else's key, or a changed request: nothing of the first is shown
                raise ValidationFailed(
                    "This Idempotency-Key was used with another request. Use a new key for a new request.",
                    code="idempotency_key_reused", fields={"Idempotency-Key": "a new key for each new request"})
            if earlier is not None:
                # the token was shown once and is stored only hashed: a retry gets the code again
                return {**self._public(earlier, event), "token": None}, "request"
        rules.check_open(event, self.now)
        rules.check_group(event, signup.seats)
        existing = signup.contact_key and self.contacts.get((event_id, signup.contact_key))
        if existing and signup.assisted_by:
            return self._public(existing, event), "contact"  # staff may know: they help in person
        status = seating.placement(seating.Counts.of(event), signup.seats)
        if existing:
            return self._decoy(event, signup, status, existing), None
        token = codes.new_token()
        registration = {
            "id": str(uuid.uuid4()), "event_id": event_id, "cancel_code": self.free_codes.pop(),
            "token_hash": codes.token_hash(token), "client_ref": signup.client_ref, "details_resent_at": None,
            "name": signup.name, "phone": signup.phone, "email": signup.email,
            "contact_key": signup.contact_key, "language": signup.language,
            "channel": signup.channel, "seats": signup.seats, "status": status, "waitlist_seq": None,
            "created_at": self.now, "updated_at": self.now, "cancelled_at": None,
            "assisted_by": signup.assisted_by["id"] if signup.assisted_by else None,
            "assisted_by_name": signup.assisted_by["name"] if signup.assisted_by else None,
            "consent_at": self.now if signup.assisted_by else None,
            "attended_at": None, "attended_by": None, "anonymised_at": None,
        }
        if status == CONFIRMED:
            event["seats_taken"] += signup.seats
            self.added[event_id]["seats"] += signup.seats
            self.positions[registration["id"]] = None
        else:
            registration["waitlist_seq"], self.positions[registration["id"]] = self._join_waiting_list(event_id)
            event["waitlist_taken"] += signup.seats
            self.added[event_id]["waiting"] += signup.seats
        self.new.append(registration)
        if key:
            self.taken_keys[key] = (registration, signup.request_hash)
            self.new_keys.append({"key": key, "registration_id": registration["id"],
                                  "request_hash": signup.request_hash, "created_at": self.now})
        if signup.contact_key:
            self.contacts[(event_id, signup.contact_key)] = registration
        public = {**self._public(registration, event), "token": token}
        self.outgoing.append((f"registration_{status}", shapes.message_data(
            registration, event, public["waitlist_position"], token=token)))
        return public, None

    def _decoy(self, event, signup, status, existing):
        """What a new sign-up would have been answered, made for someone already registered: a
        fresh code and token that open nothing, nothing written. Their real registration's details
        go to their own phone or address instead, unless they went there in the last day."""
        if rules.may_resend_details(existing, self.now, (signup.name, signup.seats)):
            existing["details_resent_at"] = self.now
            self.resent.append(existing["id"])
            self.outgoing.append(("registration_repeated", shapes.message_data(
                existing, event, self._public(existing, event)["waitlist_position"])))
        position = None if status == CONFIRMED else self._next_waiting_place(event["id"])
        decoy = {
            "id": str(uuid.uuid4()), "event_id": event["id"], "cancel_code": self.free_codes.pop(),
            "name": signup.name, "phone": signup.phone, "email": signup.email, "language": signup.language,
            "channel": signup.channel, "seats": signup.seats, "status": status, "created_at": self.now,
            "cancelled_at": None, "attended_at": None, "assisted_by": None, "assisted_by_name": None,
            "consent_at": None,
        }
        return {**shapes.public_view(decoy, event, position), "token": codes.new_token()}

    def _join_waiting_list(self, event_id):
        """(waiting-list number, place in the list) of one more joining it."""
        place = self._waiting_list(event_id)
        place[0] += 1
        place[1] += 1
        return place[0], place[1]

    def _next_waiting_place(self, event_id):
        """The place one more joining the waiting list would get, without joining it."""
        return self._waiting_list(event_id)[1] + 1

    def _waiting_list(self, event_id):
        """[highest waiting-list number, how many wait] of an event, kept current in this batch."""
        if event_id not in self.waiting:
            # numbers only grow (even past cancelled ones); the place counts those still waiting
            highest = self.session.execute(HIGHEST_WAITLIST_SEQ, {"event_id": event_id}).scalar() or 0
            waiting = self.session.execute(WAITING, {"event_id": event_id}).scalar()
            self.waiting[event_id] = [highest, waiting]
        return self.waiting[event_id]

    def _public(self, registration, event):
        if registration["id"] in self.positions:  # made in this batch: not in the database yet
            return shapes.public_view(registration, event, self.positions[registration["id"]])
        return lookups.public_view_with_position(self.session, registration, event)

    def _write(self):
        if self.new:
            self.session.execute(INSERT_REGISTRATION, self.new)
        reused = sorted(self.expired_keys & {row["key"] for row in self.new_keys})
        if reused:
            self.session.execute(FORGET_KEYS, {"keys": reused})
        if self.new_keys:
            self.session.execute(INSERT_IDEMPOTENCY_KEY, self.new_keys)
        for registration_id in self.resent:
            self.session.execute(MARK_DETAILS_RESENT, {"registration_id": registration_id, "now": self.now})
        for event_id, added in self.added.items():
            self.session.execute(ADD_TO_COUNTERS, {"event_id": event_id, **added})
        add_events(self.session, outbox, self.outgoing)
