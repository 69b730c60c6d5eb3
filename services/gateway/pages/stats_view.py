"""The statistics page's view of the API's statistics (GET /api/stats?per=month): the period
read from two month fields, the API's groups (month × municipality × organizer) summed into one
row per month of the period (a month without events is a row of zeros), the table's columns and
its CSV file. Nothing is counted here: registration and notifications count, as for the API."""
import csv
import datetime
import io
import re
from urllib.parse import urlencode

from babel.dates import format_date

from shared.helsinki import local

# the API's counts, in the table's order, with their headings (texts marked for translation)


def N_(text):
    return text


COLUMNS = (
    ("events", N_("Events")),
    ("events_cancelled", N_("Events cancelled")),
    ("sign_ups", N_("Sign-ups")),
    ("seats_signed_up", N_("Seats signed up")),
    ("confirmed", N_("Confirmed")),
    ("waitlisted", N_("On the waiting list")),
    ("cancellations", N_("Cancelled sign-ups")),
    ("attended", N_("Attended")),
    ("attended_seats", N_("People attended")),
    ("no_shows", N_("Did not come")),
    ("walk_ins", N_("Walk-ins")),
    ("sms", N_("Text messages")),
    ("email", N_("Emails")),
)
# what the chart shows of each month (the table has the rest)
CHART_SERIES = (("sign_ups", N_("Sign-ups")), ("attended", N_("Attended")), ("walk_ins", N_("Walk-ins")))
DEFAULT_MONTHS = 12
# a month as typed: 2026-10 (what <input type=month> sends), or 10/2026 and 10.2026 as Finns write it
_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_FINNISH_MONTH = re.compile(r"^\s*(\d{1,2})\s*[./]\s*(\d{4})\s*$")
FIELDS = ("from", "to")


class Period:
    """The months asked for: `first` and `last` (datetime.date, the 1st of each), inclusive."""

    def __init__(self, first, last):
        self.first, self.last = first, last

    @property
    def api_from(self):
        return self.first.isoformat()

    @property
    def api_to(self):
        """The last day of the last month (the API's `to` is inclusive)."""
        return (_next_month(self.last) - datetime.timedelta(days=1)).isoformat()

    def months(self):
        month, found = self.first, []
        while month <= self.last:
            found.append(month)
            month = _next_month(month)
        return found


def _next_month(month):
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def parse_month(value):
    """The 1st of the month `value` names, or None."""
    found = _ISO_MONTH.match(value or "")
    year, month = (found.group(1), found.group(2)) if found else (None, None)
    if not found:
        found = _FINNISH_MONTH.match(value or "")
        if found:
            month, year = found.group(1), found.group(2)
    if not found or not 1 <= int(month) <= 12:
        return None
    return datetime.date(int(year), int(month), 1)


def default_period(today):
    """The last 12 months, this one included."""
    last = today.replace(day=1)
    first = last
    for _ in range(DEFAULT_MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return Period(first, last)


def read_period(args, today, translate):
    """(Period, {field: error}, {field: value as typed}) from the query's `from` and `to`; a field
    left empty takes the default's month, a field that cannot be read is an error (and the default
    is shown meanwhile)."""
    default = default_period(today)
    typed = {name: (args.get(name) or "").strip() for name in FIELDS}
    months, errors = {}, {}
    for name, fallback in (("from", default.first), ("to", default.last)):
        months[name] = parse_month(typed[name]) if typed[name] else fallback
        if months[name] is None:
            errors[name] = translate(N_("Write the month like this: 2026-10."))
    if errors:
        return default, errors, typed
    if months["from"] > months["to"]:
        return default, {"to": translate(N_("The last month cannot be before the first."))}, typed
    return Period(months["from"], months["to"]), {}, typed


def field_value(typed, month):
    """What a month field shows: as typed, else the month in the form <input type=month> takes."""
    return typed or month.strftime("%Y-%m")


def month_label(month, lang):
    """"lokakuu 2026", "oktober 2026", "October 2026"."""
    return format_date(month, "LLLL yyyy", locale=lang)


def monthly_rows(answer, period, lang):
    """A row per month of `period`: {"key": "2026-10", "label", each of COLUMNS' counts}, the
    API's groups of that month summed (its `messages` as `sms` and `email`)."""
    rows = {month.strftime("%Y-%m"): {"key": month.strftime("%Y-%m"), "label": month_label(month, lang),
                                      **{key: 0 for key, _ in COLUMNS}}
            for month in period.months()}
    for group in answer["groups"]:
        row = rows.get(group["month"])
        if row is None:
            continue
        for key, _heading in COLUMNS:
            row[key] += group["messages"].get(key, 0) if key in ("sms", "email") else group.get(key, 0)
    return list(rows.values())


def totals(answer):
    """The API's totals, flattened as a row is."""
    found = {key: answer["totals"].get(key, 0) for key, _ in COLUMNS if key not in ("sms", "email")}
    found.update(sms=answer["totals"]["messages"].get("sms", 0), email=answer["totals"]["messages"].get("email", 0))
    return found


def choices(groups, key):
    """The distinct municipalities (or organizers) in the API's groups, sorted as people read them."""
    return sorted({group[key] for group in groups}, key=str.casefold)


def csv_bytes(rows, row_totals, translate):
    """The table as a file for a Finnish spreadsheet, as the roster's is: UTF-8 with a byte order
    mark, `;` between fields; a month as 2026-10 so that it sorts."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([translate("Month")] + [translate(heading) for _key, heading in COLUMNS])
    for row in rows:
        writer.writerow([row["key"]] + [row[key] for key, _ in COLUMNS])
    writer.writerow([translate("Total")] + [row_totals[key] for key, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_url(period, municipality, organizer):
    """This page's address for the table as CSV, with the period and filters shown."""
    query = {"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "municipality": municipality,
             "organizer": organizer, "format": "csv"}
    return "/staff/stats?" + urlencode({name: value for name, value in query.items() if value})


def csv_filename(period):
    return f"tilastot-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"


def today_in_helsinki(now=None):
    return local(now or datetime.datetime.now(datetime.timezone.utc)).date()
