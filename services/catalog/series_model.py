"""The catalog's rules for a series (a weekly group), in plain Python: a new series and its sessions,
what a change of the series changes in it and in its sessions, and how a series is shown.

Each session is an ordinary event (model.py's rules hold for it), tagged with its series and
number; the series keeps the fields they share, its schedule and the one SMS code.
"""
import datetime
import uuid

from services.catalog import model, schedule
from shared.api import EventChange, NewEvent
from shared.errors import Conflict, ValidationFailed
from shared.helsinki import day_of

# what a series keeps that each of its sessions has too
SESSION_FIELDS = ("title", "description", "municipality", "place", "address", "capacity", "waitlist_capacity",
                  "max_group_size", "registration_opens_at", "organizer", "summary_phone", "summary_email")
# what a change of the series passes on to its sessions not yet started (place and time: per session)
PASSED_ON = ("title", "description", "capacity", "waitlist_capacity", "max_group_size", "organizer",
             "summary_phone", "summary_email", "reminders", "status")
REQUIRED = ("title", "capacity", "waitlist_capacity", "max_group_size", "organizer")
SESSION_KEYS = ("id", "session_number", "starts_at", "ends_at", "place", "address", "status")


def _iso(value):
    return value.astimezone(datetime.timezone.utc).isoformat() if hasattr(value, "isoformat") else value


def new_series(fields, now, reminder_policy=None):
    """(series row, session event rows) from a validated `NewSeries`. A session the event rules
    refuse (say, one more than three years ahead) refuses the whole series, naming `schedule`."""
    times = schedule.session_times(fields.schedule.as_given())
    series = {name: getattr(fields, name) for name in SESSION_FIELDS}
    series["title"] = fields.title.model_dump(exclude_none=True)
    series["description"] = fields.description.model_dump(exclude_none=True)
    series.update(id=str(uuid.uuid4()), schedule=fields.schedule.as_given(), session_count=len(times),
                  sms_code=fields.sms_code, status=fields.status,
                  reminders=True if fields.reminders is None else fields.reminders,
                  created_at=now, updated_at=now)
    sessions = []
    for number, (starts_at, ends_at) in enumerate(times, start=1):
        event_fields = NewEvent.model_validate({
            **{name: series[name] for name in SESSION_FIELDS}, "starts_at": starts_at, "ends_at": ends_at,
            "reminders": series["reminders"], "status": series["status"]})
        try:
            event = model.new_event(event_fields, now, reminder_policy)
        except ValidationFailed as refused:
            raise ValidationFailed(refused.message, fields={
                ("schedule" if name in ("starts_at", "ends_at") else name): f"session {number} "
                f"({day_of(starts_at).isoformat()}): {reason}" for name, reason in refused.fields.items()})
        sessions.append({**event, "series_id": series["id"], "session_number": number})
    return series, sessions


def apply_change(series, change, now):
    """(changed series, names of its changed fields, the EventChange for each session not yet
    started or None) for a validated `SeriesChange`."""
    if series["status"] == "cancelled":
        raise Conflict("A cancelled series cannot be changed.", code="series_cancelled")
    given = change.model_dump(exclude_unset=True)
    for name in REQUIRED:
        if name in given and given[name] is None:
            raise ValidationFailed("A required field cannot be removed.", fields={name: "cannot be null"})
    updated = dict(series)
    for name, value in given.items():
        if name == "status":
            continue
        if name == "description" and value is None:
            value = {}
        elif name in ("title", "description"):
            value = {k: v for k, v in {**series[name], **value}.items() if v is not None}
        updated[name] = value
    if given.get("status") == "published":
        updated["status"] = "published"
    if updated["reminders"] is None:
        updated["reminders"] = series["reminders"]
    changed = [name for name in SESSION_FIELDS + ("reminders", "sms_code", "status") if updated[name] != series[name]]
    if changed:
        updated["updated_at"] = now
    passed_on = {name: given[name] for name in PASSED_ON if name in given}
    return updated, changed, (EventChange.model_validate(passed_on) if passed_on else None)


def session(event, counts=None):
    """A session as a series' answer lists it (with `counts`: its seats and waiting places left)."""
    shown = {key: _iso(event[key]) for key in SESSION_KEYS}
    if counts is not None:
        shown.update(counts)
    return shown


def public(series, sessions, counts=None):
    """A series as the API shows it, its sessions in order (`counts`: {event id: seats and waiting
    places left}, for reads)."""
    shown = {key: _iso(series[key]) for key in ("id",) + SESSION_FIELDS + (
        "sms_code", "reminders", "schedule", "session_count", "status")}
    ordered = sorted(sessions, key=lambda event: event["session_number"])
    shown["sessions"] = [session(event, None if counts is None else counts[event["id"]]) for event in ordered]
    return shown
