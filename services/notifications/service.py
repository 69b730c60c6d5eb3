"""The notifications service: every registration event becomes one message to one registrant,
and every registration and attendance event a POST to its organizer's webhooks. Entrypoints only."""
from nameko.dependency_providers import Config
from nameko.timer import timer

from services.notifications import delivery, messages, provider_callbacks, reconciliation
from services.notifications.dependencies import Notifications, Providers, WebhookReceivers
from shared.activity import activity
from shared.api import WebhookSubscription, parse_body
from shared.dead_letters import DeadLetters
from shared.entrypoints import rpc
from shared.errors import ValidationFailed
from shared.events import parse_envelope
from shared.handlers import event_handler


class NotificationsService:
    name = "notifications"

    notifications = Notifications()
    providers = Providers()
    receivers = WebhookReceivers()
    dead_letters = DeadLetters()
    config = Config()

    def _tell(self, payload, event_type):
        envelope, data = parse_envelope(payload, event_type)
        # an erasure's cancellation has nobody to tell
        message = None if data.reason == "erased" else messages.render(event_type, data)
        self._send(self.notifications.record(envelope, data, message, activity(payload)))

    def _send(self, claimed):
        if claimed is not None:
            delivery.send(self.notifications, self.providers, claimed, delivery.SendPolicy.from_config(self.config))

    @event_handler("registration", "registration_confirmed")
    def on_registration_confirmed(self, payload):
        self._tell(payload, "registration_confirmed")

    @event_handler("registration", "registration_waitlisted")
    def on_registration_waitlisted(self, payload):
        self._tell(payload, "registration_waitlisted")

    @event_handler("registration", "registration_promoted")
    def on_registration_promoted(self, payload):
        self._tell(payload, "registration_promoted")

    @event_handler("registration", "registration_cancelled")
    def on_registration_cancelled(self, payload):
        self._tell(payload, "registration_cancelled")

    @event_handler("registration", "registration_event_changed")
    def on_registration_event_changed(self, payload):
        self._tell(payload, "registration_event_changed")

    @event_handler("registration", "registration_repeated")
    def on_registration_repeated(self, payload):
        """Someone signed up again with a registered phone or email: its registrant gets the
        details (the sign-up's answer told the caller nothing)."""
        self._tell(payload, "registration_repeated")

    @event_handler("registration", "attendance_marked")
    def on_attendance_marked(self, payload):
        envelope, data = parse_envelope(payload, "attendance_marked")
        self.notifications.record_activity(envelope, data, activity(payload))

    @event_handler("registration", "walk_ins_recorded")
    def on_walk_ins_recorded(self, payload):
        envelope, data = parse_envelope(payload, "walk_ins_recorded")
        self.notifications.record_activity(envelope, data, activity(payload))

    @event_handler("registration", "registration_erased")
    def on_registration_erased(self, payload):
        envelope, data = parse_envelope(payload, "registration_erased")
        self.notifications.erase(envelope, data.registration_id)
        self.dead_letters.forget_registration(data.registration_id)

    @event_handler("registration", "registration_closed")
    def on_registration_closed(self, payload):
        envelope, data = parse_envelope(payload, "registration_closed")
        self._send(self.notifications.record_summary(envelope, data, messages.render_summary(data)))

    @timer(interval=1)
    def deliver_webhooks(self):
        """Organizers' webhook POSTs: new ones, and retries of receivers that were down."""
        self.receivers.tick(self.notifications.webhooks)

    @timer(interval=3600, eager=True)  # at start too: a service restarted often still forgets
    def forget_ended(self):
        """Retention: recipients and texts go RETENTION_DAYS after the event ends."""
        self.notifications.anonymise_ended(int(self.config["RETENTION_DAYS"]))
        self.notifications.forget_past_pacing()
        self.dead_letters.forget_ended(int(self.config["RETENTION_DAYS"]), is_erased=self.notifications.is_erased)

    @timer(interval=1)
    def send_due(self):
        """Messages left waiting: claims that lapsed before hand-over, messages handed over with
        no outcome (asked of the provider), retries after backoff."""
        policy = delivery.SendPolicy.from_config(self.config)
        reconciliation.reap(self.notifications)
        reconciliation.settle_unsettled(self.notifications, self.providers, policy)
        delivery.deliver_due(self.notifications, self.providers, policy)

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def messages_for_registrations(self, registration_ids):
        return self.notifications.for_registrations(registration_ids)

    @rpc
    def delivery_counts(self):
        """{"failed": n, "waiting": n}: messages given up on, and not yet out (for /health)."""
        return self.notifications.delivery_counts()

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
        """A provider's webhook (`kind` "status": Twilio's delivery report) as the gateway took it:
        {"url", "headers", "form"}. Returns the answer for the provider (provider_callbacks.py)."""
        return provider_callbacks.receive(self.notifications, self.providers.webhooks, provider, kind, request)
