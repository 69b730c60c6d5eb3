"""The reminder before an event on registration's real database, SQLite and PostgreSQL: each
confirmed registrant gets one at the event's reminder_at, nobody else does, a moved event moves
it; and on PostgreSQL two copies of the registration service running at once still send one each."""
import datetime as dt
import time
from collections import Counter

import pytest
from sqlalchemy import update

from services.registration.service import RegistrationService
from services.registration.signup import from_request
from services.registration.storage import RegistrationStore
from services.registration.tables import outbox, registrations
from shared.database import Database
from shared.migrations import upgrade
from tests.conftest import wait_until
from tests.integration.helpers import envelope, future, outbox_events, published

MINUTE = dt.timedelta(minutes=1)


def sign_up(store, event, phone, seats=1, language="fi"):
    body = {"name": "Maija", "phone": phone, "seats": seats, "language": language}
    return store.register(event["id"], from_request(event["id"], body, ["FI"]))[0]


def reminded(store):
    """{phone: reminders written} of the outbox."""
    return Counter(e["data"]["phone"] for e in outbox_events(store.database, outbox, "registration_reminder"))


def reminder_event(store, reminder_at, starts_at=None, **changes):
    starts_at = starts_at or reminder_at + dt.timedelta(hours=24)
    return published(store, starts_at=starts_at.isoformat(), ends_at=(starts_at + dt.timedelta(hours=2)).isoformat(),
                     reminder_at=reminder_at.isoformat(), **changes)


def test_each_confirmed_registrant_is_reminded_once_at_reminder_at_and_nobody_else(store):
    reminder_at = future(days=10)
    event = reminder_event(store, reminder_at, capacity=5, waitlist_capacity=5)
    sign_up(store, event, "0401000001", language="sv")
    cancelled = sign_up(store, event, "0401000002")
    sign_up(store, event, "0401000003", seats=2)
    erased = sign_up(store, event, "0401000005")
    sign_up(store, event, "0401000004", seats=3)  # waiting: 3 seats never fit the 2 freed below
    store.cancel(cancelled["cancel_code"])
    store.erase(erased["cancel_code"])
    assert store.send_reminders(now=reminder_at - MINUTE) == 0  # not yet

    assert store.send_reminders(now=reminder_at) == 2
    assert reminded(store) == {"+358401000001": 1, "+358401000003": 1}
    first = outbox_events(store.database, outbox, "registration_reminder")[0]["data"]
    assert first["language"] == "sv" and first["channel"] == "sms" and first["event"]["id"] == event["id"]
    assert store.send_reminders(now=reminder_at + MINUTE) == 0  # once

    starts_at = dt.datetime.fromisoformat(event["starts_at"])
    assert store.send_reminders(now=starts_at) == 0


def test_someone_who_signed_up_after_the_reminder_time_gets_none(store):
    now = dt.datetime.now(dt.timezone.utc)
    event = reminder_event(store, now - MINUTE)
    sign_up(store, event, "0401000001")
    assert store.send_reminders(now=now + MINUTE) == 0
    assert not reminded(store)


def test_someone_promoted_after_the_reminder_time_gets_no_reminder_on_top(store):
    now = dt.datetime.now(dt.timezone.utc)
    event = reminder_event(store, now - MINUTE, starts_at=now + dt.timedelta(hours=2), capacity=2)
    leaving = sign_up(store, event, "0401000001")
    sign_up(store, event, "0401000002")
    sign_up(store, event, "0401000003")  # waiting
    with store.database.transaction() as session:  # all made the day before
        session.execute(update(registrations).values(created_at=now - dt.timedelta(days=1)))
    store.cancel(leaving["cancel_code"])  # the one waiting is promoted, and told
    assert len(outbox_events(store.database, outbox, "registration_promoted")) == 1
    assert store.send_reminders(now=now + MINUTE) == 1
    assert reminded(store) == {"+358401000002": 1}


def test_a_moved_event_moves_its_reminder_and_one_sent_is_not_sent_again(store):
    reminder_at = future(days=10)
    event = reminder_event(store, reminder_at)
    sign_up(store, event, "0401000001")
    later, starts_later = reminder_at + dt.timedelta(days=2), dt.datetime.fromisoformat(event["starts_at"]) + \
        dt.timedelta(days=2)
    moved = {**event, "starts_at": starts_later.isoformat(), "ends_at": (starts_later + dt.timedelta(hours=2)).isoformat(),
             "reminder_at": later.isoformat(), "changed": ["starts_at", "ends_at", "reminder_at"]}
    store.apply_catalog_event(*envelope("event_updated", moved))
    assert store.send_reminders(now=reminder_at) == 0  # the old time: nothing
    assert store.send_reminders(now=later) == 1

    earlier = {**moved, "reminder_at": (later + dt.timedelta(hours=3)).isoformat(), "changed": ["reminder_at"]}
    store.apply_catalog_event(*envelope("event_updated", earlier))
    assert store.send_reminders(now=later + dt.timedelta(hours=3)) == 0
    assert reminded(store) == {"+358401000001": 1}


def test_an_event_without_reminders_or_called_off_reminds_nobody(store):
    reminder_at = future(days=10)
    quiet = reminder_event(store, reminder_at, reminders=False)
    sign_up(store, quiet, "0401000001")
    off = reminder_event(store, reminder_at)
    sign_up(store, off, "0401000002")
    store.apply_catalog_event(*envelope("event_cancelled", {**off, "status": "cancelled"}))
    assert store.send_reminders(now=reminder_at) == 0


@pytest.mark.long  # minutes of make test: make test-long runs it (CI too)
def test_two_registration_services_running_at_once_send_one_reminder_each(container_factory, config_for,
                                                                          postgres_database):
    # PostgreSQL, where copies of a service share one database; on SQLite each process is its
    # own one writer, and two in one test process would only wait on each other's file lock
    url = postgres_database()
    upgrade("registration", url)
    database = Database(url)
    store = RegistrationStore(database)
    now = dt.datetime.now(dt.timezone.utc)
    event = reminder_event(store, now + dt.timedelta(seconds=1), starts_at=now + dt.timedelta(hours=2), capacity=30)
    phones = [f"04010000{n:02}" for n in range(25)]
    for phone in phones:
        sign_up(store, event, phone)
    with database.transaction() as session:  # made the day before, not in the second before reminder_at
        session.execute(update(registrations).values(created_at=now - dt.timedelta(days=1)))
    for _ in range(2):
        container_factory(RegistrationService, config_for("registration", DATABASE_URL=url)).start()
    wait_until(lambda: sum(reminded(store).values()) >= len(phones), timeout=20, message="reminders")
    time.sleep(6)  # both timers have fired again since: nothing was written twice
    assert reminded(store) == {f"+3584010000{n:02}": 1 for n in range(25)}
    database.dispose()
