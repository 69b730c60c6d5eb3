"""Enrolling in a series through the gateway: what it hands registration (body, Idempotency-Key,
the address's reference, who assisted and their organizer), what of the answer it shows to whom,
that enrolments count against an address as sign-ups do and code look-ups as code look-ups do."""
from services.gateway.rate_limits import client_ref
from tests.gateway.conftest import KOSKETUS, KOSKETUS_STAFF, remote, staff
from shared.errors import Conflict

SERIES_ID = "3f1c6a0e-2b8d-4c1e-9a55-7d1e0c2b9f10"
PATH = f"/api/series/{SERIES_ID}/registrations"
BODY = {"name": "Aino", "phone": "040 123 4567"}


def place(number, status="confirmed", position=None):
    return {"event_id": f"e-{number}", "session_number": number, "starts_at": f"2026-12-0{number}T15:00:00+00:00",
            "ends_at": f"2026-12-0{number}T17:00:00+00:00", "place": "Nuorisotila", "address": None,
            "event_status": "published", "status": status, "waitlist_position": position, "attended": False}


def enrolment(**changes):
    """An enrolment as registration's `enrol` answers it: more than the API's answer shows."""
    return {"id": "en-1", "series_id": SERIES_ID, "status": "confirmed", "seats": 1, "cancel_code": "K7MX-4PRA",
            "token": "link-token-22-characters", "name": "Aino", "phone": "+358401234567",
            "email": "aino.a@example.fi", "language": "fi", "channel": "sms", "created_at": "2026-11-28T10:00:00+00:00",
            "cancelled_at": None, "assisted_by": None, "consent_at": None,
            "sessions": [place(1), place(2, "waitlisted", 1)], "event": None, **changes}


def test_an_enrolment_hands_registration_the_body_key_and_reference_and_shows_each_sessions_place(gateway, client):
    gateway.registration.enrol.return_value = {"enrolment": enrolment(), "repeat_of": None}
    response = client.post(PATH, json=BODY, headers={"Idempotency-Key": "retry-1"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    assert response.json() == {
        "id": "en-1", "series_id": SERIES_ID, "status": "confirmed", "seats": 1, "cancel_code": "K7MX-4PRA",
        "token": "link-token-22-characters", "sessions": [
            {"event_id": "e-1", "session_number": 1, "starts_at": "2026-12-01T15:00:00+00:00", "status": "confirmed",
             "waitlist_position": None},
            {"event_id": "e-2", "session_number": 2, "starts_at": "2026-12-02T15:00:00+00:00",
             "status": "waitlisted", "waitlist_position": 1}]}
    gateway.registration.enrol.assert_called_once_with(
        SERIES_ID, BODY, idempotency_key="retry-1", assisted_by=None,
        client_ref=client_ref(b"client-ref-secret", "127.0.0.1"), organizer=None)


def test_staff_enrolling_someone_already_enrolled_are_told_so_without_the_code(gateway, client):
    gateway.registration.enrol.return_value = {"enrolment": enrolment(), "repeat_of": "contact"}
    response = client.post(PATH, json={**BODY, "consent": True}, headers=staff())
    assert response.status_code == 200 and response.json()["already_registered"] is True
    assert "cancel_code" not in response.json() and "token" not in response.json()
    gateway.registration.enrol.assert_called_once_with(
        SERIES_ID, {**BODY, "consent": True}, idempotency_key=None, client_ref=None, organizer=KOSKETUS,
        assisted_by={field: KOSKETUS_STAFF[field] for field in ("id", "name", "phone", "email")})


def test_an_overlong_idempotency_key_or_a_body_that_is_not_json_enrols_no_one(gateway, client):
    too_long = client.post(PATH, json=BODY, headers={"Idempotency-Key": "k" * 201})
    malformed = client.post(PATH, data="{'name'", headers={"Content-Type": "application/json"})
    assert (too_long.status_code, malformed.status_code) == (422, 400)
    gateway.registration.enrol.assert_not_called()


def test_enrolments_count_against_the_address_as_sign_ups_do(start_gateway, client):
    gateway = start_gateway(RATE_LIMIT_SIGNUPS="2/minute")
    gateway.registration.enrol.return_value = {"enrolment": enrolment(), "repeat_of": None}
    responses = [client.post(PATH, json=BODY) for _ in range(3)]
    assert [response.status_code for response in responses] == [201, 201, 429]
    assert responses[2].json()["error"]["code"] == "too_many_requests"
    assert gateway.registration.enrol.call_count == 2


def test_a_full_session_is_409_as_registration_says(gateway, client):
    gateway.registration.enrol.side_effect = remote(Conflict("The event is full.", code="event_full"))
    response = client.post(PATH, json=BODY)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "event_full")


def test_the_holder_sees_the_enrolment_masked_and_cancels_one_session_or_all(gateway, client):
    gateway.registration.get_enrolment.return_value = enrolment()
    gateway.registration.cancel_session.return_value = enrolment(sessions=[place(1, "cancelled"), place(2)])
    gateway.registration.cancel_enrolment.return_value = enrolment(status="cancelled")
    gateway.registration.erase_enrolment.return_value = {"id": "en-1", "erased": True}
    seen = client.get("/api/enrolments/K7MX4PRA")
    assert seen.status_code == 200 and seen.headers["Cache-Control"] == "no-store"
    assert (seen.json()["phone"], seen.json()["email"]) == ("+358*******67", "a***@example.fi")
    one = client.delete("/api/enrolments/K7MX4PRA/sessions/e-1")
    assert one.status_code == 200 and one.json()["sessions"][0]["status"] == "cancelled"
    gateway.registration.cancel_session.assert_called_once_with("K7MX4PRA", "e-1")
    assert client.delete("/api/enrolments/K7MX4PRA").json()["status"] == "cancelled"
    assert client.post("/api/enrolments/K7MX4PRA/erase").json() == {"id": "en-1", "erased": True}


def test_code_look_ups_of_enrolments_count_against_the_address(start_gateway, client):
    gateway = start_gateway(RATE_LIMIT_CODES="2/minute")
    gateway.registration.get_enrolment.return_value = enrolment()
    statuses = [client.get("/api/enrolments/K7MX4PRA").status_code for _ in range(2)]
    statuses.append(client.delete("/api/enrolments/K7MX4PRA/sessions/e-1").status_code)
    assert statuses == [200, 200, 429]
    gateway.registration.cancel_session.assert_not_called()


def test_a_series_statistics_are_for_staff_of_its_organizer(gateway, client):
    gateway.registration.series_stats.return_value = {"series_id": SERIES_ID, "sessions": [], "total": {
        "sessions": 0, "enrolled": 0, "attended_total": 0, "walk_ins_total": 0, "came": {}}}
    assert client.get(f"/api/series/{SERIES_ID}/stats").status_code == 401
    assert client.get(f"/api/series/{SERIES_ID}/stats", headers=staff()).status_code == 200
    gateway.registration.series_stats.assert_called_once_with(SERIES_ID, organizer=KOSKETUS)
