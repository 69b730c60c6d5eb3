"""A resident signs up over HTTP and gets an SMS or email confirmation through the bus: the whole
system as separate processes, with the real twilio library and a real SMTP conversation."""
import datetime as dt

import pytest

from tests.e2e.helpers import HELSINKI, create_event, event_body, finnish_day, sign_up

pytestmark = pytest.mark.e2e


def test_two_residents_sign_up_one_cancels_and_each_hears_in_their_own_language(system):
    sms_before, mail_before = len(system.sms.all()), len(system.mail.all())
    event = create_event(system)
    assert event["status"] == "published"

    by_phone = sign_up(system, event["id"], {"name": "Maija Meikäläinen", "phone": "040 123 4567"})
    assert by_phone.status_code == 201, by_phone.text
    maija = by_phone.json()
    assert maija["status"] == "confirmed" and maija["seats"] == 1 and len(maija["cancel_code"]) == 9

    by_email = sign_up(system, event["id"], {"name": "Karin", "email": "karin@example.fi", "language": "sv", "seats": 2})
    assert by_email.status_code == 201, by_email.text
    karin = by_email.json()

    listed = system.call("GET", f"/api/events/{event['id']}").json()
    assert listed["seats_left"] == 47

    cancelled = system.call("DELETE", f"/api/registrations/{maija['cancel_code']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    confirmation, cancellation = system.sms.wait_for(sms_before + 2)[sms_before:]
    assert {confirmation["To"], cancellation["To"]} == {"+358401234567"}
    assert confirmation["From"] == "+358451234567"
    day = finnish_day(dt.datetime.fromisoformat(event["starts_at"]).astimezone(HELSINKI))
    for text in (confirmation["Body"], cancellation["Body"]):
        assert "Valtakunnallinen Asunnottomien Yö" in text and f"{day} klo 18-22" in text
    assert "Paikkasi on varattu" in confirmation["Body"] and maija["cancel_code"] in confirmation["Body"]
    assert "peruttu" in cancellation["Body"]

    [mail] = system.mail.wait_for(mail_before + 1)[mail_before:]
    assert mail["rcpt_tos"] == ["karin@example.fi"]
    assert mail["subject"] == "Din plats är bokad: De bostadslösas natt"
    assert karin["cancel_code"] in mail["text"] and f"{day} kl. 18–22" in mail["text"] and "Platser: 2" in mail["text"]
    assert karin["cancel_code"] in mail["html"]

    own = system.call("GET", f"/api/registrations/{karin['cancel_code'].lower()}").json()
    assert own["status"] == "confirmed" and own["event"]["place"] == "Tourujoen puisto"

    roster = system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
    assert sorted((r["name"], r["status"]) for r in roster) == [("Karin", "confirmed"), ("Maija Meikäläinen", "cancelled")]
    assert system.call("GET", f"/api/events/{event['id']}/registrations").status_code == 401


def test_cancelling_an_event_tells_every_registrant_once(system):
    event = create_event(system)
    phones = ["0401110001", "0401110002", "0401110003"]
    before = len(system.sms.all())
    for phone in phones:
        assert sign_up(system, event["id"], {"name": "Asukas", "phone": phone}).status_code == 201
    system.sms.wait_for(before + 3)
    assert system.call("POST", f"/api/events/{event['id']}/cancel", staff=True).status_code == 200
    told = [m for m in system.sms.wait_for(before + 6)[before + 3:] if "Valitettavasti" in m["Body"]]
    assert sorted(m["To"] for m in told) == sorted("+358" + p[1:] for p in phones)
    assert system.call("GET", f"/api/events/{event['id']}").json()["seats_left"] == 0


def test_events_are_listed_for_anyone_with_filters(system):
    event = create_event(system, municipality="Äänekoski", title={"fi": "Luento onnellisuudesta"})
    found = system.call("GET", "/api/events", params={"municipality": "äänekoski", "q": "onnellisuudesta"}).json()
    assert [e["id"] for e in found] == [event["id"]] and found[0]["seats_left"] == 50


def test_health_reports_every_service_and_openapi_documents_the_api(system):
    health = system.call("GET", "/health").json()
    messages = health.pop("messages")  # counts shared with the other tests on this system
    assert set(messages) == {"failed", "waiting"} and all(isinstance(n, int) for n in messages.values())
    assert health == {"status": "ok", "broker": "ok",
                      "services": {"catalog": "ok", "registration": "ok", "notifications": "ok"}}
    document = system.call("GET", "/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/api/events", "/api/events/{id}/registrations", "/api/registrations/{cancel_code}"} <= set(document["paths"])
    assert "SignUp" in document["components"]["schemas"]


def test_a_staff_token_made_with_the_documented_command_works_and_is_stored_hashed(system):
    import json
    import sqlite3
    import subprocess
    import sys

    from shared.config import REPO_ROOT

    made = subprocess.run([sys.executable, "-m", "services.catalog.staff_tokens", "create", "Maija / Kosketus",
                           "--organizer", "Keski-Suomen järjestöverkosto"],
                          cwd=REPO_ROOT, env=system.env, capture_output=True, text=True, check=True)
    token = json.loads(made.stdout)["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert system.call("GET", "/api/events", headers=headers).status_code == 200
    created = system.call("POST", "/api/events", json=event_body(organizer="Keski-Suomen järjestöverkosto"),
                          headers=headers)
    assert created.status_code == 201

    database = sqlite3.connect(f"{system.env['YHDESSA_VAR_DIR']}/catalog.db")
    stored = [row[0] for row in database.execute("SELECT token_hash FROM staff_tokens")]
    database.close()
    assert token not in stored and len(stored[0]) == 64


def test_logs_hold_no_full_phone_number_or_email_address(system):
    event = create_event(system)
    sign_up(system, event["id"], {"name": "Loki", "phone": "0409990001", "email": "loki@example.fi"})
    sign_up(system, event["id"], {"name": "Loki", "phone": "+1 212 555 0100"})  # refused, and logged as such
    system.sms.wait_for(1)
    log = open(system.log.name, encoding="utf-8").read()
    assert "0409990001" not in log and "+358409990001" not in log and "loki@example.fi" not in log


def test_a_retried_request_gets_its_code_back_but_someone_else_with_the_same_number_does_not(system):
    event = create_event(system)
    body = {"name": "Maija", "phone": "0409990002"}
    first = sign_up(system, event["id"], body, headers={"Idempotency-Key": "frontend-1"})
    assert first.status_code == 201
    retried = sign_up(system, event["id"], body, headers={"Idempotency-Key": "frontend-1"})
    assert retried.status_code == 200 and retried.json()["cancel_code"] == first.json()["cancel_code"]
    for headers in ({}, {"Idempotency-Key": "someone-else"}):
        other = sign_up(system, event["id"], {"name": "Joku", "phone": "+358 40 999 0002"}, headers=headers)
        # answered as a new sign-up (tests/e2e/test_safe_in_public.py): with a code that opens nothing
        assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
        assert other.json()["cancel_code"] != first.json()["cancel_code"]
