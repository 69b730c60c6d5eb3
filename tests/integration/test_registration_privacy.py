"""What a stranger cannot get out of registration, on its real database (SQLite and PostgreSQL):
link tokens stored only hashed, Idempotency-Keys bound to their request for a day, a repeated
sign-up that tells nothing, and the sign-ups of one client that staff can find and cancel."""
import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select, update

from services.registration.signup import from_request
from services.registration.tables import idempotency_keys, outbox, registrations
from shared.errors import Forbidden, NotFound, ValidationFailed
from tests.integration.helpers import outbox_events, published

REGIONS = ["FI"]


def sign_up(store, event, phone=None, key=None, assisted_by=None, client_ref=None, **fields):
    body = {"name": "Maija", **({"phone": phone} if phone else {}), **fields}
    return store.register(event["id"], from_request(event["id"], body, REGIONS, assisted_by, client_ref), key)


def rows(store, *columns):
    with store.database.transaction() as session:
        return [tuple(r) for r in session.execute(select(*columns)).all()]


def count(store, table):
    with store.database.transaction() as session:
        return session.execute(select(func.count()).select_from(table)).scalar()


def backdate(store, table, column, days):
    """Every row's `column` set to `days` (and a minute) ago."""
    then = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days, minutes=1)
    with store.database.transaction() as session:
        session.execute(update(table).where(table.c[column].is_not(None)).values({column: then}))


# --- link tokens ------------------------------------------------------------------------------

def test_a_new_registration_gets_a_long_token_that_the_database_keeps_only_hashed(store):
    event = published(store)
    registration, _ = sign_up(store, event, "0401000001")
    token = registration["token"]
    assert len(token) == 22  # 128 random bits, URL-safe
    assert rows(store, registrations.c.token_hash) == [(hashlib.sha256(token.encode()).hexdigest(),)]
    with store.database.transaction() as session:
        stored = session.execute(select(registrations)).mappings().one()
    assert token not in {str(value) for value in stored.values()}
    # the first message carries it, to link to the registrant's page; later ones cannot
    assert outbox_events(store.database, outbox, "registration_confirmed")[0]["data"]["token"] == token


def test_the_token_opens_cancels_and_erases_like_the_short_code(store):
    event = published(store, capacity=1, waitlist_capacity=1)
    holder, _ = sign_up(store, event, "0401000001")
    waiting, _ = sign_up(store, event, "0401000002")
    assert store.get_by_code(holder["token"])["id"] == holder["id"]
    assert store.cancel(holder["token"])["status"] == "cancelled"
    assert store.get_by_code(waiting["cancel_code"])["status"] == "confirmed"
    promoted = outbox_events(store.database, outbox, "registration_promoted")[0]["data"]
    assert promoted["token"] is None
    assert store.erase(waiting["token"]) == {"id": waiting["id"], "erased": True}
    for wrong in (holder["token"][:-1] + ("A" if holder["token"][-1] != "A" else "B"), "x" * 22, ""):
        with pytest.raises(NotFound):
            store.get_by_code(wrong)


# --- Idempotency-Keys -------------------------------------------------------------------------

def test_someone_elses_idempotency_key_with_another_body_gets_nothing_of_the_first(store):
    event = published(store)
    first, _ = sign_up(store, event, "0401000001", key="k-1")
    with pytest.raises(ValidationFailed) as refused:
        sign_up(store, event, "0401000002", key="k-1")
    error = refused.value.as_json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert first["cancel_code"] not in str(error) and first["id"] not in str(error)
    with pytest.raises(ValidationFailed):
        sign_up(store, event, "0401000001", key="k-1", seats=2)  # the same person, changed request
    assert count(store, registrations) == 1
    # the very same request again gets the first answer, without the token (shown once)
    again, repeat_of = sign_up(store, event, "0401000001", key="k-1")
    assert repeat_of == "request" and again["cancel_code"] == first["cancel_code"] and again["token"] is None


def test_an_idempotency_key_older_than_a_day_is_forgotten_and_free_again(store):
    event = published(store)
    sign_up(store, event, "0401000001", key="k-1")
    backdate(store, idempotency_keys, "created_at", 2)
    second, repeat_of = sign_up(store, event, "0401000002", key="k-1")
    assert repeat_of is None and second["status"] == "confirmed" and count(store, registrations) == 2
    backdate(store, idempotency_keys, "created_at", 2)
    assert store.forget_idempotency_keys() == 1 and count(store, idempotency_keys) == 0


# --- signing up again -------------------------------------------------------------------------

def test_signing_up_again_answers_as_new_writes_nothing_and_sends_the_details_once_a_day(store):
    event = published(store, capacity=1, waitlist_capacity=5)
    first, _ = sign_up(store, event, "040 100 0001")
    someone, _ = sign_up(store, event, "0401000002")  # waitlisted
    again, repeat_of = sign_up(store, event, "+358401000001", name="Somebody Else")
    assert repeat_of is None
    # what a new sign-up would have got: the waiting list, its next place, a fresh code and token
    assert (again["status"], again["waitlist_position"]) == ("waitlisted", 2)
    assert again["id"] != first["id"] and again["cancel_code"] != first["cancel_code"]
    assert len(again["token"]) == 22 and again["token"] != first["token"]
    for decoy in (again["cancel_code"], again["token"]):
        with pytest.raises(NotFound):
            store.get_by_code(decoy)
    assert count(store, registrations) == 2
    assert store.get_by_code(someone["cancel_code"])["waitlist_position"] == 1
    # the registrant gets their own registration's details, once
    [told] = outbox_events(store.database, outbox, "registration_repeated")
    assert told["data"]["registration_id"] == first["id"] and told["data"]["phone"] == "+358401000001"
    assert told["data"]["cancel_code"] == first["cancel_code"] and told["data"]["name"] == "Maija"
    sign_up(store, event, "0401000001")
    assert len(outbox_events(store.database, outbox, "registration_repeated")) == 1
    # a day later, once more
    backdate(store, registrations, "details_resent_at", 1)
    sign_up(store, event, "0401000001", name="Somebody Else")
    assert len(outbox_events(store.database, outbox, "registration_repeated")) == 2


def test_staff_signing_up_someone_registered_are_told_so(store):
    event = published(store)
    first, _ = sign_up(store, event, "0401000001")
    staff = {"id": "s1", "name": "Maija / Kosketus"}
    again, repeat_of = sign_up(store, event, "0401000001", assisted_by=staff, consent=True)
    assert repeat_of == "contact" and again["id"] == first["id"]
    assert not outbox_events(store.database, outbox, "registration_repeated")


# --- one client's sign-ups --------------------------------------------------------------------

def test_staff_see_and_cancel_what_one_client_signed_up_and_the_waiting_list_moves_up(store):
    event = published(store, capacity=2, waitlist_capacity=2)
    bot = [sign_up(store, event, f"040200000{n}", client_ref="bot")[0] for n in (1, 2)]
    waiting, _ = sign_up(store, event, "0403000001", client_ref="resident")
    other_event = published(store)
    elsewhere, _ = sign_up(store, other_event, "0402000009", client_ref="bot")
    roster = store.list_for_event(event["id"], client_ref="bot")
    assert [(r["id"], r["client_ref"]) for r in roster] == [(r["id"], "bot") for r in bot]
    assert [r["client_ref"] for r in store.list_for_event(event["id"])] == ["bot", "bot", "resident"]

    with pytest.raises(Forbidden):
        store.cancel_by_client(event["id"], "bot", organizer="Another ry")
    done = store.cancel_by_client(event["id"], "bot", organizer=event["organizer"])
    assert done == {"event_id": event["id"], "client_ref": "bot", "cancelled": 2,
                    "registration_ids": [r["id"] for r in bot]}
    assert [store.get_by_code(r["cancel_code"])["status"] for r in bot] == ["cancelled", "cancelled"]
    assert store.get_by_code(waiting["cancel_code"])["status"] == "confirmed"
    assert store.get_by_code(elsewhere["cancel_code"])["status"] == "confirmed"  # another event's
    cancelled = outbox_events(store.database, outbox, "registration_cancelled")
    assert [(c["data"]["reason"], c["data"]["phone"]) for c in cancelled] == [
        ("by_staff", "+358402000001"), ("by_staff", "+358402000002")]
    assert store.cancel_by_client(event["id"], "bot")["cancelled"] == 0  # twice: nothing more


def test_the_client_ref_is_blanked_with_the_name_when_a_registrant_erases(store):
    event = published(store)
    registration, _ = sign_up(store, event, "0401000001", client_ref="abc123")
    store.erase(registration["cancel_code"])
    assert rows(store, registrations.c.client_ref, registrations.c.name) == [(None, None)]
