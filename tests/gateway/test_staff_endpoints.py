"""Staff endpoints through the gateway: refused without a valid token before any service is asked,
and with one, the staff member's organizer (their scope) is what the services are told."""
import pytest

from tests.gateway.conftest import ADMIN_TOKEN, EVENT_ID, KOSKETUS, event, staff

STAFF_ONLY = [
    ("GET", f"/api/events/{EVENT_ID}/registrations"),
    ("POST", "/api/events"),
    ("PATCH", f"/api/events/{EVENT_ID}"),
    ("POST", f"/api/events/{EVENT_ID}/cancel"),
    ("POST", "/api/registrations/K7MX4PRA/check-in"),
    ("POST", f"/api/events/{EVENT_ID}/walk-ins"),
    ("GET", f"/api/events/{EVENT_ID}/activity"),
    ("GET", "/api/stats"),
    ("GET", "/api/webhooks"),
]


@pytest.mark.parametrize("method, path", STAFF_ONLY)
def test_a_staff_endpoint_without_a_token_is_401_and_asks_no_service(gateway, client, method, path):
    response = client.request(method, path, json={"count": 1})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert gateway.registration.mock_calls == [] and gateway.notifications.mock_calls == []
    assert gateway.catalog.mock_calls == []


def test_an_unknown_token_is_401_after_the_catalog_said_so(gateway, client):
    response = client.get(f"/api/events/{EVENT_ID}/registrations", headers=staff("revoked-token"))
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthorized", "message": "Unknown or revoked token."}}
    gateway.catalog.authenticate.assert_called_once_with("revoked-token")
    assert gateway.registration.mock_calls == []


def test_the_roster_is_asked_for_within_the_staff_members_organizer(gateway, client):
    gateway.registration.list_registrations.return_value = []
    response = client.get(f"/api/events/{EVENT_ID}/registrations", headers=staff())
    assert response.status_code == 200 and response.json() == []
    gateway.catalog.get_event.assert_called_once_with(EVENT_ID, include_drafts=True, drafts_of=KOSKETUS)
    gateway.registration.list_registrations.assert_called_once_with(EVENT_ID, organizer=KOSKETUS, client_ref=None)


def test_an_admin_token_reaches_every_organizer(gateway, client):
    gateway.registration.list_registrations.return_value = []
    client.get(f"/api/events/{EVENT_ID}/registrations?client_ref=abc", headers=staff(ADMIN_TOKEN))
    gateway.registration.list_registrations.assert_called_once_with(EVENT_ID, organizer=None, client_ref="abc")
    gateway.catalog.authenticate.assert_not_called()


def test_another_organizers_event_is_403_and_its_registrations_are_not_asked_for(gateway, client):
    gateway.catalog.get_event.side_effect = lambda event_id, **_: event(organizer="Jyväskylän kaupunki")
    response = client.get(f"/api/events/{EVENT_ID}/registrations", headers=staff())
    assert response.status_code == 403 and response.json()["error"]["code"] == "other_organizer"
    assert gateway.registration.mock_calls == []


def test_check_in_tells_registration_who_marked_it_and_their_organizer(gateway, client):
    gateway.registration.check_in.return_value = {"id": "r-1", "attended": True}
    response = client.post("/api/registrations/K7MX4PRA/check-in", headers=staff())
    assert response.status_code == 200 and response.json() == {"id": "r-1", "attended": True}
    gateway.registration.check_in.assert_called_once_with("K7MX4PRA", {"id": "s-1", "name": "Liisa"},
                                                          attended=True, organizer=KOSKETUS)


def test_a_new_event_of_an_organizers_staff_is_that_organizers(gateway, client):
    gateway.catalog.create_event.side_effect = lambda body, organizer: {"id": EVENT_ID, **body}
    response = client.post("/api/events", json={"title": {"fi": "Kosketus"}, "capacity": 40}, headers=staff())
    assert response.status_code == 201 and response.json()["organizer"] == KOSKETUS
    gateway.catalog.create_event.assert_called_once_with(
        {"title": {"fi": "Kosketus"}, "capacity": 40, "organizer": KOSKETUS}, organizer=KOSKETUS)


def test_staff_cannot_make_an_event_for_another_organizer(gateway, client):
    response = client.post("/api/events", json={"title": {"fi": "X"}, "organizer": "Jyväskylän kaupunki"},
                           headers=staff())
    assert response.status_code == 403 and response.json()["error"]["code"] == "other_organizer"
    gateway.catalog.create_event.assert_not_called()
