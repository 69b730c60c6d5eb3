"""Registration's copy of catalog's events (capacity, window, display data), kept from catalog's
`event_published`, `event_updated` and `event_cancelled`. An event called off cancels every
registration, each registrant told; a change of when or where is told to each registrant; a
larger capacity lets the waiting list move."""
from sqlalchemy import select, update

from services.registration import lookups, rules, shapes
from services.registration.cancellation import promote_waiting_list
from services.registration.seating import ACTIVE, CANCELLED
from services.registration.tables import events, outbox, processed_events, registrations
from shared.database import utcnow
from shared.inbox import first_delivery
from shared.outbox import add_event, add_events

# What registration keeps of a catalog event.
EVENT_COPY = (
    "title", "municipality", "place", "address", "starts_at", "ends_at", "capacity",
    "waitlist_capacity", "max_group_size", "registration_opens_at", "registration_closes_at",
    "organizer", "status", "summary_phone", "summary_email", "sms_code", "reminder_at", "reminders",
    "series_id", "session_number", "session_count", "series_sms_code", "series_weekly",
)


def apply_catalog_event(database, envelope, data):
    """Keep the local copy of an event; fan a cancellation or a change out per registrant.
    A redelivered or out-of-date catalog event changes nothing."""
    with database.transaction() as session:
        if not first_delivery(session, processed_events, envelope):
            return
        current = session.execute(
            select(events).where(events.c.id == data.id).with_for_update()
        ).mappings().first()
        if current is not None and current["catalog_version"] >= envelope.occurred_at:
            return
        values = {key: getattr(data, key) for key in EVENT_COPY}
        values["catalog_version"] = envelope.occurred_at
        if current is None:
            session.execute(events.insert().values(id=data.id, seats_taken=0, waitlist_taken=0, **values))
            return
        session.execute(update(events).where(events.c.id == data.id).values(**values))
        event = lookups.read_event(session, data.id)
        active = session.execute(
            select(registrations).where(registrations.c.event_id == data.id,
                                        registrations.c.status.in_(ACTIVE))
            .order_by(registrations.c.created_at)
        ).mappings().all()
        if envelope.type == "event_cancelled" and current["status"] != "cancelled":
            _cancel_everyone(session, event, active)
            return
        changed = rules.changes_registrants_hear_of(data.changed)
        if changed:
            for registration in active:
                add_event(session, outbox, "registration_event_changed", shapes.message_data(
                    registration, event, lookups.waitlist_position(session, registration), changed=changed))
        promote_waiting_list(session, data.id)


def _cancel_everyone(session, event, active):
    """An event called off: every active registration cancelled and told, in three statements
    however many there are (5,000 one by one held the first message back by seconds)."""
    now = utcnow()
    session.execute(update(registrations).where(registrations.c.event_id == event["id"],
                                                registrations.c.status.in_(ACTIVE))
                    .values(status=CANCELLED, waitlist_seq=None, cancelled_at=now, updated_at=now))
    session.execute(update(events).where(events.c.id == event["id"]).values(seats_taken=0, waitlist_taken=0))
    add_events(session, outbox, [
        ("registration_cancelled", shapes.message_data({**registration, "status": CANCELLED, "waitlist_seq": None},
                                                       event, reason="event_cancelled"))
        for registration in active])
