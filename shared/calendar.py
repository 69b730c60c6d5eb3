"""Calendar files (iCalendar, RFC 5545) of events, as any phone or calendar program takes them:
the gateway's `/events/{id}.ics` and `/events.ics`, and the file a confirmation email carries.

One event is one VEVENT whose UID is the same wherever it comes from (`<event id>@<host of
PUBLIC_BASE_URL>`), so a calendar that imports it again (from the email, then from the page)
updates the one entry instead of adding a second. Times are in UTC: no time-zone definitions to
get wrong, and every calendar shows them on its own clock. The file names no person: it is the
event's, and the same for everyone who signs up.
"""
import datetime
from urllib.parse import urlsplit

import icalendar

MEDIA_TYPE = "text/calendar"
PRODUCT = "-//Yhdessä//Yhdessä events//FI"
FALLBACK_LANGUAGE = "fi"
# what an event's `status` is in a calendar; a registration's message carries no status (its
# event is published, or there would be no message to attach it to)
STATUS = {"published": "CONFIRMED", "cancelled": "CANCELLED", None: "CONFIRMED"}


def _moment(value):
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.astimezone(datetime.timezone.utc)


def _in_language(texts, language):
    """A {fi, sv, en} text in `language`, else Finnish (always there), else whichever there is."""
    texts = texts or {}
    return texts.get(language) or texts.get(FALLBACK_LANGUAGE) or next((t for t in texts.values() if t), "")


def uid(event_id, base_url):
    """The event's UID: the same in every file about it."""
    return f"{event_id}@{urlsplit(base_url).hostname}"


def event_url(event_id, base_url):
    return f"{base_url.rstrip('/')}/events/{event_id}"


def vevent(event, base_url, language, stamp):
    """One event (as catalog answers it, or a message's snapshot) as a VEVENT in `language`."""
    url = event_url(event["id"], base_url)
    description = _in_language(event.get("description"), language)
    component = icalendar.Event()
    component.add("uid", uid(event["id"], base_url))
    component.add("dtstamp", stamp)
    component.add("dtstart", _moment(event["starts_at"]))
    component.add("dtend", _moment(event["ends_at"]))
    component.add("summary", _in_language(event["title"], language))
    component.add("location", ", ".join(part for part in (event.get("place"), event.get("address")) if part))
    component.add("description", f"{description}\n\n{url}" if description else url)
    component.add("url", url)
    component.add("status", STATUS.get(event.get("status"), "CONFIRMED"))
    return component


def calendar(events, base_url, language, name=None, stamp=None):
    """The calendar file (bytes, CRLF lines folded at 75 octets) of `events` in `language`;
    `name` shown as the calendar's name by programs that subscribe to it."""
    stamp = stamp or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    document = icalendar.Calendar()
    document.add("prodid", PRODUCT)
    document.add("version", "2.0")
    # PUBLISH: a file to add to one's own calendar, not an invitation to answer (RFC 5546)
    document.add("method", "PUBLISH")
    if name:
        document.add("x-wr-calname", name)
    for event in events:
        document.add_component(vevent(event, base_url, language, stamp))
    return document.to_ical()
