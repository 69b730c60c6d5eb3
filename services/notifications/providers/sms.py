"""SMS through Twilio's Messages API (or the console, when Twilio is not configured)."""
import logging
import os
import uuid

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from services.notifications.providers.errors import (
    PermanentDeliveryError,
    TransientDeliveryError,
)
from shared.logs import mask_phone

log = logging.getLogger(__name__)
# Twilio's client logs whole requests, phone numbers included, at INFO.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

# Retrying these cannot help: invalid number, opted out, unroutable, not SMS-capable.
PERMANENT_CODES = {21211, 21610, 21612, 21614, 21408, 21606}
TRANSIENT_CODES = {20429, 20500, 20503}


class TwilioSms:
    name = "twilio"

    def __init__(self, account_sid, auth_token, sender, api_url, timeout, status_callback=None, connections=10):
        http = TwilioHttpClient(timeout=timeout)
        # One kept-alive connection per concurrent sender: the library's pool holds cpu_count + 4,
        # and every send beyond that would pay a new TCP and TLS handshake.
        for scheme in ("https://", "http://"):
            http.session.mount(scheme, HTTPAdapter(pool_maxsize=connections))
        # requests reads proxy and CA settings from the environment on every request (a sixth of
        # a send's CPU): read them once, here.
        http.session.proxies.update(requests.utils.get_environ_proxies(api_url))
        ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if ca_bundle:
            http.session.verify = ca_bundle
        http.session.trust_env = False
        self.client = Client(account_sid, auth_token, http_client=http)
        # The Messages API lives on the `api` domain; pointing it elsewhere serves local doubles.
        self.client.api.base_url = api_url.rstrip("/")
        self.sender = sender
        self.status_callback = status_callback

    def send(self, to, body, reference):
        """Send one SMS; returns Twilio's message SID."""
        extra = {"status_callback": self.status_callback} if self.status_callback else {}
        try:
            message = self.client.messages.create(to=to, from_=self.sender, body=body, **extra)
        except TwilioRestException as exc:
            code = exc.code or exc.status
            if exc.status == 429 or exc.status >= 500 or exc.code in TRANSIENT_CODES:
                raise TransientDeliveryError(f"Twilio {exc.status}: {exc.msg}", code=str(code))
            raise PermanentDeliveryError(f"Twilio {exc.status}: {exc.msg}", code=str(code))
        except (requests.RequestException, TwilioException) as exc:
            raise TransientDeliveryError(f"Twilio unreachable: {exc}", code="connection")
        return message.sid


class ConsoleSms:
    """Prints the message instead of sending it: for a laptop with no Twilio account."""

    name = "console"

    def send(self, to, body, reference):
        print(f"--- SMS to {mask_phone(to)} ---\n{body}\n--- end of SMS ---", flush=True)
        return f"console-{uuid.uuid4()}"
