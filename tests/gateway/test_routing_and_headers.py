"""What a frontend meets before any service is asked: unknown paths and methods answered in the
one JSON error shape, OPTIONS and CORS preflights, and the security headers on every answer."""
from tests.gateway.conftest import EVENT_ID, staff

FRONTEND = "https://tapahtumat.example.fi"


def test_an_unknown_path_is_a_json_404_and_no_service_is_asked(gateway, client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "no_such_endpoint",
                                         "message": "No such endpoint: GET /api/nothing-here"}}
    assert gateway.catalog.mock_calls == [] and gateway.registration.mock_calls == []


def test_a_method_the_path_does_not_take_is_a_json_405_naming_the_ones_it_does(gateway, client):
    response = client.put("/api/events")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert gateway.catalog.mock_calls == []


def test_options_answers_204_with_allow(gateway, client):
    response = client.options("/api/registrations/K7MX4PRA")
    assert response.status_code == 204
    assert response.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS"


def test_a_listed_origin_may_sign_up_from_its_own_pages(start_gateway, client):
    start_gateway(CORS_ORIGINS=FRONTEND)
    preflight = client.options(f"/api/events/{EVENT_ID}/registrations", headers={
        "Origin": FRONTEND, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"].split(", ")
    # a cross-origin page can never send a staff token
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type, Idempotency-Key"
    answer = client.get(f"/api/events/{EVENT_ID}", headers={"Origin": FRONTEND})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == FRONTEND


def test_staff_endpoints_and_unlisted_origins_get_no_cors_opening(start_gateway, client):
    start_gateway(CORS_ORIGINS=FRONTEND)
    staff_only = client.options("/api/events", headers={"Origin": FRONTEND, "Access-Control-Request-Method": "POST"})
    stranger = client.options(f"/api/events/{EVENT_ID}/registrations", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    roster = client.get(f"/api/events/{EVENT_ID}/registrations", headers={"Origin": FRONTEND, **staff()})
    for response in (staff_only, stranger, roster):
        assert "Access-Control-Allow-Origin" not in response.headers, response.request.url


def test_answers_and_errors_carry_the_security_headers(gateway, client):
    for response in (client.get(f"/api/events/{EVENT_ID}"), client.get("/api/nothing-here"),
                     client.get(f"/api/events/{EVENT_ID}/registrations")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Strict-Transport-Security" not in response.headers  # PUBLIC_BASE_URL is http here


def test_behind_https_answers_carry_hsts(start_gateway, client):
    start_gateway(PUBLIC_BASE_URL="https://yhdessa.example.fi")
    assert client.get(f"/api/events/{EVENT_ID}").headers["Strict-Transport-Security"] == "max-age=31536000"
