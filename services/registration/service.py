"""The registration service: seats, the waiting list and who is coming. Entrypoints only."""
import logging

from nameko.dependency_providers import Config
from nameko.exceptions import serialize
from nameko.timer import timer

from services.registration import signup
from services.registration.dependencies import Registrations
from shared import kinds
from shared.api import ClientCancellation, EventMessage, WalkIns, parse_body
from shared.contacts import allowed_regions
from shared.dead_letters import DeadLetters
from shared.entrypoints import rpc
from shared.errors import ValidationFailed, YhdessaError
from shared.events import parse_envelope
from shared.handlers import handlers_for
from shared.helsinki import parse_time_filter
from shared.locks import OneCopy

log = logging.getLogger(__name__)


@handlers_for(kinds.published_by("catalog"), "_copy")
class RegistrationService:
    name = "registration"

    registrations = Registrations()
    dead_letters = DeadLetters()
    retention_copy = OneCopy("retention")
    config = Config()

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def register(self, event_id, data, idempotency_key=None, assisted_by=None, client_ref=None):
        """{"registration": {...}, "repeat_of": None | "request" | "contact"}: a repeat returns the
        registration this Idempotency-Key ("request") or, to staff, this person ("contact") already
        had; anyone else signing up a registered person again gets a new-looking answer that opens
        nothing (services/registration/intake.py). A new registration carries its link `token`.
        `assisted_by`: the staff member signing a resident up on their behalf; `client_ref`: the
        client it came from (the gateway's keyed hash of its address)."""
        new = signup.from_request(event_id, data, allowed_regions(self.config), assisted_by,
                                  client_ref)
        registration, repeat_of = self.registrations.register(event_id, new, idempotency_key)
        return {"registration": registration, "repeat_of": repeat_of}

    @rpc
    def register_batch(self, sign_ups):
        """`register` for many at once (the gateway gathers concurrent sign-ups), in one
        transaction: a list in the same order of {"registration", "repeat_of"} or {"error": ...},
        the error as nameko serialises it, so each caller gets its own."""
        regions = allowed_regions(self.config)
        parsed, answers = [], [None] * len(sign_ups)
        for index, sign_up in enumerate(sign_ups):
            try:
                new = signup.from_request(sign_up["event_id"], sign_up["data"], regions, sign_up.get("assisted_by"),
                                          sign_up.get("client_ref"))
            except YhdessaError as exc:
                answers[index] = {"error": serialize(exc)}
                continue
            parsed.append((index, (sign_up["event_id"], new, sign_up.get("idempotency_key"))))
        results = self.registrations.register_many([sign_up for _, sign_up in parsed])
        for (index, _), result in zip(parsed, results):
            answers[index] = ({"error": serialize(result)} if isinstance(result, Exception)
                              else {"registration": result[0], "repeat_of": result[1]})
        return answers

    # Enrolments in a series (services/registration/enrolment.py): one sign-up for every session
    # not yet started, one code for all of it.

    @rpc
    def enrol(self, series_id, data, idempotency_key=None, assisted_by=None, client_ref=None, organizer=None):
        """{"enrolment": {..., "sessions"}, "repeat_of"}, as `register` answers (`data`: the SignUp
        body; a new enrolment carries its link `token`). `organizer`: an assisting staff member's,
        whose series alone they may enrol residents in."""
        new = signup.from_request(series_id, data, allowed_regions(self.config), assisted_by, client_ref)
        enrolment, repeat_of = self.registrations.enrol(series_id, new, idempotency_key, organizer)
        return {"enrolment": enrolment, "repeat_of": repeat_of}

    @rpc
    def get_enrolment(self, cancel_code):
        return self.registrations.get_enrolment(cancel_code)

    @rpc
    def cancel_enrolment(self, cancel_code):
        """Every session not yet started cancelled; twice is harmless."""
        return self.registrations.cancel_enrolment(cancel_code)

    @rpc
    def cancel_session(self, cancel_code, event_id):
        """One session of the enrolment cancelled; twice is harmless."""
        return self.registrations.cancel_session(cancel_code, event_id)

    @rpc
    def erase_enrolment(self, cancel_code):
        return self.registrations.erase_enrolment(cancel_code)

    @rpc
    def series_stats(self, series_id, organizer=None):
        """Per session and in total, without names (survives retention)."""
        return self.registrations.series_stats(series_id, organizer)

    # A registrant's own calls take `cancel_code`: the short code or the link token.

    @rpc
    def cancel(self, cancel_code):
        return self.registrations.cancel(cancel_code)

    @rpc
    def get_registration(self, cancel_code):
        return self.registrations.get_by_code(cancel_code)

    @rpc
    def erase(self, cancel_code):
        return self.registrations.erase(cancel_code)

    # A resident's texts (notifications reads the words and sends the replies): `phone` is the
    # sender's E.164 number, `idempotency_key` the text's MessageSid, so a redelivered text acts
    # once. Each answers what to text back (services/registration/by_phone.py).

    @rpc
    def sms_cancel(self, phone, choice=None, idempotency_key=None):
        """{"outcome": "cancelled", "registration"} | {"outcome": "choose", "registrations":
        [{"number", "cancel_code", "title", "starts_at", "place", "status", "enrolment_id", …}]} |
        {"outcome": "enrolment", "enrolment_id", "cancel_code", "title", "next", "sessions_left"}
        (ask: only the next session, or all? then `sms_cancel_enrolment`) | {"outcome": "none"}."""
        return self.registrations.cancel_by_phone(phone, choice, idempotency_key)

    @rpc
    def sms_cancel_enrolment(self, phone, scope, enrolment_id, idempotency_key=None):
        """The reply to "only the next session, or all?" (`scope` "next" | "all"): {"outcome":
        "cancelled", "scope", "sessions", "enrolment"} | {"outcome": "none"}."""
        return self.registrations.cancel_enrolment_by_phone(phone, scope, enrolment_id, idempotency_key)

    @rpc
    def sms_sign_up(self, phone, sms_code, seats, name, language, idempotency_key=None):
        """{"outcome": "registered", "status", "repeated", "event": {"title", "starts_at"}} (a series'
        code enrols: also "series_id", "sessions") | {"outcome": "refused", "code", "suggestion", "event"}."""
        return self.registrations.sign_up_by_phone(phone, sms_code, seats, name, language, idempotency_key,
                                                   allowed_regions(self.config))

    @rpc
    def sms_next_event(self, phone):
        """{"registration_id", "language", "status", "event": {snapshot, "sms_code", "summary_phone",
        "summary_email"}} | None."""
        return self.registrations.next_event_of_phone(phone)

    @rpc
    def sms_forward(self, phone, text, received_at, idempotency_key=None):
        """{"forwarded": bool}: `sms_received` published for the organizer of the sender's next event."""
        return self.registrations.forward_text(phone, text, received_at, idempotency_key)

    # Staff calls take `organizer`: the caller's organizer, whose events alone they may reach
    # (None for an admin).

    @rpc
    def list_registrations(self, event_id, organizer=None, client_ref=None):
        return self.registrations.list_for_event(event_id, organizer, client_ref or None)

    @rpc
    def cancel_by_client(self, event_id, data, organizer=None):
        """Cancel every active registration of an event that came from one client."""
        client_ref = parse_body(ClientCancellation, data).client_ref
        return self.registrations.cancel_by_client(event_id, client_ref, organizer)

    @rpc
    def check_in(self, reference, staff, attended=True, organizer=None):
        """Mark attendance of a registration given by its id or cancel code (or undo it)."""
        return self.registrations.check_in(reference, attended, staff, organizer)

    @rpc
    def record_walk_ins(self, event_id, data, staff, organizer=None):
        count = parse_body(WalkIns, data).count
        return self.registrations.record_walk_ins(event_id, count, staff, organizer)

    @rpc
    def message_everyone(self, event_id, data, staff, organizer=None, idempotency_key=None):
        """Staff's message (`data`: the EventMessage body) to everyone coming, once per key (the
        Idempotency-Key, else the body's `key`): {"id", "recipients", "sms", "email", …}."""
        message = parse_body(EventMessage, data)
        return self.registrations.message_everyone(event_id, message, staff, organizer,
                                                   idempotency_key or message.key)

    @rpc
    def message_audience(self, event_id, include_waitlist=False, organizer=None):
        """How many a message to everyone would reach now: {"recipients", "sms", "email"}."""
        return self.registrations.message_audience(event_id, bool(include_waitlist), organizer)

    @rpc
    def sent_message(self, event_id, message_id, organizer=None):
        return self.registrations.sent_message(event_id, message_id, organizer)

    @rpc
    def walk_ins(self, event_id, organizer=None):
        return self.registrations.walk_ins_for_event(event_id, organizer)

    @rpc
    def stats(self, starts_from=None, starts_before=None, municipality=None, organizer=None, per=None):
        if per not in (None, "", "month"):
            raise ValidationFailed("Statistics come per month or for the whole period.", fields={"per": "month"})
        return self.registrations.stats(parse_time_filter("from", starts_from),
                                        parse_time_filter("to", starts_before, end_of_day=True),
                                        municipality or None, organizer, per_month=per == "month")

    @timer(interval=5)
    def close_registrations(self):
        """Tell each event's contact person the numbers once its registration has closed."""
        self.registrations.close_registrations()

    @timer(interval=5)
    def send_reminders(self):
        """Each confirmed registrant's reminder at its event's reminder_at, once."""
        self.registrations.send_reminders()

    @timer(interval=3600, eager=True)  # at start too: a service restarted often still forgets
    def forget_ended(self):
        """Retention: names and contacts go RETENTION_DAYS after the event ends (dead letters too).
        One copy of the service runs it for all (shared/locks.py)."""
        if not self.retention_copy.mine():
            return
        log.info("retention: %d registrations blanked, %d Idempotency-Keys and %d dead letters forgotten",
                 self.registrations.anonymise_ended(int(self.config["RETENTION_DAYS"])),
                 self.registrations.forget_idempotency_keys(),
                 len(self.dead_letters.forget_ended(int(self.config["RETENTION_DAYS"]))))

    @rpc
    def availability(self, event_ids):
        return self.registrations.availability(event_ids)

    def _copy(self, kind, payload):
        """Every kind catalog publishes (a handler each, from shared/kinds.py): the local copy of
        the event kept, and a cancellation or a change told per registrant."""
        self.registrations.apply_catalog_event(*parse_envelope(payload, kind.name))
