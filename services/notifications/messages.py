"""What a registrant reads: the template shared/kinds.py names for each registration event,
rendered in their language for their channel. Texts live in templates/<language>/<template>.j2 with
blocks `sms`, `subject` and `email`; a language without its own text falls back to Finnish.
"""
import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, meta, select_autoescape

from shared import gsm
from shared.calendar import calendar
from shared.config import setting
from shared.contracts import StaffMessage
from shared.helsinki import clock_time, day_text, event_time, local
from shared.kinds import telling

TEMPLATES = Path(__file__).parent / "templates"
FALLBACK_LANGUAGE = "fi"
# Emails that carry their event's calendar file (tapahtuma.ics): those that give a place, and the
# one saying the event itself is cancelled (STATUS:CANCELLED, same UID: a calendar that has it
# marks it off). A registrant's own cancellation carries none: the event still takes place, and a
# CANCELLED entry would say it does not.
CALENDAR_STATUS = {"confirmed": "published", "promoted": "published", "reminder": "published",
                   "event_cancelled": "cancelled"}
MAX_SMS_SEGMENTS = 2
# An enrolment's SMS names this many of its first dates, then "and N more"
FIRST_DATES = 4

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)

# Unicode punctuation that would turn a whole SMS into UCS-2 (70 characters a segment).
GSM_SUBSTITUTES = str.maketrans({"–": "-", "—": "-", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
                                 "…": "...", "\u00a0": " "})


@dataclass(frozen=True)
class Message:
    template: str
    language: str
    subject: str
    text: str
    html: str
    # an email's calendar file (text/calendar), or ""
    calendar: str = ""


def _template(language, name):
    if not (TEMPLATES / language / f"{name}.j2").exists():
        language = FALLBACK_LANGUAGE
    return language, _env.get_template(f"{language}/{name}.j2")


def _block(template, block, context):
    return "".join(template.blocks[block](template.new_context(context))).strip()


def _context(data, language, limits=(None, None, None), hint=True):
    title_limit, place_limit, name_limit = limits
    title = _title(data.event, language)
    return {
        # staff's message to everyone (event_message): the text as staff wrote it, never shortened;
        # who writes (the organizer) shortened as the place is; `hint` how to answer, if it fits
        "text": getattr(data, "text", ""),
        "organizer": _shorten(data.event.organizer or "", place_limit),
        "hint": hint,
        "name": _shorten(data.name or "", name_limit),
        "title": _shorten(title, title_limit),
        "place": _shorten(data.event.place, place_limit),
        "address": data.event.address,
        "when": event_time(data.event.starts_at, data.event.ends_at, language),
        "code": data.cancel_code,
        "seats": data.seats,
        "position": getattr(data, "waitlist_position", None),
        "status": data.status,
        # the registrant's own page, in the first message only (the token is not kept after it)
        # the registrant's own page, opening in their language whatever their browser's is
        "link": f"{setting('PUBLIC_BASE_URL').rstrip('/')}/r/{data.token}?lang={language}" if data.token else None,
        # which session of its series the event is ("viikko 2/4"), or ""
        "session": _series_words(language, "session", number=data.event.session_number,
                                 count=data.event.session_count, weekly=data.event.series_weekly)
        if data.event.session_number and data.event.session_count else "",
        **_enrolment(data, language),
    }


def _series_words(language, block, **context):
    """A phrase of templates/<language>/_series.j2: "viikko 2/4", "lauantaisin klo 17–19"."""
    language, template = _template(language, "_series")
    return _block(template, block, context)


def _enrolment(data, language):
    """What a message about an enrolment (enrolment_*: a whole series) says of its sessions: when
    the group meets ("lauantaisin klo 17–19"; no weekday when its days differ), the first dates
    with the waiting place where there is no seat, how many more, and the page of its code. A
    registration's data has no sessions: its own event stands for them."""
    sessions = getattr(data, "sessions", None) or []
    coming = [s for s in sessions if s.status != "cancelled"] if data.status != "cancelled" else sessions
    weekdays = {local(s.starts_at).weekday() for s in coming} or {local(data.event.starts_at).weekday()}
    dates = [{"day": day_text(s.starts_at, language, weekday=False), "position": s.waitlist_position,
              "waiting": s.status == "waitlisted"} for s in coming]
    return {
        "schedule": _series_words(language, "schedule", weekday=weekdays.pop() if len(weekdays) == 1 else None,
                                  clock=clock_time(data.event.starts_at, data.event.ends_at, language)),
        "dates": dates[:FIRST_DATES], "all_dates": dates, "more": max(0, len(dates) - FIRST_DATES),
        "count": len(coming),
        "page": f"{setting('PUBLIC_BASE_URL').rstrip('/')}/r/{data.cancel_code}",
    }


def _title(event, language):
    return event.title.get(language) or event.title[FALLBACK_LANGUAGE]


def _shorten(text, limit):
    """`text` cut to `limit` SMS units (an emoji counts two), marked with "..."."""
    if limit is None or gsm.length(text) <= limit:
        return text
    if limit == 0:
        return ""
    while text and gsm.length(text) > limit - 3:
        text = text[:-1]
    return text.rstrip() + "..."


# (title, place, name) limits in SMS units, tried in turn until the text fits. A short name outside
# GSM-7 (two UCS-2 segments hold 134 characters) keeps its greeting next to the reply PERU.
SMS_SHORTENINGS = [(None, None, None), (60, None, 40), (40, 40, 20), (25, 30, 15), (15, 20, 10), (10, 10, 10),
                   (10, 10, 0)]


@functools.lru_cache(maxsize=None)
def _variables(language, name):
    """The names a template's text uses (so an optional part is dropped only where there is one)."""
    source = _env.loader.get_source(_env, f"{language}/{name}.j2")[0]
    return meta.find_undeclared_variables(_env.parse(source))


def _gsm_only(text):
    return "".join(c for c in text if gsm.is_gsm7(c))


def render_sms(name, data):
    """The SMS text, shortened (title first, then place and name) until it fits two segments.

    Should even the shortest text not fit (a long overnight event whose every name is in a script
    outside GSM-7), the characters outside GSM-7 are left out of the event's names: the time and
    the code, which the resident needs most, always arrive."""
    language, template = _template(data.language, name)
    # a template's optional hint (how to answer) is left out before the names are cut any shorter
    hints = (True, False) if "hint" in _variables(language, name) else (True,)
    for limits in SMS_SHORTENINGS:
        for hint in hints:
            context = _context(data, language, limits, hint)
            text = _block(template, "sms", context).translate(GSM_SUBSTITUTES)
            if gsm.segments(text) <= MAX_SMS_SEGMENTS:
                return Message(name, language, "", text, "")
    for key in ("name", "title", "place"):
        context[key] = _gsm_only(context[key])
    text = _block(template, "sms", context).translate(GSM_SUBSTITUTES)
    return Message(name, language, "", text, "")


def preview_staff_message(event, text, language=FALLBACK_LANGUAGE):
    """Staff's message to everyone (event_message) as an SMS to a registrant reading `language`,
    before it is sent: the preview on the staff page."""
    data = StaffMessage.model_validate({
        "registration_id": "preview", "status": "confirmed", "language": language, "channel": "sms", "seats": 1,
        "cancel_code": "", "event": event, "message_id": "preview", "text": text})
    return render_sms(telling("event_message").template, data)


def render_email(name, data):
    language, template = _template(data.language, name)
    context = _context(data, language)
    subject = _block(template, "subject", context)
    text = _block(template, "email", context)
    return Message(name, language, subject, text, _html(language, subject, text), _calendar(name, data, language))


def _calendar(name, data, language):
    """The calendar file of the email `name` about `data`'s event, or "" (CALENDAR_STATUS)."""
    if name not in CALENDAR_STATUS:
        return ""
    event = {**data.event.model_dump(), "status": CALENDAR_STATUS[name]}
    return calendar([event], setting("PUBLIC_BASE_URL"), language).decode("utf-8")


def _html(language, subject, text):
    """The HTML part of an email: its text's paragraphs in the common layout."""
    paragraphs = [block.split("\n") for block in text.split("\n\n") if block.strip()]
    return _env.get_template("_email.html.j2").render(language=language, subject=subject, paragraphs=paragraphs)


def render_summary(name, data):
    """What an event's contact person reads when its registration closes (in Finnish: staff), with
    the template `name`."""
    language, template = _template(FALLBACK_LANGUAGE, name)
    context = {
        "title": _title(data.event, language),
        "when": event_time(data.event.starts_at, data.event.ends_at, language), "place": data.event.place,
        "confirmed": data.confirmed, "confirmed_seats": data.confirmed_seats,
        "waitlisted": data.waitlisted, "waitlisted_seats": data.waitlisted_seats,
    }
    if data.summary_phone:
        return Message(name, language, "", _block(template, "sms", context).translate(GSM_SUBSTITUTES), "")
    subject, text = _block(template, "subject", context), _block(template, "email", context)
    return Message(name, language, subject, text, _html(language, subject, text))


def render(event_type, data):
    """The message a registration event becomes on the registrant's channel; None when there is
    nobody to tell (an erasure's cancellation), or the registrant hears of it through their
    enrolment's one message (a session's registration made or cancelled with the whole series)."""
    name = telling(event_type, data.reason).template
    if name is None or getattr(data, "told_with_enrolment", False):
        return None
    return render_sms(name, data) if data.channel == "sms" else render_email(name, data)


def render_budget_notice(day, budget):
    """What an admin reads when the day's SMS budget runs out (Finnish: staff; English inside)."""
    language, template = _template(FALLBACK_LANGUAGE, "sms_budget")
    context = {"day": day.strftime("%-d.%-m.%Y"), "budget": budget}
    return Message("sms_budget", language, _block(template, "subject", context), _block(template, "email", context), "")


# Titles in a reply's list of registrations, in SMS units, tried in turn until the reply fits.
REPLY_TITLE_LIMITS = (None, 40, 25, 15, 8)


def render_reply(name, language, context=None):
    """A reply to a resident's text (templates/<language>/reply_<name>.j2), within two segments:
    the titles in it (`context["title"]`, and those of `context["choices"]`, a numbered list of
    registrations: {number, title {fi,sv,en}, starts_at}) are shortened, then the list's tail left
    out, until it does."""
    name = f"reply_{name}"
    language, template = _template(language or FALLBACK_LANGUAGE, name)
    context = dict(context or {})
    choices = context.pop("choices", [])
    title = context.pop("title", "")
    text = ""
    for count in range(len(choices), -1, -1) if choices else (0,):
        for limit in REPLY_TITLE_LIMITS:
            listed = [{"number": c["number"], "title": _shorten(_title(_Titled(c["title"]), language), limit),
                       "when": _start(c["starts_at"], language)} for c in choices[:count]]
            text = _block(template, "sms", {**context, "title": _shorten(title, limit), "choices": listed})
            text = text.translate(GSM_SUBSTITUTES)
            if gsm.segments(text) <= MAX_SMS_SEGMENTS:
                return Message(name, language, "", text, "")
    return Message(name, language, "", text, "")


@dataclass(frozen=True)
class _Titled:
    title: dict


def _start(starts_at, language):
    """When an event starts, as a message says it (its day and clock: event_time's first half)."""
    moment = datetime.datetime.fromisoformat(starts_at) if isinstance(starts_at, str) else starts_at
    return event_time(moment, moment, language).split("–")[0]
