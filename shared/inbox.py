"""Idempotent consumers: each handler records the `event_id` it processed in the same transaction
as its effect, so a redelivered event is a no-op."""
import datetime

from sqlalchemy import Column, String, Table, delete

from shared.database import UtcDateTime, insert_ignoring_conflict, utcnow


def processed_events_table(metadata):
    return Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(64), nullable=False),
        Column("processed_at", UtcDateTime, nullable=False),
    )


# How long a processed event id is remembered. Redeliveries come within minutes; a dead letter
# replayed later was never processed (its transaction rolled back), so forgetting is safe.
KEEP_PROCESSED = datetime.timedelta(days=30)


def prune_processed(database, table, keep=KEEP_PROCESSED):
    """Forget events processed longer ago than `keep`; returns how many."""
    with database.transaction() as session:
        return session.execute(delete(table).where(table.c.processed_at < utcnow() - keep)).rowcount


def first_delivery(session, table, envelope):
    """Record `envelope` as processed; False when it already was (the caller then does nothing)."""
    return insert_ignoring_conflict(
        session, table, {"event_id": str(envelope.event_id), "event_type": envelope.type, "processed_at": utcnow()},
        index_elements=["event_id"])
