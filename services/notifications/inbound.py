"""Acting on residents' texts: each one kept by provider_callbacks.py is read (sms_commands.py),
acted on through registration (sms_cancel, sms_cancel_enrolment, sms_sign_up, sms_next_event,
sms_forward, each keyed by the provider's message id, so a text acted on twice acts once) and
answered with a tracked message (messages.render_reply), in the number's language, or the word's,
or Finnish.

PERU from a number whose one active thing is an enrolment in a weekly group asks "only the next
session, or all?"; a bare 1 or 2 within inbound_storage.QUESTION_HOURS (24) answers it (sms_cancel_enrolment "next" or
"all"); later, or without a question, a 1 or 2 is an ordinary text.

Done by the timer, never inside the webhook's answer: while registration is down a text stays
unprocessed and is acted on when it answers again. A sender we could not text back (outside
SMS_ALLOWED_REGIONS, a short code, an alphanumeric sender) gets nothing, and nothing is acted on."""
import logging
from dataclasses import dataclass

from services.notifications import messages, sms_commands
from shared.contacts import allowed_regions, normalise_phone
from shared.helsinki import day_text
from shared.database import utcnow
from shared.errors import ServiceUnavailable, YhdessaError

log = logging.getLogger(__name__)

# How long a worker holds a text it acts on: beyond the registration calls' time limit.
LEASE_SECONDS = 60
# Texts one tick acts on at most (the next tick takes the rest).
PER_TICK = 50


@dataclass(frozen=True)
class InboundPolicy:
    allowed_regions: tuple
    replies_per_hour: int

    @classmethod
    def from_config(cls, config):
        return cls(tuple(allowed_regions(config)), int(config["INBOUND_REPLIES_PER_HOUR"]))


def process_waiting(store, registration, policy):
    """Act on the texts waiting, oldest first; returns the replies claimed for sending. While
    registration does not answer, the texts wait for the next tick."""
    replies = []
    for _ in range(PER_TICK):
        row = store.inbound.claim_next(LEASE_SECONDS)
        if row is None:
            break
        if store.inbound.give_up_if_stuck(row):
            log.error("a text message could not be acted on; given up", extra={"inbound_id": row["id"]})
            continue
        try:
            reply = act(store, registration, policy, row)
        except ServiceUnavailable as exc:  # registration down or slow: this and the rest wait
            log.warning("a text message waits: %s", exc, extra={"inbound_id": row["id"]})
            store.inbound.release(row["id"])
            break
        except YhdessaError as exc:  # registration refused it outright: trying again cannot help
            log.warning("a text message was refused: %s", exc, extra={"inbound_id": row["id"]})
            store.answer_inbound(row["id"], "refused", row["sender"], None, 0)
            continue
        if reply is not None:
            replies.append(reply)
    return replies


def act(store, registration, policy, row):
    """Act on one text; returns its reply claimed for sending, or None."""
    phone, _ = normalise_phone(row["sender"], list(policy.allowed_regions))
    if phone is None:
        return store.answer_inbound(row["id"], "unusable", row["sender"], None, 0)
    command = sms_commands.parse(row["body"])
    language = store.inbound.language_of(phone) or command.language
    if command.kind == sms_commands.ANSWER:
        enrolment_id = store.inbound.open_question(phone)
        if enrolment_id is not None:
            reply, number = _answer(registration, row, phone, command, language, enrolment_id)
            return store.answer_inbound(row["id"], command.kind, phone, reply, policy.replies_per_hour, **number)
        command = sms_commands.Command(sms_commands.OTHER)  # no question open: a text like any other
    reply, number = _ACTIONS[command.kind](registration, row, phone, command, language)
    return store.answer_inbound(row["id"], command.kind, phone, reply, policy.replies_per_hour, **number)


def _stop(registration, row, phone, command, language):
    return messages.render_reply("stopped", language), {"stopped_at": utcnow()}


def _start(registration, row, phone, command, language):
    return messages.render_reply("started", language), {"stopped_at": None}


def _language(registration, row, phone, command, language):
    return messages.render_reply("language", command.language), {"language": command.language}


def _help(registration, row, phone, command, language):
    next_one = registration.sms_next_event(phone) or {}
    event = next_one.get("event") or {}
    contact = event.get("summary_phone") or event.get("summary_email")
    language = language or next_one.get("language")
    return messages.render_reply("help", language, {"contact": contact}), {}


def _cancel(registration, row, phone, command, language):
    answer = registration.sms_cancel(phone, command.choice, idempotency_key=row["provider_ref"])
    if answer["outcome"] == "choose":
        return messages.render_reply("choose", language, {"choices": answer["registrations"]}), {}
    if answer["outcome"] == "none":
        return messages.render_reply("none", language), {}
    if answer["outcome"] == "enrolment":
        return _ask_next_or_all(answer, language), {"asks": answer["enrolment_id"]}
    return None, {}  # cancelled: registration's ordinary cancellation message tells them


def _ask_next_or_all(answer, language):
    """"Only the next session (la 12.9.) or all? Reply 1 = only the next, 2 = all"."""
    language = language or messages.FALLBACK_LANGUAGE
    title = answer.get("title") or {}
    return messages.render_reply("next_or_all", language, {
        "title": title.get(language) or title.get(messages.FALLBACK_LANGUAGE, ""),
        "when": day_text(answer["next"]["starts_at"], language)})


SCOPES = {"1": "next", "2": "all"}


def _answer(registration, row, phone, command, language, enrolment_id):
    """1 or 2 to "only the next session, or all?": registration cancels that much of the
    enrolment; its own cancellation message (the session's, or the enrolment's) says what was
    cancelled, so the reply is needed only when nothing was left to cancel."""
    answer = registration.sms_cancel_enrolment(phone, SCOPES[command.choice], enrolment_id,
                                               idempotency_key=row["provider_ref"])
    if (answer or {}).get("outcome") == "none":
        return messages.render_reply("none", language), {"answers": True}
    return None, {"answers": True}


def _sign_up(registration, row, phone, command, language):
    answer = registration.sms_sign_up(phone, command.sms_code, command.seats, command.name,
                                      language or messages.FALLBACK_LANGUAGE, idempotency_key=row["provider_ref"])
    if answer["outcome"] != "refused":
        return None, {}  # the ordinary confirmation or waiting-list message follows
    if answer["code"] == "no_such_code" and not any(c.isdigit() for c in command.sms_code):
        # "Kiitos paljon": words to a person, not a mistyped code
        return _other(registration, row, phone, command, language)
    event = answer.get("event") or {}
    title = event.get("title") or {}
    return messages.render_reply("refused", language, {
        "reason": answer["code"], "code": command.sms_code, "suggestion": answer.get("suggestion"),
        "title": title.get(language or messages.FALLBACK_LANGUAGE) or title.get(messages.FALLBACK_LANGUAGE, "")}), {}


def _other(registration, row, phone, command, language):
    answer = registration.sms_forward(phone, row["body"], row["received_at"].isoformat(),
                                      idempotency_key=row["provider_ref"])
    return messages.render_reply("other", language, {"forwarded": bool(answer and answer.get("forwarded"))}), {}


_ACTIONS = {sms_commands.STOP: _stop, sms_commands.START: _start, sms_commands.LANGUAGE: _language,
            sms_commands.HELP: _help, sms_commands.CANCEL: _cancel, sms_commands.SIGN_UP: _sign_up,
            sms_commands.OTHER: _other}
