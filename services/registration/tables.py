"""Registration's own tables: its copy of each event, registrations, enrolments in series, walk-ins,
staff's messages to everyone coming, idempotency keys, outbox, inbox."""
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from shared.database import UtcDateTime
from shared.inbox import processed_events_table
from shared.outbox import outbox_table

metadata = MetaData()

# What registration needs of each catalog event, kept from catalog's events, plus seat counters.
events = Table(
    "events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", JSON, nullable=False),
    Column("municipality", String(100), nullable=False),
    Column("place", String(200), nullable=False),
    Column("address", String(200), nullable=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("waitlist_capacity", Integer, nullable=False),
    Column("max_group_size", Integer, nullable=False),
    Column("registration_opens_at", UtcDateTime, nullable=True),
    Column("registration_closes_at", UtcDateTime, nullable=True),
    Column("organizer", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    # who hears how many are coming when registration closes, and when they were told
    Column("summary_phone", String(20), nullable=True),
    Column("summary_email", String(254), nullable=True),
    Column("summary_sent_at", UtcDateTime, nullable=True),
    # what residents text to sign up, and when confirmed registrants are reminded (catalog's)
    Column("sms_code", String(12), nullable=True, index=True),
    Column("reminder_at", UtcDateTime, nullable=True),
    Column("reminders", Boolean, nullable=False, default=True),
    # a session of a series (a weekly group): which series, which session of how many, and the
    # series' SMS code (sessions have none of their own: one texts the series' code to enrol)
    Column("series_id", String(36), nullable=True, index=True),
    Column("session_number", Integer, nullable=True),
    Column("session_count", Integer, nullable=True),
    Column("series_sms_code", String(12), nullable=True, index=True),
    # the series meets weekly ("week 2/4" in messages) rather than on a list of dates ("session 2/4")
    Column("series_weekly", Boolean, nullable=True),
    # seats held by confirmed and by waitlisted registrations; changed only under the row lock
    Column("seats_taken", Integer, nullable=False, default=0),
    Column("waitlist_taken", Integer, nullable=False, default=0),
    # occurred_at of the newest catalog event applied: older ones arriving late are ignored
    Column("catalog_version", UtcDateTime, nullable=False),
)

registrations = Table(
    "registrations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(36), ForeignKey("events.id"), nullable=False),
    Column("cancel_code", String(16), nullable=False, unique=True),
    # SHA-256 of the link token (services/registration/codes.py); the token itself is never stored
    Column("token_hash", String(64), nullable=True),
    Column("name", String(100), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("email", String(254), nullable=True),
    # the normalised phone (else email) that identifies a person signing up twice
    Column("contact_key", String(254), nullable=True),
    Column("language", String(2), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("seats", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    # order on the waiting list: the sequence number of joining it
    Column("waitlist_seq", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime, nullable=True),
    # attendance: when staff marked the registrant as there, and which staff token did
    Column("attended_at", UtcDateTime, nullable=True),
    Column("attended_by", String(36), nullable=True),
    # an assisted sign-up: the staff member who made it, and when the resident agreed to it
    Column("assisted_by", String(36), nullable=True),
    Column("assisted_by_name", String(200), nullable=True),
    Column("consent_at", UtcDateTime, nullable=True),
    # the client the sign-up came from (a keyed hash of its address, from the gateway), so staff can
    # find and cancel what one bot made; personal data, blanked with the name
    Column("client_ref", String(64), nullable=True),
    # when someone signing up again with this registration's phone or email last got its details
    # sent to that phone or address (at most once a day)
    Column("details_resent_at", UtcDateTime, nullable=True),
    # when its reminder went (services/registration/reminders.py), or its promotion after the
    # reminder time stood for it: each registration gets one at most
    Column("reminded_at", UtcDateTime, nullable=True),
    # when name and contacts were removed (retention, or the registrant's own erasure)
    Column("anonymised_at", UtcDateTime, nullable=True),
    # a session's row made by enrolling in its series (services/registration/enrolment.py); its
    # own cancel code is internal, the enrolment's is the one its registrant holds
    Column("enrolment_id", String(36), nullable=True, index=True),
    Index("ix_registrations_event_status", "event_id", "status"),
    Index("ix_registrations_event_client", "event_id", "client_ref"),
    Index("uq_registrations_token_hash", "token_hash", unique=True),
    # a resident texting PERU or APUA: their registrations by phone, across events
    Index("ix_registrations_contact_key", "contact_key"),
    # one active registration per person and event, even under concurrent sign-ups
    Index(
        "uq_registrations_active_contact", "event_id", "contact_key", unique=True,
        postgresql_where=text("status <> 'cancelled'"), sqlite_where=text("status <> 'cancelled'"),
    ),
)

# One person's enrolment in a series: one cancel code, one link token, name and contacts once, for
# a registration row in every session not yet started when they enrolled (registrations.enrolment_id).
enrolments = Table(
    "enrolments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("series_id", String(36), nullable=False, index=True),
    # unique across registrations' and enrolments' codes (codes.py)
    Column("cancel_code", String(16), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=True),
    Column("name", String(100), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("email", String(254), nullable=True),
    Column("contact_key", String(254), nullable=True, index=True),
    Column("language", String(2), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("seats", Integer, nullable=False),
    # active | cancelled (every session left cancelled at once, or erased)
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("assisted_by", String(36), nullable=True),
    Column("assisted_by_name", String(200), nullable=True),
    Column("consent_at", UtcDateTime, nullable=True),
    # the client it came from (the gateway's keyed hash of its address): personal data, blanked
    Column("client_ref", String(64), nullable=True),
    # name and contacts blanked: RETENTION_DAYS after the series' last session, or by its holder
    Column("anonymised_at", UtcDateTime, nullable=True),
    Index("uq_enrolments_token_hash", "token_hash", unique=True),
)

# Idempotency-Key of a sign-up request -> the registration it made, for a day (an enrolment's key:
# its first session's row, which names the enrolment).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("registration_id", String(36), ForeignKey("registrations.id"), nullable=False),
    # SHA-256 of the request (event and body): the key answers only the same request again
    Column("request_hash", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)

# Anonymous headcounts of people who came without signing up (drop-in events): no personal data.
walk_ins = Table(
    "walk_ins",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(36), ForeignKey("events.id"), nullable=False, index=True),
    # people counted in; a negative count corrects a miscount
    Column("count", Integer, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(36), nullable=False),
)

# Staff's messages to everyone coming (services/registration/announcements.py): one row per message,
# so the same form sent twice (its `key`) sends once; the activity stream shows it.
announcements = Table(
    "announcements",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(36), ForeignKey("events.id"), nullable=False),
    # the Idempotency-Key (or the form's key) it was sent with, if any: unique per event
    Column("key", String(200), nullable=True),
    Column("text", Text, nullable=False),
    Column("include_waitlist", Boolean, nullable=False),
    Column("urgent", Boolean, nullable=False),
    # how many it went to, by their channel
    Column("sms", Integer, nullable=False),
    Column("email", Integer, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("sent_by", String(36), nullable=False),
    Column("sent_by_name", String(200), nullable=True),
    Index("uq_announcements_event_key", "event_id", "key", unique=True),
)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
