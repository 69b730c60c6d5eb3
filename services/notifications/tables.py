"""Notifications' own tables: one row per message, the events already handled, registrations
erased, and organizers' webhooks with one row per webhook POST."""
from sqlalchemy import (Boolean, Column, Date, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, true)

from shared.database import UtcDateTime
from shared.inbox import processed_events_table

metadata = MetaData()

# status: created -> sending -> sent -> delivered | undelivered, or failed. A message is sent only
# from `created`, claimed by one conditional update, so it is never sent twice. A claim is a lease
# (claim_token, claimed_until); handed_over_at is when the provider call began (storage.py).
notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    # the bus event this message tells of: one message per event and registrant
    Column("source_event_id", String(36), nullable=False, unique=True),
    # none for a message to staff (the summary when registration closes)
    Column("registration_id", String(36), nullable=True, index=True),
    Column("event_id", String(36), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("language", String(2), nullable=False),
    Column("template", String(40), nullable=False),
    Column("subject", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("html", Text, nullable=True),
    # an email's calendar file (text/calendar, its event's: it names nobody), or none
    Column("calendar", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("provider_ref", String(100), nullable=True, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("error_code", String(40), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    # when recipient and text were blanked (retention, or the registrant's erasure)
    Column("anonymised_at", UtcDateTime, nullable=True),
    # the worker's claim while `sending`, and until when it holds
    Column("claim_token", String(36), nullable=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    # when the message was handed to the provider (this claim); none: it cannot have gone out
    Column("handed_over_at", UtcDateTime, nullable=True),
    # it answers what the person just did (shared.kinds.immediate): sent at once, booking the next
    # SMS slot; False: sent by the due timer behind every immediate one (delivery.py)
    Column("immediate", Boolean, nullable=False, default=True, server_default=true()),
    Index("ix_notifications_due", "status", "next_attempt_at"),
    Index("ix_notifications_queue", "immediate", "status", "next_attempt_at"),
    Index("ix_notifications_event_id", "event_id"),
)

# When each event ends, as the newest registration event told: the retention clock starts there
# (kept per event, so that an event moved in time moves the clock of every message about it).
event_times = Table(
    "event_times",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("ends_at", UtcDateTime, nullable=False),
)

# Registrations whose registrant erased their data: a message about one that arrives late is dropped.
erased_registrations = Table(
    "erased_registrations",
    metadata,
    Column("registration_id", String(36), primary_key=True),
    Column("erased_at", UtcDateTime, nullable=False),
)

# An organizer's subscription: every registration and attendance event of its events is POSTed
# to `url`, signed with HMAC-SHA256 keyed with `secret` (kept to sign with; shown once).
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organizer", String(200), nullable=False, index=True),
    Column("url", String(500), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# status: pending -> delivered, or failed after WEBHOOK_MAX_ATTEMPTS. At least once: a receiver
# tells repeats apart by the body's `id`.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("webhook_id", String(36), ForeignKey("webhooks.id"), nullable=False),
    Column("source_event_id", String(36), nullable=False),
    Column("event_id", String(36), nullable=True, index=True),
    Column("registration_id", String(36), nullable=True, index=True),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    UniqueConstraint("webhook_id", "source_event_id", name="uq_webhook_deliveries_event"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
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

# Messages caused by anonymous requests, per recipient and Helsinki day, against
# MESSAGES_PER_NUMBER_PER_DAY (pacing.py). The recipient only as a hash; past days are deleted.
recipient_days = Table(
    "recipient_days",
    metadata,
    Column("recipient_hash", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("messages", Integer, nullable=False),
)

# SMS caused by anonymous requests per Helsinki day, against SMS_DAILY_BUDGET; those held for a
# later day are counted on that day. `admin_told_at`: when the admin heard the day's budget ran out.
sms_budget_days = Table(
    "sms_budget_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("sms", Integer, nullable=False),
    Column("admin_told_at", UtcDateTime, nullable=True),
)

# Text messages residents sent us (inbound.py): one row per provider message id, however often the
# provider posts it. Taken at once, acted on by the timer: `processed_at` once done, `claimed_until`
# while a worker acts on it. Sender and text are personal data: blanked RETENTION_DAYS after receipt
# and on the sender's erasure (`anonymised_at`).
inbound_sms = Table(
    "inbound_sms",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("provider_ref", String(100), nullable=False, unique=True),
    Column("sender", String(40), nullable=False, index=True),
    Column("body", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("processed_at", UtcDateTime, nullable=True),
    # what the text was read as (sms_commands.py), kept when the text is blanked: statistics
    Column("command", String(16), nullable=True),
    Column("anonymised_at", UtcDateTime, nullable=True),
    Index("ix_inbound_sms_unprocessed", "processed_at", "received_at"),
)

# What a phone number told us by text: LOPETA/STOP (`stopped_at`: no SMS goes to it until
# ALOITA/START; Twilio's own opt-out too) and FI/SV/EN (`language` of its replies and later messages).
# Kept through retention and erasure: an opt-out must outlive the registrations.
sms_numbers = Table(
    "sms_numbers",
    metadata,
    Column("phone", String(254), primary_key=True),
    Column("stopped_at", UtcDateTime, nullable=True),
    Column("language", String(2), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The question a number was asked by text and has not answered yet: PERU from a number with an
# enrolment in a weekly group asks "only the next session, or all?" (inbound.py); a reply 1 or 2
# within DIALOG_HOURS answers it. One per number (a new question replaces the old); gone once
# answered, and forgotten by retention once it can no longer be answered, and on erasure.
sms_dialogs = Table(
    "sms_dialogs",
    metadata,
    Column("phone", String(254), primary_key=True),
    Column("enrolment_id", String(36), nullable=False),
    Column("asked_at", UtcDateTime, nullable=False, index=True),
)
