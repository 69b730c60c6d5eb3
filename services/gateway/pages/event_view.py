"""An event as the residents' pages show it: its texts in the reader's language (Finnish when
there is none), how full it is, and whether its sign-up form is shown at all."""
import datetime

import phonenumbers
from babel.dates import format_date

from shared import helsinki
from shared.helsinki import local

FALLBACK_LANGUAGE = "fi"


def in_language(texts, lang):
    """A title or description ({"fi": …, "sv": …}) in `lang`, else Finnish, else ""."""
    texts = texts or {}
    return texts.get(lang) or texts.get(FALLBACK_LANGUAGE) or ""


def seats_state(event):
    """"cancelled", "seats" (seats left), "waitlist" (full, room on the waiting list) or "full"."""
    if event["status"] == "cancelled":
        return "cancelled"
    if event["seats_left"] > 0:
        return "seats"
    return "waitlist" if event["waitlist_left"] > 0 else "full"


def sign_up_state(event, now=None):
    """Whether the page offers the form: "open", or why not ("cancelled", "over", "closed",
    "not_open", "full"). For the page only: registration decides each sign-up itself
    (services/registration/rules.py), so a page a moment out of date can mislead, never let in."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    moment = lambda name: event.get(name) and local(event[name])  # noqa: E731
    if event["status"] == "cancelled":
        return "cancelled"
    if now >= moment("ends_at"):
        return "over"
    if now >= moment("starts_at") or (moment("registration_closes_at") and now >= moment("registration_closes_at")):
        return "closed"
    if moment("registration_opens_at") and now < moment("registration_opens_at"):
        return "not_open"
    return "full" if seats_state(event) == "full" else "open"


def moment_text(moment, lang):
    """One moment as the messages write a time: "la 17.10. klo 18", "lör 17.10. kl. 18.30",
    "Sat 17 Oct 18:00"."""
    here = local(moment)
    day = format_date(here, helsinki.DAY_PATTERN[lang], locale=lang)
    return f"{day} {helsinki.CLOCK_WORD[lang]}{helsinki._clock(here, lang)}"  # the messages' own clock face


def shown(event, lang):
    """`event` (with seats_left and waitlist_left) with what its templates need in `lang`."""
    opens = event.get("registration_opens_at")
    return {**event, "title_text": in_language(event.get("title"), lang),
            "opens_text": moment_text(opens, lang) if opens else None,
            "description_text": in_language(event.get("description"), lang),
            "seats_state": seats_state(event)}


def sms_number(config):
    """Our SMS number (TWILIO_FROM, which residents text to sign up) as Finns write it, "045 123
    4567"; None when none is configured (then the page says nothing of signing up by text)."""
    number = (config.get("TWILIO_FROM") or "").strip()
    if not number.startswith("+"):
        return None  # none, or an alphanumeric sender, which cannot be texted
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    style = phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 358 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)
