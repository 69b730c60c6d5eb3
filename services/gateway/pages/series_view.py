"""A weekly group (a series) as the residents' pages show it: its rhythm ("Every Saturday, 4
times"), its sessions with the seats of each, whether the enrolment form is offered, the list page
showing a series once, and an enrolment's sessions as its holder sees them. Plain functions of
catalog's series (get_series, with each session's seats) and registration's enrolment; nothing
here decides who gets a seat: registration does, when the form is sent."""
import datetime

from services.gateway import holder
from services.gateway.pages import event_view
from shared.helsinki import event_time, local


def N_(text):
    return text


# by Monday = 0; "on Saturdays" reads as "every Saturday" in all three languages
EVERY_WEEKDAY = (N_("Every Monday"), N_("Every Tuesday"), N_("Every Wednesday"), N_("Every Thursday"),
                 N_("Every Friday"), N_("Every Saturday"), N_("Every Sunday"))
ACTIVE = ("confirmed", "waitlisted")
CONFIRMED, WAITLISTED, CANCELLED, ERASED = "confirmed", "waitlisted", "cancelled", "erased"
PATH = "/series/"


def _now(now):
    return now or datetime.datetime.now(datetime.timezone.utc)


def is_weekly(series, sessions):
    """Whether the series meets once a week: its schedule was given as weekly (`from`..`until`);
    with no schedule to read, when every session falls on the same weekday."""
    schedule = series.get("schedule") or {}
    if "from" in schedule:
        return True
    if "dates" in schedule:
        return False
    weekdays = {local(s["starts_at"]).weekday() for s in sessions}
    return len(sessions) > 1 and len(weekdays) == 1


def rhythm(series, sessions):
    """{"every": an EVERY_WEEKDAY text (untranslated) or None for a list of dates, "count":
    how many sessions the series has}: "Every Saturday, 4 times"."""
    count = series.get("session_count") or len(sessions)
    if not sessions or not is_weekly(series, sessions):
        return {"every": None, "count": count}
    return {"every": EVERY_WEEKDAY[local(sessions[0]["starts_at"]).weekday()], "count": count}


def session_state(session, now=None):
    """"over" (started already: no one enrols in it any more), "cancelled", or how full it is
    (event_view.seats_state: "seats", "waitlist", "full")."""
    if session["status"] == "cancelled":
        return "cancelled"
    if local(session["starts_at"]) <= _now(now):
        return "over"
    return event_view.seats_state(session)


def upcoming(sessions, now=None):
    """The sessions an enrolment made now would cover: not started, not cancelled, in order."""
    return [s for s in sessions if session_state(s, now) not in ("over", "cancelled")]


def sign_up_state(series, sessions, now=None):
    """Whether the page offers the form: "open", or why not ("cancelled", "over", "not_open",
    "full": no seat and no room to wait in any session to come). For the page only: registration
    decides each enrolment itself."""
    now = _now(now)
    if series["status"] == "cancelled":
        return "cancelled"
    coming = upcoming(sessions, now)
    if not coming:
        return "over"
    opens = series.get("registration_opens_at")
    if opens and now < local(opens):
        return "not_open"
    return "open" if any(event_view.seats_state(s) != "full" for s in coming) else "full"


def shown(series, lang, now=None):
    """`series` (catalog's get_series, each session with seats_left and waitlist_left) with what
    its templates need in `lang`."""
    now = _now(now)
    sessions = sorted(series.get("sessions") or [], key=lambda s: s["session_number"])
    listed = [{**s, "time_text": event_time(s["starts_at"], s["ends_at"], lang), "state": session_state(s, now),
               "elsewhere": s.get("place") not in (None, series.get("place"))} for s in sessions]
    coming = upcoming(sessions, now)
    opens = series.get("registration_opens_at")
    return {**series, "title_text": event_view.in_language(series.get("title"), lang),
            "description_text": event_view.in_language(series.get("description"), lang),
            "opens_text": event_view.moment_text(opens, lang) if opens else None,
            "rhythm": rhythm(series, sessions), "sessions": listed,
            "next": next((s for s in listed if s["id"] == coming[0]["id"]), None) if coming else None,
            "first_waits": bool(coming) and event_view.seats_state(coming[0]) == "waitlist"}


def listed(events):
    """The list page's rows: `events` as they came (soonest first), a series' sessions shown once,
    by its soonest session in the list (its next one). A row of a series has `series_id`."""
    seen, rows = set(), []
    for event in events:
        series_id = event.get("series_id")
        if series_id:
            if series_id in seen:
                continue
            seen.add(series_id)
        rows.append(event)
    return rows


def sessions_of(places, series, lang, now=None):
    """An enrolment's sessions (the API's `sessions`: event_id, session_number, starts_at, status,
    waitlist_position) with their time and place from the series (catalog's, the one that knows a
    moved session's new time), each with `can_cancel`: still to come and the person has a place
    or waits in it."""
    now = _now(now)
    by_id = {s["id"]: s for s in series.get("sessions") or []}
    shown_ = []
    for place in sorted(places, key=lambda p: p["session_number"]):
        session = by_id.get(place["event_id"], {})
        starts_at = session.get("starts_at", place["starts_at"])
        ends_at = session.get("ends_at", starts_at)
        session_cancelled = "cancelled" in (session.get("status"), place.get("event_status"))
        shown_.append({**place, "starts_at": starts_at, "ends_at": ends_at,
                       "place": session.get("place") or series.get("place"),
                       "address": session.get("address") or series.get("address"),
                       "time_text": event_time(starts_at, ends_at, lang),
                       "session_cancelled": session_cancelled,
                       "started": local(starts_at) <= now,
                       "can_cancel": place["status"] in ACTIVE and not session_cancelled and local(starts_at) > now})
    return shown_


def enrolment_shown(enrolment, series, lang, now=None):
    """`enrolment` (registration's get_enrolment) as its holder sees it: contacts masked, its
    state (ERASED once its name and contacts are gone), its sessions (sessions_of)."""
    view = holder.masked(enrolment)
    erased = not any(enrolment.get(key) for key in ("name", "phone", "email"))
    sessions = sessions_of(enrolment.get("sessions") or [], series, lang, now)
    return {**view, "state": ERASED if erased else enrolment["status"], "sessions": sessions,
            "cancellable": [s for s in sessions if s["can_cancel"]]}


def session_in(enrolment_view, event_id):
    """The enrolment's session `event_id`, or None when the enrolment has none such."""
    return next((s for s in enrolment_view["sessions"] if s["event_id"] == event_id), None)


def active(enrolment):
    return enrolment["status"] in ACTIVE
