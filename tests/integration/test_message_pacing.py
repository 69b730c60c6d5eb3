"""Messages anonymous requests cause, paced per recipient and by a daily SMS budget: the store's
real database (SQLite and PostgreSQL) decides, and what it decides shows on the message rows."""
import datetime as dt
import logging
import uuid

from sqlalchemy import select

from services.notifications.messages import render
from services.notifications.pacing import Pacing, PacingPolicy, caused_by_public
from shared.helsinki import day_of, start_of_day
from services.notifications.storage import NotificationStore
from services.notifications.tables import notifications, recipient_days
from shared.database import Database
from shared.events import make_envelope, parse_envelope
from tests.integration.test_notifications_service import registration_data


def store_with(migrated, per_recipient=3, budget=0, admin_email=""):
    store = NotificationStore(Database(migrated("notifications")))
    store.pacing = Pacing(PacingPolicy(per_recipient, budget, admin_email))
    return store


def tell(store, event_type="registration_confirmed", **changes):
    """Record the message of one registration event, as the service's handler does."""
    changes.setdefault("registration_id", str(uuid.uuid4()))
    envelope, data = parse_envelope(make_envelope(event_type, registration_data(**changes)), event_type)
    return store.record(envelope, data, render(event_type, data))


def rows(store):
    with store.database.transaction() as session:
        return [dict(r) for r in session.execute(select(notifications).order_by(notifications.c.created_at)).mappings()]


def test_messages_caused_by_staff_are_told_apart_from_anonymous_ones():
    def data(event_type, **changes):
        return parse_envelope(make_envelope(event_type, registration_data(**changes)), event_type)[1]
    assert caused_by_public("registration_confirmed", data("registration_confirmed"))
    assert caused_by_public("registration_cancelled", data("registration_cancelled", reason="by_registrant"))
    assert caused_by_public("registration_promoted", data("registration_promoted"))
    assert not caused_by_public("registration_cancelled", data("registration_cancelled", reason="event_cancelled"))
    assert not caused_by_public("registration_event_changed", data("registration_event_changed"))
    assert not caused_by_public("registration_confirmed", data("registration_confirmed", assisted_by="Maija / Kosketus"))


def test_a_helsinki_day_starts_at_helsinki_midnight():
    late_evening_utc = dt.datetime(2026, 11, 28, 22, 30, tzinfo=dt.timezone.utc)  # 00:30 in Helsinki
    assert day_of(late_evening_utc) == dt.date(2026, 11, 29)
    assert start_of_day(dt.date(2026, 11, 29)) == dt.datetime(2026, 11, 28, 22, 0, tzinfo=dt.timezone.utc)


def test_a_sign_up_and_cancel_loop_stops_messaging_one_number_at_the_cap(migrated):
    store = store_with(migrated, per_recipient=3)
    claimed = [tell(store, event_type, reason="by_registrant" if event_type.endswith("cancelled") else None)
               for _ in range(3) for event_type in ("registration_confirmed", "registration_cancelled")]
    assert [c is not None for c in claimed] == [True, True, True, False, False, False]
    statuses = [(r["status"], r["error_code"]) for r in rows(store)]
    assert statuses[3:] == [("capped", "messages_per_number_per_day")] * 3
    assert store.due() == []  # never sent, not even later
    assert tell(store, phone="+358401234599") is not None  # another number is not affected


def test_staff_caused_messages_are_never_capped_and_do_not_use_up_the_cap(migrated):
    store = store_with(migrated, per_recipient=1)
    assert tell(store, assisted_by="Maija / Kosketus") is not None
    assert tell(store, "registration_cancelled", reason="event_cancelled") is not None
    assert tell(store, "registration_event_changed") is not None
    assert tell(store) is not None
    assert tell(store) is None


def test_email_is_capped_per_address_whatever_its_case(migrated):
    store = store_with(migrated, per_recipient=1)
    assert tell(store, channel="email", phone=None, email="maija@example.fi") is not None
    assert tell(store, channel="email", phone=None, email="Maija@Example.fi") is None


def test_past_the_sms_budget_anonymous_sms_wait_for_the_next_day_and_the_admin_is_told_once(migrated, caplog):
    store = store_with(migrated, per_recipient=0, budget=2, admin_email="admin@example.fi")
    with caplog.at_level(logging.ERROR, logger="services.notifications.pacing"):
        claimed = [tell(store, phone=f"+35840100{n:04d}") for n in range(4)]
    assert [c is not None for c in claimed] == [True, True, False, False]
    tomorrow = start_of_day(day_of(dt.datetime.now(dt.timezone.utc)) + dt.timedelta(days=1))
    waiting = [r for r in rows(store) if r["channel"] == "sms" and r["status"] == "created"]
    assert [(r["error_code"], r["next_attempt_at"]) for r in waiting] == [("sms_daily_budget", tomorrow)] * 2
    assert store.due() == [n["id"] for n in rows(store) if n["channel"] == "email"]  # the held SMS are not due yet
    [notice] = [r for r in rows(store) if r["channel"] == "email"]
    assert notice["recipient"] == "admin@example.fi" and "SMS_DAILY_BUDGET" in notice["body"]
    assert len([r for r in caplog.records if "budget" in r.getMessage()]) == 1
    # staff-caused SMS still go
    assert tell(store, "registration_cancelled", phone="+358401009999", reason="event_cancelled") is not None


def test_counts_of_past_days_are_forgotten(migrated):
    store = store_with(migrated, per_recipient=5)
    tell(store)
    with store.database.transaction() as session:
        session.execute(recipient_days.update().values(day=dt.date(2020, 1, 1)))
    store.forget_past_pacing()
    with store.database.transaction() as session:
        assert session.execute(select(recipient_days)).all() == []
