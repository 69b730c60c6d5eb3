"""Notifications' own tables: one row per message, and the events already handled."""
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

from shared.database import UtcDateTime
from shared.inbox import processed_events_table

metadata = MetaData()

# status: created -> sending -> sent -> delivered | undelivered, or failed. A message is sent only
# from `created`, claimed by one conditional update, so it is never sent twice.
notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    # the bus event this message tells of: one message per event and registrant
    Column("source_event_id", String(36), nullable=False, unique=True),
    Column("registration_id", String(36), nullable=False, index=True),
    Column("event_id", String(36), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("language", String(2), nullable=False),
    Column("template", String(40), nullable=False),
    Column("subject", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("html", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("provider_ref", String(100), nullable=True, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("error_code", String(40), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_notifications_due", "status", "next_attempt_at"),
)

processed_events = processed_events_table(metadata)

# When the next SMS may go out: one row per channel, shared by every notifications process, so
# that together they never exceed the provider's rate (SMS_RATE_PER_SECOND).
send_rate = Table(
    "send_rate",
    metadata,
    Column("channel", String(8), primary_key=True),
    Column("next_at", UtcDateTime, nullable=False),
)
