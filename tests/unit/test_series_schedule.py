"""A series' schedule read and expanded into its sessions' times (services/catalog/schedule.py)."""
import datetime as dt

import pytest

from services.catalog.schedule import session_days, session_times
from shared.errors import ValidationFailed
from shared.helsinki import HELSINKI

WEEKLY = {"from": "2026-09-05", "until": "2026-09-26", "except": ["2026-09-19"],
          "start_time": "17:00", "end_time": "19:00"}


def refused(schedule):
    with pytest.raises(ValidationFailed) as refusal:
        session_times(schedule)
    return refusal.value.fields


def test_a_weekly_series_meets_on_the_weekday_of_its_first_day_less_its_exceptions():
    assert session_days(WEEKLY) == [dt.date(2026, 9, 5), dt.date(2026, 9, 12), dt.date(2026, 9, 26)]


def test_the_last_day_is_included_and_a_day_after_it_is_not():
    assert session_days({**WEEKLY, "until": "2026-09-25", "except": []})[-1] == dt.date(2026, 9, 19)
    assert session_days({**WEEKLY, "except": []})[-1] == dt.date(2026, 9, 26)


def test_a_list_of_dates_is_put_in_order_once_each():
    schedule = {"dates": ["2026-10-03", "2026-09-05", "2026-10-03"], "start_time": "9:30", "end_time": "11:00"}
    assert [start.astimezone(HELSINKI) for start, _ in session_times(schedule)] == [
        dt.datetime(2026, 9, 5, 9, 30, tzinfo=HELSINKI), dt.datetime(2026, 10, 3, 9, 30, tzinfo=HELSINKI)]


def test_a_weekly_group_keeps_its_helsinki_time_across_the_end_of_summer_time():
    # summer time ends on the last Sunday of October (25.10.2026, 04:00 -> 03:00)
    schedule = {"from": "2026-10-18", "until": "2026-11-01", "start_time": "17:00", "end_time": "19:00"}
    times = session_times(schedule)
    assert [start.astimezone(HELSINKI).strftime("%d.%m. %H:%M") for start, _ in times] == [
        "18.10. 17:00", "25.10. 17:00", "01.11. 17:00"]
    assert [start.utcoffset() for start, _ in times] == [dt.timedelta(0)] * 3  # stored in UTC
    assert [start.hour for start, _ in times] == [14, 15, 15]  # UTC+3, then UTC+2
    assert [end.astimezone(HELSINKI).hour for _, end in times] == [19, 19, 19]


def test_a_time_skipped_when_summer_time_begins_is_refused():
    # 29.3.2026 clocks go from 03:00 to 04:00: 03:30 does not happen that night
    fields = refused({"dates": ["2026-03-29"], "start_time": "03:30", "end_time": "05:00"})
    assert list(fields) == ["schedule.start_time"]


@pytest.mark.parametrize("schedule, field", [
    ({**WEEKLY, "until": "2026-09-01"}, "schedule.until"),
    ({**WEEKLY, "end_time": "17:00"}, "schedule.end_time"),
    ({**WEEKLY, "start_time": "5 pm"}, "schedule.start_time"),
    ({**WEEKLY, "start_time": "24:00"}, "schedule.start_time"),
    ({**WEEKLY, "from": "5.9.2026"}, "schedule.from"),
    ({**WEEKLY, "except": ["2026-09-20"]}, "schedule.except"),  # a Sunday: not a day of this series
    ({**WEEKLY, "dates": ["2026-09-05"]}, "schedule.from"),  # both shapes at once
    ({"start_time": "17:00", "end_time": "19:00"}, "schedule.from"),  # neither
    ({"dates": [], "start_time": "17:00", "end_time": "19:00"}, "schedule.dates"),
    ({"dates": ["2026-09-05"], "except": ["2026-09-05"], "start_time": "17:00", "end_time": "19:00"},
     "schedule.except"),
    ({"from": "2026-09-05", "until": "2027-12-31", "start_time": "17:00", "end_time": "19:00"}, "schedule.until"),
])
def test_a_schedule_it_cannot_have_is_refused_naming_the_field(schedule, field):
    assert field in refused(schedule)


def test_sixty_sessions_are_allowed_and_sixty_one_are_not():
    start = dt.date(2026, 9, 5)
    weeks = lambda n: {"from": start.isoformat(), "until": (start + dt.timedelta(weeks=n - 1)).isoformat(),  # noqa: E731
                       "start_time": "17:00", "end_time": "19:00"}
    assert len(session_times(weeks(60))) == 60
    assert "schedule.until" in refused(weeks(61))
    # exceptions bring a longer span down to 60
    assert len(session_times({**weeks(61), "except": [start.isoformat()]})) == 60
