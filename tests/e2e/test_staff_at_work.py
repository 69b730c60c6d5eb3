"""Staff at work, through the HTTP API with the real broker: organizers see only their own events,
check residents in at the door, follow activity live and through signed webhooks, download the
roster for a spreadsheet, sign residents up on their behalf and count walk-ins."""
import csv
import io
import json
import time

import pytest
import standardwebhooks

from tests.conftest import wait_until
from tests.e2e.helpers import ActivityStream, event_body, sign_up, staff_token
from tests.system import Recorded, free_port, start_double

KOSKETUS = "Kosketus ry"
CITY = "Jyväskylän kaupunki"


@pytest.fixture(scope="module")
def kosketus(system):
    return staff_token(system, "Maija / Kosketus", KOSKETUS, "--phone", "040 111 2222")


@pytest.fixture(scope="module")
def city(system):
    return staff_token(system, "Ville / kaupunki", CITY)


def own_event(system, headers, **changes):
    """An event made by an organizer's staff, who need not name their organizer."""
    body = event_body(**changes)
    if "organizer" not in changes:
        del body["organizer"]
    response = system.call("POST", "/api/events", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def receiver(tmp_path, port=0):
    record = tmp_path / f"webhook-{port}-{time.monotonic_ns()}.jsonl"
    process, port = start_double("tests.doubles.webhook_receiver", record, "--port", str(port))
    return process, port, Recorded(record)


def signature_ok(secret, post):
    """The POST verifies by the Standard Webhooks scheme, as a receiver would check it."""
    try:
        standardwebhooks.Webhook(secret).verify(post["body"], post["headers"])
    except standardwebhooks.webhooks.WebhookVerificationError:
        return False
    return True


def test_staff_of_one_organizer_cannot_reach_another_organizers_event(system, kosketus, city):
    event = own_event(system, kosketus, organizer=KOSKETUS, capacity=5)
    registration = sign_up(system, event["id"], {"name": "Aino", "phone": "0401000001"}).json()
    draft = own_event(system, kosketus, status="draft")
    assert draft["organizer"] == KOSKETUS  # an organizer's staff need not name it

    refused = [
        system.call("GET", f"/api/events/{event['id']}/registrations", headers=city),
        system.call("GET", f"/api/events/{event['id']}/registrations?format=csv", headers=city),
        system.call("PATCH", f"/api/events/{event['id']}", json={"capacity": 1}, headers=city),
        system.call("POST", f"/api/events/{event['id']}/cancel", headers=city),
        system.call("POST", f"/api/registrations/{registration['id']}/check-in", headers=city),
        system.call("POST", f"/api/registrations/{registration['cancel_code']}/check-in", headers=city),
        system.call("POST", f"/api/events/{event['id']}/walk-ins", json={"count": 3}, headers=city),
        system.call("GET", f"/api/events/{event['id']}/walk-ins", headers=city),
        system.call("GET", f"/api/events/{event['id']}/activity", headers=city),
        system.call("GET", f"/api/stats?organizer={KOSKETUS}", headers=city),
        system.call("POST", "/api/webhooks", json={"url": "http://127.0.0.1:9/x", "organizer": KOSKETUS},
                    headers=city),
        system.call("POST", "/api/events", json=event_body(organizer=KOSKETUS), headers=city),
        system.call("PATCH", f"/api/events/{event['id']}", json={"organizer": CITY}, headers=kosketus),
    ]
    for response in refused:
        assert response.status_code == 403, (response.request.method, response.request.url, response.text)
        assert response.json()["error"]["code"] == "other_organizer"
    # another organizer's draft is not even there for them
    assert system.call("GET", f"/api/events/{draft['id']}", headers=city).status_code == 404
    assert draft["id"] not in [e["id"] for e in system.call("GET", "/api/events", headers=city).json()]
    # and nothing changed
    assert system.call("GET", f"/api/events/{event['id']}").json()["capacity"] == 5
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", headers=kosketus).json()
    assert [(r["name"], r["status"], r["attended"]) for r in roster] == [("Aino", "confirmed", False)]
    assert system.call("GET", f"/api/events/{event['id']}/walk-ins", headers=kosketus).json()["total"] == 0
    # an admin reaches everything
    assert system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).status_code == 200


def test_a_check_in_reaches_the_activity_stream_and_a_signed_webhook_of_that_organizer_only(
        system, kosketus, city, tmp_path):
    process, port, posts = receiver(tmp_path)
    other_process, other_port, other_posts = receiver(tmp_path)
    try:
        made = system.call("POST", "/api/webhooks", json={"url": f"http://127.0.0.1:{port}/yhdessa"}, headers=kosketus)
        assert made.status_code == 201, made.text
        secret = made.json()["secret"]
        assert system.call("POST", "/api/webhooks", json={"url": f"http://127.0.0.1:{other_port}/"},
                           headers=city).status_code == 201
        assert "secret" not in json.dumps(system.call("GET", "/api/webhooks", headers=kosketus).json())

        event = own_event(system, kosketus, organizer=KOSKETUS)
        stream = ActivityStream(system, event["id"], kosketus)
        try:
            registration = sign_up(system, event["id"], {"name": "Pekka Lähteenmäki", "phone": "0401000002"}).json()
            checked = system.call("POST", f"/api/registrations/{registration['cancel_code']}/check-in",
                                  headers=kosketus)
            assert checked.status_code == 200 and checked.json()["attended"] is True
            again = system.call("POST", f"/api/registrations/{registration['id']}/check-in", headers=kosketus)
            assert again.status_code == 200  # twice is harmless, and publishes nothing more

            signed_up = stream.wait_for(lambda i: i["event"] == "registration_confirmed")
            marked = stream.wait_for(lambda i: i["event"] == "attendance_marked")
        finally:
            stream.close()
        assert signed_up["data"]["name"] == "Pekka Lähteenmäki"
        assert marked["data"]["registration_id"] == registration["id"]
        assert marked["data"]["attended"] is True and marked["data"]["seats"] == 1
        assert marked["data"]["marked_by"]["name"] == "Maija / Kosketus"
        assert marked["data"]["event"]["id"] == event["id"]

        received = posts.wait_for(2)
        assert {json.loads(p["body"])["type"] for p in received} == {"registration_confirmed", "attendance_marked"}
        for post in received:
            assert post["path"] == "/yhdessa" and signature_ok(secret, post), post
            body = json.loads(post["body"])
            assert post["headers"]["webhook-id"] == body["id"]
            # staff get names, never contacts or cancel codes
            assert "0401000002" not in post["body"] and "+358401000002" not in post["body"]
            assert registration["cancel_code"] not in post["body"]
        attendance = next(json.loads(p["body"]) for p in received if "attendance_marked" in p["body"])
        assert attendance["marked_by"]["name"] == "Maija / Kosketus" and attendance["marked_at"]
        time.sleep(1.5)  # the one check-in stays one event
        assert len(posts.all()) == 2
        assert other_posts.all() == []  # the city's receiver hears nothing of Kosketus' event
    finally:
        for p in (process, other_process):
            p.terminate()
            p.wait()


def test_undo_of_a_check_in_and_who_can_be_checked_in(system, kosketus):
    event = own_event(system, kosketus, capacity=1, waitlist_capacity=1)
    first = sign_up(system, event["id"], {"name": "Eka", "phone": "0401000003"}).json()
    second = sign_up(system, event["id"], {"name": "Toka", "phone": "0401000004"}).json()
    assert second["status"] == "waitlisted"
    waiting = system.call("POST", f"/api/registrations/{second['id']}/check-in", headers=kosketus)
    assert waiting.status_code == 409 and waiting.json()["error"]["code"] == "not_confirmed"
    unknown = system.call("POST", "/api/registrations/AAAA-AAAA/check-in", headers=kosketus)
    assert unknown.status_code == 404
    assert system.call("POST", f"/api/registrations/{first['id']}/check-in").status_code == 401
    stream = ActivityStream(system, event["id"], kosketus)
    try:
        system.call("POST", f"/api/registrations/{first['id']}/check-in", headers=kosketus)
        undone = system.call("DELETE", f"/api/registrations/{first['id']}/check-in", headers=kosketus)
        assert undone.status_code == 200 and undone.json()["attended"] is False
        taken_back = stream.wait_for(lambda i: i["event"] == "attendance_marked" and i["data"]["attended"] is False)
    finally:
        stream.close()
    assert taken_back["data"]["registration_id"] == first["id"]
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", headers=kosketus).json()
    assert [r["attended"] for r in roster] == [False, False]


def test_a_receiver_that_is_down_gets_the_event_once_it_is_back(system, kosketus, tmp_path):
    port = free_port()
    made = system.call("POST", "/api/webhooks", json={"url": f"http://127.0.0.1:{port}/hook"}, headers=kosketus)
    secret, webhook_id = made.json()["secret"], made.json()["id"]
    event = own_event(system, kosketus)
    registration = sign_up(system, event["id"], {"name": "Odottava", "email": "odottava@example.fi"}).json()
    def failing():  # the first POST has failed: nobody listens on the port
        [mine] = [w for w in system.call("GET", "/api/webhooks", headers=kosketus).json() if w["id"] == webhook_id]
        return mine["deliveries"]["pending"] >= 1 and mine["last_error"]

    wait_until(failing, timeout=20, message="the failed delivery to show")
    process, _, posts = receiver(tmp_path, port)
    try:
        [post] = posts.wait_for(1, timeout=30)
        assert signature_ok(secret, post)
        assert json.loads(post["body"])["registration_id"] == registration["id"]
    finally:
        process.terminate()
        process.wait()
    system.call("DELETE", f"/api/webhooks/{webhook_id}", headers=kosketus)


def test_the_roster_downloads_as_a_csv_a_finnish_spreadsheet_opens(system, kosketus):
    event = own_event(system, kosketus, capacity=2, waitlist_capacity=2)
    sign_up(system, event["id"], {"name": "Äänekosken Öljynen", "phone": "0401000005", "seats": 2})
    # a name cannot start a formula (names are letters), an email address can
    late = sign_up(system, event["id"], {"name": "Åsa Åkerman", "email": "=HYPERLINK@example.fi"}).json()
    system.call("POST", f"/api/registrations/{late['id']}/check-in", headers=kosketus)  # waitlisted: refused
    first = system.call("GET", f"/api/events/{event['id']}/registrations", headers=kosketus).json()[0]
    system.call("POST", f"/api/registrations/{first['id']}/check-in", headers=kosketus)

    response = system.call("GET", f"/api/events/{event['id']}/registrations?format=csv", headers=kosketus)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nimi", "Yhteystieto", "Paikkoja", "Tila", "Jonosija", "Ilmoittautunut", "Paikalla"]
    assert rows[1][:5] == ["Äänekosken Öljynen", "+358401000005", "2", "vahvistettu", ""]
    assert rows[1][6] == "kyllä"
    assert rows[2][:5] == ["Åsa Åkerman", "'=HYPERLINK@example.fi", "1", "jonossa", "1"]
    assert rows[2][6] == ""
    day, clock = rows[1][5].split(" ")
    assert len(day.split(".")) == 3 and ":" in clock  # 27.11.2026 21:40, Helsinki time
    by_accept = system.call("GET", f"/api/events/{event['id']}/registrations",
                            headers={**kosketus, "Accept": "text/csv"})
    assert by_accept.content == response.content


def test_staff_sign_up_a_resident_who_has_no_phone_with_their_consent(system, kosketus):
    event = own_event(system, kosketus)
    body = {"name": "Eino ilman puhelinta"}
    refused = sign_up(system, event["id"], body, headers=kosketus)
    assert refused.status_code == 422 and "consent" in refused.json()["error"]["fields"]
    alone = sign_up(system, event["id"], {**body, "consent": True})  # no staff token: no contact, no sign-up
    assert alone.status_code == 422 and "phone" in alone.json()["error"]["fields"]
    assert system.call("GET", f"/api/events/{event['id']}/registrations", headers=kosketus).json() == []

    sms_before = len(system.sms.all())
    made = sign_up(system, event["id"], {**body, "consent": True}, headers=kosketus)
    assert made.status_code == 201, made.text
    other = sign_up(system, event["id"], {"name": "Toinen ilman", "consent": True}, headers=kosketus)
    assert other.status_code == 201  # the staff member's number does not make them one person
    with_phone = sign_up(system, event["id"], {"name": "Oma puhelin", "phone": "0401000006", "consent": True},
                         headers=kosketus)
    assert with_phone.status_code == 201
    messages = system.sms.wait_for(sms_before + 3)[sms_before:]
    assert sorted(m["To"] for m in messages) == ["+358401000006", "+358401112222", "+358401112222"]
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", headers=kosketus).json()
    assert all(r["consent_at"] for r in roster)
    assert {r["name"]: r["assisted_by"] for r in roster} == {
        "Eino ilman puhelinta": "Maija / Kosketus", "Toinen ilman": "Maija / Kosketus",
        "Oma puhelin": "Maija / Kosketus"}


def test_walk_ins_are_counted_without_personal_data(system, kosketus):
    event = own_event(system, kosketus, title={"fi": "Asunnottomien Yö"})
    stream = ActivityStream(system, event["id"], kosketus)
    try:
        assert system.call("POST", f"/api/events/{event['id']}/walk-ins", json={"count": 5},
                           headers=kosketus).status_code == 201
        corrected = system.call("POST", f"/api/events/{event['id']}/walk-ins", json={"count": -2}, headers=kosketus)
        assert corrected.status_code == 201 and corrected.json()["total"] == 3
        seen = stream.wait_for(lambda i: i["event"] == "walk_ins_recorded" and i["data"]["total"] == 3)
    finally:
        stream.close()
    assert seen["data"]["count"] == -2
    for bad in ({"count": -10}, {"count": 0}, {"count": "5"}, {"count": 3, "name": "Matti"}):
        response = system.call("POST", f"/api/events/{event['id']}/walk-ins", json=bad, headers=kosketus)
        assert response.status_code == 422, (bad, response.text)
    counted = system.call("GET", f"/api/events/{event['id']}/walk-ins", headers=kosketus).json()
    assert counted["total"] == 3 and [c["count"] for c in counted["counts"]] == [5, -2]


def test_a_stream_resumes_after_a_dropped_connection_with_last_event_id(system, kosketus):
    event = own_event(system, kosketus)
    stream = ActivityStream(system, event["id"], kosketus)
    try:
        sign_up(system, event["id"], {"name": "Ensin", "phone": "0401000007"})
        first = stream.wait_for(lambda i: i["event"] == "registration_confirmed")
    finally:
        stream.close()
    sign_up(system, event["id"], {"name": "Sitten", "phone": "0401000008"})
    time.sleep(0.5)
    resumed = ActivityStream(system, event["id"], kosketus, last_event_id=first["id"])
    try:
        missed = resumed.wait_for(lambda i: i["event"] == "registration_confirmed")
    finally:
        resumed.close()
    assert missed["data"]["name"] == "Sitten"
    assert all(item["data"]["name"] != "Ensin" for item in resumed.items)


@pytest.mark.long  # minutes of make test: make test-long runs it (CI too)
def test_the_contact_person_hears_how_many_are_coming_when_registration_closes(system, kosketus, city):
    import datetime as dt

    closes = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=4)
    event = own_event(system, kosketus, capacity=2, waitlist_capacity=5, summary_phone="040 333 4444",
                      registration_closes_at=closes.isoformat())
    assert event["summary_phone"] == "+358403334444"
    # the contact person's number is for the organizer's staff, not for the public or other organizers
    assert "summary_phone" not in system.call("GET", f"/api/events/{event['id']}").json()
    assert "summary_phone" not in system.call("GET", f"/api/events/{event['id']}", headers=city).json()
    assert system.call("GET", f"/api/events/{event['id']}", headers=kosketus).json()["summary_phone"]
    sign_up(system, event["id"], {"name": "Yksi", "phone": "0401000020", "seats": 2})
    sign_up(system, event["id"], {"name": "Kaksi", "phone": "0401000021", "seats": 3})

    summaries = wait_until(lambda: [m for m in system.sms.all() if m["To"] == "+358403334444"], timeout=30,
                           message="the summary to reach the contact person")
    assert "Tulossa 2 (1 ilmoittautuminen), jonossa 3" in summaries[0]["Body"]
    time.sleep(6)  # the next rounds of the closing check send nothing more
    assert len([m for m in system.sms.all() if m["To"] == "+358403334444"]) == 1


def test_a_contact_person_number_that_cannot_take_sms_is_refused(system, kosketus):
    body = {**event_body(summary_phone="014 123 456")}
    del body["organizer"]
    response = system.call("POST", "/api/events", json=body, headers=kosketus)
    assert response.status_code == 422 and "summary_phone" in response.json()["error"]["fields"]
