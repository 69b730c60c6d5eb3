"""The plain rules behind staff work: who reaches what, the roster CSV, webhook signatures and
backoff, what staff see of an event, statistics sums, assisted sign-ups and the live stream."""
import csv
import hashlib
import hmac
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.gateway import access, roster, stats
from services.gateway.activity import Activity
from services.notifications import webhook_rules
from services.notifications.delivery import backoff
from services.registration.signup import parse
from shared.activity import activity
from shared.errors import Forbidden, ValidationFailed
from shared.events import make_envelope

ADMIN = {"id": "a", "name": "Admin", "organizer": None, "admin": True}
KOSKETUS = {"id": "k", "name": "Maija", "organizer": "Kosketus ry", "admin": False, "phone": "+358401112222",
            "email": None}
SNAPSHOT = {"id": "e1", "title": {"fi": "Asunnottomien Yö"}, "municipality": "Jyväskylä", "place": "Puisto",
            "starts_at": "2026-10-17T15:00:00+00:00", "ends_at": "2026-10-17T19:00:00+00:00",
            "organizer": "Kosketus ry"}


def registration_event(event_type="registration_confirmed", **changes):
    data = {"registration_id": "r1", "status": "confirmed", "name": "Aino", "phone": "+358401234567",
            "email": "aino@example.fi", "channel": "sms", "seats": 1, "cancel_code": "K7MX-4PRA",
            "event": SNAPSHOT, **changes}
    return make_envelope(event_type, data)


# --- access ------------------------------------------------------------------------------------

def test_staff_reach_their_own_organizers_events_and_admins_reach_all():
    access.check_event(KOSKETUS, {"organizer": "Kosketus ry"})
    access.check_event(ADMIN, {"organizer": "Jyväskylän kaupunki"})
    with pytest.raises(Forbidden):
        access.check_event(KOSKETUS, {"organizer": "Jyväskylän kaupunki"})
    with pytest.raises(Forbidden):  # a token of no organizer reaches nothing
        access.scope({**KOSKETUS, "organizer": None})


def test_an_organizers_staff_make_events_for_their_own_organizer_only():
    assert access.check_organizer_field(KOSKETUS, {"capacity": 5})["organizer"] == "Kosketus ry"
    with pytest.raises(Forbidden):
        access.check_organizer_field(KOSKETUS, {"organizer": "Jyväskylän kaupunki"})
    assert access.check_organizer_field(ADMIN, {"organizer": "Jyväskylän kaupunki"})["organizer"] == "Jyväskylän kaupunki"
    assert access.organizer_asked_for(KOSKETUS, None) == "Kosketus ry"
    assert access.organizer_asked_for(ADMIN, None) is None
    with pytest.raises(Forbidden):
        access.organizer_asked_for(KOSKETUS, "Jyväskylän kaupunki")


# --- roster CSV --------------------------------------------------------------------------------

def row(**changes):
    return {"name": "Aino", "phone": "+358401234567", "email": None, "seats": 1, "status": "confirmed",
            "waitlist_position": None, "created_at": "2026-10-01T09:30:00+00:00", "attended": False, **changes}


def parsed(data):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_finnish_headings_helsinki_times_and_readable_values():
    rows = parsed(roster.csv_bytes([row(attended=True), row(name="Åsa", phone=None, email="asa@example.fi",
                                                           status="waitlisted", waitlist_position=2, seats=3)]))
    assert rows[0] == list(roster.COLUMNS)
    assert rows[1] == ["Aino", "+358401234567", "1", "vahvistettu", "", "01.10.2026 12:30", "kyllä"]
    assert rows[2] == ["Åsa", "asa@example.fi", "3", "jonossa", "2", "01.10.2026 12:30", ""]


@given(st.text(min_size=1, max_size=40))
def test_any_name_comes_back_from_the_csv_whole_and_never_as_a_formula(name):
    [_, cells] = parsed(roster.csv_bytes([row(name=name)]))
    assert cells[0] in (name, "'" + name)
    assert not cells[0].startswith(roster.FORMULA_START)


# --- webhooks ----------------------------------------------------------------------------------

def test_the_legacy_signature_is_the_hmac_sha256_of_the_exact_body():
    body = json.dumps({"name": "Äijälä"}, ensure_ascii=False).encode()
    expected = hmac.new(b"whsec_x", body, hashlib.sha256).hexdigest()
    assert webhook_rules.legacy_signature("whsec_x", body) == "sha256=" + expected
    assert webhook_rules.legacy_signature("whsec_y", body) != webhook_rules.legacy_signature("whsec_x", body)


def test_webhook_retries_double_and_stop_growing_at_half_an_hour():
    # messages' backoff, with webhooks' cap; rng 1.0: the longest of each jittered delay
    longest = [backoff(n, 2, webhook_rules.MAX_DELAY_SECONDS, rng=lambda: 1.0) for n in (1, 2, 3, 30)]
    assert longest == [2, 4, 8, webhook_rules.MAX_DELAY_SECONDS]


def test_blanking_a_webhook_body_removes_the_name_only():
    body = json.dumps({"id": "x", "name": "Aino", "seats": 2})
    assert json.loads(webhook_rules.without_name(body)) == {"id": "x", "name": None, "seats": 2}


# --- what staff see ----------------------------------------------------------------------------

@pytest.mark.parametrize("event_type", ["registration_confirmed", "registration_waitlisted",
                                        "registration_promoted", "registration_cancelled"])
def test_staff_see_a_name_but_never_contacts_or_cancel_codes(event_type):
    envelope = registration_event(event_type)
    seen = json.dumps(activity(envelope))
    assert "Aino" in seen
    for secret in ("+358401234567", "aino@example.fi", "K7MX-4PRA"):
        assert secret not in seen


def test_messages_that_are_not_activity_are_not_shown():
    assert activity(registration_event("registration_event_changed", changed=["place"])) is None


# --- statistics --------------------------------------------------------------------------------

def test_statistics_add_messages_per_group_and_sum_every_count():
    groups = [{"municipality": "Jyväskylä", "organizer": "A", "sign_ups": 3, "event_ids": ["e1", "e2"]},
              {"municipality": "Äänekoski", "organizer": "B", "sign_ups": 1, "event_ids": ["e3"]}]
    answer = stats.with_messages(groups, {"e1": {"sms": 2}, "e2": {"sms": 1, "email": 1}})
    assert answer["groups"][0]["messages"] == {"sms": 3, "email": 1}
    assert answer["groups"][1]["messages"] == {"sms": 0, "email": 0}
    assert answer["totals"] == {"sign_ups": 4, "messages": {"sms": 3, "email": 1}}
    assert "event_ids" not in answer["groups"][0]


# --- assisted sign-ups -------------------------------------------------------------------------

def test_an_assisted_sign_up_needs_consent_and_reaches_a_resident_without_phone_through_staff():
    with pytest.raises(ValidationFailed) as refused:
        parse({"name": "Eino"}, ["FI"], assisted_by=KOSKETUS)
    assert "consent" in refused.value.fields
    signup = parse({"name": "Eino", "consent": True}, ["FI"], assisted_by=KOSKETUS)
    assert (signup.phone, signup.channel, signup.contact_key) == ("+358401112222", "sms", None)
    assert signup.assisted_by == {"id": "k", "name": "Maija"}
    own = parse({"name": "Eino", "phone": "040 765 4321", "consent": True}, ["FI"], assisted_by=KOSKETUS)
    assert (own.phone, own.contact_key) == ("+358407654321", "+358407654321")
    with pytest.raises(ValidationFailed) as nobody:
        parse({"name": "Eino", "consent": True}, ["FI"], assisted_by={**KOSKETUS, "phone": None})
    assert "phone" in nobody.value.fields


# --- the live stream ---------------------------------------------------------------------------

def test_a_stream_gets_what_happens_and_resumes_after_the_last_id_it_saw():
    hub = Activity()
    first, second = registration_event(), registration_event(registration_id="r2", name="Bertta")
    hub.publish(first)
    stream = hub.stream("e1", last_event_id=first["event_id"])
    assert next(stream).startswith(b"retry:")
    hub.publish(second)
    hub.publish(second)  # a redelivery is not shown twice
    assert b"Bertta" in next(stream)
    assert len(hub.recent["e1"]) == 2
    stream.close()
    assert "e1" not in hub.listeners
    resumed = hub.stream("e1", last_event_id=first["event_id"])
    next(resumed)
    assert b"Bertta" in next(resumed)
    resumed.close()
