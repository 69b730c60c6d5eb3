"""POSTing a signed body to an organizer's webhook receiver."""
import requests

from services.notifications.providers.errors import TransientDeliveryError
from services.notifications.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, sign


class WebhookClient:
    def __init__(self, timeout):
        self.timeout = timeout
        self.session = requests.Session()

    def post(self, url, secret, event_id, body):
        """POST `body` (bytes); TransientDeliveryError unless the receiver answers 2xx."""
        headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(secret, body),
                   EVENT_ID_HEADER: event_id, "User-Agent": "Yhdessa-Webhooks/1"}
        try:
            response = self.session.post(url, data=body, headers=headers, timeout=self.timeout,
                                         allow_redirects=False)
        except requests.RequestException as exc:
            raise TransientDeliveryError(f"unreachable: {type(exc).__name__}", code="connection")
        if not 200 <= response.status_code < 300:
            raise TransientDeliveryError(f"answered {response.status_code}", code=str(response.status_code))
