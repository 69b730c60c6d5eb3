"""The catalog's refusals of an event in plain words beside the staff form's fields: the API's
field names (`title.fi`, `starts_at`) become the form's (`title_fi`, `starts_date`), and its
English reasons a short text in the reader's language. Reasons are matched, never re-decided: a
reason not known here shows as "Please check this." beside its field, so a new catalog rule shows
up at once. Texts are marked with N_ and translated when the page is drawn."""
import re

from services.gateway.pages import event_form
from services.gateway.pages.form_errors import SOMETHING_WRONG, kindly


def N_(text):
    return text


# (form field, a piece of the reason, our text); the first match wins; "*" is any field
BY_FIELD = (
    ("*", "give both the day and the time", N_("Give both the day and the time.")),
    ("*", "not a day and time", N_("Write the day like 17.10.2026 and the time like 18:00.")),
    ("*", "characters", N_("This is too long.")),
    ("title_fi", "", N_("Write the title in Finnish.")),
    ("starts_date", "must be between", N_("The start must be between a week ago and three years ahead.")),
    ("starts_date", "", N_("Give the day and time the event starts.")),
    ("ends_date", "must be after", N_("The end must be after the start.")),
    ("ends_date", "at most", N_("An event can last at most a year.")),
    ("ends_date", "", N_("Give the day and time the event ends.")),
    ("closes_date", "must be after", N_("Registration must close after it opens.")),
    ("opens_date", "must be before", N_("Registration must open before the event ends.")),
    ("reminder_date", "must be before", N_("The reminder must go before the event starts.")),
    ("municipality", "", N_("Write the municipality.")),
    ("place", "", N_("Write the place.")),
    ("organizer", "", N_("Write the organizer's name.")),
    ("capacity", "", N_("Write the number of seats as a whole number: 0 or more.")),
    ("waitlist_capacity", "", N_("Write the size of the waiting list as a whole number: 0 or more.")),
    ("max_group_size", "", N_("Write a whole number from 1 to 100.")),
    ("sms_code", "in use", N_("Another event that is not over yet has this code. Choose another one.")),
    ("sms_code", "", N_("Use 2 to 12 letters A–Z and digits.")),
    ("summary_phone", "", N_("Check the phone number. Write it like this: 040 123 4567.")),
    ("summary_email", "", N_("Check the email address. Write it like this: name@example.fi.")),
)

BY_CODE = {
    "sms_code_taken": N_("Another event that is not over yet has this code. Choose another one."),
    "event_cancelled": N_("This event has been cancelled. It cannot be changed."),
    "already_published": N_("A published event cannot go back to a draft. Cancel it instead."),
    "other_organizer": N_("You can make and change events of your own organizer only."),
    "service_unavailable": N_("The service did not answer just now. Nothing was done. Please try again."),
}

_NESTED = re.compile(r"^(title|description)\.(fi|sv|en)$")


def form_field(api_name):
    """The form field the API's `api_name` is about, or None when the form has none."""
    nested = _NESTED.match(api_name)
    if nested:
        return f"{nested.group(1)}_{nested.group(2)}"
    if api_name == "title":
        return "title_fi"
    if api_name in event_form.MOMENTS:
        return f"{event_form.MOMENTS[api_name]}_date"
    if api_name == "reminders":
        return "reminder"
    return api_name if api_name in event_form.FIELDS else None


def field_message(field, reason):
    return kindly(BY_FIELD, field, reason)[0]


def for_fields(fields, translate):
    """{form field: text} for the API's (or event_form's) {name: reason}; what no field of the
    form is about goes under "form", said at the top."""
    errors = {}
    for name, reason in (fields or {}).items():
        field = form_field(str(name))
        if field is None:
            errors.setdefault("form", translate(SOMETHING_WRONG))
        elif field not in errors:
            errors[field] = translate(field_message(field, reason))
    return errors


def for_code(code, translate):
    return translate(BY_CODE.get(code, SOMETHING_WRONG))
