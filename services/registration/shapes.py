"""The shapes registration hands out, in one public module: a registration as an answer, its
public view with the event's snapshot, the data of a `registration_*` event, and ANONYMOUS (what
anonymising blanks). Plain functions of rows; nothing here reads the database."""
from services.registration import codes

# What anonymising a registration blanks: everything that names or reaches a person.
ANONYMOUS = {"name": None, "phone": None, "email": None, "contact_key": None, "assisted_by_name": None,
             "client_ref": None}

SNAPSHOT_FIELDS = ("id", "title", "municipality", "place", "address", "starts_at", "ends_at", "organizer")


def snapshot(event):
    """What every outgoing event carries of the event it is about."""
    return {key: event[key] for key in SNAPSHOT_FIELDS}


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


def message_data(registration, event, waitlist_position=None, reason=None, changed=(), token=None):
    """The data of a registration_* event: all a notification needs, no RPC required. An
    erasure's cancellation carries no name or contact: it is nobody's message. `token`: the
    link token, known only when the registration is made (its first message links with it)."""
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
    }
