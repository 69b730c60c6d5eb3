"""Quiet hours and reminder times, on Helsinki's clock (summer and winter time alike)."""
import datetime as dt

import pytest

from shared.helsinki import (
    HELSINKI,
    in_quiet_hours,
    parse_quiet_hours,
    quiet_hours_end,
    reminder_time,
)

QUIET = parse_quiet_hours("21-08")


def helsinki(*args):
    return dt.datetime(*args, tzinfo=HELSINKI)


def test_quiet_hours_are_read_from_the_setting_and_empty_means_none():
    assert parse_quiet_hours("21-08") == (21, 8) and parse_quiet_hours(" 22-7 ") == (22, 7)
    assert parse_quiet_hours("") is None and parse_quiet_hours(None) is None
    for bad in ("21", "21-21", "25-08", "nine-eight", "21:00-08:00"):
        with pytest.raises(ValueError):
            parse_quiet_hours(bad)


@pytest.mark.parametrize("moment, quiet", [
    (helsinki(2026, 12, 1, 20, 59), False), (helsinki(2026, 12, 1, 21, 0), True),
    (helsinki(2026, 12, 2, 3, 0), True), (helsinki(2026, 12, 2, 7, 59), True), (helsinki(2026, 12, 2, 8, 0), False),
    (helsinki(2026, 7, 1, 23, 30), True), (helsinki(2026, 7, 1, 12, 0), False),
])
def test_a_moment_is_quiet_between_the_evening_and_the_morning_hour(moment, quiet):
    assert in_quiet_hours(moment.astimezone(dt.timezone.utc), QUIET) is quiet
    assert in_quiet_hours(moment, None) is False


def test_what_is_held_in_the_night_goes_at_eight_the_next_morning():
    assert quiet_hours_end(helsinki(2026, 12, 1, 23, 15), QUIET) == helsinki(2026, 12, 2, 8, 0)
    assert quiet_hours_end(helsinki(2026, 12, 2, 2, 0), QUIET) == helsinki(2026, 12, 2, 8, 0)
    noon = helsinki(2026, 12, 2, 12, 0)
    assert quiet_hours_end(noon, QUIET) == noon


def test_a_reminder_goes_a_day_before_or_earlier_out_of_the_night_and_never_without_hours():
    # an event at 18:00: reminded at 18:00 the day before
    assert reminder_time(helsinki(2026, 12, 3, 18, 0), 24, QUIET) == helsinki(2026, 12, 2, 18, 0)
    # an event at 07:30: 07:30 the day before is quiet, so just before the quiet hours began, 20:59 two days before
    assert reminder_time(helsinki(2026, 12, 3, 7, 30), 24, QUIET) == helsinki(2026, 12, 1, 20, 59)
    # an event at 23:00: the reminder would fall at 23:00, moved to 20:59 the same evening
    assert reminder_time(helsinki(2026, 12, 3, 23, 0), 24, QUIET) == helsinki(2026, 12, 2, 20, 59)
    assert reminder_time(helsinki(2026, 12, 3, 18, 0), 0, QUIET) is None
    assert reminder_time(helsinki(2026, 12, 3, 23, 0), 24, None) == helsinki(2026, 12, 2, 23, 0)
    # across the change to summer time (03:00 on 29 March 2026) 24 hours are 24 hours: 17:00 on the clock
    assert reminder_time(helsinki(2026, 3, 29, 18, 0), 24, QUIET) == helsinki(2026, 3, 28, 17, 0)
