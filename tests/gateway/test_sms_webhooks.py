"""Residents' texts at the gateway: Twilio's incoming-message webhook handed to notifications as it
came, and the roster showing who stopped SMS."""
from shared.errors import Forbidden
from tests.gateway.conftest import EVENT_ID, remote, staff


def test_an_inbound_text_goes_to_notifications_as_posted_and_gets_its_answer(gateway, client):
    gateway.notifications.provider_callback.return_value = {"status": 200, "content_type": "text/xml",
                                                            "body": "<Response/>"}
    form = {"MessageSid": "SM1", "From": "+358401234567", "To": "+358451234567", "Body": "PERU"}
    response = client.post("/webhooks/twilio/inbound", data=form, headers={"X-Twilio-Signature": "sig"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
    assert response.text == "<Response/>"
    provider, kind, request = gateway.notifications.provider_callback.call_args.args
    assert (provider, kind, request["form"]) == ("twilio", "inbound", form)
    assert request["url"].endswith("/webhooks/twilio/inbound") and request["headers"]["X-Twilio-Signature"] == "sig"


def test_an_unsigned_inbound_text_is_refused(gateway, client):
    gateway.notifications.provider_callback.side_effect = remote(Forbidden("not signed", code="bad_signature"))
    response = client.post("/webhooks/twilio/inbound", data={"Body": "LOPETA"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "bad_signature"


def test_the_roster_shows_whose_phone_stopped_sms(gateway, client):
    rows = [{"id": f"r-{n}", "name": "Maija", "phone": phone, "email": email, "seats": 1, "status": "confirmed",
             "waitlist_position": None, "created_at": "2026-10-01T06:30:00+00:00", "attended": False}
            for n, (phone, email) in enumerate([("+358401000001", None), ("+358401000002", None),
                                                (None, "maija@example.fi")])]
    gateway.registration.list_registrations.return_value = rows
    gateway.notifications.messages_for_registrations.return_value = {}
    gateway.notifications.stopped_phones.return_value = ["+358401000002"]
    roster = client.get(f"/api/events/{EVENT_ID}/registrations", headers=staff()).json()
    assert [r["sms_stopped"] for r in roster] == [False, True, False]
    gateway.notifications.stopped_phones.assert_called_once_with(["+358401000001", "+358401000002"])
