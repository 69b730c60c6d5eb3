"""An organizer's events as the staff pages show them: whose they are, upcoming or earlier, and
the counts (people, not sign-ups: a group of three is three) as registration keeps them."""
import datetime

from services.gateway.pages.event_view import in_language
from shared.helsinki import local, staff_time

# how far back "earlier events" reaches, and how many events a list shows at most
EARLIER_DAYS = 365
LIST_LIMIT = 500


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def earlier_window(moment=None):
    """(from, to) for the catalog's list of earlier events: the past year up to now."""
    moment = local(moment or now())
    return (moment - datetime.timedelta(days=EARLIER_DAYS)).isoformat(), moment.isoformat()


def reachable(events, organizer):
    """The events of `organizer` (None: an admin, every organizer's). The API lists everyone's
    published events to any staff token; these pages are the organizer's own office."""
    return [event for event in events if organizer is None or event["organizer"] == organizer]


def is_over(event, moment=None):
    return local(event["ends_at"]) <= local(moment or now())


def listed(event, lang):
    """One line of the list: title, time, status and seats (drafts have no sign-ups yet)."""
    return {**event, "title_text": in_language(event.get("title"), lang), "time_text": staff_time(event["starts_at"]),
            "seats_taken": max(event["capacity"] - event["seats_left"], 0),
            "waiting": max(event["waitlist_capacity"] - event["waitlist_left"], 0)}


def counts(roster, walk_ins):
    """Coming (confirmed), checked in, walk-ins and waiting, in people."""
    confirmed = [r for r in roster if r["status"] == "confirmed"]
    return {"coming": sum(r["seats"] for r in confirmed),
            "checked_in": sum(r["seats"] for r in confirmed if r["attended"]),
            "walk_ins": walk_ins["total"],
            "waiting": sum(r["seats"] for r in roster if r["status"] == "waitlisted")}


def shown(event, lang):
    """The event's staff page: its texts and times on Helsinki's clock."""
    moment = lambda name: staff_time(event[name]) if event.get(name) else None  # noqa: E731
    return {**event, "title_text": in_language(event.get("title"), lang),
            "starts_text": moment("starts_at"), "ends_text": moment("ends_at"),
            "opens_text": moment("registration_opens_at"), "closes_text": moment("registration_closes_at"),
            "reminder_text": moment("reminder_at"), "over": is_over(event)}
