"""Registration's dependency: its database (with the outbox relay), handed to each worker as a
RegistrationStore, the one object whose verbs reach the use cases (services/registration/storage.py)."""
from services.registration.storage import RegistrationStore
from services.registration.tables import outbox, processed_events
from shared.storage import ServiceStorage


class Registrations(ServiceStorage):
    store_class = RegistrationStore
    outbox = outbox
    inbox = processed_events
