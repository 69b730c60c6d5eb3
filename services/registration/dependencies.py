"""Registration's dependencies: its storage (with outbox relay)."""
from services.registration.storage import RegistrationStore
from services.registration.tables import outbox, processed_events
from shared.storage import ServiceStorage


class Registrations(ServiceStorage):
    store_class = RegistrationStore
    outbox = outbox
    inbox = processed_events
