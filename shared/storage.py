"""The nameko dependency a service's storage hangs from.

It owns the service's database engine, runs the outbox relay when the service publishes, wakes the
relay after every worker (so an event goes out as soon as its transaction commits) and injects a
store object with the service's domain verbs, never a raw session.
"""
from nameko.extensions import DependencyProvider

from shared.database import Database
from shared.outbox import OutboxRelay


class ServiceStorage(DependencyProvider):
    #: callable(database) -> the object a worker gets
    store_class = None
    #: the service's outbox table, if it publishes events
    outbox = None

    def setup(self):
        config = self.container.config
        self.database = Database(config["DATABASE_URL"])
        self.relay = None
        if self.outbox is not None:
            self.relay = OutboxRelay(
                self.database, self.outbox, config["AMQP_URI"], self.container.service_name
            )

    def start(self):
        if self.relay is not None:
            self.relay.start(spawn=self.container.spawn_managed_thread)

    def stop(self):
        if self.relay is not None:
            self.relay.stop()
        self.database.dispose()

    def kill(self):
        self.stop()

    def worker_teardown(self, worker_ctx):
        if self.relay is not None:
            self.relay.wake()

    def get_dependency(self, worker_ctx):
        return self.store_class(self.database)
