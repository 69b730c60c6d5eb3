"""The rules of sending, in plain Python: how long to wait between tries, when to give up, and
what a provider's failure means."""
import datetime as dt

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from services.notifications.delivery import SendPolicy, backoff, give_up_at, next_attempt_at
from services.notifications.providers.twilio import PERMANENT, TRANSIENT, UNKNOWN, classify, outcome_of

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
