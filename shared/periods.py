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
            day = datetime.date.fromisoformat(value)
            if end_of_day:
                day += datetime.timedelta(days=1)
            return datetime.datetime.combine(day, datetime.time(), HELSINKI)
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("Bad date filter.", fields={name: "use YYYY-MM-DD or ISO 8601"})
    return moment if moment.tzinfo else moment.replace(tzinfo=HELSINKI)
