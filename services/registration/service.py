"""The registration service: seats, the waiting list and who is coming. Entrypoints only."""
from nameko.dependency_providers import Config

from services.registration import signup
from services.registration.dependencies import Registrations
from shared.entrypoints import rpc
from shared.events import parse_envelope
from shared.handlers import event_handler


class RegistrationService:
    name = "registration"

    registrations = Registrations()
    config = Config()

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def register(self, event_id, data, idempotency_key=None):
        """{"registration": {...}, "repeat_of": None | "request" | "contact"}: a repeat returns the
        registration this Idempotency-Key ("request") or this person ("contact") already had."""
        new = signup.parse(data, self.config["SMS_ALLOWED_REGIONS"].split(","))
        registration, repeat_of = self.registrations.register(event_id, new, idempotency_key)
        return {"registration": registration, "repeat_of": repeat_of}

    @rpc
    def cancel(self, cancel_code):
        return self.registrations.cancel(cancel_code)

    @rpc
    def get_registration(self, cancel_code):
        return self.registrations.get_by_code(cancel_code)

    @rpc
    def list_registrations(self, event_id):
        return self.registrations.list_for_event(event_id)

    @rpc
    def availability(self, event_ids):
        return self.registrations.availability(event_ids)

    @event_handler("catalog", "event_published")
    def on_event_published(self, payload):
        self.registrations.apply_catalog_event(*parse_envelope(payload, "event_published"))

    @event_handler("catalog", "event_updated")
    def on_event_updated(self, payload):
        self.registrations.apply_catalog_event(*parse_envelope(payload, "event_updated"))

    @event_handler("catalog", "event_cancelled")
    def on_event_cancelled(self, payload):
        self.registrations.apply_catalog_event(*parse_envelope(payload, "event_cancelled"))
