"""The shapes registration hands out, in one public module: a registration as an answer, its
public view with the event's snapshot, the data of a `registration_*` event, and ANONYMOUS (what
anonymising blanks). Plain functions of rows; nothing here reads the database."""
from services.registration import codes

# What anonymising a registration blanks: everything that names or reaches a person.
ANONYMOUS = {"name": None, "phone": None, "email": None, "contact_key": None, "assisted_by_name": None,
             "client_ref": None}

SNAPSHOT_FIELDS = ("id", "title", "municipality", "place", "address", "starts_at", "ends_at", "organizer")
# a session of a series: which one of how many ("week 2/4" in its messages); None otherwise
SESSION_FIELDS = ("series_id", "session_number", "session_count")


def snapshot(event):
    """What every outgoing event carries of the event it is about."""
    return {**{key: event[key] for key in SNAPSHOT_FIELDS}, **{key: event.get(key) for key in SESSION_FIELDS},
            "series_weekly": bool(event.get("series_weekly"))}


def answer(registration, waitlist_position):
    """A registration as registration's RPCs answer it (staff's roster adds `client_ref`)."""
    return {
        "id": registration["id"], "event_id": registration["event_id"],
        "status": registration["status"], "seats": registration["seats"],
        "waitlist_position": waitlist_position, "cancel_code": codes.display(registration["cancel_code"]),
        "name": registration["name"], "phone": registration["phone"], "email": registration["email"],
        "language": registration["language"], "channel": registration["channel"],
        "created_at": registration["created_at"].isoformat(),
        "cancelled_at": registration["cancelled_at"].isoformat() if registration["cancelled_at"] else None,
        "attended": registration["attended_at"] is not None,
        "attended_at": registration["attended_at"].isoformat() if registration["attended_at"] else None,
        "assisted_by": registration["assisted_by_name"] or registration["assisted_by"],
        "consent_at": registration["consent_at"].isoformat() if registration["consent_at"] else None,
    }


def public_view(registration, event, waitlist_position):
    """The answer with the event's snapshot (times as ISO 8601): what its registrant sees."""
    public = answer(registration, waitlist_position)
    public["event"] = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in snapshot(event).items()}
    return public


def message_data(registration, event, waitlist_position=None, reason=None, changed=(), token=None,
                 told_with_enrolment=False):
    """The data of a registration_* event: all a notification needs, no RPC required. An
    erasure's cancellation carries no name or contact: it is nobody's message. `token`: the
    link token, known only when the registration is made (its first message links with it).
    A session's row of an enrolment names it (`enrolment_id`); `told_with_enrolment`: its
    registrant hears of it in the enrolment's one message, not of this."""
    if reason == "erased":
        registration = {**registration, **ANONYMOUS}
    return {
        "registration_id": registration["id"], "status": registration["status"],
        "name": registration["name"], "phone": registration["phone"], "email": registration["email"],
        "assisted_by": registration.get("assisted_by_name"),
        "language": registration["language"], "channel": registration["channel"],
        "seats": registration["seats"], "cancel_code": codes.display(registration["cancel_code"]),
        "waitlist_position": waitlist_position, "reason": reason,
        "changed": list(changed), "token": token, "event": snapshot(event),
        "enrolment_id": registration.get("enrolment_id"), "told_with_enrolment": told_with_enrolment,
    }


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def session_place(registration, event, waitlist_position):
    """One session of an enrolment, as its answers and `enrolment_*` events list it."""
    return {"event_id": event["id"], "session_number": event.get("session_number"),
            "starts_at": _iso(event["starts_at"]), "ends_at": _iso(event["ends_at"]), "place": event["place"],
            "address": event["address"], "event_status": event["status"], "status": registration["status"],
            "waitlist_position": waitlist_position, "attended": registration.get("attended_at") is not None}


def enrolment_view(enrolment, status, sessions, first_event):
    """An enrolment as registration's RPCs answer it: its holder's code, contacts (the gateway
    masks them), each session's place, and the snapshot of its first session."""
    return {
        "id": enrolment["id"], "series_id": enrolment["series_id"], "status": status, "seats": enrolment["seats"],
        "cancel_code": codes.display(enrolment["cancel_code"]), "name": enrolment["name"],
        "phone": enrolment["phone"], "email": enrolment["email"], "language": enrolment["language"],
        "channel": enrolment["channel"], "created_at": _iso(enrolment["created_at"]),
        "cancelled_at": _iso(enrolment["cancelled_at"]),
        "assisted_by": enrolment.get("assisted_by_name") or enrolment.get("assisted_by"),
        "consent_at": _iso(enrolment.get("consent_at")), "sessions": sessions,
        "event": {key: _iso(value) for key, value in snapshot(first_event).items()} if first_event else None,
    }


def enrolment_data(enrolment, status, sessions, first_event, token=None, reason=None):
    """The data of an `enrolment_*` event (shared/contracts.py EnrolmentEvent)."""
    return {
        "enrolment_id": enrolment["id"], "series_id": enrolment["series_id"], "status": status,
        "name": enrolment["name"], "phone": enrolment["phone"], "email": enrolment["email"],
        "language": enrolment["language"], "channel": enrolment["channel"], "seats": enrolment["seats"],
        "cancel_code": codes.display(enrolment["cancel_code"]), "reason": reason,
        "assisted_by": enrolment.get("assisted_by_name"), "token": token, "sessions": sessions,
        "event": snapshot(first_event),
    }
