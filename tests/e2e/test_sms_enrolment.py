"""A weekly group by text message through the whole system (gateway, notifications, registration,
catalog) with the real broker: enrol by the series' code, PERU asks "only the next session, or
all?", 1 cancels the next session, 2 the rest; each message read at the Twilio double, every one
within two GSM-7 segments. One system: the session's."""
import datetime as dt
import uuid

import pytest

from shared import gsm
from tests.e2e.test_sms_replies import a_number, sms_to, text, wait_for_sms

pytestmark = pytest.mark.e2e


def a_day(days):
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def test_enrol_by_code_then_peru_1_cancels_the_next_session_and_peru_2_the_rest(system):
    word = uuid.uuid4().hex[:6]
    code = f"VR{word[:4].upper()}"
    made = system.call("POST", "/api/series", staff=True, json={
        "title": {"fi": f"Nuorten vertaisryhmä {word}"}, "municipality": "Jyväskylä", "place": "Nuorisotila Veturi",
        "capacity": 10, "organizer": "Monikulttuurinen nuorisotyö", "sms_code": code,
        "schedule": {"from": a_day(14), "until": a_day(35), "start_time": "17:00", "end_time": "19:00"}})
    assert made.status_code == 201, made.text
    sessions = made.json()["sessions"]
    assert len(sessions) == 4
    phone = a_number()

    text(system, phone, f"{code} Amina")
    [enrolled] = wait_for_sms(system, phone, 1, "the enrolment's message")
    assert enrolled.startswith("Hei Amina! Olet mukana: Nuorten vertaisryhmä") and "PERU" in enrolled

    text(system, phone, "PERU")
    question = wait_for_sms(system, phone, 2, "the question")[1]
    assert question.endswith("vai kaikki? Vastaa 1 = vain seuraava, 2 = kaikki.")
    text(system, phone, "1")
    first_gone = wait_for_sms(system, phone, 3, "the next session's cancellation")[2]
    assert first_gone.startswith("Ilmoittautumisesi on peruttu: Nuorten vertaisryhmä") and "1/4)" in first_gone

    text(system, phone, "peru")
    wait_for_sms(system, phone, 4, "the question again")
    text(system, phone, "2")
    rest_gone = wait_for_sms(system, phone, 5, "the enrolment's cancellation")[4]
    assert "kaikki 3 jäljellä olevaa kertaa" in rest_gone

    seats = system.call("GET", f"/api/series/{made.json()['id']}").json()["sessions"]
    assert [s["seats_left"] for s in seats] == [10, 10, 10, 10]
    assert all(gsm.segments(body) <= 2 for body in sms_to(system, phone))
