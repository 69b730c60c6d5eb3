"""What every SMS provider shares, and what a provider implements (twilio.py is one).

Sending: `SmsClient.send_sms` times and logs every call (client.py); the provider writes only
`try_send_sms`, which returns its id of the message or raises our own errors (errors.py), and
`find_sent`, which tells reconciliation.py whether it accepted a message whose answer was lost.

Webhooks: a provider's `SmsWebhooks` checks a request's signature and reads its form into the
provider-neutral values below; provider_callbacks.py does the rest. The console stands in for a
provider on a laptop with no SMS account."""
import uuid
from dataclasses import dataclass

from services.notifications.providers.client import Client
from shared.logs import mask_phone


@dataclass(frozen=True)
class DeliveryReport:
    """A provider's word on a message it took: `status` is ours (sent, delivered, undelivered,
    failed), `error_code` the provider's own (kept for statistics) or None."""

    provider_ref: str
    status: str
    error_code: str | None = None


@dataclass(frozen=True)
class InboundSms:
    """An SMS a resident sent to one of our numbers: `sender` and `recipient` as the provider
    gives them (E.164), `provider_ref` its id there (the same message twice has one effect),
    `account` the provider account it came to."""

    provider_ref: str
    sender: str
    recipient: str
    body: str
    account: str


class SmsClient(Client):
    """Base of every SMS provider: a provider implements `try_send_sms` and `find_sent`."""

    def send_sms(self, to, body, reference):
        """Send one SMS (`reference`: our message's id); returns the provider's id of it.
        TransientDeliveryError: not sent, try again later; PermanentDeliveryError: this
        recipient can never get it; OutcomeUnknownError: it may have gone out."""
        return self._timed(reference, self.try_send_sms, to, body, reference)

    def try_send_sms(self, to, body, reference):
        """The provider's own call, as `send_sms` says."""
        raise NotImplementedError

    def find_sent(self, to, body, handed_over_at, known_refs=()):
        """The provider's id of a message it accepted to `to` with this `body` since
        `handed_over_at` and not one of `known_refs` (our other messages' ids), or None: then
        the message is sent again. TransientDeliveryError when the provider cannot say now."""
        raise NotImplementedError


class SmsWebhooks:
    """Base of a provider's webhooks (status callbacks, inbound messages): the provider reads
    its own forms and checks its own signatures. `title` names it to whoever posted unsigned."""

    name = title = None

    def is_signed(self, url, form, headers):
        """Whether the provider signed this request: `url` the public address it was posted to,
        `form` its fields, `headers` its headers with lower-case names."""
        raise NotImplementedError

    def delivery_report(self, form):
        """A status callback's DeliveryReport, or None when it changes nothing."""
        raise NotImplementedError

    def inbound_sms(self, form):
        """An inbound message's InboundSms, or None when the form holds none."""
        raise NotImplementedError

    def answer(self, kind):
        """What the provider is answered for a webhook of `kind` it posted: {"status", and
        "content_type" and "body" when it expects some}. Nothing but "received" by default."""
        return {"status": 204}


class ConsoleSms(SmsClient):
    """Prints the message instead of sending it: for a laptop with no Twilio account."""

    name = "console"

    def try_send_sms(self, to, body, reference):
        print(f"--- SMS to {mask_phone(to)} ---\n{body}\n--- end of SMS ---", flush=True)
        return f"console-{uuid.uuid4()}"

    def find_sent(self, to, body, handed_over_at, known_refs=()):
        return None  # printing cannot have half-happened
