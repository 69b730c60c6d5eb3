"""What a service's refusal or silence looks like through the gateway: its own error, with its
status and code, or a 503 that says nothing was done; never a hang and never a stack trace."""
import time

import pytest
from kombu import Connection, Queue
from nameko.rpc import get_rpc_exchange

from shared.errors import Conflict, DatabaseUnavailable, NotFound, ValidationFailed
from tests.gateway.conftest import EVENT_ID, remote


@pytest.mark.parametrize("error, status, body", [
    (NotFound("No such registration.", code="registration_not_found"), 404,
     {"code": "registration_not_found", "message": "No such registration."}),
    (Conflict("The event has been cancelled.", code="event_cancelled"), 409,
     {"code": "event_cancelled", "message": "The event has been cancelled."}),
    (ValidationFailed("Bad code.", fields={"cancel_code": "eight letters and digits"}), 422,
     {"code": "validation_error", "message": "Bad code.", "fields": {"cancel_code": "eight letters and digits"}}),
    (DatabaseUnavailable("The database is not answering."), 503,
     {"code": "service_unavailable", "message": "The database is not answering."}),
])
def test_a_services_error_reaches_the_client_with_its_status_code_and_fields(gateway, client, error, status, body):
    gateway.registration.cancel.side_effect = remote(error)
    response = client.delete("/api/registrations/K7MX4PRA")
    assert response.status_code == status
    assert response.json() == {"error": body}


def test_a_sign_up_refused_as_full_is_409_event_full(gateway, client):
    gateway.sign_ups.register.side_effect = remote(Conflict("The event is full.", code="event_full"))
    response = client.post(f"/api/events/{EVENT_ID}/registrations", json={"name": "Maija", "phone": "0401234567"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "event_full"


def test_a_services_unexpected_failure_is_a_500_that_shows_nothing_of_it(gateway, client):
    gateway.registration.get_registration.side_effect = remote(KeyError("registrations.phone"))
    response = client.get("/api/registrations/K7MX4PRA")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error", "message": "Something went wrong on our side."}}


def test_a_service_that_does_not_answer_in_time_is_a_503_and_its_request_expires_unread(start_gateway, client,
                                                                                        rabbit_config):
    # registration's queue is there (as after any earlier start) but nobody takes from it
    queue = Queue("rpc-registration", get_rpc_exchange({}), routing_key="registration.*", durable=True)
    with Connection(rabbit_config["AMQP_URI"]) as connection:
        queue(connection).declare()
        start_gateway(keep=("registration",), RPC_TIMEOUT_SECONDS="1")
        started = time.monotonic()
        response = client.get("/api/registrations/K7MX4PRA")
        assert response.status_code == 503 and time.monotonic() - started < 5
        assert response.json() == {"error": {"code": "service_unavailable", "message":
                                             "The registration service did not answer in time; nothing was done."}}
        # a registration coming back now finds nothing to do: the request expired in the broker
        assert queue(connection).queue_declare(passive=True).message_count == 0


def test_a_service_that_was_never_started_is_a_503_that_says_nothing_was_done(start_gateway, client):
    # a fresh broker: no registration has ever declared its queue, so the request has nowhere to go
    start_gateway(keep=("registration",), RPC_TIMEOUT_SECONDS="5")
    started = time.monotonic()
    response = client.get("/api/registrations/K7MX4PRA")
    assert response.status_code == 503 and time.monotonic() - started < 5
    assert response.json() == {"error": {"code": "service_unavailable", "message":
                                         "The registration service is not running just now; nothing was done."}}
