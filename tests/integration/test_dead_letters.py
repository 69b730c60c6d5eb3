"""Dead letters hold what the messages held (names, numbers, cancel codes), so they are listed
masked and forgotten like every table: on erasure and by retention. Real broker, the real
notifications service, the real commands."""
import datetime as dt
import json
import urllib.parse

import pytest
import requests
from nameko.standalone.events import event_dispatcher

from services import retention
from services.notifications.service import NotificationsService
from services.notifications.storage import NotificationStore
from shared import dead_letters
from shared.database import Database
from shared.events import make_envelope
from tests.conftest import wait_until
from tests.integration.test_notifications_service import registration_data
from tests.system import MANAGEMENT

NOW = dt.datetime.now(dt.timezone.utc)


def undeliverable(registration_id, name, phone, cancel_code, ends_at=None):
    """A confirmation that breaks its contract (seats is no number), so it is set aside at once."""
    data = registration_data(registration_id=registration_id, name=name, phone=phone, cancel_code=cancel_code,
                             email="maija.meikalainen@example.fi")
    if ends_at is not None:
        data["event"].update(starts_at=(ends_at - dt.timedelta(hours=3)).isoformat(), ends_at=ends_at.isoformat())
    envelope = make_envelope("registration_confirmed", data)
    envelope["data"]["seats"] = "many"
    return envelope


@pytest.fixture
def notifications(container_factory, config_for, migrated):
    config = config_for("notifications", DATABASE_URL=migrated("notifications"), HANDLER_RETRY_DELAYS="0.05")
    container_factory(NotificationsService, config).start()
    dispatch = event_dispatcher(config)
    return config, lambda event_type, envelope: dispatch("registration", event_type, envelope)


def letters(config):
    return dead_letters.list_dead_letters(config["AMQP_URI"], "notifications")


def test_listing_dead_letters_masks_names_numbers_emails_and_cancel_codes(notifications, monkeypatch, capsys):
    config, dispatch = notifications
    dispatch("registration_confirmed", undeliverable("r-1", "Maija Meikäläinen", "+358401234567", "K7MX-4PRA"))
    wait_until(lambda: letters(config), message="dead letter")
    monkeypatch.setenv("AMQP_URI", config["AMQP_URI"])
    dead_letters.main(["list", "notifications"])  # what `make dead-letters SERVICE=notifications` runs
    shown = capsys.readouterr().out
    [letter] = json.loads(shown)
    assert letter["payload"]["data"]["registration_id"] == "r-1"  # still tells which message it is
    for personal in ("Meikäläinen", "+358401234567", "401234567", "K7MX-4PRA", "maija.meikalainen"):
        assert personal not in shown
    assert letter["payload"]["data"]["phone"] == "+358*******67"


def test_an_erased_registrants_dead_letters_are_forgotten(notifications):
    config, dispatch = notifications
    dispatch("registration_confirmed", undeliverable("r-1", "Maija", "+358401234567", "K7MX-4PRA"))
    dispatch("registration_confirmed", undeliverable("r-2", "Pekka", "+358409876543", "Q2WE-8RTY"))
    wait_until(lambda: len(letters(config)) == 2, timeout=30, message="two dead letters")
    event = registration_data()["event"]
    dispatch("registration_erased", make_envelope("registration_erased", {"registration_id": "r-1", "event": event}))
    # counted by the broker, not listed: a listing holds the letters and would hide them from the erasure
    wait_until(lambda: dead_letter_count(config) == 1, timeout=30, message="the erased one forgotten")
    assert [letter["payload"]["data"]["registration_id"] for letter in letters(config)] == ["r-2"]


def test_retention_also_forgets_letters_of_erased_registrations_the_erasure_did_not_reach(
        notifications, migrated, monkeypatch):
    config, dispatch = notifications
    event = registration_data()["event"]
    dispatch("registration_erased", make_envelope("registration_erased", {"registration_id": "r-1", "event": event}))
    store = NotificationStore(Database(config["DATABASE_URL"]))
    wait_until(lambda: store.is_erased("r-1"), message="the erasure handled")
    store.database.dispose()
    dispatch("registration_confirmed", undeliverable("r-1", "Maija", "+358401234567", "K7MX-4PRA"))  # after it
    dispatch("registration_confirmed", undeliverable("r-2", "Pekka", "+358409876543", "Q2WE-8RTY"))
    wait_until(lambda: len(letters(config)) == 2, timeout=30, message="two dead letters")
    run_retention(config, migrated, monkeypatch)
    assert [letter["payload"]["data"]["registration_id"] for letter in letters(config)] == ["r-2"]


def dead_letter_count(config):
    vhost = urllib.parse.quote(config["AMQP_URI"].rsplit("/", 1)[1], safe="")
    answer = requests.get(f"{MANAGEMENT}/api/queues/{vhost}/notifications.dead-letters", timeout=10)
    return answer.json().get("messages") if answer.status_code == 200 else None  # absent until first statistics


def run_retention(config, migrated, monkeypatch):
    for name, value in {"AMQP_URI": config["AMQP_URI"], "RETENTION_DAYS": "30",
                        "REGISTRATION_DATABASE_URL": migrated("registration"),
                        "NOTIFICATIONS_DATABASE_URL": config["DATABASE_URL"]}.items():
        monkeypatch.setenv(name, value)
    retention.main([])  # `make retention`; the services run the same hourly


def test_retention_forgets_dead_letters_of_events_that_ended_long_ago(notifications, migrated, monkeypatch):
    config, dispatch = notifications
    dispatch("registration_confirmed", undeliverable("r-old", "Maija", "+358401234567", "K7MX-4PRA",
                                                     ends_at=NOW - dt.timedelta(days=40)))
    dispatch("registration_confirmed", undeliverable("r-new", "Pekka", "+358409876543", "Q2WE-8RTY"))
    wait_until(lambda: len(letters(config)) == 2, timeout=30, message="two dead letters")
    run_retention(config, migrated, monkeypatch)
    assert [letter["payload"]["data"]["registration_id"] for letter in letters(config)] == ["r-new"]
