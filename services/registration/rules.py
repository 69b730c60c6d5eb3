"""Registration's rules, in plain Python: when a sign-up is accepted at all (the event's state,
its registration window, the group size) and when registration has closed; when the waiting
list may move; who may be checked in; what a walk-in count does to the headcount; which catalog
changes registrants hear of; how long an Idempotency-Key holds; how often a registrant is re-sent
their details; what a resident's text names (an SMS code, the registration to cancel); who is
reminded of their event.

"Registration has closed" and "a reminder is due" are defined once here, each as a rule and as the
same rule in SQL."""
import datetime
import difflib
import re

from sqlalchemy import and_, or_

from services.registration import codes
from services.registration.seating import CONFIRMED
from services.registration.tables import events, registrations
from shared.errors import Conflict, NotFound, ValidationFailed


def has_started(event, now):
    return now >= event["starts_at"]


def registration_has_closed(event, now):
    """Past the event's registration deadline, or the event has started (with or without one)."""
    closes = event["registration_closes_at"]
    return (closes is not None and now >= closes) or has_started(event, now)


def registration_has_closed_sql(now):
    """`registration_has_closed` as a condition on registration's events table (a missing
    deadline compares as NULL, so only the start counts then, as above)."""
    return or_(events.c.registration_closes_at <= now, events.c.starts_at <= now)


def may_promote(event, now):
    """Whether the waiting list may move into freed seats now: nobody is told they got a seat at
    an event that is off (draft or cancelled) or already under way. Registration having closed
    does not stop it: a seat freed the evening before still goes to the next in line."""
    return event["status"] == "published" and not has_started(event, now)


def check_open(event, now):
    """Raise unless `event` takes sign-ups at `now`."""
    if event["status"] == "cancelled":
        raise Conflict("The event has been cancelled.", code="event_cancelled")
    if event["status"] != "published":
        raise NotFound("No such event.", code="event_not_found")
    opens = event["registration_opens_at"]
    if opens is not None and now < opens:
        raise Conflict(f"Registration opens at {opens.isoformat()}.", code="registration_not_open")
    if registration_has_closed(event, now):
        raise Conflict("Registration has closed.", code="registration_closed")


def check_group(event, seats):
    if seats > event["max_group_size"]:
        raise ValidationFailed(
            "The group is larger than this event allows.",
            fields={"seats": f"at most {event['max_group_size']} per sign-up"},
        )


def check_may_check_in(registration):
    """Raise unless `registration` may be marked as there (or that be taken back): only a
    confirmed one; someone waiting or cancelled has no seat to sit in."""
    if registration["status"] != CONFIRMED:
        raise Conflict(f"Only a confirmed registration can be checked in; this one is "
                       f"{registration['status']}.", code="not_confirmed")


def walk_in_total(total, count):
    """The headcount of walk-ins after counting `count` more (negative: some left or were counted
    twice) on top of `total`. A count that changes nothing or goes below zero is refused."""
    new_total = total + count
    if count == 0 or new_total < 0:
        raise ValidationFailed("That count would make the headcount negative or leave it as it is.",
                               fields={"count": f"a non-zero number, at least {-total}"})
    return new_total


# Catalog fields that, when they change, every registrant hears of: when and where to come.
# Other changes (a title's typo, the capacity) are not worth a message to everyone.
FIELDS_REGISTRANTS_HEAR_OF = frozenset({"starts_at", "ends_at", "place", "address"})


def changes_registrants_hear_of(changed):
    """Of the catalog fields `changed`, those registrants are told of, sorted (empty: tell nobody)."""
    return sorted(set(changed) & FIELDS_REGISTRANTS_HEAR_OF)


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


# What a resident texts (services/registration/by_phone.py): an event's SMS code, and which of
# their registrations "PERU 2" or "PERU <cancel code>" means.

def sms_code_of(text):
    """An SMS code as stored and compared: any case and spacing, upper case (None when empty)."""
    code = re.sub(r"[\s\-]", "", text or "").upper()
    return code or None


def chosen_registration(active, choice):
    """Which of `active` (the sender's registrations, numbered from 1 in the order listed to them)
    a cancelling text means: `choice` a number of that list or a cancel code, or no choice when
    there is exactly one. None: they have to choose (a choice that names none of them is no
    choice: cancelling something they did not name would be worse than asking)."""
    choice = (choice or "").strip().strip(".#)").strip()
    if not choice:
        return active[0] if len(active) == 1 else None
    if choice.isdigit():
        number = int(choice)
        return active[number - 1] if 1 <= number <= len(active) else None
    code = codes.normalise(choice)
    return next((registration for registration in active if registration["cancel_code"] == code), None)


def closest_sms_code(code, known):
    """The SMS code of `known` a mistyped `code` most likely meant (None when none is close)."""
    found = difflib.get_close_matches(sms_code_of(code) or "", sorted(known), n=1, cutoff=0.5)
    return found[0] if found else None


def reminder_is_due(event, registration, now):
    """Whether `registration` gets its event's reminder at `now`: the event is on, with reminders,
    its `reminder_at` has come and it has not started; the registration is confirmed, not yet
    reminded, and was made before `reminder_at` (someone who signed up after it has just had
    their confirmation). A moved event has a moved `reminder_at`: its reminder follows it."""
    reminder_at = event["reminder_at"]
    return (event["status"] == "published" and bool(event["reminders"]) and reminder_at is not None
            and reminder_at <= now and not has_started(event, now)
            and registration["status"] == CONFIRMED and registration["reminded_at"] is None
            and registration["created_at"] < reminder_at)


def promotion_is_the_reminder(event, now):
    """Whether a promotion at `now` stands for the reminder: the event's reminder time has passed,
    and the promotion's message (when, where, reply PERU) has just said it all."""
    return event["reminder_at"] is not None and event["reminder_at"] <= now


def reminder_is_due_sql(now):
    """`reminder_is_due` as a condition on registration's events joined to its registrations."""
    return and_(events.c.status == "published", events.c.reminders.is_(True), events.c.reminder_at <= now,
                events.c.starts_at > now, registrations.c.status == CONFIRMED,
                registrations.c.reminded_at.is_(None), registrations.c.created_at < events.c.reminder_at)
