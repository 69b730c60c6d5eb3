"""Staff's message to everyone coming, on the real databases (SQLite and PostgreSQL): registration
records it once per key and puts one `event_message` per registrant it reaches (and one
`event_message_sent` for the activity stream) in the outbox; notifications holds a message that
may wait through the quiet hours and sends an urgent one at once."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from services.notifications.messages import render
from services.notifications.storage import NotificationStore
from services.registration.signup import from_request
from services.registration.tables import announcements, outbox
from shared.api import EventMessage
from shared.database import Database, utcnow
from shared.errors import Forbidden, ValidationFailed
from shared.events import make_envelope, parse_envelope
from shared.helsinki import local, parse_quiet_hours
from tests.integration.helpers import outbox_events, published
from tests.integration.test_notifications_service import registration_data

MAIJA = {"id": "s-1", "name": "Maija / Kosketus"}


def sign_up(store, event, phone=None, email=None):
    body = {"name": "Asukas", **({"phone": phone} if phone else {}), **({"email": email} if email else {})}
    return store.register(event["id"], from_request(event["id"], body, ["FI"]))[0]


def message(text="Bussi on myöhässä, aloitamme klo 18.30.", **flags):
    return EventMessage.model_validate({"text": text, **flags})


def told(store):
    """{registration_id: text} of every event_message in the outbox."""
    return {e["data"]["registration_id"]: e["data"]["text"]
            for e in outbox_events(store.database, outbox, "event_message")}


def test_a_message_reaches_the_confirmed_once_per_key_and_the_waiting_list_only_when_asked(store):
    event = published(store, capacity=3, waitlist_capacity=2)
    gone = sign_up(store, event, phone="0401000009")
    store.cancel(gone["cancel_code"])
    coming = [sign_up(store, event, phone="0401000001"), sign_up(store, event, phone="0401000002"),
              sign_up(store, event, email="karin@example.fi")]
    waiting = sign_up(store, event, phone="0401000004")
    assert waiting["status"] == "waitlisted"

    sent = store.message_everyone(event["id"], message(), MAIJA, "Jyväskylän kaupunki", key="k-1")
    assert (sent["recipients"], sent["sms"], sent["email"]) == (3, 2, 1)
    assert set(told(store)) == {r["id"] for r in coming}
    # the same key again (a double click): the same answer, nothing more in the outbox
    assert store.message_everyone(event["id"], message(), MAIJA, key="k-1") == sent
    assert len(told(store)) == 3
    [data] = [e["data"] for e in outbox_events(store.database, outbox, "event_message")
              if e["data"]["channel"] == "email"]
    assert data["email"] == "karin@example.fi" and data["urgent"] is False and data["message_id"] == sent["id"]
    [activity] = outbox_events(store.database, outbox, "event_message_sent")
    assert activity["data"]["recipients"] == 3 and activity["data"]["sent_by"] == MAIJA

    with_waiting = store.message_everyone(event["id"], message("Paikka vaihtui.", include_waitlist=True), MAIJA,
                                          key="k-2")
    assert with_waiting["recipients"] == 4
    assert waiting["id"] in told(store) and gone["id"] not in told(store)
    assert store.message_audience(event["id"], include_waitlist=True) == {"recipients": 4, "sms": 3, "email": 1}
    assert store.sent_message(event["id"], sent["id"]) == sent


def test_the_same_key_with_other_words_is_refused_and_another_organizer_reaches_nothing(store):
    event = published(store)
    sign_up(store, event, phone="0401000001")
    store.message_everyone(event["id"], message(), MAIJA, key="k-1")
    with pytest.raises(ValidationFailed) as reused:
        store.message_everyone(event["id"], message("Toinen viesti."), MAIJA, key="k-1")
    assert reused.value.code == "idempotency_key_reused"
    with pytest.raises(Forbidden):
        store.message_everyone(event["id"], message(), MAIJA, "Kosketus ry", key="k-3")
    with store.database.transaction() as session:
        assert session.execute(select(func.count()).select_from(announcements)).scalar() == 1
    assert len(told(store)) == 1


@pytest.fixture
def notifications(migrated):
    return NotificationStore(Database(migrated("notifications")))


def tell(store, **changes):
    data = registration_data(phone=f"+35840{uuid.uuid4().int % 10 ** 7:07d}")
    data = {**data, "event": {**data["event"], "organizer": "Kosketus ry"}, "message_id": "m-1",
            "text": "Bussi on myöhässä.", **changes}
    envelope, parsed = parse_envelope(make_envelope("event_message", data), "event_message")
    return store.record(envelope, parsed, render("event_message", parsed))


def test_a_message_waits_out_the_quiet_hours_unless_it_is_urgent(notifications):
    now_hour = local(utcnow()).hour
    notifications.quiet = parse_quiet_hours(f"{now_hour}-{(now_hour + 2) % 24}")  # it is quiet now
    assert tell(notifications, registration_id="r-night") is None  # held
    [held] = notifications.for_registrations(["r-night"])["r-night"]
    assert (held["status"], held["error_code"]) == ("created", "quiet_hours")
    urgent = tell(notifications, urgent=True)
    assert urgent["status"] == "sending" and urgent["immediate"]
    assert urgent["body"].startswith("Kosketus (Kosketus ry): Bussi on myöhässä.")


def test_a_message_is_paced_behind_the_answers_when_it_is_not_urgent(notifications):
    assert tell(notifications)["status"] == "created"  # for the due timer, behind the immediate ones
    assert tell(notifications, urgent=True)["status"] == "sending"



def test_retention_blanks_the_texts_of_an_ended_events_messages(store):
    """Staff write the text and may name someone: it goes with the names, RETENTION_DAYS after the end."""
    event = published(store, capacity=3)
    sign_up(store, event, phone="0401000001")
    store.message_everyone(event["id"], message("Maija Virtanen ei pääse, Aino vetää illan."), MAIJA, key="k-r")
    ends = dt.datetime.fromisoformat(event["ends_at"])

    def texts():
        with store.database.transaction() as session:
            return session.execute(select(announcements.c.text)).scalars().all()

    store.anonymise_ended(30, now=ends + dt.timedelta(days=29))
    assert texts() == ["Maija Virtanen ei pääse, Aino vetää illan."]
    store.anonymise_ended(30, now=ends + dt.timedelta(days=31))
    assert texts() == [""]
