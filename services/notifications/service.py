"""The notifications service: every registration event becomes one message to one registrant.
Entrypoints only."""
from nameko.dependency_providers import Config
from nameko.timer import timer

from services.notifications import delivery, messages
from services.notifications.dependencies import Notifications, Providers
from shared.entrypoints import rpc
from shared.events import parse_envelope
from shared.handlers import event_handler


class NotificationsService:
    name = "notifications"

    notifications = Notifications()
    providers = Providers()
    config = Config()

    def _tell(self, payload, event_type):
        envelope, data = parse_envelope(payload, event_type)
        notification_id = self.notifications.record(envelope, data, messages.render(event_type, data))
        if notification_id is not None:
            self._deliver(notification_id)

    def _deliver(self, notification_id):
        delivery.deliver(self.notifications, self.providers, notification_id,
                         delivery.SendPolicy.from_config(self.config))

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

    @timer(interval=1)
    def send_due(self):
        """Messages left waiting: retries after backoff, and any a crash left unsent."""
        for notification_id in self.notifications.due():
            self._deliver(notification_id)

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def messages_for_registrations(self, registration_ids):
        return self.notifications.for_registrations(registration_ids)

    @rpc
    def record_delivery(self, provider_ref, status, error_code=None):
        """A provider's delivery report (Twilio's status callback, via the gateway)."""
        return self.notifications.record_delivery(provider_ref, status, error_code)
