"""The OpenAPI document frontends build on is valid OpenAPI 3 and names every endpoint."""
from openapi_spec_validator import validate

from services.gateway.openapi import document


def test_the_openapi_document_is_valid_and_complete():
    spec = document()
    validate(spec)
    assert set(spec["paths"]) == {
        "/health", "/api/openapi.json", "/api/events", "/api/events/{id}", "/api/events/{id}/cancel",
        "/api/events/{id}/registrations", "/api/registrations/{cancel_code}", "/webhooks/twilio/status"}
