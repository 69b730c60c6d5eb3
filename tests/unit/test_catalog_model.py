"""What a valid event is, and what a change changes."""
import datetime as dt

import pytest

from services.catalog import model
from shared.api import EventChange, NewEvent
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.helsinki import parse_time_filter
from shared.organizers import check_owner

NOW = dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)


def new_event(**changes):
    fields = {"title": {"fi": "Kosketus"}, "municipality": "Jyväskylä", "place": "Kaupungintalo",
              "starts_at": "2026-10-10T09:00:00+03:00", "ends_at": "2026-10-10T12:00:00+03:00",
              "capacity": 40, "organizer": "Jyväskylän kaupunki", **changes}
    return model.new_event(NewEvent.model_validate(fields), NOW)


def test_an_event_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        new_event(ends_at="2026-10-10T08:00:00+03:00")
    assert "ends_at" in refused.value.fields


def test_registration_that_closes_before_it_opens_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        new_event(registration_opens_at="2026-10-01T00:00:00+03:00", registration_closes_at="2026-09-30T00:00:00+03:00")
    assert "registration_closes_at" in refused.value.fields


def test_a_change_reports_exactly_the_fields_that_changed():
    event = new_event()
    changed_event, changed = model.apply_change(event, EventChange.model_validate(
        {"place": "Monitoimitalo", "capacity": 40, "title": {"fi": "Kosketus", "sv": "Kontakt"}}), NOW)
    assert changed == ["title", "place"]
    assert changed_event["title"] == {"fi": "Kosketus", "sv": "Kontakt"}


def test_a_cancelled_event_cannot_be_changed():
    event = {**new_event(), "status": "cancelled"}
    with pytest.raises(Conflict):
        model.apply_change(event, EventChange.model_validate({"capacity": 50}), NOW)


def test_a_published_event_cannot_go_back_to_draft():
    with pytest.raises(Conflict):
        model.apply_change(new_event(), EventChange.model_validate({"status": "draft"}), NOW)


def test_date_filters_are_helsinki_calendar_days():
    start = parse_time_filter("from", "2026-10-17")
    end = parse_time_filter("to", "2026-10-17", end_of_day=True)
    assert start.isoformat() == "2026-10-17T00:00:00+03:00" and end.isoformat() == "2026-10-18T00:00:00+03:00"
    with pytest.raises(ValidationFailed):
        parse_time_filter("from", "17.10.2026")


def change(event, **fields):
    return model.apply_change(event, EventChange.model_validate(fields), NOW)


def test_a_cleared_title_is_refused_and_a_cleared_description_is_removed():
    event = new_event(description={"fi": "Kuvaus", "sv": "Beskrivning"})
    with pytest.raises(ValidationFailed) as refused:
        change(event, title=None)
    assert refused.value.fields == {"title": "cannot be null"}
    cleared, changed = change(event, description=None)
    assert cleared["description"] == {} and changed == ["description"]
    one_gone, _ = change(event, description={"sv": None}, title={"fi": "Kosketus", "sv": None})
    assert one_gone["description"] == {"fi": "Kuvaus"} and one_gone["title"] == {"fi": "Kosketus"}


@pytest.mark.parametrize("starts_at", ["2026-08-20T10:00:00+03:00", "2029-10-10T10:00:00+03:00"])
def test_an_event_starts_between_a_week_ago_and_three_years_ahead(starts_at):
    ends_at = (dt.datetime.fromisoformat(starts_at) + dt.timedelta(hours=2)).isoformat()
    with pytest.raises(ValidationFailed) as refused:
        new_event(starts_at=starts_at, ends_at=ends_at)
    assert "starts_at" in refused.value.fields
    with pytest.raises(ValidationFailed):
        change(new_event(), starts_at=starts_at, ends_at=ends_at)


def test_an_event_just_held_can_be_moved_to_yesterday_and_a_past_event_still_edited():
    yesterday = NOW - dt.timedelta(days=1)
    moved, _ = change(new_event(), starts_at=yesterday.isoformat(), ends_at=(yesterday + dt.timedelta(hours=2)).isoformat())
    # a month later its start is long past, and it can still be corrected without moving it
    corrected, changed = model.apply_change(moved, EventChange.model_validate({"place": "Monitoimitalo"}),
                                            NOW + dt.timedelta(days=30))
    assert changed == ["place"]


def test_an_event_lasts_at_most_a_year():
    with pytest.raises(ValidationFailed) as refused:
        new_event(ends_at="2027-10-11T12:00:00+03:00")
    assert "ends_at" in refused.value.fields


def test_staff_of_one_organizer_reach_only_its_events_and_an_admin_every_one():
    check_owner("Jyväskylän kaupunki", "Jyväskylän kaupunki")
    check_owner("Jyväskylän kaupunki", None)
    with pytest.raises(Forbidden) as refused:
        check_owner("Jyväskylän kaupunki", "Kosketus")
    assert refused.value.code == "other_organizer"
