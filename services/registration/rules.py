"""When a sign-up is accepted at all: the event's state and registration window, the group size;
how long an Idempotency-Key holds; how often a registrant is re-sent their details."""
import datetime

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


# A retry comes within seconds or minutes; after a day a key is free again (and its row goes).
IDEMPOTENCY_KEY_LIFETIME = datetime.timedelta(days=1)
# Someone signing up again with a registered phone or email sends that person their details at
# most this often: a stranger repeating it cannot flood them.
DETAILS_RESEND_INTERVAL = datetime.timedelta(days=1)
# The same sign-up again this soon is the same person's double tap or retry, or a request the
# broker delivered again after registration died before acking it: its confirmation is on its way.
JUST_SIGNED_UP = datetime.timedelta(minutes=10)


def may_resend_details(registration, now, again=None):
    """True when `registration`'s details have not gone to its registrant again in the last day,
    and `again` (the new sign-up's name and seats) is not the very same sign-up made moments ago."""
    if again == (registration["name"], registration["seats"]) and now - registration["created_at"] < JUST_SIGNED_UP:
        return False
    resent = registration.get("details_resent_at")
    return resent is None or now - resent >= DETAILS_RESEND_INTERVAL
