"""Immediate messages first, the rest behind them and out of the night: the store on its real
database (SQLite and PostgreSQL), and a real notifications container with the Twilio double."""
import datetime as dt
import time
import uuid

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.notifications.messages import render
from services.notifications.storage import NotificationStore
from shared.database import Database, utcnow
from shared.events import make_envelope, parse_envelope
from shared.helsinki import local, parse_quiet_hours, quiet_hours_end
from tests.conftest import wait_until
from tests.integration.test_notifications_service import (  # noqa: F401 (a fixture)
    registration_data,
    rows,
    start_notifications,
)

INTERVAL = 0.5  # SMS_RATE_PER_SECOND=2


def tell(store, event_type, **changes):
    """Record the message of one registration event, as the service's handler does."""
    changes.setdefault("registration_id", str(uuid.uuid4()))
    changes.setdefault("phone", f"+35840{uuid.uuid4().int % 10 ** 7:07d}")
    envelope, data = parse_envelope(make_envelope(event_type, registration_data(**changes)), event_type)
    return store.record(envelope, data, render(event_type, data))


@pytest.fixture
def store(migrated):
    return NotificationStore(Database(migrated("notifications")))


def test_a_reminder_is_recorded_for_the_due_timer_and_a_confirmation_claimed_to_go_at_once(store):
    assert tell(store, "registration_reminder")["status"] == "created"
    assert tell(store, "registration_confirmed")["status"] == "sending"
    # no slot to wait for: an email, or any SMS without a rate, goes at once whatever its kind
    assert tell(store, "registration_reminder", channel="email", phone=None,
                email="maija@example.fi")["status"] == "sending"
    store.sms_paced = False
    assert tell(store, "registration_reminder")["status"] == "sending"


def test_a_message_that_may_wait_takes_the_next_slot_only_when_it_is_due_within_one_interval(store):
    reminder = tell(store, "registration_reminder")
    claimed, wait = store.claim_behind(INTERVAL)
    assert claimed["id"] == reminder["id"] and claimed["status"] == "sending" and wait == 0
    tell(store, "registration_reminder")
    claimed, wait = store.claim_behind(INTERVAL)  # the slot after: due within one interval
    assert claimed is not None and 0 < wait <= INTERVAL
    tell(store, "registration_reminder")
    claimed, wait = store.claim_behind(INTERVAL)  # two slots ahead: not booked
    assert claimed is None and 0 < wait <= INTERVAL
    # a confirmation arriving now is at most two slots away
    confirmation = tell(store, "registration_confirmed")
    assert store.reserve_slot("sms", INTERVAL, confirmation["id"], confirmation["claim_token"]) <= 2 * INTERVAL


def test_nothing_waits_behind_when_nothing_is_due(store):
    assert store.claim_behind(INTERVAL) == (None, None)


def test_a_message_that_may_wait_lets_a_due_immediate_sms_go_first(store):
    confirmation = tell(store, "registration_confirmed")
    store.retry_later(confirmation["id"], confirmation["claim_token"], utcnow(), RuntimeError("Twilio busy"))
    reminder = tell(store, "registration_reminder")
    assert store.claim_behind(INTERVAL)[0] is None
    assert store.due(sms_behind=True) == [confirmation["id"]]  # the timer's first pass sends it
    store.claim(confirmation["id"])
    assert store.claim_behind(INTERVAL)[0]["id"] == reminder["id"]


def test_a_reply_to_a_text_is_recorded_immediate_and_claimed(store):
    message = render("registration_confirmed", parse_envelope(
        make_envelope("registration_confirmed", registration_data()), "registration_confirmed")[1])
    with store.database.transaction() as session:
        reply = store.record_reply(session, "SM" + uuid.uuid4().hex, "+358401234567", message)
    assert reply["status"] == "sending" and reply["immediate"]
    [row] = rows(store.database)
    assert row["claim_token"] == reply["claim_token"]


def test_a_promotion_made_in_quiet_hours_is_held_until_they_end_and_the_roster_says_why(store):
    now_hour = local(utcnow()).hour
    store.quiet = parse_quiet_hours(f"{now_hour}-{(now_hour + 2) % 24}")  # it is quiet now
    registration_id = str(uuid.uuid4())
    assert tell(store, "registration_promoted", registration_id=registration_id) is None
    [message] = store.for_registrations([registration_id])[registration_id]
    assert (message["status"], message["error_code"]) == ("created", "quiet_hours")
    [row] = rows(store.database)
    assert row["next_attempt_at"] == quiet_hours_end(row["created_at"], store.quiet)
    assert store.due() == [] and store.claim_behind(INTERVAL) == (None, None)
    # a confirmation answers what the person just did: it goes in the night too
    assert tell(store, "registration_confirmed")["status"] == "sending"
    # an event that starts before the quiet hours end: its promotion would come too late
    soon = utcnow() + dt.timedelta(minutes=30)
    event = {**registration_data()["event"], "starts_at": soon.isoformat(),
             "ends_at": (soon + dt.timedelta(hours=1)).isoformat()}
    assert tell(store, "registration_promoted", event=event)["status"] == "created"


# --- the service ------------------------------------------------------------------------------

@pytest.mark.parametrize("reminders, rate", [
    (40, 10),
    pytest.param(200, 2, marks=pytest.mark.long),  # the proof: 100 s of reminders
])
def test_a_confirmation_overtakes_a_wave_of_reminders_and_every_reminder_goes_once(
        start_notifications, twilio_double, reminders, rate):  # noqa: F811
    twilio, sms = twilio_double()
    dispatch, database = start_notifications(twilio, SMS_RATE_PER_SECOND=str(rate))
    phones = [f"+35840200{n:04d}" for n in range(reminders)]
    for n, phone in enumerate(phones):
        data = registration_data(registration_id=f"r-{n}", phone=phone)
        dispatch("registration_reminder", make_envelope("registration_reminder", data))
    wait_until(lambda: len(sms.all()) >= 3, message="the wave going out")
    dispatched = time.time()
    confirmed = registration_data(registration_id="r-confirmed", phone="+358401239999")
    dispatch("registration_confirmed", make_envelope("registration_confirmed", confirmed))
    [confirmation] = wait_until(lambda: [m for m in sms.all() if m["To"] == "+358401239999"],
                                timeout=10, message="the confirmation")
    before = [m for m in sms.all() if m["received_at"] < confirmation["received_at"]]
    assert confirmation["received_at"] - dispatched < 3, "the confirmation waited behind the reminders"
    assert len(before) < reminders / 2  # it did not go after the wave
    wait_until(lambda: len(sms.all()) >= reminders + 1, timeout=reminders / rate + 30, message="every reminder")
    time.sleep(1.5)  # nothing more follows
    assert sorted(m["To"] for m in sms.all() if m["To"] != "+358401239999") == phones
    times = sorted(m["received_at"] for m in sms.all())
    # the rate held throughout: n messages take at least (n - 1) intervals
    assert times[-1] - times[0] >= (len(times) - 1) / rate * 0.95
    assert all(r["status"] == "sent" for r in rows(database))


def test_the_service_holds_a_promotion_made_in_quiet_hours(start_notifications, twilio_double, config_for):
    twilio, sms = twilio_double()
    now_hour = local(utcnow()).hour
    quiet = f"{now_hour}-{(now_hour + 2) % 24}"  # it is quiet now
    dispatch, database = start_notifications(twilio, QUIET_HOURS=quiet)
    dispatch("registration_promoted", make_envelope("registration_promoted",
                                                    registration_data(registration_id="r-promoted")))
    dispatch("registration_confirmed", make_envelope("registration_confirmed", registration_data(
        registration_id="r-confirmed", phone="+358401239999")))
    sms.wait_for(1)
    time.sleep(1.5)  # the due timer has run
    assert [m["To"] for m in sms.all()] == ["+358401239999"]
    with ServiceRpcProxy("notifications", config_for("notifications")) as notifications:
        [held] = notifications.messages_for_registrations(["r-promoted"])["r-promoted"]
    assert (held["status"], held["error_code"]) == ("created", "quiet_hours")
    [row] = [r for r in rows(database) if r["registration_id"] == "r-promoted"]
    assert row["next_attempt_at"] == quiet_hours_end(row["created_at"], parse_quiet_hours(quiet))
