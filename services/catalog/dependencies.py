"""The catalog's dependencies: its storage (with outbox relay)."""
from services.catalog.storage import CatalogStore
from services.catalog.tables import outbox
from shared.storage import ServiceStorage


class Catalog(ServiceStorage):
    store_class = CatalogStore
    outbox = outbox
