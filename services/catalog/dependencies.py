"""The catalog's dependencies: its storage (with outbox relay) and the settings of reminder times."""
from services.catalog.reminders import ReminderPolicy
from services.catalog.storage import CatalogStore
from services.catalog.tables import outbox
from shared.storage import ServiceStorage


class Catalog(ServiceStorage):
    store_class = CatalogStore
    outbox = outbox

    def setup(self):
        super().setup()
        # read once, at start: a QUIET_HOURS that is no "HH-HH" stops the service there
        self.reminder_policy = ReminderPolicy.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return CatalogStore(self.database, self.reminder_policy)
