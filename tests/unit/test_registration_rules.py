"""Registration's rules as plain Python: when registration has closed, when the waiting list may
move, who may be checked in, what a walk-in count does to the headcount, and which catalog
changes registrants hear of."""
import datetime as dt

import pytest

from services.registration import rules
from shared.errors import Conflict, ValidationFailed

NOW = dt.datetime(2026, 10, 17, 12, tzinfo=dt.timezone.utc)
HOUR = dt.timedelta(hours=1)


def event(starts_in=HOUR * 6, closes_in=None, status="published"):
    return {"status": status, "starts_at": NOW + starts_in, "registration_opens_at": None,
            "registration_closes_at": None if closes_in is None else NOW + closes_in, "max_group_size": 5}


def test_registration_closes_at_its_deadline():
    assert not rules.registration_has_closed(event(closes_in=HOUR), NOW)
    assert rules.registration_has_closed(event(closes_in=0 * HOUR), NOW)
    assert rules.registration_has_closed(event(closes_in=-HOUR), NOW)


def test_registration_closes_when_the_event_starts_with_or_without_a_deadline():
    assert rules.registration_has_closed(event(starts_in=0 * HOUR), NOW)
    assert rules.registration_has_closed(event(starts_in=-HOUR, closes_in=HOUR), NOW)
    assert not rules.registration_has_closed(event(starts_in=HOUR), NOW)


def test_a_sign_up_after_registration_has_closed_is_refused_as_closed():
    with pytest.raises(Conflict) as refused:
        rules.check_open(event(closes_in=-HOUR), NOW)
    assert refused.value.code == "registration_closed"
    rules.check_open(event(closes_in=HOUR), NOW)  # still open: no error


def test_the_waiting_list_moves_until_the_event_starts_even_after_registration_closed():
    assert rules.may_promote(event(), NOW)
    assert rules.may_promote(event(closes_in=-HOUR), NOW)
    assert not rules.may_promote(event(starts_in=0 * HOUR), NOW)
    assert not rules.may_promote(event(starts_in=-HOUR), NOW)


def test_nobody_is_promoted_at_an_event_that_is_off():
    assert not rules.may_promote(event(status="cancelled"), NOW)
    assert not rules.may_promote(event(status="draft"), NOW)


def test_only_a_confirmed_registration_is_checked_in():
    rules.check_may_check_in({"status": "confirmed"})  # no error
    for status in ("waitlisted", "cancelled"):
        with pytest.raises(Conflict) as refused:
            rules.check_may_check_in({"status": status})
        assert refused.value.code == "not_confirmed" and status in refused.value.message


def test_walk_ins_add_to_the_headcount_and_may_take_it_back_to_zero():
    assert rules.walk_in_total(3, 2) == 5
    assert rules.walk_in_total(5, -5) == 0


def test_a_walk_in_count_below_zero_or_of_nobody_is_refused_saying_how_low_it_may_go():
    with pytest.raises(ValidationFailed) as refused:
        rules.walk_in_total(2, -3)
    assert refused.value.fields == {"count": "a non-zero number, at least -2"}
    with pytest.raises(ValidationFailed):
        rules.walk_in_total(4, 0)


def test_registrants_hear_of_a_new_time_or_place_and_of_nothing_else():
    assert rules.changes_registrants_hear_of(["title", "place", "capacity"]) == ["place"]
    assert rules.changes_registrants_hear_of(["starts_at", "address", "ends_at", "place"]) == [
        "address", "ends_at", "place", "starts_at"]
    assert rules.changes_registrants_hear_of(["title", "description", "capacity"]) == []


def reminded_event(reminder_in=-HOUR, starts_in=HOUR * 20, status="published", reminders=True):
    return {**event(starts_in=starts_in, status=status), "reminders": reminders,
            "reminder_at": None if reminder_in is None else NOW + reminder_in}


def registered(made_ago=HOUR * 48, status="confirmed", reminded_at=None):
    return {"status": status, "created_at": NOW - made_ago, "reminded_at": reminded_at}


def test_a_confirmed_registrant_is_reminded_from_reminder_at_until_the_event_starts():
    assert rules.reminder_is_due(reminded_event(reminder_in=0 * HOUR), registered(), NOW)
    assert rules.reminder_is_due(reminded_event(reminder_in=-HOUR * 3, starts_in=HOUR), registered(), NOW)
    assert not rules.reminder_is_due(reminded_event(reminder_in=HOUR), registered(), NOW)  # not yet
    assert not rules.reminder_is_due(reminded_event(starts_in=0 * HOUR), registered(), NOW)  # too late


def test_only_once_and_only_to_the_confirmed():
    assert not rules.reminder_is_due(reminded_event(), registered(reminded_at=NOW - HOUR), NOW)
    for status in ("waitlisted", "cancelled"):
        assert not rules.reminder_is_due(reminded_event(), registered(status=status), NOW)


def test_someone_who_signed_up_after_the_reminder_time_gets_none():
    assert not rules.reminder_is_due(reminded_event(reminder_in=-HOUR * 2), registered(made_ago=HOUR), NOW)
    assert not rules.reminder_is_due(reminded_event(reminder_in=-HOUR), registered(made_ago=HOUR), NOW)
    assert rules.reminder_is_due(reminded_event(reminder_in=-HOUR), registered(made_ago=HOUR * 2), NOW)


def test_no_reminder_for_events_without_reminders_or_not_on():
    assert not rules.reminder_is_due(reminded_event(reminders=False), registered(), NOW)
    assert not rules.reminder_is_due(reminded_event(reminder_in=None), registered(), NOW)
    for status in ("draft", "cancelled"):
        assert not rules.reminder_is_due(reminded_event(status=status), registered(), NOW)


def test_a_promotion_after_the_reminder_time_stands_for_the_reminder():
    assert rules.promotion_is_the_reminder(reminded_event(reminder_in=-HOUR), NOW)
    assert rules.promotion_is_the_reminder(reminded_event(reminder_in=0 * HOUR), NOW)
    assert not rules.promotion_is_the_reminder(reminded_event(reminder_in=HOUR), NOW)
    assert not rules.promotion_is_the_reminder(reminded_event(reminder_in=None), NOW)
