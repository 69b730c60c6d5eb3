"""When an event's registration closes, its contact person hears how many are coming and how
many wait: one `registration_closed` per event, once. Run by the service's timer."""
from sqlalchemy import func, select, update

from services.registration import lookups, rules, shapes
from services.registration.seating import ACTIVE, CONFIRMED, WAITLISTED
from services.registration.tables import events, outbox, registrations
from shared.database import utcnow
from shared.outbox import add_event


def close_registrations(database, now=None):
    """For each event whose registration has closed and whose contact person has not been
    told: one `registration_closed` with how many are coming and waiting. Returns how many."""
    now = now or utcnow()
    with database.transaction() as session:
        due = session.execute(select(events.c.id).where(
            events.c.status == "published", events.c.summary_sent_at.is_(None),
            rules.registration_has_closed_sql(now),
            events.c.summary_phone.is_not(None) | events.c.summary_email.is_not(None),
        )).scalars().all()
    for event_id in due:
        # one transaction each: one event's summary never waits for, or fails with, another's
        with database.transaction() as session:
            event = lookups.lock_event(session, event_id)
            if event["summary_sent_at"] is not None:
                continue  # another copy of the service told them meanwhile
            totals = _totals(session, event_id)
            add_event(session, outbox, "registration_closed", {
                "confirmed": totals[CONFIRMED][0], "confirmed_seats": totals[CONFIRMED][1],
                "waitlisted": totals[WAITLISTED][0], "waitlisted_seats": totals[WAITLISTED][1],
                "summary_phone": event["summary_phone"], "summary_email": event["summary_email"],
                "event": shapes.snapshot(event)})
            session.execute(update(events).where(events.c.id == event_id).values(summary_sent_at=now))
    return len(due)


def _totals(session, event_id):
    """{status: (registrations, seats)} of the confirmed and the waiting."""
    totals = {status: (0, 0) for status in (CONFIRMED, WAITLISTED)}
    for status, n, seats in session.execute(
        select(registrations.c.status, func.count(), func.sum(registrations.c.seats))
        .where(registrations.c.event_id == event_id, registrations.c.status.in_(ACTIVE))
        .group_by(registrations.c.status)
    ).all():
        totals[status] = (n, seats)
    return totals
