"""Everything we know of Twilio: sending through its Messages API, listing what it sent, and its
webhooks (status callbacks, inbound messages, X-Twilio-Signature).

What a failure to send means decides between retrying, giving up and reconciling (`classify`,
`outcome_of`): an error answer is permanent only for the codes in PERMANENT_CODES and transient
otherwise; a failure before the request left us (refused, unreachable, a connect timeout) is
transient; one after it may have gone out (a read timeout, a connection dropped mid-answer) is an
unknown outcome, settled by `find_sent` asking Twilio what it sent to the number."""
import datetime
import logging
import os

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client as TwilioClient
from urllib3.exceptions import NewConnectionError

from services.notifications.providers.errors import (
    OutcomeUnknownError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from services.notifications.providers.sms import DeliveryReport, InboundSms, SmsClient, SmsWebhooks
from shared.provider_webhooks import webhook_path

NAME = "twilio"
# Twilio's client logs whole requests, phone numbers included, at INFO.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

# What `classify` treats as permanent; every other refusal is transient. Retrying these cannot
# help: invalid number, opted out, unroutable, not SMS-capable, region not enabled, sender not
# SMS-capable for the destination.
PERMANENT_CODES = {21211, 21610, 21612, 21614, 21408, 21606}
PERMANENT, TRANSIENT, UNKNOWN = "permanent", "transient", "unknown"
# How far before the hand-over a listed message may be dated (Twilio's clock against ours).
CLOCK_SKEW = datetime.timedelta(minutes=10)
# Twilio's MessageStatus -> ours; the ones in between (queued, sending, accepted, …) change nothing.
STATUSES = {"sent": "sent", "delivered": "delivered", "undelivered": "undelivered", "failed": "failed"}


def classify(status, code):
    """An error answer from Twilio (HTTP status, Twilio code): PERMANENT only for PERMANENT_CODES,
    the refusals of this recipient that no retry can change. Twilio busy or down is TRANSIENT,
    and so is any other refusal (a wrong auth token, a suspended account, a sender not yet
    enabled): an operator fixes those within the day, and the messages then go out instead of
    being lost."""
    if code in PERMANENT_CODES:
        return PERMANENT
    return TRANSIENT


def outcome_of(exc):
    """A failure with no answer from Twilio: TRANSIENT when the request cannot have left us,
    UNKNOWN when it may have reached Twilio."""
    if isinstance(exc, requests.ConnectTimeout):
        return TRANSIENT
    if isinstance(exc, requests.ConnectionError):
        cause = exc.args[0] if exc.args else None
        # refused or unresolvable: requests wraps urllib3's NewConnectionError, usually in a MaxRetryError
        if isinstance(cause, NewConnectionError) or isinstance(getattr(cause, "reason", None), NewConnectionError):
            return TRANSIENT
        if isinstance(exc, requests.exceptions.SSLError):  # the handshake comes before the request
            return TRANSIENT
    return UNKNOWN


def status_callback_url(public_base_url):
    """Where Twilio reports on each SMS we send: our public address and the status webhook's path."""
    return public_base_url.rstrip("/") + webhook_path(NAME, "status")


class TwilioSms(SmsClient):
    """SMS through Twilio's Messages API at `api_url`, from the number `sender`, or from the pool of
    the Messaging Service `messaging_service_sid` when one is given (Twilio then picks the number);
    `status_callback` is the URL its delivery reports go to (none: no reports)."""

    name = NAME

    def __init__(self, account_sid, auth_token, sender, api_url, timeout, status_callback=None, connections=10,
                 messaging_service_sid=None):
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
        self.client = TwilioClient(account_sid, auth_token, http_client=http)
        # The Messages API lives on the `api` domain; pointing it elsewhere serves local doubles.
        self.client.api.base_url = api_url.rstrip("/")
        # MessagingServiceSid instead of From: Twilio spreads the messages over the service's numbers
        self.sent_from = {"messaging_service_sid": messaging_service_sid} if messaging_service_sid \
            else {"from_": sender}
        self.status_callback = status_callback

    def try_send_sms(self, to, body, reference):
        """Twilio's message SID; its refusals and lost answers in our terms (module docstring)."""
        extra = {"status_callback": self.status_callback} if self.status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=body, **self.sent_from, **extra)
        except TwilioRestException as exc:
            error = TransientDeliveryError if classify(exc.status, exc.code) == TRANSIENT else PermanentDeliveryError
            raise error(f"Twilio {exc.status}: {exc.msg}", code=str(exc.code or exc.status))
        except (requests.RequestException, TwilioException) as exc:
            if outcome_of(exc) == TRANSIENT:
                raise TransientDeliveryError(f"Twilio unreachable: {type(exc).__name__}", code="connection")
            raise OutcomeUnknownError(f"Twilio's answer lost: {type(exc).__name__}", code="unknown")
        return message.sid

    def find_sent(self, to, body, handed_over_at, known_refs=()):
        """The SID of a message Twilio accepted to `to` with this `body` since `handed_over_at`
        (and not one of `known_refs`, our other messages' SIDs), or None. Twilio lists newest
        first, so the pages are read back only to the hand-over. TransientDeliveryError when
        Twilio cannot say now."""
        since = handed_over_at - CLOCK_SKEW
        try:
            for message in self.client.messages.stream(to=to, page_size=50):
                created = message.date_created
                if created is not None and created < since:
                    return None
                if message.body == body and message.sid not in known_refs:
                    return message.sid
        except (requests.RequestException, TwilioException) as exc:
            raise TransientDeliveryError(f"Twilio's list unreachable: {type(exc).__name__}", code="connection")
        return None


class TwilioWebhooks(SmsWebhooks):
    """Twilio's posts to us, checked with X-Twilio-Signature: an HMAC of the public URL and the
    posted form keyed with the auth token. Without a token nothing can be checked, so nothing is
    accepted."""

    name, title = NAME, "Twilio"

    def __init__(self, auth_token):
        self.validator = RequestValidator(auth_token) if auth_token else None

    def is_signed(self, url, form, headers):
        signature = headers.get("x-twilio-signature", "")
        return bool(self.validator and signature and self.validator.validate(url, form, signature))

    def delivery_report(self, form):
        status, sid = STATUSES.get(form.get("MessageStatus", "")), form.get("MessageSid")
        if not (status and sid):
            return None
        return DeliveryReport(sid, status, form.get("ErrorCode") or None)

    def inbound_sms(self, form):
        if not (form.get("MessageSid") and form.get("From")):
            return None
        return InboundSms(provider_ref=form["MessageSid"], sender=form["From"], recipient=form.get("To", ""),
                          body=form.get("Body", ""), account=form.get("AccountSid", ""))

    def answer(self, kind):
        if kind == "inbound":
            # Twilio would send any other TwiML as a reply; ours go out as tracked messages.
            return {"status": 200, "content_type": "text/xml", "body": "<Response/>"}
        return super().answer(kind)
