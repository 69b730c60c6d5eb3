"""The staff event form: what a browser sends turned into the API's NewEvent / EventChange body,
an event turned back into the form's values, and an edit's changes only (PATCH semantics).

Every rule about an event (required fields, times that contradict each other, the SMS code) is
the catalog's: this module only reads what was typed. Times are typed as a day and a clock time
on Helsinki's clock and sent as aware ISO 8601; a day or time that cannot be read is the one
thing refused here (there is nothing to send for it)."""
import datetime
import json
import re

from shared.helsinki import HELSINKI, local

LANGUAGES = ("fi", "sv", "en")
TEXT_FIELDS = ("municipality", "place", "address", "sms_code", "summary_phone", "summary_email", "organizer")
NUMBER_FIELDS = ("capacity", "waitlist_capacity", "max_group_size")
# the API's moments, each typed as <prefix>_date and <prefix>_time
MOMENTS = {"starts_at": "starts", "ends_at": "ends", "registration_opens_at": "opens",
           "registration_closes_at": "closes", "reminder_at": "reminder"}
REQUIRED_MOMENTS = ("starts_at", "ends_at")
# reminder: at the usual time (before the start, out of quiet hours), at a time staff chose, or none
REMINDER_CHOICES = ("usual", "at", "none")
FIELDS = (tuple(f"title_{lang}" for lang in LANGUAGES) + tuple(f"description_{lang}" for lang in LANGUAGES)
          + TEXT_FIELDS + NUMBER_FIELDS + tuple(f"{p}_{part}" for p in MOMENTS.values() for part in ("date", "time"))
          + ("reminder",))
NEW_EVENT_DEFAULTS = {"waitlist_capacity": "0", "max_group_size": "5", "reminder": "usual"}

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII only
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FINNISH_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")  # 17.10.2026, as Finns type it
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")  # 18:00 or 18.00

BAD_NUMBER = "Input should be a valid integer"
BAD_MOMENT = "not a day and time"
HALF_MOMENT = "give both the day and the time"


def blank(admin_organizer=""):
    """A new event's form."""
    values = {name: "" for name in FIELDS}
    values.update(NEW_EVENT_DEFAULTS)
    values["organizer"] = admin_organizer
    return values


def sent(form):
    """The form's values as posted (trimmed; a missing field empty)."""
    values = {name: (form.get(name) or "").strip() for name in FIELDS}
    values["reminder"] = values["reminder"] if values["reminder"] in REMINDER_CHOICES else "usual"
    return values


def of_event(event):
    """The form's values showing `event` as the catalog keeps it."""
    values = {name: "" for name in FIELDS}
    for lang in LANGUAGES:
        values[f"title_{lang}"] = (event.get("title") or {}).get(lang) or ""
        values[f"description_{lang}"] = (event.get("description") or {}).get(lang) or ""
    for name in TEXT_FIELDS:
        values[name] = event.get(name) or ""
    for name in NUMBER_FIELDS:
        values[name] = str(event[name])
    for name, prefix in MOMENTS.items():
        if event.get(name):
            moment = local(event[name])
            values[f"{prefix}_date"], values[f"{prefix}_time"] = moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M")
    values["reminder"] = "at" if event.get("reminders") and event.get("reminder_at") else (
        "usual" if event.get("reminders") else "none")
    return values


def _day(text):
    iso, finnish = _ISO_DAY.fullmatch(text), _FINNISH_DAY.fullmatch(text)
    year, month, day = (iso.groups() if iso else (finnish.group(3), finnish.group(2), finnish.group(1))
                        if finnish else (None, None, None))
    return datetime.date(int(year), int(month), int(day)) if year else None


def _moment(values, prefix):
    """(aware ISO text or None, reason or None) for one day-and-time pair."""
    day_text, clock_text = values[f"{prefix}_date"], values[f"{prefix}_time"]
    if not day_text and not clock_text:
        return None, None
    if not day_text or not clock_text:
        return None, HALF_MOMENT
    clock = _CLOCK.fullmatch(clock_text)
    try:
        day = _day(day_text)
        if day is None or clock is None:
            return None, BAD_MOMENT
        moment = datetime.datetime.combine(day, datetime.time(int(clock.group(1)), int(clock.group(2))), HELSINKI)
    except ValueError:  # 31.2., 25:00
        return None, BAD_MOMENT
    return moment.isoformat(), None


def body(values):
    """(the API's event body with every field the form has, {form field: reason} for what could
    not be read). Empty optional fields are None; the caller leaves out what it must not send."""
    data, bad = {}, {}
    data["title"] = {lang: values[f"title_{lang}"] or None for lang in LANGUAGES}
    data["description"] = {lang: values[f"description_{lang}"] or None for lang in LANGUAGES}
    for name in TEXT_FIELDS:
        data[name] = values[name] or None
    for name in NUMBER_FIELDS:
        if not values[name]:
            data[name] = None
        elif _WHOLE_NUMBER.fullmatch(values[name]):
            data[name] = int(values[name])
        else:
            bad[name] = BAD_NUMBER
    for name, prefix in MOMENTS.items():
        # a reminder time is read only when staff choose one (it stays typed in when they do not)
        data[name], reason = (None, None) if name == "reminder_at" and values["reminder"] != "at" \
            else _moment(values, prefix)
        if reason:
            bad[f"{prefix}_date"] = reason
    if values["reminder"] == "none":
        data["reminders"], data["reminder_at"] = False, None
    elif values["reminder"] == "usual":
        data["reminders"], data["reminder_at"] = True, None
    else:
        data["reminders"] = True
        if data["reminder_at"] is None and "reminder_date" not in bad:
            bad["reminder_date"] = HALF_MOMENT
    return data, bad


def new_event(values, admin, publish):
    """(NewEvent body, bad) from a new event's form: empty fields left out, so the catalog's
    defaults and "required" apply; the organizer only from an admin's form."""
    data, bad = body(values)
    new = {name: value for name, value in data.items() if value is not None and name not in ("title", "description")}
    new["title"] = {lang: text for lang, text in data["title"].items() if text is not None}
    new["description"] = {lang: text for lang, text in data["description"].items() if text is not None}
    if not admin:
        new.pop("organizer", None)
    new["status"] = "published" if publish else "draft"
    return new, bad


def drawn(form, event):
    """The values the edit form was drawn with, as it sends them back in its `drawn` field (JSON):
    what staff saw, so a change a colleague made meanwhile to a field they did not touch stays.
    Without it (or unreadable), the event as it is now."""
    try:
        shown = json.loads(form.get("drawn") or "")
    except ValueError:
        shown = None
    if not isinstance(shown, dict) or not all(isinstance(shown.get(name), str) for name in FIELDS):
        return of_event(event)
    return {name: shown[name] for name in FIELDS}


def as_json(values):
    return json.dumps({name: values[name] for name in FIELDS}, ensure_ascii=False)


def changes(values, shown, admin):
    """(EventChange body, bad): only what differs from the values the form was drawn with
    (`shown`). A cleared optional field is sent as null, and so is a cleared language of the
    title or description."""
    wanted, bad = body(values)
    before, _ = body(shown)
    change = {}
    languages = {lang: text for lang, text in wanted["description"].items() if text != before["description"][lang]}
    if languages:
        change["description"] = languages
    if wanted["title"] != before["title"]:
        # a title is whole or refused (its Finnish is required even when only Swedish is removed)
        change["title"] = wanted["title"]
    for name, value in wanted.items():
        if name in ("title", "description", "reminders", "reminder_at") or value == before[name]:
            continue
        change[name] = value
    if (wanted["reminders"], wanted["reminder_at"]) != (before["reminders"], before["reminder_at"]) \
            or values["reminder"] != shown["reminder"]:
        change["reminders"] = wanted["reminders"]
        change["reminder_at"] = wanted["reminder_at"]
    if not admin:
        change.pop("organizer", None)
    return change, bad
