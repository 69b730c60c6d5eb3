"""When an event's confirmed registrants are reminded: the default time, staff's own, none."""
import datetime as dt

import pytest

from services.catalog import model
from services.catalog.reminders import ReminderPolicy
from shared.api import EventChange, NewEvent
from shared.errors import ValidationFailed

NOW = dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)
POLICY = ReminderPolicy(hours_before=24, quiet=(21, 8))


def new_event(policy=POLICY, **changes):
    fields = {"title": {"fi": "Kosketus"}, "municipality": "Jyväskylä", "place": "Kaupungintalo",
              "starts_at": "2026-10-10T09:00:00+03:00", "ends_at": "2026-10-10T12:00:00+03:00",
              "capacity": 40, "organizer": "Jyväskylän kaupunki", **changes}
    return model.new_event(NewEvent.model_validate(fields), NOW, policy)


def change(event, **fields):
    return model.apply_change(event, EventChange.model_validate(fields), NOW, POLICY)


def helsinki(text):
    return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc)


def test_the_reminder_goes_a_day_before_and_out_of_the_quiet_hours():
    assert new_event()["reminder_at"] == helsinki("2026-10-09T09:00:00+03:00")
    # a day before 07:00 is in the quiet hours: the evening before, just before they begin
    early = new_event(starts_at="2026-10-10T07:00:00+03:00")
    assert early["reminder_at"] == helsinki("2026-10-08T20:59:00+03:00")
    assert model.public(early)["reminders"] is True


def test_no_reminder_when_staff_turn_them_off_or_the_setting_is_zero():
    assert new_event(reminders=False)["reminder_at"] is None
    assert new_event(policy=ReminderPolicy(hours_before=0, quiet=None))["reminder_at"] is None


def test_a_default_reminder_moves_with_the_start_and_a_chosen_one_stays():
    moved, changed = change(new_event(), starts_at="2026-10-11T09:00:00+03:00", ends_at="2026-10-11T12:00:00+03:00")
    assert moved["reminder_at"] == helsinki("2026-10-10T09:00:00+03:00") and "reminder_at" in changed
    chosen = new_event(reminder_at="2026-10-08T12:00:00+03:00")
    kept, changed = change(chosen, starts_at="2026-10-11T09:00:00+03:00", ends_at="2026-10-11T12:00:00+03:00")
    assert kept["reminder_at"] == helsinki("2026-10-08T12:00:00+03:00") and "reminder_at" not in changed
    back, _ = change(kept, reminder_at=None)
    assert back["reminder_at"] == helsinki("2026-10-10T09:00:00+03:00")


def test_a_reminder_after_the_start_is_refused_also_when_the_start_moves_before_it():
    with pytest.raises(ValidationFailed) as refused:
        new_event(reminder_at="2026-10-10T09:00:00+03:00")
    assert refused.value.fields == {"reminder_at": "must be before starts_at"}
    chosen = new_event(reminder_at="2026-10-09T12:00:00+03:00")
    with pytest.raises(ValidationFailed):
        change(chosen, starts_at="2026-10-09T10:00:00+03:00", ends_at="2026-10-09T12:00:00+03:00")


def test_reminders_turned_off_and_on_again_and_a_time_with_them_off_is_refused():
    off, changed = change(new_event(), reminders=False)
    assert off["reminder_at"] is None and changed == ["reminders", "reminder_at"]
    on, _ = change(off, reminders=True)
    assert on["reminder_at"] == helsinki("2026-10-09T09:00:00+03:00")
    chosen_on, _ = change(off, reminder_at="2026-10-09T18:00:00+03:00")
    assert chosen_on["reminders"] is True and chosen_on["reminder_at"] == helsinki("2026-10-09T18:00:00+03:00")
    with pytest.raises(ValidationFailed):
        new_event(reminders=False, reminder_at="2026-10-09T18:00:00+03:00")


def test_a_change_of_something_else_leaves_the_reminder_alone():
    event = new_event()
    changed_event, changed = change(event, capacity=50)
    assert changed == ["capacity"] and changed_event["reminder_at"] == event["reminder_at"]
