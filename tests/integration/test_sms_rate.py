"""The SMS rate shared by notifications processes, on PostgreSQL with the real broker and the
Twilio double: never more than SMS_RATE_PER_SECOND at the double whatever the number of processes,
slots booked a block at a time, not with a locked row per SMS, and claims that outlast a queue for
slots; and the store (SQLite and PostgreSQL) claiming SMS that may wait a window of slots at once."""
import math
import time

from nameko.standalone.events import event_dispatcher
from sqlalchemy import event
from sqlalchemy.engine import Engine

from services.notifications.service import NotificationsService
from services.notifications.storage import NotificationStore
from shared.database import Database, utcnow
from shared.events import make_envelope
from shared.migrations import upgrade
from tests.conftest import wait_until
from tests.integration.test_notifications_service import registration_data, rows
from tests.integration.test_send_priority import tell


def start_processes(count, container_factory, config_for, postgres_database, twilio, smtp, rate):
    """`count` notifications containers (a process's worth each: its own dependencies, its own slot
    book) on one queue and one database; returns the dispatch of a confirmation to phone number n."""
    url = postgres_database()
    upgrade("notifications", url)
    config = config_for("notifications", DATABASE_URL=url, SMS_RATE_PER_SECOND=str(rate), **twilio, **smtp)
    for _ in range(count):
        container_factory(NotificationsService, config).start()
    dispatch = event_dispatcher(config)

    def confirm(n):
        data = registration_data(registration_id=f"r-{n}", phone=f"+35840300{n:04d}")
        dispatch("registration", "registration_confirmed", make_envelope("registration_confirmed", data))
    return confirm


def test_two_processes_together_never_send_more_than_the_rate_in_any_second_from_the_start(
        container_factory, config_for, postgres_database, twilio_double, smtp_double):
    rate, total = 50, 100
    twilio, sms = twilio_double()
    confirm = start_processes(2, container_factory, config_for, postgres_database, twilio, smtp_double[0], rate)
    started = time.time()
    for n in range(total):
        confirm(n)
    arrived = sorted(m["received_at"] - started for m in sms.wait_for(total, timeout=60))
    # Every slot is booked after `started` and is its own, `1 / rate` apart, and no SMS goes before
    # its slot: so in the first n seconds at most rate x n can reach the double, however late any
    # arrives (a busy machine delays, never hastens). Each process booking its own slots, or one
    # slot used twice, sends the hundred in about a second.
    for second in range(1, math.ceil(arrived[-1]) + 1):
        within = sum(1 for t in arrived if t < second)
        assert within <= rate * second, (second, within)
    assert sorted(m["To"] for m in sms.all()) == [f"+35840300{n:04d}" for n in range(total)]


def test_slots_are_booked_a_block_at_a_time_not_with_a_locked_row_per_sms(
        container_factory, config_for, postgres_database, twilio_double, smtp_double):
    rate, total = 100, 200  # two seconds' worth: the confirmations queue for their slots
    twilio, sms = twilio_double()
    confirm = start_processes(1, container_factory, config_for, postgres_database, twilio, smtp_double[0], rate)
    bookings = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "send_rate" in statement and "FOR UPDATE" in statement:
            bookings.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        for n in range(total):
            confirm(n)
        sms.wait_for(total, timeout=60)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    # A block is a tenth of a second's worth (10 slots) and a booking locks the row once: about 20
    # bookings, more only if the messages came slower than the rate. A lock per SMS would be 200.
    assert 0 < len(bookings) <= total / 4, len(bookings)


def test_a_queue_for_slots_longer_than_the_claim_margin_is_sent_without_a_claim_lapsing(
        container_factory, config_for, postgres_database, twilio_double, smtp_double):
    twilio, sms = twilio_double()
    url = postgres_database()
    upgrade("notifications", url)
    # three seconds of slots against a claim of one second: a worker waiting for its slot must not
    # look dead (its message taken back and claimed again)
    config = config_for("notifications", DATABASE_URL=url, SMS_RATE_PER_SECOND="2", SEND_CLAIM_MARGIN_SECONDS="1",
                        **twilio, **smtp_double[0])
    container_factory(NotificationsService, config).start()
    dispatch = event_dispatcher(config)
    for n in range(6):
        data = registration_data(registration_id=f"r-{n}", phone=f"+35840300{n:04d}")
        dispatch("registration", "registration_confirmed", make_envelope("registration_confirmed", data))
    sms.wait_for(6)
    database = Database(url)

    def all_sent():
        found = rows(database)
        return found if len(found) == 6 and all(r["status"] == "sent" for r in found) else None
    sent = wait_until(all_sent, message="every message recorded sent")
    assert [r["attempts"] for r in sent] == [1] * 6
    assert len(sms.all()) == 6


def test_messages_that_may_wait_are_claimed_a_window_of_slots_at_a_time_behind_an_immediate_one(migrated):
    store = NotificationStore(Database(migrated("notifications")))
    reminders = {tell(store, "registration_reminder")["id"] for _ in range(30)}
    # 100 a second, a tenth of a second's window: the slots at 0, 0.01 … 0.1 s, not all thirty
    claimed, wait = store.claim_behind_many(0.01, 0.1, 50)
    assert len(claimed) == 11 and wait is None
    assert {m["id"] for m, _ in claimed} <= reminders and all(m["status"] == "sending" for m, _ in claimed)
    waits = [w for _, w in claimed]
    assert waits == sorted(waits) and waits[0] == 0 and waits[-1] <= 0.1 + 1e-6
    confirmation = tell(store, "registration_confirmed")
    store.retry_later(confirmation["id"], confirmation["claim_token"], utcnow(), RuntimeError("Twilio busy"))
    time.sleep(0.2)  # the booked slots have passed: only the immediate SMS holds the rest back
    assert store.claim_behind_many(0.01, 0.1, 50)[0] == []
