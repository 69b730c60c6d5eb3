"""The event list's filters (municipality, day, words, paging) read from the query, as the
catalog's list_events takes them. A day that is no date is an error beside that field; the list is
shown without it."""
import dataclasses
import datetime
import re
from urllib.parse import urlencode

from services.gateway.pages import form_errors
from shared.errors import ValidationFailed
from shared import helsinki
from shared.helsinki import parse_time_filter

PAGE_SIZE = 50
MAX_OFFSET = 10**6
# what the list of municipalities is gathered from: events not yet over, at most this many
MUNICIPALITY_SCAN = 500
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# as Finns type a day where the browser offers no date picker: 17.10.2026, 17.10.
_FINNISH_DAY = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})?")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,7}")


@dataclasses.dataclass(frozen=True)
class Filters:
    municipality: str = ""
    day: str = ""
    q: str = ""
    offset: int = 0

    def catalog_arguments(self):
        """list_events' keyword arguments (a day: from its start to its end, Helsinki time)."""
        return {"municipality": self.municipality or None, "starts_from": self.day or None,
                "starts_before": self.day or None, "q": self.q or None, "limit": PAGE_SIZE, "offset": self.offset}

    def query(self, **changes):
        """This list's address with `changes` (another offset), empty filters left out."""
        values = dataclasses.replace(self, **changes)
        pairs = [(name, getattr(values, name)) for name in ("municipality", "day", "q", "offset")]
        return "/?" + urlencode([(name, value) for name, value in pairs if value])


def read(args, translate):
    """(Filters, {field: error text}) from the query `args`."""
    errors = {}
    try:
        day = day_filter(args.get("day"))
    except ValidationFailed as exc:
        errors.update(form_errors.for_fields(exc.fields, translate))
        day = ""
    offset = (args.get("offset") or "").strip()
    offset = int(offset) if _WHOLE_NUMBER.fullmatch(offset) else 0
    filters = Filters(municipality=(args.get("municipality") or "").strip(), day=day,
                      q=(args.get("q") or "").strip(), offset=min(offset, MAX_OFFSET))
    return filters, errors


def day_filter(typed):
    """The day filter as typed (YYYY-MM-DD, or d.m.yyyy / d.m.) as YYYY-MM-DD, "" for none;
    ValidationFailed naming `day` when it is no day. The list and the calendar file read it alike."""
    day = _iso_day((typed or "").strip())
    if day:
        if not _DAY.fullmatch(day):
            raise ValidationFailed("Bad date filter.", fields={"day": "use YYYY-MM-DD"})
        parse_time_filter("day", day)
    return day


def _iso_day(typed, today=None):
    """`typed` as YYYY-MM-DD when it is a Finnish d.m.yyyy or d.m. (the next such day); else as typed."""
    found = _FINNISH_DAY.fullmatch(typed)
    if not found:
        return typed
    day, month, year = int(found[1]), int(found[2]), found[3]
    today = today or helsinki.day_of(datetime.datetime.now(datetime.timezone.utc))
    try:
        moment = datetime.date(int(year) if year else today.year, month, day)
        if not year and moment < today:
            moment = moment.replace(year=today.year + 1)
    except ValueError:
        return typed  # 31.2.: refused as no date, beside the field
    return moment.isoformat()


def municipalities(events):
    """The municipalities of `events`, each once, in Finnish alphabetical order."""
    return sorted({event["municipality"] for event in events}, key=lambda name: name.casefold())
