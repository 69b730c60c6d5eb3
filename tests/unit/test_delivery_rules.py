"""The rules of sending, in plain Python: how long to wait between tries, when to give up, what a
provider's failure means, and when a message that may wait goes (quiet hours)."""
import datetime as dt

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from services.notifications.delivery import SendPolicy, backoff, give_up_at, next_attempt_at
from services.notifications.pacing import Held, quiet_hours, through_quiet_hours
from services.notifications.providers.twilio import PERMANENT, TRANSIENT, UNKNOWN, classify, outcome_of
from shared.config import ConfigurationError
from shared.helsinki import parse_quiet_hours

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 10, 17, 12, 0, tzinfo=UTC)
POLICY = SendPolicy(retry_base_seconds=5, retry_max_seconds=300, give_up_hours=24, sms_per_second=1,
                    claim_margin_seconds=60, provider_timeout_seconds=10)


def test_the_wait_between_tries_doubles_from_the_base_and_never_exceeds_the_cap():
    longest = [backoff(n, 5, 300, rng=lambda: 1.0) for n in range(1, 12)]
    assert longest[:6] == [5, 10, 20, 40, 80, 160]
    assert longest[6:] == [300] * 5  # an outage of hours is tried every five minutes, not every hour


def test_the_wait_is_jittered_within_its_second_half_so_a_burst_does_not_retry_in_step():
    assert backoff(3, 5, 300, rng=lambda: 0.0) == 10
    assert backoff(3, 5, 300, rng=lambda: 0.5) == 15
    assert backoff(30, 5, 300, rng=lambda: 0.0) == 150


def test_retrying_stops_a_day_after_the_message_was_made():
    assert give_up_at(NOW, None, 24) == NOW + dt.timedelta(hours=24)
    assert give_up_at(NOW, NOW + dt.timedelta(days=20), 24) == NOW + dt.timedelta(hours=24)


def test_retrying_stops_sooner_when_the_event_ends_first():
    ends = NOW + dt.timedelta(hours=3)
    assert give_up_at(NOW, ends, 24) == ends


def test_a_failure_before_the_give_up_time_is_tried_again_and_the_last_try_falls_on_it():
    give_up = NOW + dt.timedelta(hours=1)
    assert next_attempt_at(NOW, 1, give_up, POLICY, rng=lambda: 1.0) == NOW + dt.timedelta(seconds=5)
    # many tries in, the capped wait is cut short by the give-up time
    late = give_up - dt.timedelta(seconds=30)
    assert next_attempt_at(late, 40, give_up, POLICY, rng=lambda: 1.0) == give_up


def test_a_failure_at_or_after_the_give_up_time_is_not_tried_again():
    give_up = NOW + dt.timedelta(hours=1)
    assert next_attempt_at(give_up, 40, give_up, POLICY) is None
    assert next_attempt_at(give_up + dt.timedelta(seconds=1), 2, give_up, POLICY) is None


def test_a_sixth_failure_within_the_day_is_still_retried():
    # the old rule gave up after five attempts (about 75 s of an outage)
    assert next_attempt_at(NOW + dt.timedelta(minutes=2), 6, give_up_at(NOW, None, 24), POLICY) is not None


@pytest.mark.parametrize("code", [21211, 21610, 21612, 21614, 21408, 21606])
def test_twilio_refusing_a_number_is_permanent(code):
    assert classify(400, code) == PERMANENT


@pytest.mark.parametrize("status, code", [(429, 20429), (429, None), (500, 20500), (503, 20503), (502, None)])
def test_twilio_busy_or_down_is_transient(status, code):
    assert classify(status, code) == TRANSIENT


@pytest.mark.parametrize("status, code", [(401, 20003), (403, 20005), (400, 21606 + 1)])
def test_other_refusals_are_transient_so_a_fixed_account_still_sends_them(status, code):
    # a wrong auth token or a suspended account: fixed by an operator, nothing lost meanwhile
    assert classify(status, code) == TRANSIENT


def test_a_request_that_cannot_have_left_us_is_transient():
    refused = NewConnectionError(None, "Connection refused")
    assert outcome_of(requests.ConnectionError(MaxRetryError(None, "/", reason=refused))) == TRANSIENT
    assert outcome_of(requests.ConnectTimeout("connect timed out")) == TRANSIENT


def test_a_request_that_may_have_reached_twilio_has_an_unknown_outcome():
    assert outcome_of(requests.ReadTimeout("read timed out")) == UNKNOWN
    dropped = ProtocolError("Connection aborted.", ConnectionResetError())
    assert outcome_of(requests.ConnectionError(dropped)) == UNKNOWN


# --- quiet hours: when may a message that does not answer what the person just did go ---------

QUIET = parse_quiet_hours("21-08")
HELSINKI_2330 = dt.datetime(2026, 10, 17, 20, 30, tzinfo=UTC)  # 23:30 in Helsinki (UTC+3)
NEXT_0800 = dt.datetime(2026, 10, 18, 5, 0, tzinfo=UTC)
IN_A_MONTH = dt.datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def test_a_message_that_may_wait_made_at_night_waits_for_eight_in_the_morning():
    held = through_quiet_hours(None, HELSINKI_2330, IN_A_MONTH, QUIET)
    assert (held.status, held.until, held.error_code) == ("created", NEXT_0800, "quiet_hours")
    assert "18.10.2026 08:00" in held.error_message  # the roster's reader sees when it goes


def test_a_message_made_in_the_day_goes_now():
    assert through_quiet_hours(None, NOW, IN_A_MONTH, QUIET) is None  # 15:00 in Helsinki


def test_a_message_about_an_event_that_starts_before_the_quiet_hours_end_goes_now():
    starts_at_midnight = dt.datetime(2026, 10, 17, 21, 0, tzinfo=UTC)
    assert through_quiet_hours(None, HELSINKI_2330, starts_at_midnight, QUIET) is None


def test_without_quiet_hours_nothing_waits():
    assert through_quiet_hours(None, HELSINKI_2330, IN_A_MONTH, parse_quiet_hours("off")) is None


def test_a_message_held_to_a_night_hour_by_the_sms_budget_waits_on_to_the_morning_and_keeps_its_reason():
    midnight = dt.datetime(2026, 10, 17, 21, 0, tzinfo=UTC)  # 00:00 in Helsinki, when the next day's budget opens
    budget = Held("created", midnight, "sms_daily_budget", "SMS_DAILY_BUDGET (2000) used up")
    held = through_quiet_hours(budget, NOW, IN_A_MONTH, QUIET)
    assert (held.until, held.error_code) == (NEXT_0800, "sms_daily_budget")
    capped = Held("capped", None, "messages_per_number_per_day", "not sent")
    assert through_quiet_hours(capped, HELSINKI_2330, IN_A_MONTH, QUIET) is capped


def test_a_bad_quiet_hours_setting_is_one_clear_line():
    with pytest.raises(ConfigurationError, match="QUIET_HOURS: '25-08'"):
        quiet_hours({"QUIET_HOURS": "25-08"})
    assert quiet_hours({"QUIET_HOURS": "22-7"}) == (22, 7)
