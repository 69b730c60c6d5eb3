"""The catalog's rules for events, in plain Python: what a valid event is, what a change changes."""
import datetime
import uuid

from shared.errors import Conflict, ValidationFailed

EDITABLE = (
    "title", "description", "municipality", "place", "address", "starts_at", "ends_at",
    "capacity", "waitlist_capacity", "max_group_size", "registration_opens_at",
    "registration_closes_at", "organizer", "summary_phone", "summary_email",
)


def check_consistent(event):
    """Times that contradict each other are refused, field by field."""
    fields = {}
    if event["ends_at"] <= event["starts_at"]:
        fields["ends_at"] = "must be after starts_at"
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


def new_event(fields, now):
    """A new event row from a validated `NewEvent`."""
    event = fields.model_dump(exclude_none=False)
    event["title"] = fields.title.model_dump(exclude_none=True)
    event["description"] = fields.description.model_dump(exclude_none=True)
    event["id"] = str(uuid.uuid4())
    check_consistent(event)
    event["search_text"] = search_text(event)
    event["created_at"] = event["updated_at"] = now
    return event


def apply_change(event, change, now):
    """(changed event, names of changed fields) for a validated `EventChange`."""
    if event["status"] == "cancelled":
        raise Conflict("A cancelled event cannot be changed.", code="event_cancelled")
    given = change.model_dump(exclude_unset=True)
    updated = dict(event)
    for name in EDITABLE:
        if name not in given:
            continue
        if name in ("title", "description"):
            value = {**event[name], **{k: v for k, v in given[name].items() if v is not None}}
        else:
            value = given[name]
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
    check_consistent(updated)
    changed = [name for name in EDITABLE + ("status",) if updated.get(name) != event.get(name)]
    updated["search_text"] = search_text(updated)
    if changed:
        updated["updated_at"] = now
    return updated, changed


def public(event):
    """An event as the API and the bus show it (times as ISO 8601 UTC)."""
    keys = ("id",) + EDITABLE + ("status",)
    result = {}
    for key in keys:
        value = event.get(key)
        result[key] = value.astimezone(datetime.timezone.utc).isoformat() if hasattr(value, "isoformat") else value
    return result
