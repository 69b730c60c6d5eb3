"""Calendar files as HTTP answers: the list's filters read as the event list reads them, and the
file (shared/calendar.py) answered inline with a filename, cacheable by anyone for a while (it
names no person)."""
from werkzeug.wrappers import Response

from services.gateway.pages import event_list
from shared.calendar import MEDIA_TYPE, calendar

# A calendar someone subscribes to is fetched again and again: a few minutes' copy is enough.
PUBLIC_CACHE = "public, max-age=300"
MAX_EVENTS = 200


def filters(request):
    """(municipality, day, q) of GET / and GET /events.ics: a bad day is the list's 422 (field `day`)."""
    municipality = (request.args.get("municipality") or "").strip() or None
    day = event_list.day_filter(request.args.get("day")) or None
    q = (request.args.get("q") or "").strip() or None
    return municipality, day, q


def name(page, municipality):
    """The calendar's name, as a program that subscribes to it shows it."""
    return page._("Yhdessä events: %(municipality)s", municipality=municipality) if municipality \
        else page._("Yhdessä events")


def answer(page, events, filename, name=None):
    """The calendar file of `events` in the reader's language. No cookie is set: a shared cache
    may keep this answer."""
    body = calendar(events, page.base_url, page.lang, name=name)
    response = Response(body, mimetype=MEDIA_TYPE, headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": PUBLIC_CACHE,
        "Content-Language": page.lang})
    response.content_type = f"{MEDIA_TYPE}; charset=utf-8"
    response.vary.update(("Accept-Language", "Cookie"))
    return response
