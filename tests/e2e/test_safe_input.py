"""Safe in public (issue 12, items 1, 8, 9 and 10), through HTTP against the running system: no
scam text rides a name into an SMS, text fields carry nothing invisible, no input gives a 500,
bodies are capped before anything parses them, OPTIONS and wrong methods answer in JSON, every
answer carries security headers, CORS opens the public endpoints to listed origins only, and
staff reach only their own organizer's events."""
import datetime as dt
import socket
import unicodedata
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import create_event, event_body, event_start, sign_up, staff_token
from tests.system import start_system

pytestmark = pytest.mark.e2e

FRONTEND = "https://tapahtumat.example"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    """The system with a frontend on another origin allowed (CORS_ORIGINS)."""
    system, stop = start_system(tmp_path_factory.mktemp("safe-input"), CORS_ORIGINS=FRONTEND)
    yield system
    stop()


@pytest.fixture(scope="module")
def event(system):
    return create_event(system)


def messages(system):
    return len(system.sms.all()) + len(system.mail.all())


def roster(system, event):
    return system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()


def refused(response, status, code, field=None):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    if field is not None:
        assert field in error["fields"], error
    return error


# --- 1. names: no link, no number, any script --------------------------------------------------

@pytest.mark.parametrize("name", [
    "Voitit 500 e! Lunasta: https://evil.example/x", "Lunasta palkintosi evil.example", "Soita 0401234567",
    "Maija\u202eLiisa", "Maija\u200b", "M" * 61,
])
def test_a_name_that_could_carry_a_scam_into_an_sms_is_refused_and_nothing_is_sent(system, event, name):
    before, people = messages(system), len(roster(system, event))
    refused(sign_up(system, event["id"], {"name": name, "phone": "0401234567"}), 422, "validation_error", "name")
    assert len(roster(system, event)) == people and messages(system) == before


def test_names_in_any_script_are_taken_and_greeted_as_written(system, event):
    sms_before = len(system.sms.all())
    names = ["Anna-Liisa O\u2019Brien", "محمد علي", "Cabdi Xasan", "Сергей", "Jo\u0308rn J. Nyström"]
    for number, name in enumerate(names):
        assert sign_up(system, event["id"], {"name": name, "phone": f"04077700{number:02d}"}).status_code == 201
    bodies = [message["Body"] for message in system.sms.wait_for(sms_before + len(names))[sms_before:]]
    written = [unicodedata.normalize("NFC", name).replace("\u2019", "'") for name in names]
    assert all(any(name in body for body in bodies) for name in written), bodies


# --- 8. text fields ---------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field", [
    ({"title": {"fi": "Asunnottomien Yö\nBcc: everyone@example.fi"}}, "title.fi"),
    ({"place": "Tourujoen\u200b puisto"}, "place"),
    ({"description": {"fi": "Tervetuloa\u202e"}}, "description.fi"),
    ({"organizer": "Jyväskylän\x00 kaupunki"}, "organizer"),
])
def test_text_with_line_breaks_control_zero_width_or_bidi_characters_is_refused(system, changes, field):
    refused(system.call("POST", "/api/events", staff=True, json=event_body(**changes)), 422, "validation_error", field)


def test_event_texts_are_stored_nfc_normalised(system):
    made = create_event(system, title={"fi": "Asunnottomien Yo\u0308"}, place="Tourujoen puisto")
    assert made["title"]["fi"] == "Asunnottomien Yö"
    assert system.call("GET", f"/api/events/{made['id']}").json()["title"]["fi"] == "Asunnottomien Yö"


# --- 10. no input gives a 500 -------------------------------------------------------------------

def test_a_cleared_title_is_refused_and_a_cleared_description_is_removed(system):
    made = create_event(system)
    refused(system.call("PATCH", f"/api/events/{made['id']}", staff=True, json={"title": None}),
            422, "validation_error", "title")
    cleared = system.call("PATCH", f"/api/events/{made['id']}", staff=True, json={"description": None})
    assert cleared.status_code == 200, cleared.text
    assert system.call("GET", f"/api/events/{made['id']}").json()["description"] == {}


def deep(levels):
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/events"), ("PATCH", "/api/events/{id}"), ("POST", "/api/events/{id}/registrations"),
    ("POST", "/api/events/{id}/walk-ins"), ("POST", "/api/webhooks"),
])
def test_json_nested_thousands_deep_is_a_400_on_every_json_endpoint(system, event, method, path):
    for levels in (5000, 100):  # past Python's recursion limit, and past ours
        response = system.call(method, path.format(id=event["id"]), staff=True, data=deep(levels),
                               headers={"Content-Type": "application/json"})
        refused(response, 400, "too_deeply_nested")


@pytest.mark.parametrize("raw", [b'{"name": "Maija\\ud800", "phone": "0401234567"}', b'{"\\udfff": 1}',
                                 b'{"name": "Maija", "phone": "0401234567", "seats": NaN}'])
def test_json_that_is_not_text_or_not_json_is_a_400_and_nothing_is_written(system, event, raw):
    before, people = messages(system), len(roster(system, event))
    response = system.call("POST", f"/api/events/{event['id']}/registrations", data=raw,
                           headers={"Content-Type": "application/json"})
    refused(response, 400, "malformed_json")
    assert len(roster(system, event)) == people and messages(system) == before


@pytest.mark.parametrize("query, field", [
    ("limit=\u00b2", "limit"), ("offset=\u00b9", "offset"), ("limit=" + "9" * 5000, "limit"),
    ("from=0001-01-01", "from"), ("to=9999-12-31", "to"), ("q=%00", "q"),
])
def test_odd_digits_extreme_dates_and_control_characters_in_queries_are_a_422(system, query, field):
    refused(system.call("GET", f"/api/events?{query}"), 422, "validation_error", field)


@pytest.mark.parametrize("starts_at", ["0001-01-01T10:00:00+02:00", "9999-12-31T10:00:00-05:00",
                                       "9999-01-01T10:00:00+02:00"])
def test_an_event_in_year_1_or_9999_is_refused(system, starts_at):
    start = dt.datetime.fromisoformat(starts_at)
    body = event_body(starts_at=starts_at, ends_at=(start + dt.timedelta(hours=2)).isoformat())
    refused(system.call("POST", "/api/events", staff=True, json=body), 422, "validation_error", "starts_at")


@pytest.mark.parametrize("field", ["registration_opens_at", "registration_closes_at"])
def test_a_registration_window_in_year_1_or_9999_is_refused(system, event, field):
    moment = "0001-01-01T00:00:00+02:00" if field.endswith("opens_at") else "9999-12-31T23:00:00-05:00"
    refused(system.call("POST", "/api/events", staff=True, json=event_body(**{field: moment})),
            422, "validation_error", field)
    refused(system.call("PATCH", f"/api/events/{event['id']}", staff=True, json={field: moment}),
            422, "validation_error", field)


def test_an_event_more_than_a_few_years_ahead_is_refused_and_cannot_be_moved_there(system, event):
    start = event_start(days=4 * 365)
    times = {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat()}
    refused(system.call("POST", "/api/events", staff=True, json=event_body(**times)), 422, "validation_error", "starts_at")
    refused(system.call("PATCH", f"/api/events/{event['id']}", staff=True, json=times), 422, "validation_error", "starts_at")
    assert system.call("GET", f"/api/events/{event['id']}").json()["starts_at"] == event["starts_at"]


def raw_request(system, head, body=b""):
    """Send bytes on a socket of our own and read the status line; a server that waited for the
    rest of a body it should have refused would leave this waiting until the timeout."""
    address = urlsplit(system.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=20) as connection:
        connection.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer


def test_a_huge_form_is_refused_before_it_is_read_or_its_signature_checked(system):
    # 300 MB announced, 1 KiB sent: the answer comes without the gateway reading any further
    head = (b"POST /webhooks/twilio/status HTTP/1.1\r\nHost: gateway\r\nX-Twilio-Signature: anything\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 300000000\r\n\r\n")
    answer = raw_request(system, head, b"MessageSid=" + b"x" * 1024)
    assert answer.startswith(b"HTTP/1.1 413"), answer
    response = system.call("POST", "/webhooks/twilio/status", data={"MessageSid": "x" * 100_000},
                           headers={"X-Twilio-Signature": "anything"})
    refused(response, 413, "payload_too_large")


# --- 10. OPTIONS and methods a path does not take -----------------------------------------------

def test_options_answers_204_with_the_methods_a_path_takes(system, event):
    response = system.call("OPTIONS", f"/api/events/{event['id']}")
    assert response.status_code == 204
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "PATCH", "OPTIONS"}


def test_a_method_a_known_path_does_not_take_is_a_405_in_json_with_allow(system, event):
    response = system.call("PUT", f"/api/events/{event['id']}", staff=True, json={"capacity": 1})
    refused(response, 405, "method_not_allowed")
    assert "PATCH" in response.headers["Allow"]
    assert system.call("GET", f"/api/events/{event['id']}").json()["capacity"] == event["capacity"]
    refused(system.call("PUT", "/api/nothing-here"), 404, "no_such_endpoint")


# --- 9. security headers and CORS ---------------------------------------------------------------

@pytest.mark.parametrize("method, path, staff", [
    ("GET", "/api/events", False), ("GET", "/api/events/no-such-event", False), ("GET", "/api/events?limit=0", False),
    ("GET", "/api/nothing-here", False), ("OPTIONS", "/api/events", False), ("POST", "/api/events", False),
    ("GET", "/api/webhooks", True), ("GET", "/api/openapi.json", False), ("GET", "/", False),
])
def test_every_answer_carries_the_security_headers(system, method, path, staff):
    headers = system.call(method, path, staff=staff).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=")  # PUBLIC_BASE_URL is https here


def preflight(system, path, method, origin=FRONTEND):
    return system.call("OPTIONS", path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                                 "Access-Control-Request-Headers": "content-type"})


def test_a_listed_frontend_may_list_events_and_sign_up_without_credentials(system, event):
    listed = system.call("GET", "/api/events", headers={"Origin": FRONTEND})
    assert listed.headers["Access-Control-Allow-Origin"] == FRONTEND and "Origin" in listed.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in listed.headers
    allowed = preflight(system, f"/api/events/{event['id']}/registrations", "POST")
    assert allowed.status_code == 204 and allowed.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert "content-type" in allowed.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" not in allowed.headers["Access-Control-Allow-Headers"].lower()
    made = sign_up(system, event["id"], {"name": "Frontend Asukas", "phone": "0407771111"}, headers={"Origin": FRONTEND})
    assert made.status_code == 201 and made.headers["Access-Control-Allow-Origin"] == FRONTEND
    own = system.call("GET", f"/api/registrations/{made.json()['cancel_code']}", headers={"Origin": FRONTEND})
    assert own.headers["Access-Control-Allow-Origin"] == FRONTEND


def test_another_origin_and_the_staff_endpoints_are_never_cors_open(system, event):
    assert "Access-Control-Allow-Origin" not in preflight(
        system, f"/api/events/{event['id']}/registrations", "POST", origin="https://evil.example").headers
    assert "Access-Control-Allow-Origin" not in system.call(
        "GET", "/api/events", headers={"Origin": "https://evil.example"}).headers
    for path, method in (("/api/events", "POST"), (f"/api/events/{event['id']}", "PATCH"),
                         (f"/api/events/{event['id']}/registrations", "GET"), ("/api/webhooks", "POST")):
        assert "Access-Control-Allow-Origin" not in preflight(system, path, method).headers, (method, path)
    staff_answer = system.call("GET", f"/api/events/{event['id']}/registrations", staff=True,
                               headers={"Origin": FRONTEND})
    assert staff_answer.status_code == 200 and "Access-Control-Allow-Origin" not in staff_answer.headers


# --- 9 and 10. staff reach their own organizer's events only -------------------------------------

def test_staff_cannot_sign_a_resident_up_to_another_organizers_event(system, event):
    other = staff_token(system, "Maija / Kosketus", "Keski-Suomen järjestöverkosto", "--phone", "040 111 2222")
    before, people = messages(system), len(roster(system, event))
    response = sign_up(system, event["id"], {"name": "Eino Esimerkki", "consent": True}, headers=other)
    refused(response, 403, "other_organizer")
    assert len(roster(system, event)) == people and messages(system) == before
