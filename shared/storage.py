"""The nameko dependency a service's storage hangs from.

It owns the service's database engine, runs the outbox relay when the service publishes, wakes the
relay after every worker (so an event goes out as soon as its transaction commits), keeps the
outbox and inbox from growing forever, and injects a store object with the service's domain verbs,
never a raw session. An RPC worker's transactions keep to its caller's deadline (shared/deadlines.py).
"""
import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc

from shared import deadlines

from shared.batching import GroupCommit
from shared.database import Database
from shared.inbox import prune_processed
from shared.outbox import OutboxRelay, prune_published

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_SECONDS = 3600


class ServiceStorage(DependencyProvider):
    #: callable(database) -> the object a worker gets
    store_class = None
    #: the service's outbox table, if it publishes events
    outbox = None
    #: the service's processed-events table, if it consumes events
    inbox = None
    #: whether its store takes a `group` (shared.batching.GroupCommit) for its busiest writes
    group_commits = False

    def setup(self):
        config = self.container.config
        self.database = Database(config["DATABASE_URL"], config.get("DATABASE_CONNECT_TIMEOUT_SECONDS"),
                                 config.get("DATABASE_STATEMENT_TIMEOUT_SECONDS"), config.get("DATABASE_POOL_SIZE"),
                                 config.get("DATABASE_MAX_OVERFLOW"))
        self.relay = None
        self.group = GroupCommit(self.database, spawn=self.container.spawn_managed_thread) if self.group_commits else None
        if self.outbox is not None:
            self.relay = OutboxRelay(
                self.database, self.outbox, config["AMQP_URI"], self.container.service_name
            )

    def start(self):
        if self.group is not None:
            self.group.start()
        if self.relay is not None:
            self.relay.start(spawn=self.container.spawn_managed_thread)
        self._housekeeper = self.container.spawn_managed_thread(self._housekeeping)

    def stop(self):
        if self.relay is not None:
            self.relay.stop()
        if self.group is not None:
            self.group.stop()
        if getattr(self, "_housekeeper", None) is not None:
            self._housekeeper.kill()
            self._housekeeper = None
        self.database.dispose()

    def housekeeping(self):
        """Delete what no longer needs keeping: old published events, old processed event ids."""
        if self.outbox is not None:
            prune_published(self.database, self.outbox)
        if self.inbox is not None:
            prune_processed(self.database, self.inbox)

    def _housekeeping(self):
        while True:
            eventlet.sleep(HOUSEKEEPING_EVERY_SECONDS)
            try:
                self.housekeeping()
            except Exception:  # the database may be down for a moment: try again next time
                log.warning("housekeeping failed", exc_info=True)

    def kill(self):
        self.stop()

    def worker_setup(self, worker_ctx):
        # Only an RPC has a caller waiting: an event handler whose message came from a request
        # (nameko passes the context on) must still finish its work.
        if isinstance(worker_ctx.entrypoint, Rpc):
            deadlines.set_current(worker_ctx.data.get(deadlines.CONTEXT_KEY))

    def worker_teardown(self, worker_ctx):
        if self.relay is not None:
            self.relay.wake()

    def get_dependency(self, worker_ctx):
        if self.group is not None:
            return self.store_class(self.database, group=self.group)
        return self.store_class(self.database)
