"""A series' schedule: which days its sessions fall on and when each starts and ends, in plain Python.

Two shapes, as staff give them (kept as given in `series.schedule`):
    {"from": "2026-09-05", "until": "2026-09-26", "except": ["2026-09-19"], "start_time": "17:00", "end_time": "19:00"}
        weekly on the weekday of `from`, from..until inclusive
    {"dates": ["2026-09-05", "2026-09-12"], "except": [...], "start_time": "17:00", "end_time": "19:00"}
Times are Helsinki wall-clock times: a weekly group at 17:00 meets at 17:00 on both sides of the
change to or from summer time (so its UTC time moves by an hour).
"""
import datetime

from shared.errors import ValidationFailed
from shared.helsinki import HELSINKI

MAX_SESSIONS = 60
WEEK = datetime.timedelta(days=7)


def _refuse(field, reason):
    raise ValidationFailed("The series' schedule is not one it can have.", fields={f"schedule.{field}": reason})


def _clock(schedule, field):
    value = schedule.get(field)
    try:
        hours, minutes = value.split(":")
        if len(hours) not in (1, 2) or len(minutes) != 2 or not (hours + minutes).isdigit():
            raise ValueError
        return datetime.time(int(hours), int(minutes))
    except (AttributeError, ValueError):
        _refuse(field, "a time of day HH:MM, e.g. 17:00")


def _day(value, field):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        _refuse(field, "a day YYYY-MM-DD")


def is_weekly(schedule):
    """Whether the series meets weekly (from..until), rather than on a list of days: its
    messages then say "week 2/4", not "session 2/4"."""
    return "from" in schedule or "until" in schedule


def session_days(schedule):
    """The days of the sessions, in order: weekly from `from` to `until` (inclusive) or the
    `dates` given, less the days in `except`. ValidationFailed naming `schedule.<field>`."""
    weekly = is_weekly(schedule)
    if weekly == ("dates" in schedule):
        _refuse("from", "either from and until (weekly) or dates")
    if weekly:
        first, last = _day(schedule.get("from"), "from"), _day(schedule.get("until"), "until")
        if last < first:
            _refuse("until", "on or after from")
        if (last - first) // WEEK >= MAX_SESSIONS + 53:  # bound the walk; exceptions cannot bring it under 60
            _refuse("until", f"at most {MAX_SESSIONS} sessions")
        days = [first + n * WEEK for n in range((last - first) // WEEK + 1)]
    else:
        dates = schedule.get("dates")
        if not isinstance(dates, list) or len(dates) > MAX_SESSIONS + 53:
            _refuse("dates", f"a list of at most {MAX_SESSIONS} days")
        days = sorted({_day(value, "dates") for value in dates})
    exceptions = schedule.get("except") or []
    if not isinstance(exceptions, list):
        _refuse("except", "a list of days")
    skipped = {_day(value, "except") for value in exceptions}
    strays = sorted(skipped - set(days))
    if strays:  # a typo would otherwise leave a holiday's session in silently
        _refuse("except", f"{strays[0].isoformat()} is not a day of the series")
    days = [day for day in days if day not in skipped]
    if not days:
        _refuse("except" if skipped else ("dates" if not weekly else "from"), "leaves no session")
    if len(days) > MAX_SESSIONS:
        _refuse("until" if weekly else "dates", f"at most {MAX_SESSIONS} sessions ({len(days)} given)")
    return days


def _moment(day, clock, field):
    """`clock` on Helsinki `day`, in UTC; a wall-clock time that does not exist that day (the hour
    skipped when summer time begins) is refused rather than silently moved."""
    local = datetime.datetime.combine(day, clock, HELSINKI)
    moment = local.astimezone(datetime.timezone.utc)
    if moment.astimezone(HELSINKI).replace(tzinfo=None) != local.replace(tzinfo=None):
        _refuse(field, f"{clock:%H:%M} does not exist in Helsinki on {day.isoformat()} (clocks go forward)")
    return moment


def session_times(schedule):
    """[(starts_at, ends_at)] in UTC, one per session in order. A session ends on its own day,
    after it starts."""
    start, end = _clock(schedule, "start_time"), _clock(schedule, "end_time")
    if end <= start:
        _refuse("end_time", "after start_time")
    return [(_moment(day, start, "start_time"), _moment(day, end, "end_time")) for day in session_days(schedule)]
