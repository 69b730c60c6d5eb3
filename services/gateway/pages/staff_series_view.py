"""A series (weekly group) as the staff pages show it: its schedule in words, and each session with
its time on Helsinki's clock and how many are coming and waiting (people, as registration counts)."""
from babel.dates import format_date

from services.gateway.pages.event_view import in_language
from shared.helsinki import local, staff_time


def sessions(series):
    """Each session of `series` (read with seats_left and waitlist_left) with its counts: seats
    taken and waiting, of the series' seats (a session not yet started has the series' numbers)."""
    def taken(capacity, left, session):
        # a draft or cancelled session has nobody coming (it offers no seats, which is not "full")
        return max(capacity - left, 0) if session["status"] == "published" else 0

    return [{**session, "time_text": staff_time(session["starts_at"]),
             "coming": taken(series["capacity"], session["seats_left"], session),
             "waiting": taken(series["waitlist_capacity"], session["waitlist_left"], session)}
            for session in series["sessions"]]


def shown(series, lang):
    """The series' staff page: its texts, the weekday it meets on and its sessions."""
    first = series["sessions"][0]["starts_at"] if series["sessions"] else None
    weekly = "from" in series["schedule"]
    return {**series, "title_text": in_language(series.get("title"), lang), "weekly": weekly,
            "weekday": format_date(local(first), "EEEE", locale=lang) if first and weekly else None,
            "clock": f'{series["schedule"]["start_time"]}–{series["schedule"]["end_time"]}',
            "sessions": sessions(series)}


def one_per_series(events):
    """The staff's event list with each series once, where its first listed session was; the
    others are reached from the series' page."""
    seen, listed = set(), []
    for event in events:
        if event.get("series_id"):
            if event["series_id"] in seen:
                continue
            seen.add(event["series_id"])
        listed.append(event)
    return listed


def stats(counts):
    """The series' statistics as its staff page shows them: per session (with its time on
    Helsinki's clock) and in total, and how many enrolled came how many times, most first."""
    sessions = [{**session, "time_text": staff_time(session["starts_at"])} for session in counts["sessions"]]
    came = sorted(((int(times), people) for times, people in counts["total"]["came"].items()), reverse=True)
    return {"sessions": sessions, "total": counts["total"], "came": came}
