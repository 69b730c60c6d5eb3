"""Enrolments in a series on registration's real database, SQLite and PostgreSQL: one enrolment
seated or waiting per session, one session or all cancelled and each session's waiting list moving
on its own, erasure, statistics per session and in total, retention, and the same by text message."""
import datetime as dt
import uuid

import eventlet
import pytest
from sqlalchemy import func, select

from services.registration.signup import from_request
from services.registration.tables import enrolments, events, outbox, registrations
from shared.errors import Conflict, NotFound, ValidationFailed
from tests.integration.helpers import envelope, future, outbox_events, published

REGIONS = ["FI"]


def series(store, weeks=4, **changes):
    """A published series of `weeks` weekly sessions as registration's copy has it: its id and sessions."""
    series_id, first = str(uuid.uuid4()), future(days=10)
    sessions = []
    for number in range(1, weeks + 1):
        starts = first + dt.timedelta(weeks=number - 1)
        sessions.append(published(store, **{
            "title": {"fi": "Nuorten ryhmä"}, "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "capacity": 2, "waitlist_capacity": 2,
            "series_id": series_id, "session_number": number, "session_count": weeks, "series_sms_code": "NUORET",
            "series_weekly": True, **changes}))
    return series_id, sessions


def enrol(store, series_id, phone, key=None, **fields):
    body = {"name": "Aino", "phone": phone, **fields}
    return store.enrol(series_id, from_request(series_id, body, REGIONS), key)


def statuses(enrolment):
    return [place["status"] for place in enrolment["sessions"]]


def count(store, table):
    with store.database.transaction() as session:
        return session.execute(select(func.count()).select_from(table)).scalar()


def test_an_enrolment_takes_a_seat_or_a_waiting_place_in_every_session_with_one_code(store):
    series_id, sessions = series(store)
    enrol(store, series_id, "0401000001")
    enrol(store, series_id, "0401000002")
    third, repeat_of = enrol(store, series_id, "0401000003")
    assert repeat_of is None and third["status"] == "waitlisted" and third["token"]
    assert statuses(third) == ["waitlisted"] * 4
    assert [place["waitlist_position"] for place in third["sessions"]] == [1] * 4
    assert [place["session_number"] for place in third["sessions"]] == [1, 2, 3, 4]
    assert store.availability([s["id"] for s in sessions]) == {
        s["id"]: {"seats_left": 0, "waitlist_left": 1} for s in sessions}
    # one message for the enrolment; the session rows' own events say it told them
    sent = outbox_events(store.database, outbox)
    told = [e for e in sent if e["type"] == "enrolment_confirmed"]
    assert len(told) == 3 and told[-1]["data"]["cancel_code"] == third["cancel_code"]
    assert [s["status"] for s in told[-1]["data"]["sessions"]] == ["waitlisted"] * 4
    per_session = [e["data"] for e in sent if e["type"].startswith("registration_")]
    assert len(per_session) == 12 and all(d["told_with_enrolment"] for d in per_session)
    # every message about a session shows the code its registrant holds, and which session it is
    assert {d["cancel_code"] for d in per_session[-4:]} == {third["cancel_code"]}
    assert [d["event"]["session_number"] for d in per_session[-4:]] == [1, 2, 3, 4]
    assert store.get_enrolment(third["cancel_code"].lower())["sessions"] == third["sessions"]
    assert store.get_enrolment(third["token"])["id"] == third["id"]
    with pytest.raises(NotFound):
        store.get_by_code(third["cancel_code"])  # an enrolment's code is no registration's


def test_cancelling_one_session_promotes_that_sessions_waiting_list_only(store):
    series_id, sessions = series(store)
    first, _ = enrol(store, series_id, "0401000001")
    enrol(store, series_id, "0401000002")
    waiting, _ = enrol(store, series_id, "0401000003")
    cancelled = store.cancel_session(first["cancel_code"], sessions[1]["id"])
    assert statuses(cancelled) == ["confirmed", "cancelled", "confirmed", "confirmed"]
    assert statuses(store.get_enrolment(waiting["cancel_code"])) == ["waitlisted", "confirmed", "waitlisted",
                                                                     "waitlisted"]
    sent = outbox_events(store.database, outbox)[-2:]
    assert [e["type"] for e in sent] == ["registration_cancelled", "registration_promoted"]
    assert not any(e["data"]["told_with_enrolment"] for e in sent)  # each told, naming its session
    assert [e["data"]["event"]["session_number"] for e in sent] == [2, 2]
    store.cancel_session(first["cancel_code"], sessions[1]["id"])  # twice is harmless
    assert len(outbox_events(store.database, outbox, "registration_cancelled")) == 1


def test_cancelling_all_cancels_every_session_left_and_is_told_once(store):
    series_id, sessions = series(store)
    first, _ = enrol(store, series_id, "0401000001")
    enrol(store, series_id, "0401000002")
    waiting, _ = enrol(store, series_id, "0401000003")
    done = store.cancel_enrolment(first["token"])
    assert done["status"] == "cancelled" and statuses(done) == ["cancelled"] * 4
    assert statuses(store.get_enrolment(waiting["cancel_code"])) == ["confirmed"] * 4
    store.cancel_enrolment(first["cancel_code"])
    assert len(outbox_events(store.database, outbox, "enrolment_cancelled")) == 1
    cancellations = outbox_events(store.database, outbox, "registration_cancelled")
    assert len(cancellations) == 4 and all(e["data"]["told_with_enrolment"] for e in cancellations)
    assert len(outbox_events(store.database, outbox, "registration_promoted")) == 4


def test_erasing_an_enrolment_blanks_it_and_every_session_row(store):
    series_id, sessions = series(store)
    held, _ = enrol(store, series_id, "0401000001", email="aino@example.fi")
    assert store.erase_enrolment(held["cancel_code"]) == {"id": held["id"], "erased": True}
    assert store.erase_enrolment(held["cancel_code"]) == {"id": held["id"], "erased": True}
    with store.database.transaction() as session:
        rows = session.execute(select(registrations).where(registrations.c.enrolment_id == held["id"])).mappings().all()
        enrolment = session.execute(select(enrolments)).mappings().one()
    assert len(rows) == 4 and all(r["name"] is None and r["phone"] is None and r["status"] == "cancelled"
                                  for r in rows)
    assert enrolment["name"] is None and enrolment["phone"] is None and enrolment["email"] is None
    assert len(outbox_events(store.database, outbox, "registration_erased")) == 4
    [told] = outbox_events(store.database, outbox, "enrolment_cancelled")
    assert told["data"]["reason"] == "erased" and told["data"]["phone"] is None


def test_the_same_person_enrolling_again_gets_a_decoy_and_nothing_is_written(store):
    series_id, _ = series(store)
    real, _ = enrol(store, series_id, "0401000001")
    again, repeat_of = enrol(store, series_id, "040 100 0001", name="Aino Muu")
    assert repeat_of is None and again["cancel_code"] != real["cancel_code"]
    with pytest.raises(NotFound):
        store.get_enrolment(again["cancel_code"])
    assert count(store, enrolments) == 1 and count(store, registrations) == 4
    # one session of theirs cancelled: enrolling again still opens nothing new
    store.cancel_session(real["cancel_code"], real["sessions"][1]["event_id"])
    enrol(store, series_id, "0401000001")
    assert count(store, enrolments) == 1 and count(store, registrations) == 4


def test_an_idempotency_key_answers_the_same_request_only(store):
    series_id, _ = series(store)
    made, _ = enrol(store, series_id, "0401000001", key="k1")
    again, repeat_of = enrol(store, series_id, "0401000001", key="k1")
    assert repeat_of == "request" and again["cancel_code"] == made["cancel_code"] and again["token"] is None
    with pytest.raises(ValidationFailed) as reused:
        enrol(store, series_id, "0401000009", key="k1")
    assert reused.value.code == "idempotency_key_reused"
    assert count(store, enrolments) == 1


def test_a_series_with_a_full_session_refuses_the_enrolment_writing_nothing(store):
    series_id, sessions = series(store, capacity=1, waitlist_capacity=0)
    enrol(store, series_id, "0401000001")
    with pytest.raises(Conflict) as full:
        enrol(store, series_id, "0401000002")
    assert full.value.code == "event_full"
    with pytest.raises(NotFound) as missing:
        enrol(store, str(uuid.uuid4()), "0401000003")
    assert missing.value.code == "series_not_found"
    assert count(store, enrolments) == 1 and count(store, registrations) == 4


def test_cancelling_all_once_the_series_is_over_tells_nobody(store):
    series_id, sessions = series(store)
    held, _ = enrol(store, series_id, "0401000001")
    with store.database.transaction() as session:  # every session began already
        begun = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        session.execute(events.update().where(events.c.series_id == series_id).values(starts_at=begun))
    assert statuses(store.cancel_enrolment(held["cancel_code"])) == ["confirmed"] * 4
    assert outbox_events(store.database, outbox, "enrolment_cancelled") == []


def test_sessions_already_begun_are_not_enrolled(store):
    series_id, sessions = series(store)
    with store.database.transaction() as session:  # the first session began an hour ago
        begun = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        session.execute(events.update().where(events.c.id == sessions[0]["id"]).values(starts_at=begun))
    enrolled, _ = enrol(store, series_id, "0401000001")
    assert [place["session_number"] for place in enrolled["sessions"]] == [2, 3, 4]


def test_statistics_per_session_and_in_total_survive_retention(store):
    series_id, sessions = series(store)
    came_twice, _ = enrol(store, series_id, "0401000001")
    came_once, _ = enrol(store, series_id, "0401000002")
    enrol(store, series_id, "0401000003")  # waiting everywhere, never came
    staff = {"id": "s1", "name": "Maija"}
    with store.database.transaction() as session:
        rows = {(r["enrolment_id"], r["event_id"]): r["id"] for r in session.execute(select(registrations)).mappings()}
    for enrolment, session_index in ((came_twice, 0), (came_twice, 1), (came_once, 0)):
        store.check_in(rows[(enrolment["id"], sessions[session_index]["id"])], True, staff)
    store.record_walk_ins(sessions[0]["id"], 3, staff)
    stats = store.series_stats(series_id)
    first = stats["sessions"][0]
    assert (first["confirmed"], first["waitlisted"], first["attended"], first["walk_ins"]) == (2, 1, 2, 3)
    assert stats["total"] == {"sessions": 4, "enrolled": 3, "attended_total": 3, "walk_ins_total": 3,
                              "came": {"0": 1, "1": 1, "2": 1}}
    with pytest.raises(Exception) as other:
        store.series_stats(series_id, organizer="Toinen ry")
    assert other.value.code == "other_organizer"
    # the series over: retention blanks every session row and the enrolments; the counts stay
    last_end = dt.datetime.fromisoformat(sessions[-1]["ends_at"])
    store.anonymise_ended(30, now=last_end + dt.timedelta(days=31))
    with store.database.transaction() as session:
        assert session.execute(select(func.count()).select_from(enrolments)
                               .where(enrolments.c.name.is_not(None))).scalar() == 0
        assert session.execute(select(func.count()).select_from(registrations)
                               .where(registrations.c.phone.is_not(None))).scalar() == 0
    assert store.series_stats(series_id) == stats


def test_retention_keeps_an_enrolment_until_its_last_session_is_long_over(store):
    series_id, sessions = series(store)
    enrol(store, series_id, "0401000001")
    first_end = dt.datetime.fromisoformat(sessions[0]["ends_at"])
    store.anonymise_ended(30, now=first_end + dt.timedelta(days=31))
    with store.database.transaction() as session:
        assert session.execute(select(enrolments.c.phone)).scalar() == "+358401000001"
        assert session.execute(select(func.count()).select_from(registrations)
                               .where(registrations.c.phone.is_not(None))).scalar() == 3


def test_a_series_code_by_text_enrols_and_peru_asks_next_or_all(store):
    series_id, sessions = series(store)
    answer = store.sign_up_by_phone("+358401000001", "nuoret", 1, "Aino", "fi", "SM1", REGIONS)
    assert answer["outcome"] == "registered" and answer["series_id"] == series_id
    assert [place["status"] for place in answer["sessions"]] == ["confirmed"] * 4
    assert store.sign_up_by_phone("+358401000001", "NUORET", 1, "Aino", "fi", "SM1", REGIONS)["repeated"] is False
    assert count(store, enrolments) == 1  # the same text again: one enrolment
    again = store.sign_up_by_phone("+358401000001", "NUORET", 1, "Aino", "fi", "SM9", REGIONS)
    assert (again["repeated"], again["status"]) == (True, "confirmed") and count(store, enrolments) == 1
    asked = store.cancel_by_phone("+358401000001", None, "SM2")
    assert asked["outcome"] == "enrolment" and asked["next"]["session_number"] == 1
    assert asked["sessions_left"] == 4
    enrolment_id = asked["enrolment_id"]
    with pytest.raises(NotFound):  # only its own phone's enrolment
        store.get_enrolment("AAAA-AAAA")
    assert store.cancel_enrolment_by_phone("+358409999999", "all", enrolment_id, "SM3") == {"outcome": "none"}
    nxt = store.cancel_enrolment_by_phone("+358401000001", "next", enrolment_id, "SM3")
    assert [s["session_number"] for s in nxt["sessions"]] == [1] and statuses(nxt["enrolment"])[0] == "cancelled"
    assert store.cancel_enrolment_by_phone("+358401000001", "next", enrolment_id, "SM3")["sessions"] == nxt["sessions"]
    everything = store.cancel_enrolment_by_phone("+358401000001", "all", enrolment_id, "SM4")
    assert [s["session_number"] for s in everything["sessions"]] == [2, 3, 4]
    assert store.cancel_by_phone("+358401000001", None, "SM5") == {"outcome": "none"}


def test_peru_with_a_plain_registration_and_an_enrolment_lists_both_once(store):
    series_id, _ = series(store)
    event = published(store)
    enrolled, _ = enrol(store, series_id, "0401000001")
    store.register(event["id"], from_request(event["id"], {"name": "Aino", "phone": "0401000001"}, REGIONS))
    listed = store.cancel_by_phone("+358401000001", None, "SM1")
    assert listed["outcome"] == "choose" and len(listed["registrations"]) == 2
    by_code = store.cancel_by_phone("+358401000001", enrolled["cancel_code"], "SM2")
    assert by_code["outcome"] == "enrolment" and by_code["enrolment_id"] == enrolled["id"]
    plain = next(item for item in listed["registrations"] if not item["enrolment_id"])
    assert store.cancel_by_phone("+358401000001", str(plain["number"]), "SM3")["outcome"] == "cancelled"


def test_concurrent_enrolments_take_exactly_the_seats_there_are(store):
    """Twelve at once into a series of 4 sessions with 2 seats and 2 waiting places each: exactly 2
    seated and 2 waiting in every session, the rest refused, on PostgreSQL's row locks."""
    series_id, sessions = series(store)

    def attempt(number):
        try:
            return enrol(store, series_id, f"04010000{number:02d}")[0]["status"]
        except Conflict as exc:
            return exc.code

    answers = list(eventlet.GreenPool(12).imap(attempt, range(12)))
    assert sorted(answers) == ["confirmed"] * 2 + ["event_full"] * 8 + ["waitlisted"] * 2
    with store.database.transaction() as session:
        counts = session.execute(select(events.c.seats_taken, events.c.waitlist_taken)
                                 .where(events.c.series_id == series_id)).all()
        rows = session.execute(select(registrations.c.event_id, registrations.c.status, func.count())
                               .group_by(registrations.c.event_id, registrations.c.status)).all()
    assert counts == [(2, 2)] * 4
    assert sorted((status, n) for _, status, n in rows) == [("confirmed", 2)] * 4 + [("waitlisted", 2)] * 4
