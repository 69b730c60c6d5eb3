"""Messages outlast a provider outage, a killed notifications process and lost answers: every
confirmation reaches the Twilio double exactly once, with the real broker and database and the
services as separate processes."""
import time

import eventlet
import pytest

from tests.conftest import wait_until
from tests.e2e.helpers import create_event, sign_up
from tests.system import create_postgres_database, drop_postgres_databases, start_system

pytestmark = pytest.mark.e2e


def messages_of(system, event_id):
    """{phone: [its messages as the roster shows them]}."""
    roster = system.call("GET", f"/api/events/{event_id}/registrations", staff=True).json()
    return {r["phone"]: r["messages"] for r in roster}


def statuses_in_database(url):
    """{status: messages} read from notifications' own database (the service is down)."""
    from sqlalchemy import func, select

    from services.notifications.tables import notifications
    from shared.database import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        found = dict(connection.execute(select(notifications.c.status, func.count())
                                        .group_by(notifications.c.status)).all())
    engine.dispose()
    return found


def sign_up_many(system, event_id, phones, at_once=20):
    """Sign up one resident per phone, `at_once` side by side; returns their answers."""
    def one(phone):
        answer = sign_up(system, event_id, {"name": "Asukas", "phone": phone})
        assert answer.status_code == 201, answer.text
        return answer

    pool = eventlet.GreenPool(at_once)
    return list(pool.imap(one, phones))


def assert_each_sent_once(system, event_id, phones):
    """Every phone got exactly one SMS, and the roster shows each message `sent`."""
    recipients = [m["To"] for m in system.sms.all()]
    assert sorted(recipients) == sorted("+358" + phone[1:] for phone in phones)
    statuses = {phone: [m["status"] for m in messages] for phone, messages in messages_of(system, event_id).items()}
    assert all(found == ["sent"] for found in statuses.values()), statuses


@pytest.mark.long
def test_twilio_down_for_two_minutes_then_failing_half_still_delivers_each_of_200_confirmations_once(tmp_path):
    # retries at most 5 s apart here (300 s by default)
    system, stop = start_system(tmp_path, twilio_args=("--fail-all-for", "120", "--fail-ratio", "0.5"),
                                SEND_RETRY_BASE_SECONDS="1", SEND_RETRY_MAX_SECONDS="5", RATE_LIMITS="off")
    try:
        event = create_event(system, capacity=250)
        phones = [f"0408881{n:03d}" for n in range(200)]
        sign_up_many(system, event["id"], phones)
        health = system.call("GET", "/health")
        assert system.sms.all() == []  # still inside the outage
        assert health.status_code == 200 and health.json()["messages"]["waiting"] > 0
        system.sms.wait_for(200, timeout=300)
        time.sleep(5)  # a repeat would come within a retry interval
        assert_each_sent_once(system, event["id"], phones)
        assert system.call("GET", "/health").json()["messages"] == {"failed": 0, "waiting": 0}
    finally:
        stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_urls(request, tmp_path):
    """Each service's database: SQLite files (the default), or fresh PostgreSQL databases."""
    if request.param == "sqlite":
        yield {}, f"sqlite:///{tmp_path}/var/notifications.db"
        return
    urls = {f"{service.upper()}_DATABASE_URL": create_postgres_database(f"yhdessa_e2e_{service}")
            for service in ("catalog", "registration", "notifications")}
    try:
        yield urls, urls["NOTIFICATIONS_DATABASE_URL"]
    finally:
        drop_postgres_databases(urls.values())


@pytest.mark.long
def test_notifications_killed_in_the_middle_of_30_sends_delivers_each_once_after_restart(tmp_path, database_urls):
    urls, notifications_database = database_urls
    # three SMS a second: the 30 wait for their slots when the process dies
    system, stop = start_system(tmp_path, urls, services=["notifications", "registration", "catalog", "gateway"],
                                SMS_RATE_PER_SECOND="3", SEND_CLAIM_MARGIN_SECONDS="2", SEND_RETRY_BASE_SECONDS="1",
                                RATE_LIMITS="off")
    try:
        system.wait_healthy()
        event = create_event(system, capacity=40)
        phones = [f"0408882{n:03d}" for n in range(30)]
        sign_up_many(system, event["id"], phones, at_once=30)
        system.sms.wait_for(5, timeout=30)
        system.kill("notifications")
        sent_before = len(system.sms.all())
        assert sent_before < 30, "the process was killed after every message went out"
        assert statuses_in_database(notifications_database).get("sending")  # the dead process's claims

        system.start("notifications")
        system.sms.wait_for(30, timeout=90)
        wait_until(lambda: all(m and m[0]["status"] == "sent" for m in messages_of(system, event["id"]).values()),
                   timeout=30, message="every message sent on the roster")
        time.sleep(3)  # a message settled wrongly would be sent again by now
        assert_each_sent_once(system, event["id"], phones)
    finally:
        stop()


@pytest.mark.long
def test_a_twilio_that_accepts_but_answers_after_the_timeout_sends_one_sms(tmp_path):
    # as in the issue: accepted at once, answered 3 s later, our time limit 2 s
    system, stop = start_system(tmp_path, twilio_args=("--answer-after", "3"), PROVIDER_TIMEOUT_SECONDS="2",
                                SEND_RETRY_BASE_SECONDS="1", SEND_CLAIM_MARGIN_SECONDS="2")
    try:
        event = create_event(system)
        phones = ["0408883001"]
        sign_up_many(system, event["id"], phones)
        system.sms.wait_for(1)
        wait_until(lambda: messages_of(system, event["id"])["+358408883001"][0]["status"] == "sent",
                   timeout=30, message="the message settled as sent")
        time.sleep(4)  # the old rule sent it again within this
        assert_each_sent_once(system, event["id"], phones)
        health = system.call("GET", "/health")
        assert health.status_code == 200 and health.json()["messages"] == {"failed": 0, "waiting": 0}
    finally:
        stop()
