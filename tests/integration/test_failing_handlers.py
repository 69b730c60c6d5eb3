"""A handler that fails does not lose its message: it is retried with a delay, and after the last
retry kept as a dead letter that a command lists and replays. Real broker, real nameko service."""
import pytest
from nameko.standalone.events import event_dispatcher

from services.notifications.service import NotificationsService
from shared import dead_letters
from shared.errors import DatabaseUnavailable
from shared.events import make_envelope
from shared.handlers import event_handler
from tests.conftest import wait_until

calls = []
outcome = {"fail": True, "error": RuntimeError, "then": None}


class FlakyConsumer:
    """A consumer whose handler fails for as long as the test says."""

    name = "flaky"

    @event_handler("registration", "registration_confirmed")
    def on_confirmed(self, payload):
        calls.append(payload["event_id"])
        if outcome["fail"] is True or (isinstance(outcome["fail"], int) and len(calls) <= outcome["fail"]):
            raise outcome["error"]("database is down")
        if outcome["then"] is not None:
            raise outcome["then"]("the message itself is wrong")


@pytest.fixture
def flaky(container_factory, config_for):
    calls.clear()
    outcome.update(fail=True, error=RuntimeError, then=None)
    config = config_for("flaky", HANDLER_RETRY_DELAYS="0.1,0.2,0.3", HANDLER_OUTAGE_RETRY_MAX_SECONDS="0.2")
    container_factory(FlakyConsumer, config).start()
    dispatch = event_dispatcher(config)
    return config, lambda envelope: dispatch("registration", "registration_confirmed", envelope)


def envelope():
    return {"event_id": "6f1c2a5e-0000-4000-8000-000000000001", "type": "registration_confirmed", "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00", "data": {}}


def test_a_handler_that_fails_twice_gets_the_message_again_after_a_delay(flaky):
    _, dispatch = flaky
    outcome["fail"] = 2
    dispatch(envelope())
    wait_until(lambda: len(calls) == 3, message="third attempt")
    assert calls == [envelope()["event_id"]] * 3


def test_after_the_last_retry_the_message_is_a_dead_letter_and_can_be_replayed(flaky):
    config, dispatch = flaky
    outcome["fail"] = True
    dispatch(envelope())
    dead = wait_until(lambda: dead_letters.list_dead_letters(config["AMQP_URI"], "flaky"), message="dead letter")
    assert len(calls) == 4  # first try and three retries
    [letter] = dead
    assert letter["attempts"] == 4 and "database is down" in letter["error"]
    assert letter["payload"]["event_id"] == envelope()["event_id"]
    assert dead_letters.list_dead_letters(config["AMQP_URI"], "flaky") == dead  # listing leaves them there

    outcome["fail"] = False
    assert dead_letters.replay(config["AMQP_URI"], "flaky", letter["id"]) == 1
    wait_until(lambda: len(calls) == 5, message="replayed message handled")
    assert dead_letters.list_dead_letters(config["AMQP_URI"], "flaky") == []


def test_a_message_that_breaks_its_contract_is_set_aside_at_once(container_factory, config_for, migrated):
    config = config_for("notifications", DATABASE_URL=migrated("notifications"), HANDLER_RETRY_DELAYS="5,5,5")
    container_factory(NotificationsService, config).start()
    broken = make_envelope("registration_confirmed", {
        "registration_id": "r", "status": "confirmed", "channel": "sms", "seats": 1, "cancel_code": "K7MX-4PRA",
        "event": {"id": "e", "title": {"fi": "x"}, "municipality": "m", "place": "p",
                  "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T11:00:00Z"}})
    del broken["data"]["event"]
    event_dispatcher(config)("registration", "registration_confirmed", broken)
    [letter] = wait_until(lambda: dead_letters.list_dead_letters(config["AMQP_URI"], "notifications"), timeout=4,
                          message="dead letter without waiting for retries")
    assert letter["attempts"] == 1 and "validation error" in letter["error"]


def test_a_database_outage_longer_than_every_retry_is_waited_out_not_dead_lettered(flaky):
    config, dispatch = flaky
    outcome.update(fail=12, error=DatabaseUnavailable)  # three times as many failures as retries
    dispatch(envelope())
    wait_until(lambda: len(calls) == 13, message="handled once the database is back")
    assert dead_letters.list_dead_letters(config["AMQP_URI"], "flaky") == []


def test_after_an_outage_a_message_that_fails_for_its_own_reasons_is_still_dead_lettered(flaky):
    config, dispatch = flaky
    outcome.update(fail=6, error=DatabaseUnavailable, then=RuntimeError)
    dispatch(envelope())
    [letter] = wait_until(lambda: dead_letters.list_dead_letters(config["AMQP_URI"], "flaky"), message="dead letter")
    assert len(calls) == 6 + 4  # the outage's tries count for nothing; then the first try and three retries
    assert letter["attempts"] == 4 and "the message itself is wrong" in letter["error"]
