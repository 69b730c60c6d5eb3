"""Registration's rules on its real database, SQLite and PostgreSQL: seats, the waiting list,
duplicates, catalog changes fanned out per registrant, the contact person's summary when
registration closes, and the events written to the outbox."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from services.registration import lookups, rules
from services.registration.signup import NewRegistration, from_request
from services.registration.tables import outbox, registrations
from shared.errors import Conflict, NotFound, ValidationFailed
from tests.integration.helpers import envelope, future, outbox_events, published

REGIONS = ["FI"]


def sign_up(store, event, phone, seats=1, key=None, **fields):
    body = {"name": "Maija", "phone": phone, "seats": seats, **fields}
    return store.register(event["id"], from_request(event["id"], body, REGIONS), key)


def count_registrations(store):
    with store.database.transaction() as session:
        return session.execute(select(func.count()).select_from(registrations)).scalar()


def test_sign_ups_fill_seats_then_the_waiting_list_then_are_refused(store):
    event = published(store, capacity=2, waitlist_capacity=1)
    first, _ = sign_up(store, event, "0401000001")
    second, _ = sign_up(store, event, "0401000002")
    third, _ = sign_up(store, event, "0401000003")
    assert [first["status"], second["status"], third["status"]] == ["confirmed", "confirmed", "waitlisted"]
    assert third["waitlist_position"] == 1
    with pytest.raises(Conflict) as refused:
        sign_up(store, event, "0401000004")
    assert refused.value.code == "event_full"
    assert count_registrations(store) == 3
    assert store.availability([event["id"]])[event["id"]] == {"seats_left": 0, "waitlist_left": 0}
    kinds = [e["type"] for e in outbox_events(store.database, outbox)]
    assert kinds == ["registration_confirmed", "registration_confirmed", "registration_waitlisted"]


def test_confirmation_event_carries_contact_language_and_event_snapshot(store):
    event = published(store)
    registration, repeat_of = sign_up(store, event, "040 123 4567", language="sv")
    assert repeat_of is None
    message = outbox_events(store.database, outbox, "registration_confirmed")[0]["data"]
    assert message["phone"] == "+358401234567" and message["language"] == "sv"
    assert message["cancel_code"] == registration["cancel_code"]
    assert message["event"]["place"] == "Tourujoen puisto" and message["event"]["title"] == {"fi": "Asunnottomien Yö"}


def test_cancelling_frees_the_seat_for_the_first_on_the_waiting_list(store):
    event = published(store, capacity=1, waitlist_capacity=2)
    holder, _ = sign_up(store, event, "0401000001")
    waiting_1, _ = sign_up(store, event, "0401000002")
    waiting_2, _ = sign_up(store, event, "0401000003")
    cancelled = store.cancel(holder["cancel_code"].lower())
    assert cancelled["status"] == "cancelled"
    assert store.get_by_code(waiting_1["cancel_code"])["status"] == "confirmed"
    assert store.get_by_code(waiting_2["cancel_code"])["waitlist_position"] == 1
    kinds = [e["type"] for e in outbox_events(store.database, outbox)][-2:]
    assert kinds == ["registration_cancelled", "registration_promoted"]


def test_cancelling_twice_is_harmless(store):
    event = published(store)
    registration, _ = sign_up(store, event, "0401000001")
    store.cancel(registration["cancel_code"])
    store.cancel(registration["cancel_code"])
    assert len(outbox_events(store.database, outbox, "registration_cancelled")) == 1
    assert store.availability([event["id"]])[event["id"]]["seats_left"] == 3


def test_an_unknown_cancel_code_is_not_found(store):
    with pytest.raises(NotFound):
        store.cancel("AAAA-AAAA")
    with pytest.raises(NotFound):
        store.get_by_code("not a code")


def test_the_same_phone_signing_up_again_makes_no_second_registration(store):
    event = published(store)
    first, first_repeats = sign_up(store, event, "040 100 0001")
    again, again_repeats = sign_up(store, event, "+358401000001", key="another-request")
    assert first_repeats is None and again["id"] != first["id"]  # answered as new: see test_registration_privacy
    assert count_registrations(store) == 1


def test_a_retried_request_with_the_same_idempotency_key_gets_the_first_answer(store):
    event = published(store, capacity=1, waitlist_capacity=0)
    first, _ = sign_up(store, event, "0401000001", key="k-1")
    again, repeat_of = sign_up(store, event, "0401000001", key="k-1")
    assert repeat_of == "request" and again["cancel_code"] == first["cancel_code"]


def test_an_idempotency_key_used_for_another_event_is_refused(store):
    first_event, second_event = published(store), published(store)
    sign_up(store, first_event, "0401000001", key="k-1")
    with pytest.raises(ValidationFailed) as refused:
        sign_up(store, second_event, "0401000002", key="k-1")
    assert refused.value.code == "idempotency_key_reused" and count_registrations(store) == 1


def test_a_group_larger_than_allowed_is_refused(store):
    event = published(store, max_group_size=2)
    with pytest.raises(ValidationFailed) as refused:
        sign_up(store, event, "0401000001", seats=3)
    assert "seats" in refused.value.fields and count_registrations(store) == 0


def test_sign_up_window_is_enforced(store):
    not_yet = published(store, registration_opens_at=future(days=2).isoformat())
    closed = published(store, registration_closes_at=(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat())
    with pytest.raises(Conflict) as refused:
        sign_up(store, not_yet, "0401000001")
    assert refused.value.code == "registration_not_open"
    with pytest.raises(Conflict) as refused:
        sign_up(store, closed, "0401000001")
    assert refused.value.code == "registration_closed"
    assert count_registrations(store) == 0


def test_unknown_and_cancelled_events_take_no_sign_ups(store):
    with pytest.raises(NotFound):
        sign_up(store, {"id": "no-such-event"}, "0401000001")
    event = published(store)
    store.apply_catalog_event(*envelope("event_cancelled", {**event, "status": "cancelled"}))
    with pytest.raises(Conflict) as refused:
        sign_up(store, event, "0401000001")
    assert refused.value.code == "event_cancelled"
    assert count_registrations(store) == 0


def test_event_cancellation_cancels_every_registration_with_one_event_each(store):
    event = published(store, capacity=2, waitlist_capacity=2)
    for phone in ("0401000001", "0401000002", "0401000003"):
        sign_up(store, event, phone)
    store.apply_catalog_event(*envelope("event_cancelled", {**event, "status": "cancelled"}))
    cancelled = outbox_events(store.database, outbox, "registration_cancelled")
    assert len(cancelled) == 3 and {c["data"]["reason"] for c in cancelled} == {"event_cancelled"}
    assert {c["data"]["phone"] for c in cancelled} == {"+358401000001", "+358401000002", "+358401000003"}


def test_a_changed_time_or_place_reaches_every_active_registrant_once(store):
    event = published(store, capacity=2, waitlist_capacity=1)
    sign_up(store, event, "0401000001")
    gone, _ = sign_up(store, event, "0401000002")
    sign_up(store, event, "0401000003")
    store.cancel(gone["cancel_code"])
    store.apply_catalog_event(*envelope("event_updated", {**event, "place": "Kirkkopuisto", "changed": ["place"]}))
    changed = outbox_events(store.database, outbox, "registration_event_changed")
    assert len(changed) == 2 and {c["data"]["event"]["place"] for c in changed} == {"Kirkkopuisto"}


def test_raising_capacity_promotes_the_waiting_list(store):
    event = published(store, capacity=1, waitlist_capacity=2)
    sign_up(store, event, "0401000001")
    waiting, _ = sign_up(store, event, "0401000002")
    store.apply_catalog_event(*envelope("event_updated", {**event, "capacity": 2, "changed": ["capacity"]}))
    assert store.get_by_code(waiting["cancel_code"])["status"] == "confirmed"
    assert not outbox_events(store.database, outbox, "registration_event_changed")


def test_redelivered_and_out_of_date_catalog_events_change_nothing(store):
    event = published(store, capacity=1, waitlist_capacity=0)
    old = envelope("event_updated", {**event, "capacity": 5, "changed": ["capacity"]})
    new = envelope("event_updated", {**event, "capacity": 2, "changed": ["capacity"]})
    store.apply_catalog_event(*new)
    store.apply_catalog_event(*new)
    store.apply_catalog_event(*old)
    assert store.availability([event["id"]])[event["id"]]["seats_left"] == 2


def test_staff_list_shows_status_seats_and_waiting_list_positions(store):
    event = published(store, capacity=1, waitlist_capacity=5)
    sign_up(store, event, "0401000001")
    sign_up(store, event, "0401000002", seats=2)
    sign_up(store, event, "0401000003")
    roster = store.list_for_event(event["id"])
    assert [(r["status"], r["seats"], r["waitlist_position"]) for r in roster] == [
        ("confirmed", 1, None), ("waitlisted", 2, 1), ("waitlisted", 1, 2)]


# --- sign-ups taken in batches (the gateway gathers concurrent ones) ----------------------------

def new(phone, seats=1, event=None):
    body = {"name": "Maija", "phone": phone, "seats": seats}
    return from_request(event["id"] if event else None, body, REGIONS)


def test_a_batch_is_taken_in_arrival_order_and_a_refused_sign_up_writes_nothing(store):
    hall = published(store, capacity=2, waitlist_capacity=1)
    small = published(store, capacity=1, waitlist_capacity=0)
    results = store.register_many([
        (hall["id"], new("0401000001"), None),
        (small["id"], new("0401000002", event=small), "key-small"),
        (hall["id"], new("0401000003"), None),
        (hall["id"], new("0401000004"), None),
        (hall["id"], new("0401000005"), None),          # no room left
        ("no-such-event", new("0401000006"), None),
        (hall["id"], new("+358401000001"), None),       # the first person again: answered as new would be
        (hall["id"], new("0401000007"), "key-small"),   # a key already used for the other event
        (small["id"], new("0401000002", event=small), "key-small"),  # a retry of the second request
    ])
    statuses = [r[0]["status"] if isinstance(r, tuple) else r.code for r in results]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted", "event_full", "event_not_found",
                        "event_full", "idempotency_key_reused", "confirmed"]
    assert results[3][0]["waitlist_position"] == 1
    assert results[8][1] == "request" and results[8][0]["cancel_code"] == results[1][0]["cancel_code"]
    assert count_registrations(store) == 4
    assert store.availability([hall["id"], small["id"]]) == {
        hall["id"]: {"seats_left": 0, "waitlist_left": 0}, small["id"]: {"seats_left": 0, "waitlist_left": 0}}
    kinds = [e["type"] for e in outbox_events(store.database, outbox)]
    assert kinds == ["registration_confirmed"] * 3 + ["registration_waitlisted"]


def test_one_broken_sign_up_cannot_fail_the_others_in_its_batch(store):
    event = published(store)
    broken = NewRegistration("Maija", "+358401000009", None, "fi", "sms", seats=None)
    results = store.register_many([(event["id"], new("0401000001"), None), (event["id"], broken, None),
                                   (event["id"], new("0401000002"), None)])
    assert results[0][0]["status"] == results[2][0]["status"] == "confirmed"
    assert isinstance(results[1], Exception)
    assert count_registrations(store) == 2
    assert len(outbox_events(store.database, outbox)) == 2


def test_a_batch_joins_the_waiting_list_behind_those_already_on_it_and_each_gets_its_own_code(store):
    event = published(store, capacity=1, waitlist_capacity=6)
    holder, _ = sign_up(store, event, "0401000001")
    first_waiting, _ = sign_up(store, event, "0401000002")
    gone, _ = sign_up(store, event, "0401000003")
    store.cancel(gone["cancel_code"])  # its waiting-list number is not given again
    results = store.register_many([(event["id"], new(f"04010000{n}"), None) for n in range(10, 14)])
    assert [r[0]["waitlist_position"] for r in results] == [2, 3, 4, 5]
    assert len({r[0]["cancel_code"] for r in results} | {holder["cancel_code"], first_waiting["cancel_code"]}) == 6
    store.cancel(holder["cancel_code"])
    store.cancel(first_waiting["cancel_code"])  # already promoted: the seat goes to the next in line
    assert [store.get_by_code(r[0]["cancel_code"])["status"] for r in results] == \
        ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [store.get_by_code(r[0]["cancel_code"])["waitlist_position"] for r in results[1:]] == [1, 2, 3]


def test_the_contact_person_hears_the_numbers_once_when_registration_has_closed_and_not_before(store):
    now = future(days=10)

    def contact_event(starts_in_days, closes_in_days=None):
        closes = None if closes_in_days is None else (now + dt.timedelta(days=closes_in_days)).isoformat()
        starts = now + dt.timedelta(days=starts_in_days)
        return published(store, starts_at=starts.isoformat(), ends_at=(starts + dt.timedelta(hours=3)).isoformat(),
                         registration_closes_at=closes, summary_phone="+358401999999")

    events = {
        "open, no deadline": contact_event(5),
        "deadline passed": contact_event(5, closes_in_days=-1),
        "deadline this very moment": contact_event(5, closes_in_days=0),
        "started, no deadline": contact_event(-1),
        "started before its deadline": contact_event(-1, closes_in_days=2),
        "deadline still ahead": contact_event(5, closes_in_days=2),
    }
    sign_up(store, events["deadline passed"], "0401000001", seats=2)
    assert store.close_registrations(now=now) == 4
    told = {e["data"]["event"]["id"]: e["data"] for e in outbox_events(store.database, outbox, "registration_closed")}
    assert {name for name, event in events.items() if event["id"] in told} == {
        "deadline passed", "deadline this very moment", "started, no deadline", "started before its deadline"}
    assert told[events["deadline passed"]["id"]]["confirmed_seats"] == 2
    with store.database.transaction() as session:  # the Python rule says the same of every one
        assert {name for name, event in events.items()
                if rules.registration_has_closed(lookups.read_event(session, event["id"]), now)} == {
            name for name, event in events.items() if event["id"] in told}
    assert store.close_registrations(now=now) == 0  # told once
