"""What staff see of the bus as it happens: the activity stream and webhook bodies.

One shape for both, built from an event envelope. It names the registrant (staff see names on
the roster anyway) but never carries a phone number, an email address or a cancel code: a webhook
receiver or a screen at the door needs none of them, and a cancel code would let anyone cancel.
"""
from shared.events import ACTIVITY_TYPES

_FIELDS = {
    "registration_confirmed": ("registration_id", "name", "seats", "status", "assisted_by"),
    "registration_waitlisted": ("registration_id", "name", "seats", "status", "waitlist_position", "assisted_by"),
    "registration_promoted": ("registration_id", "name", "seats", "status"),
    "registration_cancelled": ("registration_id", "name", "seats", "status", "reason"),
    "attendance_marked": ("registration_id", "name", "seats", "attended", "marked_at", "marked_by"),
    "walk_ins_recorded": ("walk_in_id", "count", "total", "recorded_at", "recorded_by"),
}


def activity(envelope):
    """The staff view of one event envelope (a dict as on the bus); None for other types."""
    event_type = envelope["type"]
    if event_type not in ACTIVITY_TYPES:
        return None
    data = envelope["data"]
    event = data["event"]
    return {
        "id": envelope["event_id"], "type": event_type, "occurred_at": envelope["occurred_at"],
        "event": {"id": event["id"], "title": event["title"].get("fi"), "organizer": event.get("organizer")},
        **{name: data.get(name) for name in _FIELDS[event_type]},
    }
