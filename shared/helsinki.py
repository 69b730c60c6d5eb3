"""Helsinki time, the project's one clock face: what day it is in Finland, event times as residents
read them, times as staff read them in a spreadsheet, and the `from`/`to` of a query.

    residents (event_time)  fi: la 17.10. klo 18–22   sv: lör 17.10. kl. 18–22   en: Sat 17 Oct 18:00–22:00
    staff (staff_time)      17.10.2026 18:00
An event that ends on another day names both days.
"""
import datetime
import zoneinfo

from babel.dates import format_date

from shared.errors import ValidationFailed

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
DAY_PATTERN = {"fi": "EEE d.M.", "sv": "EEE d.M.", "en": "EEE d MMM"}
CLOCK_WORD = {"fi": "klo ", "sv": "kl. ", "en": ""}
# Times outside these years are refused as input: converting them to UTC or formatting them in a
# message overflows (year 1, year 9999).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def local(moment):
    """`moment` (an aware datetime or an ISO 8601 text) on Helsinki's clock."""
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    return moment.astimezone(HELSINKI)


def day_of(moment):
    """The Helsinki calendar day `moment` falls on."""
    return local(moment).date()


def start_of_day(day):
    """Midnight at the start of Helsinki `day`, in UTC."""
    return datetime.datetime.combine(day, datetime.time(), HELSINKI).astimezone(datetime.timezone.utc)


def month_of(moment):
    """"2026-10": the Helsinki month `moment` falls in (statistics per month)."""
    return local(moment).strftime("%Y-%m")


def staff_time(moment):
    """"17.10.2026 18:00": a time as Finnish staff read it in a roster or spreadsheet."""
    return local(moment).strftime("%d.%m.%Y %H:%M")


def _clock(moment, language):
    if language == "en":
        return moment.strftime("%H:%M")
    # Finnish and Finland-Swedish style: whole hours bare, minutes after a full stop.
    return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}.{moment.minute:02d}"


def event_time(starts_at, ends_at, language="fi"):
    """An event's time as a resident reads it in a message, in their language (fi by default)."""
    language = language if language in DAY_PATTERN else "fi"
    start, end = local(starts_at), local(ends_at)
    day = lambda moment: day_text(moment, language)  # noqa: E731
    word = CLOCK_WORD[language]
    if start.date() == end.date():
        return f"{day(start)} {word}{_clock(start, language)}–{_clock(end, language)}"
    return f"{day(start)} {word}{_clock(start, language)} – {day(end)} {word}{_clock(end, language)}"


def day_text(moment, language="fi", weekday=True):
    """A day as a message names it: "la 12.9." (`weekday` False: "12.9."; en "Sat 12 Sep")."""
    language = language if language in DAY_PATTERN else "fi"
    pattern = DAY_PATTERN[language] if weekday else DAY_PATTERN[language].removeprefix("EEE ")
    return format_date(local(moment), pattern, locale=language)


def clock_time(starts_at, ends_at, language="fi"):
    """The clock of an event without its day, as event_time writes it: "klo 17–19" (a weekly
    group's time, the same every week)."""
    language = language if language in DAY_PATTERN else "fi"
    start, end = local(starts_at), local(ends_at)
    return f"{CLOCK_WORD[language]}{_clock(start, language)}–{_clock(end, language)}"


def parse_time_filter(name, value, end_of_day=False):
    """`from`/`to` as given in a query: a date (a Helsinki calendar day; `end_of_day`: up to its
    end) or an ISO 8601 time (without an offset, Helsinki's)."""
    if value in (None, ""):
        return None
    try:
        if len(value) == 10:
            moment = datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time(), HELSINKI)
        else:
            moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("Bad date filter.", fields={name: "use YYYY-MM-DD or ISO 8601"})
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValidationFailed("Bad date filter.",
                               fields={name: f"a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}"})
    if len(value) == 10 and end_of_day:
        moment = datetime.datetime.combine(moment.date() + datetime.timedelta(days=1), datetime.time(), HELSINKI)
    return moment if moment.tzinfo else moment.replace(tzinfo=HELSINKI)


# --- quiet hours: when nothing is sent that does not answer what a person just did -------------

def parse_quiet_hours(value):
    """QUIET_HOURS ("21-08": from 21:00 to 08:00 Helsinki time) as (start hour, end hour), or None
    for none (`off`, or empty). ValueError for anything else."""
    value = (value or "").strip()
    if not value or value.lower() == "off":
        return None
    start, separator, end = value.partition("-")
    if not separator or not start.strip().isdigit() or not end.strip().isdigit():
        raise ValueError(f"QUIET_HOURS: {value!r} is not HH-HH (21-08), or off for none")
    start, end = int(start), int(end)
    if not (0 <= start <= 23 and 0 <= end <= 23) or start == end:
        raise ValueError(f"QUIET_HOURS: {value!r}: two different hours 0-23")
    return start, end


def in_quiet_hours(moment, quiet):
    """Whether `moment` falls in the quiet hours `quiet` (from parse_quiet_hours; None: never)."""
    if quiet is None:
        return False
    start, end = quiet
    hour = local(moment).hour
    return start <= hour or hour < end if start > end else start <= hour < end


def quiet_hours_end(moment, quiet):
    """When the quiet hours `moment` falls in end (UTC); `moment` itself outside them."""
    if not in_quiet_hours(moment, quiet):
        return moment
    here = local(moment)
    end = datetime.datetime.combine(here.date(), datetime.time(quiet[1]), HELSINKI)
    if end <= here:
        end = datetime.datetime.combine(here.date() + datetime.timedelta(days=1), datetime.time(quiet[1]), HELSINKI)
    return end.astimezone(datetime.timezone.utc)


def quiet_hours_start(moment, quiet):
    """When the quiet hours `moment` falls in began (UTC); `moment` itself outside them."""
    if not in_quiet_hours(moment, quiet):
        return moment
    here = local(moment)
    start = datetime.datetime.combine(here.date(), datetime.time(quiet[0]), HELSINKI)
    if start > here:
        start = datetime.datetime.combine(here.date() - datetime.timedelta(days=1), datetime.time(quiet[0]), HELSINKI)
    return start.astimezone(datetime.timezone.utc)


def reminder_time(starts_at, hours_before, quiet):
    """When an event's reminder goes by default: `hours_before` its start, moved earlier out of
    the quiet hours (a reminder due at 03:00 goes the evening before, just before they begin);
    None when `hours_before` is 0 (no reminders)."""
    if not hours_before:
        return None
    # in UTC: an aware datetime on Helsinki's zone subtracts wall-clock time, not hours
    moment = starts_at.astimezone(datetime.timezone.utc) - datetime.timedelta(hours=hours_before)
    if in_quiet_hours(moment, quiet):
        moment = quiet_hours_start(moment, quiet) - datetime.timedelta(minutes=1)
    return moment.astimezone(datetime.timezone.utc)
