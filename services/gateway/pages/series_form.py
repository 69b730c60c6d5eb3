"""The staff form of a new series (a weekly group): what a browser sends turned into the API's
NewSeries body, and the catalog's refusals in plain words beside the form's fields.

Every rule of a series (its days, 1-60 sessions, times) is the catalog's (services/catalog/schedule.py):
this module only reads what was typed. The weekday follows from the first day; exceptions are typed
as days separated by commas, spaces or lines (17.10.2026 or 2026-10-17)."""
import re

from services.gateway.pages import event_form, event_form_errors
from services.gateway.pages.form_errors import SOMETHING_WRONG, kindly

SCHEDULE_FIELDS = ("first_day", "last_day", "start_time", "end_time", "exceptions")
TEXT_FIELDS = ("municipality", "place", "address", "sms_code", "organizer")
NUMBER_FIELDS = event_form.NUMBER_FIELDS
FIELDS = (tuple(f"title_{lang}" for lang in event_form.LANGUAGES) + ("description_fi",) + TEXT_FIELDS
          + NUMBER_FIELDS + SCHEDULE_FIELDS)
DEFAULTS = {"waitlist_capacity": "0", "max_group_size": "5", "start_time": "17:00", "end_time": "19:00"}
# the API's schedule fields, named as the form's
SCHEDULE_NAMES = {"schedule.from": "first_day", "schedule.until": "last_day", "schedule.dates": "first_day",
                  "schedule": "first_day", "schedule.except": "exceptions", "schedule.start_time": "start_time",
                  "schedule.end_time": "end_time"}
_SEPARATORS = re.compile(r"[,;\s]+")


def N_(text):
    return text


# (form field, a piece of the reason, our text) before the event form's own rows; "*" any field
BY_FIELD = (
    ("exceptions", "not a day of the series", N_("Each day without a session must be one of the group's days.")),
    ("exceptions", "leaves no session", N_("These days leave no session.")),
    ("exceptions", "", N_("Write the days without a session like 19.9.2026, separated by commas.")),
    ("last_day", "at most", N_("A series can have at most 60 sessions.")),
    ("last_day", "", N_("The last day must be on or after the first day.")),
    ("first_day", "between", N_("Every session must be between a week ago and three years ahead.")),
    ("first_day", "", N_("Write the first day like 5.9.2026.")),
    ("start_time", "does not exist", N_("The clocks skip this hour that night. Choose another time.")),
    ("start_time", "", N_("Write the time like 17:00.")),
    ("end_time", "after", N_("The end must be after the start.")),
    ("end_time", "", N_("Write the time like 17:00.")),
) + event_form_errors.BY_FIELD


def blank(admin_organizer=""):
    values = {name: "" for name in FIELDS}
    values.update(DEFAULTS, organizer=admin_organizer)
    return values


def sent(form):
    """The form's values as posted (trimmed; a missing field empty)."""
    return {name: (form.get(name) or "").strip() for name in FIELDS}


def _clock(text):
    clock = event_form._CLOCK.fullmatch(text)
    return f"{int(clock.group(1)):02d}:{clock.group(2)}" if clock else text


def new_series(values, admin, publish):
    """(NewSeries body, {form field: reason} for what could not be read). Empty fields are left
    out, so the catalog's defaults and "required" apply."""
    bad, schedule = {}, {}
    for field, name in (("first_day", "from"), ("last_day", "until")):
        if values[field]:
            day = event_form._day(values[field])
            schedule[name] = day.isoformat() if day else values[field]
            if day is None:
                bad[field] = "a day YYYY-MM-DD"
    exceptions = [text for text in _SEPARATORS.split(values["exceptions"]) if text]
    days = [event_form._day(text) for text in exceptions]
    if None in days:
        bad["exceptions"] = "a list of days"
    schedule["except"] = [day.isoformat() for day in days if day]
    schedule.update(start_time=_clock(values["start_time"]), end_time=_clock(values["end_time"]))
    body = {"title": {lang: values[f"title_{lang}"] for lang in event_form.LANGUAGES if values[f"title_{lang}"]},
            "schedule": schedule, "status": "published" if publish else "draft"}
    if values["description_fi"]:
        body["description"] = {"fi": values["description_fi"]}
    for name in TEXT_FIELDS:
        if values[name] and (name != "organizer" or admin):
            body[name] = values[name]
    for name in NUMBER_FIELDS:
        if values[name]:
            if event_form._WHOLE_NUMBER.fullmatch(values[name]):
                body[name] = int(values[name])
            else:
                bad[name] = event_form.BAD_NUMBER
    return body, bad


def form_field(api_name):
    return SCHEDULE_NAMES.get(api_name) or (
        api_name if api_name in FIELDS else event_form_errors.form_field(api_name))


def for_fields(fields, translate):
    """{form field: text in the reader's language} for the API's (or this module's) {name: reason};
    what no field is about goes under "form"."""
    errors = {}
    for name, reason in (fields or {}).items():
        field = form_field(str(name))
        if field is None or field not in FIELDS:
            errors.setdefault("form", translate(SOMETHING_WRONG))
        elif field not in errors:
            errors[field] = translate(kindly(BY_FIELD, field, reason)[0])
    return errors
