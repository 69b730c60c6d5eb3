"""PERU from a number with an enrolment in a weekly group: the question "only the next session, or
all?" and its answer 1 or 2, in notifications (inbound.py, inbound_storage.py) on its real database,
SQLite and PostgreSQL, with registration's answers played by a stand-in (its side is registration's
`sms_cancel` / `sms_cancel_enrolment`, shared/contracts.py and README "Tekstiviestillä")."""
import datetime as dt

import pytest
from sqlalchemy import select, update

from services.notifications.messages import render
from services.notifications.tables import sms_dialogs
from shared.database import utcnow
from shared.events import make_envelope, parse_envelope
from tests.integration.test_inbound_sms import PHONE, Registration, act, messages, store, text, texts  # noqa: F401
from tests.integration.test_notifications_service import registration_data

NEXT = dt.datetime(2026, 9, 12, 14, tzinfo=dt.timezone.utc)  # la 12.9. klo 17
ENROLMENT = {"outcome": "enrolment", "enrolment_id": "n-1", "title": {"fi": "Nuorten vertaisryhmä"},
             "next": {"event_id": "e-2", "session_number": 2, "session_count": 4, "starts_at": NEXT.isoformat()}}


def asked(store, body="PERU", sid="SM1"):
    """The number texts `body` and is asked the question; returns the question's reply row."""
    text(store, body, sid)
    [question] = act(store, Registration(sms_cancel=ENROLMENT))
    return question


def dialogs(store):
    with store.database.transaction() as session:
        return [dict(r) for r in session.execute(select(sms_dialogs)).mappings()]


def asked_hours_ago(store, hours_ago):
    with store.database.transaction() as session:
        session.execute(update(sms_dialogs).values(asked_at=utcnow() - dt.timedelta(hours=hours_ago)))


def test_peru_with_an_enrolment_asks_only_the_next_session_or_all(store):
    question = asked(store)
    assert question["template"] == "reply_next_or_all" and question["recipient"] == PHONE
    assert question["body"] == ("Nuorten vertaisryhmä: perutaanko vain seuraava kerta (la 12.9.) vai kaikki? "
                                "Vastaa 1 = vain seuraava, 2 = kaikki.")
    assert [(d["phone"], d["enrolment_id"]) for d in dialogs(store)] == [(PHONE, "n-1")]


@pytest.mark.parametrize("answer, scope", [("1", "next"), (" 2. ", "all")])
def test_a_1_or_2_within_a_day_cancels_that_much_through_registration_and_closes_the_question(store, answer, scope):
    asked(store)
    asked_hours_ago(store, 23)
    registration = Registration(sms_cancel_enrolment={"outcome": "cancelled"})
    text(store, answer, "SM2")
    # registration's cancellation message (the session's, or the enrolment's) says what went
    assert act(store, registration) == []
    assert registration.calls == [("sms_cancel_enrolment", (PHONE, scope, "n-1"), {"idempotency_key": "SM2"})]
    assert dialogs(store) == []
    text(store, "2", "SM3")  # answered already: a 2 now is words to a person, as before dialogs
    later = Registration(sms_forward={"forwarded": True})
    [reply] = act(store, later)
    assert [c[0] for c in later.calls] == ["sms_forward"] and reply["template"] == "reply_other"


def test_a_1_or_2_after_a_day_is_handled_as_any_other_text(store):
    asked(store)
    asked_hours_ago(store, 25)
    registration = Registration(sms_forward={"forwarded": True})
    text(store, "1", "SM2")
    [reply] = act(store, registration)
    assert [c[0] for c in registration.calls] == ["sms_forward"] and reply["template"] == "reply_other"


def test_a_1_without_a_question_is_handled_as_any_other_text(store):
    registration = Registration(sms_forward={"forwarded": True})
    text(store, "1")
    [reply] = act(store, registration)
    assert [c[0] for c in registration.calls] == ["sms_forward"] and dialogs(store) == []


def test_the_same_answer_posted_twice_cancels_once(store):
    asked(store)
    registration = Registration(sms_cancel_enrolment={"outcome": "cancelled"})
    text(store, "2", "SM2")
    text(store, "2", "SM2")  # Twilio posts the same MessageSid again
    act(store, registration)
    act(store, registration)
    assert len(registration.calls) == 1 and len(texts(store)) == 2


def test_nothing_left_to_cancel_is_said(store):
    asked(store)
    text(store, "2", "SM2")
    [reply] = act(store, Registration(sms_cancel_enrolment={"outcome": "none"}))
    assert reply["template"] == "reply_none"


def test_another_word_leaves_the_question_open_for_its_day(store):
    asked(store)
    text(store, "apua", "SM2")
    act(store, Registration(sms_next_event=None))
    registration = Registration(sms_cancel_enrolment={"outcome": "cancelled"})
    text(store, "1", "SM3")
    act(store, registration)
    assert [c[:2] for c in registration.calls] == [("sms_cancel_enrolment", (PHONE, "next", "n-1"))]


def test_a_question_held_back_by_the_reply_cap_is_no_question(store):
    for n in range(5):  # the hour's replies to the number used up
        text(store, f"hei {n}", f"SM{n}")
    act(store, Registration(sms_forward={"forwarded": True}))
    text(store, "PERU", "SM9")
    assert act(store, Registration(sms_cancel=ENROLMENT)) == []
    assert dialogs(store) == []


def test_a_question_is_forgotten_by_retention_once_it_cannot_be_answered_and_on_erasure(store):
    asked(store)
    store.inbound.forget_received(30, now=utcnow() + dt.timedelta(hours=23))
    assert len(dialogs(store)) == 1
    store.inbound.forget_received(30, now=utcnow() + dt.timedelta(hours=25))
    assert dialogs(store) == []
    asked(store, sid="SM2")
    # the enrolment's message went to the number: its erasure forgets the question too
    enrolled = {"enrolment_id": "n-1", "series_id": "s-1", "status": "confirmed", "name": "Amina", "phone": PHONE,
                "language": "fi", "channel": "sms", "seats": 1, "cancel_code": "K7MX-4PRA",
                "event": registration_data()["event"]}
    envelope, data = parse_envelope(make_envelope("enrolment_confirmed", enrolled), "enrolment_confirmed")
    store.record(envelope, data, render("enrolment_confirmed", data))
    erasure = parse_envelope(make_envelope("enrolment_cancelled", {**enrolled, "status": "cancelled",
                                                                   "reason": "erased"}), "enrolment_cancelled")[0]
    store.erase(erasure, "n-1")
    assert dialogs(store) == []
    assert all(m["recipient"] == "" for m in messages(store) if m["template"] in ("enrolled", "reply_next_or_all"))
