"""Periods as staff and frontends give them in queries: `from`/`to` as Helsinki days or ISO times."""
import datetime
import zoneinfo

from shared.errors import ValidationFailed

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def parse_time_filter(name, value, end_of_day=False):
    """`from`/`to` as given in a query: a date (a Helsinki calendar day) or an ISO 8601 time."""
    if value in (None, ""):
        return None
    try:
        if len(value) == 10:
            moment = datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time(), HELSINKI)
        else:
            moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("Bad date filter.", fields={name: "use YYYY-MM-DD or ISO 8601"})
    if not 2000 <= moment.year <= 2100:  # year 1 or 9999 overflows on the way to UTC
        raise ValidationFailed("Bad date filter.", fields={name: "a time between the years 2000 and 2100"})
    if len(value) == 10 and end_of_day:
        moment = datetime.datetime.combine(moment.date() + datetime.timedelta(days=1), datetime.time(), HELSINKI)
    return moment if moment.tzinfo else moment.replace(tzinfo=HELSINKI)
