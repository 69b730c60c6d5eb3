"""The notifications service: every registration event becomes one message to one registrant,
and every registration and attendance event a POST to its organizer's webhooks. Entrypoints only:
one event handler per kind in shared/kinds.py that somebody hears of, generated from that table,
each taking its queue's events in batches (shared/batch_handlers.py)."""
import logging
from functools import partial

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.notifications import delivery, inbound, messages, provider_callbacks, reconciliation, recording
from services.notifications.dependencies import Notifications, Providers, Registration, WebhookReceivers
from shared import kinds
from shared.api import WebhookSubscription, parse_body
from shared.batch_handlers import batch_event_handler
from shared.dead_letters import DeadLetters
from shared.entrypoints import rpc
from shared.errors import ValidationFailed
from shared.events import parse_envelope
from shared.handlers import event_handler, handlers_for
from shared.locks import OneCopy

log = logging.getLogger(__name__)


@handlers_for(kinds.notified(), "_hear", decorator=batch_event_handler)
class NotificationsService:
    name = "notifications"

    notifications = Notifications()
    providers = Providers()
    receivers = WebhookReceivers()
    registration = Registration()
    dead_letters = DeadLetters()
    retention_copy = OneCopy("retention")
    config = Config()

    def _hear(self, kind, payloads):
        """Events of a kind somebody hears of (shared/kinds.py), a batch of them: the event's
        contact person told, or the registrant and the staff who follow it, all recorded in one
        transaction; each message claimed then is sent once the batch is acked, side by side."""
        policy = delivery.SendPolicy.from_config(self.config)
        return [self._then_send(outcome, policy)
                for outcome in recording.record_batch(self.notifications, kind, payloads)]

    def _then_send(self, recorded, policy):
        if isinstance(recorded, BaseException):
            return recorded
        if recorded is not None and recorded["status"] == "sending":
            return partial(delivery.send, self.notifications, self.providers, recorded, policy)
        return None

    def _send(self, recorded):
        # an SMS that may wait was recorded `created`: the due timer sends it behind the immediate ones
        if recorded is not None and recorded["status"] == "sending":
            delivery.send(self.notifications, self.providers, recorded, delivery.SendPolicy.from_config(self.config))

    @event_handler("registration", "registration_erased")
    def on_registration_erased(self, payload):
        envelope, data = parse_envelope(payload, "registration_erased")
        # the dead letters first: once the erasure is recorded (is_erased), all it reaches is gone
        self.dead_letters.forget_registration(data.registration_id)
        self.notifications.erase(envelope, data.registration_id)

    @timer(interval=1)
    def deliver_webhooks(self):
        """Organizers' webhook POSTs: new ones, and retries of receivers that were down."""
        self.receivers.tick(self.notifications.webhooks)

    @timer(interval=1)
    def act_on_texts(self):
        """Residents' texts taken by the inbound webhook: acted on and answered (inbound.py)."""
        for reply in inbound.process_waiting(self.notifications, self.registration,
                                             inbound.InboundPolicy.from_config(self.config)):
            self._send(reply)

    @timer(interval=3600, eager=True)  # at start too: a service restarted often still forgets
    def forget_ended(self):
        """Retention: recipients and texts go RETENTION_DAYS after the event ends. One copy of the
        service runs it for all (shared/locks.py)."""
        if not self.retention_copy.mine():
            return
        days = int(self.config["RETENTION_DAYS"])
        log.info("retention: %d messages and %d texts blanked, %d dead letters forgotten",
                 self.notifications.anonymise_ended(days), self.notifications.inbound.forget_received(days),
                 len(self.dead_letters.forget_ended(days, is_erased=self.notifications.is_erased)))
        self.notifications.forget_past_pacing()

    @timer(interval=1)
    def send_due(self):
        """Messages left waiting: claims that lapsed before hand-over, messages handed over with
        no outcome (asked of the provider), retries after backoff, and the messages that may wait
        (reminders, promotions, fan-outs), behind the immediate ones."""
        policy = delivery.SendPolicy.from_config(self.config)
        reconciliation.reap(self.notifications)
        reconciliation.settle_unsettled(self.notifications, self.providers, policy)
        delivery.deliver_due(self.notifications, self.providers, policy)

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def preview_staff_message(self, event, text, language="fi"):
        """The SMS staff's message to everyone (`text`, about `event`: its snapshot) becomes for a
        registrant reading `language`, as it would be sent: {"text"}."""
        return {"text": messages.preview_staff_message(event, text, language).text}

    @rpc
    def messages_for_registrations(self, registration_ids):
        return self.notifications.for_registrations(registration_ids)

    @rpc
    def delivery_counts(self):
        """{"failed": n, "waiting": n}: messages given up on, and not yet out (for /health)."""
        return self.notifications.delivery_counts()

    @rpc
    def stopped_phones(self, phones):
        """Those of `phones` that texted STOP (or opted out at the provider): no SMS goes to them."""
        return sorted(self.notifications.inbound.stopped_among(phones))

    @rpc
    def message_counts(self, event_ids):
        return self.notifications.message_counts(event_ids)

    @rpc
    def subscribe_webhook(self, organizer, data, created_by):
        """`data`: the request body, {"url", "organizer"?}; `organizer` the one it is for."""
        subscription = parse_body(WebhookSubscription, data)
        if not organizer:
            raise ValidationFailed("Name the organizer whose events to send.",
                                   fields={"organizer": "required with an admin token"})
        return self.notifications.webhooks.subscribe(organizer, self.receivers.check_url(subscription.url),
                                                     created_by)

    @rpc
    def webhooks(self, organizer=None):
        return self.notifications.webhooks.subscriptions(organizer)

    @rpc
    def unsubscribe_webhook(self, webhook_id, organizer=None):
        return self.notifications.webhooks.unsubscribe(webhook_id, organizer)

    @rpc
    def provider_callback(self, provider, kind, request):
        """A provider's webhook (`kind` "status": Twilio's delivery report, "inbound": a resident's
        text) as the gateway took it:
        {"url", "headers", "form"}. Returns the answer for the provider (provider_callbacks.py)."""
        return provider_callbacks.receive(self.notifications, self.providers.webhooks, provider, kind, request)
