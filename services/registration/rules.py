"""When a sign-up is accepted at all: the event's state and registration window, the group size."""
from shared.errors import Conflict, NotFound, ValidationFailed


def check_open(event, now):
    """Raise unless `event` takes sign-ups at `now`."""
    if event["status"] == "cancelled":
        raise Conflict("The event has been cancelled.", code="event_cancelled")
    if event["status"] != "published":
        raise NotFound("No such event.", code="event_not_found")
    opens, closes = event["registration_opens_at"], event["registration_closes_at"]
    if opens is not None and now < opens:
        raise Conflict(f"Registration opens at {opens.isoformat()}.", code="registration_not_open")
    if (closes is not None and now >= closes) or now >= event["starts_at"]:
        raise Conflict("Registration has closed.", code="registration_closed")


def check_group(event, seats):
    if seats > event["max_group_size"]:
        raise ValidationFailed(
            "The group is larger than this event allows.",
            fields={"seats": f"at most {event['max_group_size']} per sign-up"},
        )
