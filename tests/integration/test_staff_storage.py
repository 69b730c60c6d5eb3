"""Attendance, walk-ins, erasure, retention and webhook deliveries on the services' real
databases, SQLite and PostgreSQL."""
import datetime as dt
import json

import pytest
from sqlalchemy import select

from services.notifications import webhook_delivery
from services.notifications.messages import render
from services.notifications.providers.errors import TransientDeliveryError
from services.notifications.storage import NotificationStore
from services.notifications.tables import notifications, webhook_deliveries
from services.registration.signup import parse
from services.registration.tables import outbox, registrations
from shared.database import Database
from shared.errors import Conflict, Forbidden, ValidationFailed
from tests.integration.helpers import catalog_event, envelope, outbox_events, published

MAIJA = {"id": "staff-1", "name": "Maija"}


@pytest.fixture
def messages(migrated):
    database = Database(migrated("notifications"))
    yield NotificationStore(database)
    database.dispose()


def sign_up(store, event, phone, **fields):
    registration, _ = store.register(event["id"], parse({"name": "Aino Äijälä", "phone": phone, **fields}, ["FI"]))
    return registration


def test_a_check_in_by_cancel_code_publishes_attendance_once_and_an_undo_publishes_it_back(store):
    event = published(store)
    registration = sign_up(store, event, "0401000001")
    marked = store.check_in(registration["cancel_code"].lower(), True, MAIJA)
    assert marked["attended"] is True
    store.check_in(registration["id"], True, MAIJA)  # again: nothing new
    store.check_in(registration["id"], False, MAIJA)
    published_events = outbox_events(store.database, outbox, "attendance_marked")
    assert [(e["data"]["attended"], e["data"]["marked_by"]["name"]) for e in published_events] == [
        (True, "Maija"), (False, "Maija")]
    assert published_events[0]["data"]["event"]["organizer"] == event["organizer"]
    with pytest.raises(Forbidden):
        store.check_in(registration["id"], True, MAIJA, organizer="Toinen ry")


def test_only_confirmed_registrations_can_be_checked_in(store):
    event = published(store, capacity=1, waitlist_capacity=1)
    sign_up(store, event, "0401000002")
    waiting = sign_up(store, event, "0401000003")
    with pytest.raises(Conflict):
        store.check_in(waiting["id"], True, MAIJA)


def test_walk_in_counts_add_up_and_never_go_below_zero(store):
    event = published(store)
    assert store.record_walk_ins(event["id"], 4, MAIJA)["total"] == 4
    assert store.record_walk_ins(event["id"], -1, MAIJA)["total"] == 3
    with pytest.raises(ValidationFailed):
        store.record_walk_ins(event["id"], -4, MAIJA)
    assert store.walk_ins_for_event(event["id"])["total"] == 3
    with pytest.raises(Forbidden):
        store.walk_ins_for_event(event["id"], organizer="Toinen ry")


def test_erasure_frees_the_seat_blanks_the_person_and_tells_nobody_but_the_services(store):
    event = published(store, capacity=1, waitlist_capacity=1)
    leaving = sign_up(store, event, "0401000004")
    waiting = sign_up(store, event, "0401000005")
    store.erase(leaving["cancel_code"])
    with store.database.transaction() as session:
        row = session.execute(select(registrations).where(registrations.c.id == leaving["id"])).mappings().one()
    assert (row["name"], row["phone"], row["contact_key"], row["status"]) == (None, None, None, "cancelled")
    [cancelled] = outbox_events(store.database, outbox, "registration_cancelled")
    assert cancelled["data"]["reason"] == "erased" and cancelled["data"]["phone"] is None
    assert outbox_events(store.database, outbox, "registration_erased")[0]["data"]["registration_id"] == leaving["id"]
    [promoted] = outbox_events(store.database, outbox, "registration_promoted")
    assert promoted["data"]["registration_id"] == waiting["id"]


def test_retention_blanks_only_events_past_it_and_keeps_the_counts(store):
    old = published(store)
    new = published(store)
    attended = sign_up(store, old, "0401000006")
    sign_up(store, new, "0401000007")
    store.check_in(attended["id"], True, MAIJA)
    before = store.stats()
    ends = dt.datetime.fromisoformat(old["ends_at"])
    assert store.anonymise_ended(30, now=ends + dt.timedelta(days=29)) == 0
    # both events end at the same time in these tests: move the clock past one of them only
    store.apply_catalog_event(*envelope("event_updated", {**new, "ends_at": (ends + dt.timedelta(days=10)).isoformat(),
                                                          "changed": ["ends_at"]}))
    assert store.anonymise_ended(30, now=ends + dt.timedelta(days=31)) == 1
    assert store.stats() == before
    names = {r["event_id"]: r["name"] for r in store.list_for_event(old["id"]) + store.list_for_event(new["id"])}
    assert names == {old["id"]: None, new["id"]: "Aino Äijälä"}


def test_statistics_count_sign_ups_attendance_cancellations_and_walk_ins(store):
    event = published(store, capacity=2, waitlist_capacity=1)
    first = sign_up(store, event, "0401000008")
    sign_up(store, event, "0401000009", seats=1)
    sign_up(store, event, "0401000010")
    store.cancel(first["cancel_code"])
    store.record_walk_ins(event["id"], 2, MAIJA)
    [group] = store.stats()
    assert {k: group[k] for k in ("events", "sign_ups", "confirmed", "waitlisted", "cancellations",
                                  "walk_ins", "attended", "no_shows")} == {
        "events": 1, "sign_ups": 3, "confirmed": 2, "waitlisted": 0, "cancellations": 1,
        "walk_ins": 2, "attended": 0, "no_shows": 0}
    assert store.stats(organizer="Toinen ry") == []
    [monthly] = store.stats(per_month=True)
    assert monthly["month"] == dt.datetime.fromisoformat(event["starts_at"]).strftime("%Y-%m") and monthly["sign_ups"] == 3
    assert store.stats(municipality="JYVÄSKYLÄ")[0]["event_ids"] == [event["id"]]


# --- notifications -----------------------------------------------------------------------------

def confirmation(registration_id="r1", organizer="Kosketus ry"):
    snapshot = {k: v for k, v in catalog_event(organizer=organizer).items()
                if k in ("id", "title", "municipality", "place", "address", "starts_at", "ends_at", "organizer")}
    return envelope("registration_confirmed", {
        "registration_id": registration_id, "status": "confirmed", "name": "Aino Äijälä", "phone": "+358401000011",
        "channel": "sms", "seats": 1, "cancel_code": "K7MX-4PRA", "event": snapshot})


class Receivers:
    """Webhook receivers as the delivery loop sees them: down until `up`."""

    def __init__(self):
        self.up, self.posts = False, []

    def post(self, url, secret, event_id, body):
        if not self.up:
            raise TransientDeliveryError("unreachable", code="connection")
        self.posts.append((url, event_id, json.loads(body)))


def test_a_message_arriving_after_its_registrants_erasure_is_dropped_and_names_nobody(messages):
    messages.webhooks.subscribe("Kosketus ry", "http://127.0.0.1:9/mine", "staff-1")
    env, data = confirmation()
    erased_env, _ = envelope("registration_erased", {"registration_id": "r1", "event": data.event.model_dump()})
    messages.erase(erased_env, "r1")
    assert messages.record(env, data, render("registration_confirmed", data), {"id": "x", "name": "Aino Äijälä"}) is None
    with messages.database.transaction() as session:
        assert session.execute(select(notifications)).all() == []
        [body] = session.execute(select(webhook_deliveries.c.body)).scalars().all()
    assert "Äijälä" not in body


def test_erasure_blanks_a_failed_messages_provider_error_which_names_the_number(messages):
    env, data = confirmation()
    claimed = messages.record(env, data, render("registration_confirmed", data))
    messages.failed(claimed["id"], claimed["claim_token"], "21211",
                    "Twilio 400: The 'To' number +358401000011 is not a valid phone number.")
    erased_env, _ = envelope("registration_erased", {"registration_id": "r1", "event": data.event.model_dump()})
    messages.erase(erased_env, "r1")
    with messages.database.transaction() as session:
        row = session.execute(select(notifications)).mappings().one()
    assert (row["status"], row["error_code"]) == ("failed", "21211")  # what happened stays, for statistics
    assert "0401000011" not in str(dict(row)) and "358401000011" not in str(dict(row))


def test_webhook_posts_go_to_the_organizers_receivers_only_and_wait_while_one_is_down(messages):
    mine = messages.webhooks.subscribe("Kosketus ry", "http://127.0.0.1:9/mine", "staff-1")
    messages.webhooks.subscribe("Toinen ry", "http://127.0.0.1:9/theirs", "staff-2")
    queued = []
    for n in range(3):
        env, data = confirmation(registration_id=f"r{n}")
        queued.append(str(env.event_id))
        messages.record(env, data, None, {"id": str(env.event_id), "name": "Aino"})
        messages.record(env, data, None, {"id": str(env.event_id), "name": "Aino"})  # redelivered: no second POST
    receivers = Receivers()
    # each subscription's POSTs are delivered by a greenthread of their own; here, one after the other
    dispatcher = webhook_delivery.Dispatcher(receivers, lambda work: work(),
                                             max_attempts=5, retry_base_seconds=0)
    dispatcher.tick(messages.webhooks)
    assert receivers.posts == []
    with messages.database.transaction() as session:
        attempts = session.execute(select(webhook_deliveries.c.attempts).order_by(webhook_deliveries.c.created_at)).scalars().all()
    assert attempts == [1, 0, 0]  # one try while the receiver is down, not one per queued event
    receivers.up = True
    dispatcher.tick(messages.webhooks)
    assert [(url, event_id) for url, event_id, _ in receivers.posts] == [
        ("http://127.0.0.1:9/mine", event_id) for event_id in queued]  # in order
    [subscription] = messages.webhooks.subscriptions("Kosketus ry")
    assert subscription["deliveries"] == {"pending": 0, "delivered": 3, "failed": 0}
    assert subscription["id"] == mine["id"] and "secret" not in subscription
