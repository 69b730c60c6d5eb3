"""What the door page shows: the four counts, and who is on the list for what was typed in the
search box. Plain functions of the roster (registration's list_registrations, as the API's roster
gives it) and the walk-in headcount (its walk_ins); nothing here decides who may come in or be
checked in: registration does, when the button is pressed."""
import re
from urllib.parse import urlencode


def N_(text):
    return text


CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
# what the check-in form sends; anything else is "yes"
NOT_ATTENDED = "no"
# a code is read out in two groups of four; half of one (or more) is already worth looking up
CODE_PIECE = 4
_DASHES_AND_SPACES = re.compile(r"[\s\-‐‑–—]")
_COUNT = re.compile(r"[+\-−]?\d{1,4}")

# a refused check-in or count in staff's words, by the API's error code (registration decides;
# these only say it kindly)
PROBLEMS = {
    "not_confirmed": N_("Only someone with a place can be checked in."),
    "registration_not_found": N_("No one with that code is signed up."),
    "validation_error": N_("The walk-in count cannot go below zero."),
    "service_unavailable": N_("The service did not answer just now. Nothing was done. Please try again."),
}
SOMETHING_WRONG = N_("That did not work. Nothing was done. Please try again.")


def counts(registrations, walk_in_total):
    """{"coming", "here", "walk_ins", "waiting"}: people, not sign-ups (a group of three is three),
    as the contact person's summary counts them. `here` is the registrants checked in; walk-ins
    are counted on their own."""
    seats = lambda wanted: sum(r["seats"] for r in registrations if wanted(r))  # noqa: E731
    return {
        "coming": seats(lambda r: r["status"] == CONFIRMED),
        "here": seats(lambda r: r["status"] == CONFIRMED and r["attended"]),
        "walk_ins": walk_in_total,
        "waiting": seats(lambda r: r["status"] == WAITLISTED),
    }


def _compact(text):
    return _DASHES_AND_SPACES.sub("", text or "").upper()


def matches(registration, query):
    """Whether the typed `query` finds `registration`: a piece of the name (any case), or its
    cancel code as read out (any case, with or without the dash, the first four at least)."""
    words = " ".join((query or "").split()).casefold()
    if not words:
        return True
    if words in " ".join((registration["name"] or "").split()).casefold():
        return True
    code, typed = _compact(registration["cancel_code"]), _compact(query)
    return len(typed) >= CODE_PIECE and code.startswith(typed)


def listed(registrations, query):
    """The rows of the door list for `query`, by name: everyone with a seat or waiting; a
    cancelled sign-up only when searched for (so staff can tell the person at the door why
    they are not on the list). Erased sign-ups, with no name, never."""
    shown = [r for r in registrations
             if r["name"] and (r["status"] != CANCELLED or (query or "").strip()) and matches(r, query)]
    return sorted(shown, key=lambda r: (r["name"].casefold(), r["created_at"]))


def attended_from_form(value):
    """The check-in form's `attended`: "no" takes a check-in back, anything else checks in."""
    return (value or "").strip().lower() != NOT_ATTENDED


def door_path(event_id, query=None, registration_id=None):
    """The door page's address with the search kept and a row to come back to (#r-<id>)."""
    path = f"/staff/events/{event_id}/door"
    if (query or "").strip():
        path += "?" + urlencode({"q": query.strip()})
    return path + (f"#r-{registration_id}" if registration_id else "")


def walk_in_count(value):
    """The walk-in form's `count` as the API's number ("+1", "-1", "−1"); anything else as typed,
    for registration's validation to refuse."""
    value = (value or "").strip()
    return int(value.replace("−", "-")) if _COUNT.fullmatch(value) else value
