"""The catalog's rules for events, in plain Python: what a valid event is, what a change changes."""
import datetime
import uuid

from services.catalog import reminders, schedule
from shared.errors import Conflict, ValidationFailed

# Events start between a week ago (staff correct the record of one just held) and a few years
# ahead; an event of year 9999 would take sign-ups and never get a message out.
EARLIEST_START = datetime.timedelta(days=7)
LATEST_START = datetime.timedelta(days=3 * 366)
LONGEST_EVENT = datetime.timedelta(days=366)

EDITABLE = (
    "title", "description", "municipality", "place", "address", "starts_at", "ends_at",
    "capacity", "waitlist_capacity", "max_group_size", "registration_opens_at",
    "registration_closes_at", "organizer", "summary_phone", "summary_email", "sms_code",
)
# set through `reminders` and `reminder_at` together (reminders.py)
REMINDER_FIELDS = ("reminders", "reminder_at")


def check_consistent(event, now, start_moved=True):
    """Times that contradict each other, or an event not between a week ago and a few years
    ahead (checked when the start is set or moved), are refused, field by field."""
    fields = {}
    if start_moved and not now - EARLIEST_START <= event["starts_at"] <= now + LATEST_START:
        fields["starts_at"] = (f"must be between {EARLIEST_START.days} days ago and "
                               f"{LATEST_START.days // 366} years ahead")
    if event["ends_at"] <= event["starts_at"]:
        fields["ends_at"] = "must be after starts_at"
    elif event["ends_at"] - event["starts_at"] > LONGEST_EVENT:
        fields["ends_at"] = f"at most {LONGEST_EVENT.days} days after starts_at"
    opens, closes = event.get("registration_opens_at"), event.get("registration_closes_at")
    if opens and closes and closes <= opens:
        fields["registration_closes_at"] = "must be after registration_opens_at"
    if opens and opens >= event["ends_at"]:
        fields["registration_opens_at"] = "must be before the event ends"
    if fields:
        raise ValidationFailed("The event's times contradict each other.", fields=fields)


def search_text(event):
    parts = list(event["title"].values()) + list((event.get("description") or {}).values())
    parts += [event["place"], event.get("address") or "", event["municipality"]]
    return " ".join(p for p in parts if p).lower()


def new_event(fields, now, reminder_policy=None):
    """A new event row from a validated `NewEvent` (its SMS code, if staff chose none, is made
    when it is published: storage.py)."""
    event = fields.model_dump(exclude_none=False)
    event["title"] = fields.title.model_dump(exclude_none=True)
    event["description"] = fields.description.model_dump(exclude_none=True)
    event["id"] = str(uuid.uuid4())
    check_consistent(event, now)
    event = reminders.settle(event, fields.model_dump(exclude_unset=True),
                             reminder_policy or reminders.ReminderPolicy.from_settings())
    event["search_text"] = search_text(event)
    event["created_at"] = event["updated_at"] = now
    return event


def apply_change(event, change, now, reminder_policy=None):
    """(changed event, names of changed fields) for a validated `EventChange`. An SMS code given
    as null is made anew if the event is published (storage.py)."""
    if event["status"] == "cancelled":
        raise Conflict("A cancelled event cannot be changed.", code="event_cancelled")
    given = change.model_dump(exclude_unset=True)
    if event.get("series_id") and "sms_code" in given:
        raise ValidationFailed("A session has its series' SMS code.",
                               fields={"sms_code": "a session has the series' code: change it on the series"})
    updated = dict(event)
    for name in EDITABLE:
        if name not in given:
            continue
        value = given[name]
        if name == "description" and value is None:
            value = {}  # a staff form sends a cleared description as null
        elif name in ("title", "description") and value is not None:
            # languages not given stay; a language given as null is removed
            value = {k: v for k, v in {**event[name], **value}.items() if v is not None}
        if name in ("title", "municipality", "place", "starts_at", "ends_at", "capacity",
                    "waitlist_capacity", "max_group_size", "organizer") and value is None:
            raise ValidationFailed("A required field cannot be removed.", fields={name: "cannot be null"})
        updated[name] = value
    if given.get("status") == "published":
        updated["status"] = "published"
    elif given.get("status") == "draft":
        if event["status"] != "draft":
            raise Conflict("A published event cannot go back to draft; cancel it instead.",
                           code="already_published")
    check_consistent(updated, now, start_moved=updated["starts_at"] != event["starts_at"])
    updated = reminders.settle(updated, given, reminder_policy or reminders.ReminderPolicy.from_settings(),
                               before=event)
    changed = [name for name in EDITABLE + REMINDER_FIELDS + ("status",) if updated.get(name) != event.get(name)]
    updated["search_text"] = search_text(updated)
    if changed:
        updated["updated_at"] = now
    return updated, changed


def public(event, series=None):
    """An event as the API and the bus show it (times as ISO 8601 UTC). A session of a series
    carries which one it is of how many and the series' SMS code (`series`: its series' row)."""
    keys = ("id",) + EDITABLE + REMINDER_FIELDS + ("status", "series_id", "session_number")
    result = {}
    for key in keys:
        value = event.get(key)
        result[key] = value.astimezone(datetime.timezone.utc).isoformat() if hasattr(value, "isoformat") else value
    result["session_count"] = series["session_count"] if series else None
    result["series_sms_code"] = series["sms_code"] if series else None
    result["series_weekly"] = schedule.is_weekly(series["schedule"]) if series else False
    return result
