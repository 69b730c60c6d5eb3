"""Residents' texts in notifications (inbound.py, inbound_storage.py, storage.py) on its real
database, SQLite and PostgreSQL, with registration's answers played by a stand-in."""
import datetime as dt

import pytest
from sqlalchemy import select, update

from services.notifications import inbound
from services.notifications.messages import render
from services.notifications.storage import NotificationStore
from services.notifications.tables import inbound_sms, notifications
from shared.database import Database, utcnow
from shared.errors import ServiceUnavailable
from shared.events import make_envelope, parse_envelope
from tests.integration.test_notifications_service import registration_data

PHONE = "+358401234567"
POLICY = inbound.InboundPolicy(("FI", "AX"), 5)


class Registration:
    """Registration's sms_* RPCs as a stand-in: records each call, answers as told."""

    def __init__(self, **answers):
        self.calls = []
        no_such_code = {"outcome": "refused", "code": "no_such_code", "suggestion": None, "event": None}
        self.answers = {"sms_sign_up": no_such_code, **answers}

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            answer = self.answers.get(name)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return call


@pytest.fixture
def store(migrated):
    database = Database(migrated("notifications"))
    yield NotificationStore(database)
    database.dispose()


def text(store, body, sid="SM1", sender=PHONE):
    store.inbound.receive(sid, sender, body)


def act(store, registration, policy=POLICY):
    return inbound.process_waiting(store, registration, policy)


def messages(store):
    with store.database.transaction() as session:
        return [dict(r) for r in session.execute(select(notifications).order_by(notifications.c.created_at)).mappings()]


def texts(store):
    with store.database.transaction() as session:
        return [dict(r) for r in session.execute(select(inbound_sms)).mappings()]


def confirmation(store, registration_id="r-1"):
    envelope, data = parse_envelope(make_envelope("registration_confirmed", registration_data(
        registration_id=registration_id)), "registration_confirmed")
    store.record(envelope, data, render("registration_confirmed", data))
    return [m for m in messages(store) if m["registration_id"] == registration_id][0]


def test_the_same_message_sid_twice_is_one_text_acted_on_once(store):
    registration = Registration(sms_cancel={"outcome": "none"})
    text(store, "PERU")
    text(store, "PERU")
    [reply] = act(store, registration)
    assert act(store, registration) == []
    assert len(texts(store)) == 1 and len(registration.calls) == 1
    assert reply["template"] == "reply_none" and reply["recipient"] == PHONE and "ei ole" in reply["body"]


def test_peru_that_cancels_sends_no_reply_of_its_own(store):
    registration = Registration(sms_cancel={"outcome": "cancelled", "registration": {}})
    text(store, "peru 2")
    assert act(store, registration) == []
    assert registration.calls == [("sms_cancel", (PHONE, "2"), {"idempotency_key": "SM1"})]
    assert messages(store) == [] and texts(store)[0]["processed_at"] is not None


def test_several_registrations_are_listed_numbered_in_the_words_language(store):
    choices = [{"number": n, "cancel_code": f"C{n}", "title": {"fi": f"Kerho {n}", "sv": f"Klubb {n}"},
                "starts_at": (utcnow() + dt.timedelta(days=n)).isoformat(), "place": "Talo", "status": "confirmed"}
               for n in (1, 2)]
    text(store, "AVBOKA")
    [reply] = act(store, Registration(sms_cancel={"outcome": "choose", "registrations": choices}))
    assert reply["language"] == "sv"
    assert "AVBOKA 1 = Klubb 1" in reply["body"] and "AVBOKA 2 = Klubb 2" in reply["body"]


def test_stop_replies_once_and_then_no_sms_goes_to_the_number_until_start(store):
    registration = Registration()
    text(store, "LOPETA", "SM1")
    [stopped] = act(store, registration)
    assert stopped["template"] == "reply_stopped" and "ALOITA" in stopped["body"]
    assert store.inbound.stopped_among([PHONE, "+358401111111"]) == {PHONE}
    assert confirmation(store)["status"] == "stopped"          # recorded, never sent
    text(store, "apua", "SM2")
    act(store, Registration(sms_next_event=None))
    assert [m["status"] for m in messages(store) if m["template"] == "reply_help"] == ["stopped"]
    text(store, "ALOITA", "SM3")
    [started] = act(store, registration)
    assert started["template"] == "reply_started"
    assert store.inbound.stopped_among([PHONE]) == set()
    assert confirmation(store, "r-2")["status"] == "sending"   # claimed for sending again


def test_twilios_opt_out_lands_on_the_same_list_and_stops_waiting_messages(store):
    waiting = confirmation(store)
    with store.database.transaction() as session:
        session.execute(update(notifications).values(status="created"))
    store.opted_out(PHONE)
    assert store.inbound.stopped_among([PHONE]) == {PHONE}
    assert [m["status"] for m in messages(store) if m["id"] == waiting["id"]] == ["stopped"]


def test_a_language_word_sets_the_numbers_language(store):
    text(store, "EN")
    [reply] = act(store, Registration())
    assert reply["language"] == "en" and "English" in reply["body"]
    assert store.inbound.language_of(PHONE) == "en"
    text(store, "peru", "SM2")
    [none] = act(store, Registration(sms_cancel={"outcome": "none"}))
    assert none["language"] == "en"


def test_help_gives_the_organizers_contact_of_the_next_event(store):
    text(store, "HJÄLP")
    [reply] = act(store, Registration(sms_next_event={"language": "fi", "event": {"summary_phone": "+358409999999"}}))
    assert reply["language"] == "sv" and "+358409999999" in reply["body"]


def test_anything_else_goes_to_the_organizer_with_a_short_help(store):
    registration = Registration(sms_forward={"forwarded": True}, sms_sign_up={
        "outcome": "refused", "code": "no_such_code", "suggestion": None, "event": None})
    text(store, "Myöhästyn vähän, sori")  # reads like `<code> <name>`: no such code, no digits: words
    [reply] = act(store, registration)
    name, args, kwargs = registration.calls[-1]
    assert (name, args[:2], kwargs) == ("sms_forward", (PHONE, "Myöhästyn vähän, sori"), {"idempotency_key": "SM1"})
    assert reply["template"] == "reply_other" and "välitettiin" in reply["body"]


@pytest.mark.parametrize("answer, expected", [
    ({"outcome": "refused", "code": "no_such_code", "suggestion": "YO17", "event": None}, "Tarkoititko YO17?"),
    ({"outcome": "refused", "code": "event_full", "suggestion": None,
      "event": {"title": {"fi": "Lukupiiri"}, "starts_at": "2030-01-01T10:00:00+00:00"}}, "Lukupiiri on täynnä"),
    ({"outcome": "refused", "code": "registration_closed", "suggestion": None,
      "event": {"title": {"fi": "Lukupiiri"}, "starts_at": "2030-01-01T10:00:00+00:00"}}, "on päättynyt"),
])
def test_a_refused_sign_up_by_code_says_why(store, answer, expected):
    registration = Registration(sms_sign_up=answer)
    text(store, "yo18 2 Maija")
    [reply] = act(store, registration)
    assert registration.calls == [("sms_sign_up", (PHONE, "YO18", 2, "Maija", "fi"), {"idempotency_key": "SM1"})]
    assert expected in reply["body"]


def test_a_sign_up_that_succeeds_is_answered_by_its_confirmation_alone(store):
    text(store, "YO17 Maija")
    assert act(store, Registration(sms_sign_up={"outcome": "registered", "status": "confirmed"})) == []
    assert messages(store) == []


def test_replies_stop_at_the_hourly_cap_but_the_texts_are_still_acted_on(store):
    registration = Registration(sms_forward={"forwarded": True})
    for n in range(4):
        text(store, f"hei {n}", f"SM{n}")
    act(store, registration, inbound.InboundPolicy(("FI",), 2))
    assert len(messages(store)) == 2 and len(registration.calls) == 4


@pytest.mark.parametrize("sender", ["+12025550123", "12345", "Yhdessa", "+35891234567"])
def test_a_sender_we_could_not_text_back_gets_nothing_and_nothing_is_acted_on(store, sender):
    registration = Registration()
    text(store, "PERU", sender=sender)
    assert act(store, registration) == []
    assert registration.calls == [] and messages(store) == [] and texts(store)[0]["processed_at"] is not None


def test_registration_down_leaves_the_texts_for_a_later_try_in_their_order(store):
    text(store, "PERU", "SM1")
    text(store, "apua", "SM2")
    down = Registration(sms_cancel=ServiceUnavailable("down"))
    assert act(store, down) == []
    assert [t["processed_at"] for t in texts(store)] == [None, None] and len(down.calls) == 1
    replies = act(store, Registration(sms_cancel={"outcome": "none"}, sms_next_event=None))
    assert [r["template"] for r in replies] == ["reply_none", "reply_help"]


def test_a_text_whose_worker_died_is_acted_on_when_its_claim_lapses(store):
    text(store, "PERU")
    assert store.inbound.claim_next(60)["provider_ref"] == "SM1"   # and the worker dies
    assert act(store, Registration(sms_cancel={"outcome": "none"})) == []
    with store.database.transaction() as session:
        session.execute(update(inbound_sms).values(claimed_until=utcnow() - dt.timedelta(seconds=1)))
    [reply] = act(store, Registration(sms_cancel={"outcome": "none"}))
    assert reply["template"] == "reply_none"


def test_texts_are_blanked_by_retention_and_by_the_senders_erasure(store):
    confirmation(store)
    text(store, "Tulen myöhässä", "SM1")
    text(store, "Hei", "SM2", sender="+358405555555")
    act(store, Registration(sms_forward={"forwarded": True}))
    erased = {"registration_id": "r-1", "event": registration_data()["event"]}
    erasure = parse_envelope(make_envelope("registration_erased", erased), "registration_erased")[0]
    store.erase(erasure, "r-1")
    by_sid = {t["provider_ref"]: t for t in texts(store)}
    assert (by_sid["SM1"]["sender"], by_sid["SM1"]["body"]) == ("", "") and by_sid["SM2"]["body"] == "Hei"
    replies = {m["recipient"] for m in messages(store) if m["template"] == "reply_other"}
    assert replies == {"", "+358405555555"}  # the reply to the erased registrant's number blanked too
    assert store.inbound.forget_received(30, now=utcnow() + dt.timedelta(days=29)) == 0
    assert store.inbound.forget_received(30, now=utcnow() + dt.timedelta(days=31)) == 1
    assert all(t["body"] == "" and t["sender"] == "" for t in texts(store))
