"""The reminder before an event: each confirmed registrant gets one `registration_reminder` at
its event's `reminder_at` (rules.reminder_is_due says who), once, whatever the copies of the
service. Run by the service's timer."""
from sqlalchemy import bindparam, select, update

from services.registration import lookups, rules, shapes
from services.registration.tables import events, outbox, registrations
from shared.database import utcnow
from shared.outbox import add_event

# Reminders written per transaction: the event's lock (which sign-ups and cancellations wait for)
# is held only briefly even when thousands are due at once.
BATCH = 200

# The guard that makes a reminder once: only the copy whose UPDATE finds it not yet reminded
# writes it (the others, and any later run, find it done).
MARK_REMINDED = update(registrations).where(
    registrations.c.id == bindparam("registration_id"), registrations.c.reminded_at.is_(None),
).values(reminded_at=bindparam("now"))


def send_reminders(database, now=None):
    """A `registration_reminder` for every registration whose reminder is due at `now`, each
    marked reminded in the same transaction. Returns how many were written."""
    now = now or utcnow()
    with database.transaction() as session:
        due_events = session.execute(
            select(events.c.id).distinct().select_from(events.join(registrations))
            .where(rules.reminder_is_due_sql(now))
        ).scalars().all()
    return sum(_remind_event(database, event_id, now) for event_id in due_events)


def _remind_event(database, event_id, now):
    """The due reminders of one event, a batch a transaction, each under the event's lock: a
    registration cancelled, or an event moved, meanwhile is seen as it is now."""
    written = 0
    while True:
        before = written
        with database.transaction() as session:
            event = lookups.lock_event(session, event_id)
            due = [dict(row) for row in session.execute(
                select(registrations).select_from(events.join(registrations))
                .where(events.c.id == event_id, rules.reminder_is_due_sql(now))
                .order_by(registrations.c.created_at).limit(BATCH)
            ).mappings()]
            for registration in due:
                if not rules.reminder_is_due(event, registration, now):
                    continue
                marked = session.execute(MARK_REMINDED, {"registration_id": registration["id"], "now": now})
                if marked.rowcount == 1:
                    add_event(session, outbox, "registration_reminder", shapes.message_data(registration, event))
                    written += 1
        if len(due) < BATCH or written == before:  # all done (or none left this run could write)
            return written
