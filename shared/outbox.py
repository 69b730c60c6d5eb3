"""Transactional outbox: an event is written in the same transaction as the change it reports,
and a relay publishes it afterwards with publisher confirms.

A crash between commit and publish delays the event, never loses it. Publishing is `mandatory`:
an event no queue is bound for yet (its consumer has never started) is kept and tried again,
not dropped by the broker. A crash between publish and marking can publish an event twice;
consumers are idempotent by `event_id`, so that is harmless.
"""
import datetime
import json
import logging

import eventlet
from eventlet.event import Event
from eventlet.semaphore import Semaphore
from kombu import Exchange
from nameko.amqp.publish import Publisher, UndeliverableMessage
from sqlalchemy import Column, Integer, String, Table, Text, delete, select, update

from shared.database import UtcDateTime, utcnow
from shared.events import make_envelope

log = logging.getLogger(__name__)

BATCH_SIZE = 200
IDLE_SECONDS = 1.0
MAX_IDLE_SECONDS = 5.0
# Published events are kept a week (to answer "was it sent?"), then deleted. Their payload is
# blanked on publishing: it may name a resident, and personal data must not outlive its purpose.
KEEP_PUBLISHED = datetime.timedelta(days=7)


def outbox_table(metadata):
    return Table(
        "outbox",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("published_at", UtcDateTime, nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )


def add_event(session, table, event_type, data):
    """Write one event to the outbox inside the caller's transaction; returns the envelope."""
    envelope = make_envelope(event_type, data)
    # values as parameters of the table's plain INSERT: cheaper than a statement built with them
    session.execute(table.insert(), {"event_id": envelope["event_id"], "event_type": event_type,
                                     "payload": json.dumps(envelope), "created_at": utcnow(), "attempts": 0})
    return envelope


def prune_published(database, table, keep=KEEP_PUBLISHED):
    """Delete events published longer ago than `keep`; returns how many. Unpublished ones stay."""
    with database.transaction() as session:
        return session.execute(delete(table).where(table.c.published_at < utcnow() - keep)).rowcount


def event_exchange(service_name):
    """The exchange nameko's `event_handler(service_name, ...)` binds its queues to."""
    return Exchange(f"{service_name}.events", type="topic", durable=True, auto_delete=False)


class OutboxRelay:
    """Publishes a service's unpublished outbox rows, oldest first, in a background greenthread.

    `wake()` after a commit makes it publish at once; otherwise it polls, backing off while the
    broker is unreachable."""

    def __init__(self, database, table, amqp_uri, service_name):
        self.database = database
        self.table = table
        self.exchange = event_exchange(service_name)
        self.publisher = Publisher(
            amqp_uri, use_confirms=True, mandatory=True, serializer="json", declare=[self.exchange]
        )
        self._wakeup = Event()
        self._flush_lock = Semaphore(1)
        self._thread = None

    def start(self, spawn=eventlet.spawn):
        self._thread = spawn(self._run)

    def stop(self):
        if self._thread is not None:
            self._thread.kill()
            self._thread = None

    def wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def _run(self):
        idle = IDLE_SECONDS
        while True:
            try:
                self.flush()
                idle = IDLE_SECONDS
            except Exception:  # broker or database down: keep the rows, try again later
                log.warning("outbox relay could not publish; retrying in %.0f s", idle, exc_info=True)
                idle = min(idle * 2, MAX_IDLE_SECONDS)
            with eventlet.Timeout(idle, False):
                self._wakeup.wait()
            self._wakeup = Event()

    def flush(self):
        """Publish everything unpublished now; returns how many were published."""
        published = 0
        with self._flush_lock:
            while True:
                count, remaining = self._publish_batch()
                published += count
                if not remaining:
                    return published

    def _publish_batch(self):
        table = self.table
        with self.database.transaction() as session:
            rows = session.execute(
                select(table.c.seq, table.c.event_type, table.c.payload)
                .where(table.c.published_at.is_(None))
                .order_by(table.c.seq)
                .limit(BATCH_SIZE)
                .with_for_update(skip_locked=True)
            ).all()
            published, unroutable = [], []
            for row in rows:
                try:
                    self.publisher.publish(
                        json.loads(row.payload), exchange=self.exchange, routing_key=row.event_type
                    )
                except UndeliverableMessage:
                    # No consumer queue is bound yet: keep the event until one is.
                    unroutable.append(row.seq)
                    continue
                published.append(row.seq)
            if published:
                session.execute(
                    update(table).where(table.c.seq.in_(published))
                    .values(published_at=utcnow(), payload="", attempts=table.c.attempts + 1, last_error=None)
                )
            if unroutable:
                session.execute(
                    update(table).where(table.c.seq.in_(unroutable))
                    .values(attempts=table.c.attempts + 1, last_error="unroutable")
                )
        # A full batch of publishable rows means there may be more; unroutable ones wait for the poll.
        return len(published), len(rows) == BATCH_SIZE and bool(published)
