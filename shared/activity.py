"""What staff see of the bus as it happens: the activity stream and webhook bodies.

One shape for both, built from an event envelope with the fields shared/kinds.py names for its
kind. It names the registrant (staff see names on the roster anyway) but never carries a phone
number, an email address or a cancel code: a webhook receiver or a screen at the door needs none of
them, and a cancel code would let anyone cancel.
"""
from shared.kinds import KINDS


def activity(envelope):
    """The staff view of one event envelope (a dict as on the bus); None for kinds staff do not follow."""
    event_type = envelope["type"]
    kind = KINDS.get(event_type)
    if kind is None or not kind.activity_fields:
        return None
    data = envelope["data"]
    event = data["event"]
    return {
        "id": envelope["event_id"], "type": event_type, "occurred_at": envelope["occurred_at"],
        "event": {"id": event["id"], "title": event["title"].get("fi"), "organizer": event.get("organizer")},
        **{name: data.get(name) for name in kind.activity_fields},
    }
