"""An event's time as residents read it, in Europe/Helsinki time.

    fi: la 17.10. klo 18–22      ke 10.10. klo 9–12.30
    sv: lör 17.10. kl. 18–22
    en: Sat 17 Oct 18:00–22:00
An event that ends on another day names both days.
"""
import zoneinfo

from babel.dates import format_date

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
DAY_PATTERN = {"fi": "EEE d.M.", "sv": "EEE d.M.", "en": "EEE d MMM"}
CLOCK_WORD = {"fi": "klo ", "sv": "kl. ", "en": ""}


def _clock(moment, language):
    if language == "en":
        return moment.strftime("%H:%M")
    # Finnish and Finland-Swedish style: whole hours bare, minutes after a full stop.
    return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}.{moment.minute:02d}"


def event_time(starts_at, ends_at, language="fi"):
    language = language if language in DAY_PATTERN else "fi"
    start, end = starts_at.astimezone(HELSINKI), ends_at.astimezone(HELSINKI)
    day = lambda moment: format_date(moment, DAY_PATTERN[language], locale=language)  # noqa: E731
    word = CLOCK_WORD[language]
    if start.date() == end.date():
        return f"{day(start)} {word}{_clock(start, language)}–{_clock(end, language)}"
    return f"{day(start)} {word}{_clock(start, language)} – {day(end)} {word}{_clock(end, language)}"
