"""What the pages of a registration's holder (/r/...) show of it: the code as typed turned into
an address, the registration masked (services/gateway/holder.py), and which state it is in.

The holder may be anyone who has the code: these pages show the phone and email masked only,
and are never cached (`Cache-Control: no-store`)."""
from urllib.parse import quote

from services.gateway import holder

CONFIRMED, WAITLISTED, CANCELLED, ERASED = "confirmed", "waitlisted", "cancelled", "erased"
FALLBACK_LANGUAGE = "fi"
LINK_PATH = "/r/"


def code_path(typed):
    """The address of what was typed in the code box: "k7mx-4pra " -> /r/K7MX-4PRA (the API takes
    any case, dashes and spaces; upper case is how the code is printed). A whole link pasted in
    keeps its token as it is: tokens are case-sensitive. None when nothing was typed."""
    text = (typed or "").strip()
    if not text:
        return None
    if LINK_PATH in text:
        reference = text.rsplit(LINK_PATH, 1)[1].split("?")[0].split("#")[0].strip("/")
    else:
        reference = "".join(text.split()).upper()
    return LINK_PATH + quote(reference, safe="") if reference else None


def shown(registration):
    """`registration` as its holder sees it: masked, with its state (ERASED once its name and
    contacts are gone: erased by its holder, or past the retention time)."""
    view = holder.masked(registration)
    erased = not any(registration.get(key) for key in ("name", "phone", "email"))
    return {**view, "state": ERASED if erased else registration["status"]}


def active(registration):
    return registration["status"] in (CONFIRMED, WAITLISTED)


def title(event, lang):
    """The event's title in `lang`, else in Finnish (always there)."""
    return event["title"].get(lang) or event["title"][FALLBACK_LANGUAGE]
