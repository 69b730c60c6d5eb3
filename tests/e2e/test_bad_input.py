"""Bad input gets a clear JSON error with the right status and changes nothing: no registration
is written and no message is sent."""
import pytest

from tests.e2e.helpers import create_event, event_body, sign_up

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def event(system):
    mail_before = len(system.mail.all())
    event = create_event(system)
    # make sure registration knows it, so that what follows is refused for its own reasons
    first = sign_up(system, event["id"], {"name": "Ensimmäinen", "email": "first@example.fi"})
    assert first.status_code == 201
    system.mail.wait_for(mail_before + 1)
    return event


def nothing_changed(system, event, messages_before):
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
    assert len(roster) == 1
    assert len(system.sms.all()) + len(system.mail.all()) == messages_before


@pytest.mark.parametrize("body, field", [
    ({"name": "Maija", "phone": "123"}, "phone"),
    ({"name": "Maija", "phone": "+1 212 555 0100"}, "phone"),
    ({"name": "Maija", "email": "maija@"}, "email"),
    ({"name": "Maija"}, "phone"),
    ({"name": "Maija", "phone": "0401234567", "language": "de"}, "language"),
    ({"name": "Maija", "phone": "0401234567", "seats": 0}, "seats"),
    ({"name": "Maija", "phone": "0401234567", "seats": 6}, "seats"),
    ({"name": "Maija", "phone": "0401234567", "seats": "1"}, "seats"),
    ({"phone": "0401234567"}, "name"),
    ({"name": ["Maija"], "phone": "0401234567"}, "name"),
])
def test_invalid_signups_are_refused_with_422_naming_the_field(system, event, body, field):
    before = len(system.sms.all()) + len(system.mail.all())
    response = sign_up(system, event["id"], body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]
    nothing_changed(system, event, before)


def test_a_body_that_is_not_json_is_a_400(system, event):
    before = len(system.sms.all()) + len(system.mail.all())
    response = system.call("POST", f"/api/events/{event['id']}/registrations", data=b"{name: Maija",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_json"
    nothing_changed(system, event, before)


def test_a_body_that_is_not_an_object_is_a_422(system, event):
    response = system.call("POST", f"/api/events/{event['id']}/registrations", json=["Maija", "0401234567"])
    assert response.status_code == 422


def test_a_form_post_is_a_415(system, event):
    response = system.call("POST", f"/api/events/{event['id']}/registrations", data={"name": "Maija"})
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"


def test_a_huge_body_is_a_413(system, event):
    before = len(system.sms.all()) + len(system.mail.all())
    response = system.call("POST", f"/api/events/{event['id']}/registrations",
                           json={"name": "M" * 200_000, "phone": "0401234567"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    nothing_changed(system, event, before)


def test_an_unknown_event_is_a_404(system):
    response = sign_up(system, "no-such-event", {"name": "Maija", "phone": "0401234567"}, wait_for_event=False)
    assert response.status_code == 404 and response.json()["error"]["code"] == "event_not_found"
    assert system.call("GET", "/api/events/no-such-event").status_code == 404


def test_a_cancelled_event_is_a_409(system):
    event = create_event(system)
    sign_up(system, event["id"], {"name": "A", "email": "a@example.fi"})
    system.call("POST", f"/api/events/{event['id']}/cancel", staff=True)
    for _ in range(100):
        response = sign_up(system, event["id"], {"name": "Maija", "phone": "0401234567"})
        if response.status_code == 409:
            break
    assert response.json()["error"]["code"] == "event_cancelled"


def test_staff_calls_without_a_valid_token_are_refused(system):
    assert system.call("POST", "/api/events", json=event_body()).status_code == 401
    wrong = system.call("POST", "/api/events", json=event_body(), headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"


def test_an_invalid_event_is_refused_naming_the_fields(system):
    response = system.call("POST", "/api/events", staff=True, json=event_body(capacity="lots", ends_at="2020-01-01T00:00:00+02:00"))
    assert response.status_code == 422
    assert "capacity" in response.json()["error"]["fields"]


def test_an_unknown_path_answers_json(system):
    response = system.call("GET", "/api/nothing-here")
    assert response.status_code == 404 and response.json()["error"]["code"] == "no_such_endpoint"
