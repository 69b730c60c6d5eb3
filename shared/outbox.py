"""Transactional outbox: an event is written in the same transaction as the change it reports,
and a relay publishes it afterwards with publisher confirms: a batch of events is published on one
channel and the broker's confirms of all of them awaited once (one round trip per batch, not one
per event, which held a cancellation's fan-out to ~300 events a second).

A crash between commit and publish delays the event, never loses it. Publishing is `mandatory`:
an event no queue is bound for yet (its consumer has never started) is kept and tried again,
not dropped by the broker. A crash between publish and marking can publish an event twice;
consumers are idempotent by `event_id`, so that is harmless.
"""
import datetime
import json
import logging
import socket
import time

import amqp
import eventlet
from eventlet.event import Event
from eventlet.semaphore import Semaphore
from kombu import Exchange
from sqlalchemy import Column, Integer, String, Table, Text, delete, select, update

from shared import broker
from shared.database import UtcDateTime, utcnow
from shared.events import make_envelope

log = logging.getLogger(__name__)

BATCH_SIZE = 200
IDLE_SECONDS = 1.0
MAX_IDLE_SECONDS = 5.0
# Published events are kept a week (to answer "was it sent?"), then deleted. Their payload is
# blanked on publishing: it may name a resident, and personal data must not outlive its purpose.
KEEP_PUBLISHED = datetime.timedelta(days=7)
CONFIRM_TIMEOUT_SECONDS = 30


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
    return add_events(session, table, [(event_type, data)])[0]


def add_events(session, table, events):
    """Write (event_type, data) events to the outbox in one statement; returns their envelopes."""
    envelopes = [make_envelope(event_type, data) for event_type, data in events]
    if not envelopes:
        return []
    now = utcnow()
    # values as parameters of the table's plain INSERT: cheaper than a statement built with them
    session.execute(table.insert(), [
        {"event_id": envelope["event_id"], "event_type": envelope["type"], "payload": json.dumps(envelope),
         "created_at": now, "attempts": 0} for envelope in envelopes])
    return envelopes


def prune_published(database, table, keep=KEEP_PUBLISHED):
    """Delete events published longer ago than `keep`; returns how many. Unpublished ones stay."""
    with database.transaction() as session:
        return session.execute(delete(table).where(table.c.published_at < utcnow() - keep)).rowcount


def event_exchange(service_name):
    """The exchange nameko's `event_handler(service_name, ...)` binds its queues to."""
    return Exchange(f"{service_name}.events", type="topic", durable=True, auto_delete=False)


class Unconfirmed(Exception):
    """The broker did not confirm every event of a batch in time."""


class ConfirmedPublisher:
    """Publishes events persistent and `mandatory` on a channel in confirm mode, and waits for
    the broker's answer to all of them together. The connection is kept, and dropped after any
    error (the next batch connects again)."""

    def __init__(self, amqp_uri, exchange, confirm_timeout=CONFIRM_TIMEOUT_SECONDS):
        self.amqp_uri, self.exchange, self.confirm_timeout = amqp_uri, exchange, confirm_timeout
        self._connection = self._channel = None

    def publish(self, events):
        """`events`: (event_id, routing_key, JSON text). Returns (confirmed, unroutable) event ids;
        an event the broker refused is in neither (it is tried again with the next batch)."""
        try:
            return self._publish(events)
        except Exception:
            self.close()
            raise

    def _publish(self, events):
        channel = self._open()
        outcome = {"tags": {}, "acked": set(), "nacked": set(), "returned": set()}
        self._outcome = outcome
        for event_id, routing_key, body in events:
            self._next_tag += 1
            outcome["tags"][self._next_tag] = event_id
            channel.basic_publish(
                amqp.Message(body.encode("utf-8"), content_type="application/json", content_encoding="utf-8",
                             delivery_mode=2, message_id=event_id),
                exchange=self.exchange.name, routing_key=routing_key, mandatory=True)
        deadline = time.monotonic() + self.confirm_timeout
        while len(outcome["acked"]) + len(outcome["nacked"]) < len(events):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unconfirmed(f"{len(events) - len(outcome['acked'])} events unconfirmed")
            try:
                self._connection.drain_events(timeout=remaining)
            except socket.timeout:
                continue
        confirmed = [e for e in outcome["acked"] if e not in outcome["returned"]]
        return confirmed, [e for e in outcome["returned"] if e in outcome["acked"]]

    def _open(self):
        if self._channel is None:
            self._connection = broker.connect(self.amqp_uri)
            channel = self._connection.default_channel
            self.exchange(channel).declare()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
            self._channel, self._next_tag = channel, 0
        return self._channel

    def _settle(self, kind, delivery_tag, multiple):
        tags = self._outcome["tags"]
        for tag in ([t for t in tags if t <= delivery_tag] if multiple else [delivery_tag]):
            event_id = tags.pop(tag, None)
            if event_id is not None:
                self._outcome[kind].add(event_id)

    def _on_ack(self, delivery_tag, multiple):
        self._settle("acked", delivery_tag, multiple)

    def _on_nack(self, delivery_tag, multiple):
        self._settle("nacked", delivery_tag, multiple)

    def _on_return(self, exc, exchange, routing_key, message):
        # No queue is bound for it yet; the broker still acks it, after this.
        self._outcome["returned"].add(message.properties.get("message_id"))

    def close(self):
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # already broken: nothing to tidy
                pass
        self._connection = self._channel = None


class OutboxRelay:
    """Publishes a service's unpublished outbox rows, oldest first, in a background greenthread.

    `wake()` after a commit makes it publish at once; otherwise it polls, backing off while the
    broker is unreachable."""

    def __init__(self, database, table, amqp_uri, service_name):
        self.database = database
        self.table = table
        self.publisher = ConfirmedPublisher(amqp_uri, event_exchange(service_name))
        self._wakeup = Event()
        self._flush_lock = Semaphore(1)
        self._thread = None

    def start(self, spawn=eventlet.spawn):
        self._thread = spawn(self._run)

    def stop(self):
        if self._thread is not None:
            self._thread.kill()
            self._thread = None
        self.publisher.close()

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
                select(table.c.seq, table.c.event_id, table.c.event_type, table.c.payload)
                .where(table.c.published_at.is_(None))
                .order_by(table.c.seq)
                .limit(BATCH_SIZE)
                .with_for_update(skip_locked=True)
            ).all()
            confirmed, unroutable = self.publisher.publish(
                [(row.event_id, row.event_type, row.payload) for row in rows]) if rows else ([], [])
            # by seq, and only what the broker confirmed: a refused event stays for the next round
            confirmed, unroutable = set(confirmed), set(unroutable)
            published = [row.seq for row in rows if row.event_id in confirmed]
            unroutable = [row.seq for row in rows if row.event_id in unroutable]
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
