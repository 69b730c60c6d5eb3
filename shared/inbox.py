"""Idempotent consumers: each handler records the `event_id` it processed in the same transaction
as its effect, so a redelivered event is a no-op."""
from sqlalchemy import Column, String, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.database import UtcDateTime, utcnow


def processed_events_table(metadata):
    return Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(64), nullable=False),
        Column("processed_at", UtcDateTime, nullable=False),
    )


def first_delivery(session, table, envelope):
    """Record `envelope` as processed; False when it already was (the caller then does nothing)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = session.execute(
        insert(table)
        .values(event_id=str(envelope.event_id), event_type=envelope.type, processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["event_id"])
    )
    return result.rowcount == 1
