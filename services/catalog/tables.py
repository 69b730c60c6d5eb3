"""The catalog's own tables: events, series (weekly groups: sets of events), staff tokens and its outbox."""
from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, Text

from shared.database import UtcDateTime
from shared.outbox import outbox_table

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", JSON, nullable=False),
    Column("description", JSON, nullable=False),
    Column("municipality", String(100), nullable=False, index=True),
    Column("place", String(200), nullable=False),
    Column("address", String(200), nullable=True),
    Column("starts_at", UtcDateTime, nullable=False, index=True),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("waitlist_capacity", Integer, nullable=False),
    Column("max_group_size", Integer, nullable=False),
    Column("registration_opens_at", UtcDateTime, nullable=True),
    Column("registration_closes_at", UtcDateTime, nullable=True),
    Column("organizer", String(200), nullable=False),
    # the contact person told how many are coming when registration closes
    Column("summary_phone", String(20), nullable=True),
    Column("summary_email", String(254), nullable=True),
    # what residents text to sign up; unique among events not yet over (checked when set)
    Column("sms_code", String(12), nullable=True, index=True),
    # when confirmed registrants are reminded; None with `reminders` False or REMINDER_HOURS_BEFORE 0
    Column("reminder_at", UtcDateTime, nullable=True),
    Column("reminders", Boolean, nullable=False, default=True),
    # whether staff chose `reminder_at` (it stays put) or it is the default (it moves with the start)
    Column("reminder_chosen", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False),
    # a session of a series: its series and which one it is (1-based, in time order); no sms_code of its own
    Column("series_id", String(36), nullable=True, index=True),
    Column("session_number", Integer, nullable=True),
    # lower-cased titles, descriptions and place, for the `q` filter
    Column("search_text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# A weekly group (or any set of days): the fields its sessions share, and its schedule. Each session
# is an event of its own (events.series_id); one enrolment (registration) covers them all.
series = Table(
    "series",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", JSON, nullable=False),
    Column("description", JSON, nullable=False),
    Column("municipality", String(100), nullable=False),
    Column("place", String(200), nullable=False),
    Column("address", String(200), nullable=True),
    Column("capacity", Integer, nullable=False),
    Column("waitlist_capacity", Integer, nullable=False),
    Column("max_group_size", Integer, nullable=False),
    Column("registration_opens_at", UtcDateTime, nullable=True),
    Column("organizer", String(200), nullable=False, index=True),
    Column("summary_phone", String(20), nullable=True),
    Column("summary_email", String(254), nullable=True),
    Column("reminders", Boolean, nullable=False, default=True),
    # as staff gave it (services/catalog/schedule.py reads it)
    Column("schedule", JSON, nullable=False),
    # how many sessions it was made with ("week 2/4"): a cancelled session still counts
    Column("session_count", Integer, nullable=False),
    # what residents text to enrol; unique with events' codes among those not yet over
    Column("sms_code", String(12), nullable=True, index=True),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

staff_tokens = Table(
    "staff_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    # sha256 of the token: tokens are long random strings, so a fast hash is enough and a
    # stolen database yields no usable token.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("organizer", String(200), nullable=True),
    Column("admin", Boolean, nullable=False, default=False),
    # where a resident's messages go when this staff member signs up someone with no phone or email
    Column("phone", String(20), nullable=True),
    Column("email", String(254), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

outbox = outbox_table(metadata)
