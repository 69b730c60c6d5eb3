"""What a resident does by text, on registration's real database (SQLite and PostgreSQL): PERU
cancels one registration or asks which, a code signs up by the HTTP API's rules or says why not,
APUA finds the next event's contact, any other text reaches its organizer; a redelivered text acts
once."""
import datetime as dt

from nameko.standalone.rpc import ServiceRpcProxy

from services.registration.service import RegistrationService
from services.registration.signup import from_request
from services.registration.storage import RegistrationStore
from services.registration.tables import events, outbox
from shared.database import Database
from tests.integration.helpers import future, outbox_events, published

REGIONS = ["FI"]
AINO = "+358401000001"


def sign_up(store, event, phone, seats=1, **fields):
    body = {"name": "Maija", "phone": phone, "seats": seats, **fields}
    return store.register(event["id"], from_request(event["id"], body, REGIONS))[0]


def by_text(store, code, seats=1, name="Aino", phone=AINO, sid=None, language="fi"):
    return store.sign_up_by_phone(phone, code, seats, name, language, sid, REGIONS)


def kinds(store):
    return [e["type"] for e in outbox_events(store.database, outbox)]


# --- PERU --------------------------------------------------------------------------------------

def test_peru_cancels_the_one_registration_and_promotes_the_next_in_line(store):
    event = published(store, capacity=1, waitlist_capacity=2)
    sign_up(store, event, AINO)
    waiting = sign_up(store, event, "+358401000002")
    answer = store.cancel_by_phone(AINO, None, "SM1")
    assert answer["outcome"] == "cancelled" and answer["registration"]["status"] == "cancelled"
    assert store.get_by_code(waiting["cancel_code"])["status"] == "confirmed"
    cancelled = outbox_events(store.database, outbox, "registration_cancelled")
    assert [c["data"]["reason"] for c in cancelled] == ["by_registrant"]
    assert kinds(store)[-1] == "registration_promoted"


def test_peru_by_someone_waiting_frees_their_place(store):
    event = published(store, capacity=1, waitlist_capacity=2)
    sign_up(store, event, "+358401000002")
    sign_up(store, event, AINO)
    assert store.cancel_by_phone(AINO)["registration"]["status"] == "cancelled"
    assert store.availability([event["id"]])[event["id"]] == {"seats_left": 0, "waitlist_left": 2}


def test_peru_among_several_lists_them_by_start_and_peru_2_cancels_the_second(store):
    later = published(store, starts_at=future(days=20).isoformat(), ends_at=future(days=21).isoformat(),
                      title={"fi": "Myöhemmin"})
    sooner = published(store, starts_at=future(days=10).isoformat(), ends_at=future(days=11).isoformat(),
                       title={"fi": "Pian"})
    on_later = sign_up(store, later, AINO)
    on_sooner = sign_up(store, sooner, AINO)
    listed = store.cancel_by_phone(AINO, None, "SM1")
    assert listed["outcome"] == "choose"
    assert [(r["number"], r["title"]["fi"], r["cancel_code"]) for r in listed["registrations"]] == [
        (1, "Pian", on_sooner["cancel_code"]), (2, "Myöhemmin", on_later["cancel_code"])]
    assert "registration_cancelled" not in kinds(store)
    chosen = store.cancel_by_phone(AINO, "2", "SM2")
    assert chosen["registration"]["cancel_code"] == on_later["cancel_code"]
    assert store.get_by_code(on_sooner["cancel_code"])["status"] == "confirmed"


def test_peru_with_a_cancel_code_cancels_that_one(store):
    first, second = published(store), published(store)
    sign_up(store, first, AINO)
    on_second = sign_up(store, second, AINO)
    answer = store.cancel_by_phone(AINO, on_second["cancel_code"].lower(), "SM1")
    assert answer["registration"]["cancel_code"] == on_second["cancel_code"]


def test_a_redelivered_peru_2_cancels_only_once(store):
    first, second, third = (published(store, starts_at=future(days=d).isoformat(),
                                      ends_at=future(days=d + 1).isoformat()) for d in (10, 20, 30))
    for event in (first, second, third):
        sign_up(store, event, AINO)
    once = store.cancel_by_phone(AINO, "2", "SM9")
    again = store.cancel_by_phone(AINO, "2", "SM9")
    assert again == once
    assert len(outbox_events(store.database, outbox, "registration_cancelled")) == 1


def test_peru_with_nothing_active_says_none(store):
    event = published(store)
    registration = sign_up(store, event, AINO)
    store.cancel(registration["cancel_code"])
    sign_up(store, event, "+358401000002")  # someone else's registration is not theirs
    assert store.cancel_by_phone(AINO) == {"outcome": "none"}


def test_peru_ignores_events_that_are_over(store):
    event = published(store)
    sign_up(store, event, AINO)
    with store.database.transaction() as session:  # the event has since been held
        session.execute(events.update().where(events.c.id == event["id"]).values(
            starts_at=future(days=-3), ends_at=future(days=-2)))
    assert store.cancel_by_phone(AINO) == {"outcome": "none"}
    assert store.next_event_of_phone(AINO) is None


# --- sign-up by code ---------------------------------------------------------------------------

def test_a_code_in_any_case_signs_up_with_a_seat_and_the_confirmation_follows(store):
    event = published(store, sms_code="YO17")
    answer = by_text(store, "yo17", seats=2, sid="SM1", language="sv")
    assert answer["outcome"] == "registered" and answer["status"] == "confirmed" and not answer["repeated"]
    confirmed = outbox_events(store.database, outbox, "registration_confirmed")[0]["data"]
    assert (confirmed["phone"], confirmed["channel"], confirmed["seats"], confirmed["language"]) == (
        AINO, "sms", 2, "sv")
    assert store.availability([event["id"]])[event["id"]]["seats_left"] == 1


def test_a_code_joins_the_waiting_list_when_only_it_is_left(store):
    event = published(store, sms_code="YO17", capacity=1)
    sign_up(store, event, "+358401000002")
    assert by_text(store, "YO17")["status"] == "waitlisted"
    assert kinds(store)[-1] == "registration_waitlisted"


def test_a_redelivered_sign_up_registers_once(store):
    published(store, sms_code="YO17")
    first = by_text(store, "YO17", sid="SM1")
    assert by_text(store, "YO17", sid="SM1") == first
    assert len(outbox_events(store.database, outbox, "registration_confirmed")) == 1


def test_signing_up_again_by_text_resends_the_details_and_says_so(store):
    published(store, sms_code="YO17")
    by_text(store, "YO17", sid="SM1")
    again = by_text(store, "YO17", seats=2, sid="SM2")
    assert again["outcome"] == "registered" and again["repeated"] and again["status"] == "confirmed"
    assert kinds(store) == ["registration_confirmed", "registration_repeated"]


def test_a_full_event_refuses_with_its_name(store):
    event = published(store, sms_code="YO17", capacity=1, waitlist_capacity=0)
    sign_up(store, event, "+358401000002")
    answer = by_text(store, "YO17")
    assert answer == {"outcome": "refused", "code": "event_full", "suggestion": None,
                      "event": {"title": event["title"], "starts_at": answer["event"]["starts_at"]}}


def test_closed_and_not_yet_open_registration_are_refused(store):
    published(store, sms_code="KIINNI",
              registration_closes_at=(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat())
    published(store, sms_code="PIAN", registration_opens_at=future(days=3).isoformat())
    assert by_text(store, "KIINNI")["code"] == "registration_closed"
    assert by_text(store, "PIAN")["code"] == "registration_not_open"
    assert kinds(store) == []


def test_an_unknown_code_suggests_the_closest_upcoming_one(store):
    published(store, sms_code="YO17")
    published(store, sms_code="KUORO")
    published(store, sms_code="YO71", status="draft")
    answer = by_text(store, "YO71")
    assert (answer["code"], answer["suggestion"], answer["event"]) == ("no_such_code", "YO17", None)
    assert by_text(store, "XQZW")["suggestion"] is None


def test_a_group_too_large_or_a_bad_name_is_a_validation_error(store):
    published(store, sms_code="YO17", max_group_size=2)
    assert by_text(store, "YO17", seats=3)["code"] == "validation_error"
    assert by_text(store, "YO17", name="")["code"] == "validation_error"
    assert kinds(store) == []


# --- APUA and other texts ----------------------------------------------------------------------

def test_the_next_event_carries_its_contact_and_the_registrants_language(store):
    later = published(store, starts_at=future(days=20).isoformat(), ends_at=future(days=21).isoformat())
    sooner = published(store, starts_at=future(days=10).isoformat(), ends_at=future(days=11).isoformat(),
                       summary_phone="+358501234567", summary_email="ohjaaja@example.fi", sms_code="YO17")
    sign_up(store, later, AINO)
    sign_up(store, sooner, AINO, language="en")
    found = store.next_event_of_phone(AINO)
    assert found["language"] == "en" and found["event"]["id"] == sooner["id"]
    assert (found["event"]["summary_phone"], found["event"]["summary_email"], found["event"]["sms_code"]) == (
        "+358501234567", "ohjaaja@example.fi", "YO17")
    assert store.next_event_of_phone("+358401000009") is None


def test_any_other_text_reaches_the_organizer_of_the_next_event_once(store):
    event = published(store)
    registration = sign_up(store, event, AINO)
    received = dt.datetime.now(dt.timezone.utc).isoformat()
    assert store.forward_text(AINO, "Tuleeko ruokaa?", received, "SM1") == {"forwarded": True}
    assert store.forward_text(AINO, "Tuleeko ruokaa?", received, "SM1") == {"forwarded": True}
    [forwarded] = outbox_events(store.database, outbox, "sms_received")
    assert forwarded["data"]["text"] == "Tuleeko ruokaa?" and forwarded["data"]["event"]["id"] == event["id"]
    assert forwarded["data"]["registration_id"] == registration["id"]
    assert store.forward_text("+358401000009", "Hei", received, "SM2") == {"forwarded": False}


# --- over the broker ---------------------------------------------------------------------------

def test_the_four_rpcs_answer_notifications_over_the_broker(container_factory, config_for, migrated):
    url = migrated("registration")
    config = config_for("registration", DATABASE_URL=url)
    container_factory(RegistrationService, config).start()
    store = RegistrationStore(Database(url))
    published(store, sms_code="YO17", summary_phone="+358501234567")
    with ServiceRpcProxy("registration", config) as registration:
        assert registration.sms_sign_up(AINO, "yo17", 1, "Aino", "en", "SM1")["status"] == "confirmed"
        assert registration.sms_next_event(AINO)["event"]["summary_phone"] == "+358501234567"
        assert registration.sms_forward(AINO, "Hei!", dt.datetime.now(dt.timezone.utc).isoformat(), "SM2") == {
            "forwarded": True}
        assert registration.sms_cancel(AINO, idempotency_key="SM3")["outcome"] == "cancelled"
        assert registration.sms_cancel(AINO, idempotency_key="SM4") == {"outcome": "none"}
    store.database.dispose()
