"""Signing up through the gateway: what it hands registration (the body, the Idempotency-Key, the
client reference of the address, who assisted), and what of the answer it shows to whom."""
from services.gateway.rate_limits import client_ref
from tests.gateway.conftest import EVENT_ID, KOSKETUS_STAFF, staff

SIGN_UP = {"name": "Maija", "phone": "040 123 4567", "seats": 2}
PATH = f"/api/events/{EVENT_ID}/registrations"


def registration(**changes):
    """A registration as registration's `register` answers it: more than a sign-up's answer shows."""
    return {"id": "r-1", "event_id": EVENT_ID, "status": "confirmed", "seats": 2, "waitlist_position": None,
            "cancel_code": "K7MX4PRA", "token": "link-token-22-characters", "name": "Maija",
            "phone": "+358401234567", "email": None, "language": "fi", **changes}


def test_a_sign_up_hands_registration_the_body_key_and_address_reference_and_shows_the_code(gateway, client):
    gateway.sign_ups.register.return_value = {"registration": registration(), "repeat_of": None}
    response = client.post(PATH, json=SIGN_UP, headers={"Idempotency-Key": "retry-1"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    assert response.json() == {"id": "r-1", "event_id": EVENT_ID, "status": "confirmed", "seats": 2,
                               "waitlist_position": None, "cancel_code": "K7MX4PRA",
                               "token": "link-token-22-characters"}
    gateway.sign_ups.register.assert_called_once_with(
        EVENT_ID, SIGN_UP, idempotency_key="retry-1", assisted_by=None,
        client_ref=client_ref(b"client-ref-secret", "127.0.0.1"))


def test_the_same_request_again_gets_the_first_answer_with_its_code(gateway, client):
    gateway.sign_ups.register.return_value = {"registration": registration(token=None), "repeat_of": "request"}
    response = client.post(PATH, json=SIGN_UP, headers={"Idempotency-Key": "retry-1"})
    assert response.status_code == 200
    assert response.json()["already_registered"] is True and response.json()["cancel_code"] == "K7MX4PRA"


def test_staff_signing_up_someone_already_registered_are_told_so_without_the_code(gateway, client):
    gateway.sign_ups.register.return_value = {"registration": registration(), "repeat_of": "contact"}
    response = client.post(PATH, json={**SIGN_UP, "consent": True}, headers=staff())
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.json() == {"id": "r-1", "event_id": EVENT_ID, "status": "confirmed", "seats": 2,
                               "waitlist_position": None, "already_registered": True}
    # an assisted sign-up records who helped, and is no client's: staff are not limited per address
    gateway.sign_ups.register.assert_called_once_with(
        EVENT_ID, {**SIGN_UP, "consent": True}, idempotency_key=None, client_ref=None,
        assisted_by={field: KOSKETUS_STAFF[field] for field in ("id", "name", "phone", "email")})


def test_an_overlong_idempotency_key_is_422_and_signs_no_one_up(gateway, client):
    response = client.post(PATH, json=SIGN_UP, headers={"Idempotency-Key": "k" * 201})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"Idempotency-Key": "at most 200 characters"}
    gateway.sign_ups.register.assert_not_called()


def test_a_body_that_is_not_json_is_refused_before_registration_sees_it(gateway, client):
    unsupported = client.post(PATH, data="name=Maija", headers={"Content-Type": "application/x-www-form-urlencoded"})
    malformed = client.post(PATH, data="{'name': 'Maija'", headers={"Content-Type": "application/json"})
    assert (unsupported.status_code, unsupported.json()["error"]["code"]) == (415, "unsupported_media_type")
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, "malformed_json")
    gateway.sign_ups.register.assert_not_called()


def test_one_address_signing_up_too_often_is_told_when_to_try_again(start_gateway, client):
    gateway = start_gateway(RATE_LIMIT_SIGNUPS="2/minute")
    gateway.sign_ups.register.return_value = {"registration": registration(seats=1), "repeat_of": None}
    responses = [client.post(PATH, json={"name": "Maija", "phone": "0401234567"}) for _ in range(3)]
    assert [response.status_code for response in responses] == [201, 201, 429]
    assert responses[2].json()["error"]["code"] == "too_many_requests"
    assert 0 < int(responses[2].headers["Retry-After"]) <= 60
    assert gateway.sign_ups.register.call_count == 2


def test_whoever_holds_a_code_sees_the_registration_with_its_contacts_masked(gateway, client):
    gateway.registration.get_registration.return_value = registration(email="maija.meikalainen@example.fi")
    response = client.get("/api/registrations/K7MX4PRA")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert (response.json()["phone"], response.json()["email"]) == ("+358*******67", "m***@example.fi")
    gateway.registration.get_registration.assert_called_once_with("K7MX4PRA")


def test_retrying_a_sign_up_with_its_key_is_answered_even_when_it_filled_the_addresss_seats(start_gateway, client):
    # a resident on a flaky connection: the second sign-up made the address's seats full, its
    # answer was lost, and the retry with the same Idempotency-Key must get that answer, not a 429
    gateway = start_gateway(SEATS_PER_ADDRESS_PER_EVENT="4")
    gateway.sign_ups.register.side_effect = [
        {"registration": registration(id="r-1"), "repeat_of": None},
        {"registration": registration(id="r-2", cancel_code="P3QR7TWX"), "repeat_of": None},
        {"registration": registration(id="r-2", cancel_code="P3QR7TWX", token=None), "repeat_of": "request"},
    ]
    assert client.post(PATH, json=SIGN_UP, headers={"Idempotency-Key": "first"}).status_code == 201
    assert client.post(PATH, json=SIGN_UP, headers={"Idempotency-Key": "second"}).status_code == 201
    retry = client.post(PATH, json=SIGN_UP, headers={"Idempotency-Key": "second"})
    assert retry.status_code == 200, retry.text
    assert retry.json()["cancel_code"] == "P3QR7TWX" and retry.json()["already_registered"] is True
    # the retry took no seats: a new sign-up from the address is still over its seats
    refused = client.post(PATH, json=SIGN_UP, headers={"Idempotency-Key": "third"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "too_many_seats")
    assert gateway.sign_ups.register.call_count == 3
