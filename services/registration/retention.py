"""Registration's part of retention: names and contacts go a set number of days after the event
ends, and Idempotency-Keys after a day. Rows, statuses and attendance marks stay, so statistics
answer the same before and after. Run hourly by the service and by `python -m services.retention`."""
import datetime

from sqlalchemy import func, select, update

from services.registration import rules, shapes
from services.registration.tables import announcements, enrolments, events, idempotency_keys, registrations
from shared.database import utcnow


def anonymise_ended(database, retention_days, now=None):
    """Blank names and contacts of registrations whose event ended `retention_days` ago, of
    enrolments whose series' last session did, and the texts of staff's messages to everyone coming
    (staff write them, and may name someone); returns how many registrations."""
    now = now or utcnow()
    cutoff = now - datetime.timedelta(days=retention_days)
    ended = select(events.c.id).where(events.c.ends_at < cutoff)
    with database.transaction() as session:
        session.execute(update(announcements).where(announcements.c.event_id.in_(ended), announcements.c.text != "")
                        .values(text=""))
        series_over = (select(events.c.series_id).where(events.c.series_id.is_not(None))
                       .group_by(events.c.series_id).having(func.max(events.c.ends_at) < cutoff))
        session.execute(update(enrolments).where(enrolments.c.series_id.in_(series_over),
                                                 enrolments.c.anonymised_at.is_(None))
                        .values(**shapes.ANONYMOUS, anonymised_at=now))
        return session.execute(
            update(registrations)
            .where(registrations.c.event_id.in_(ended), registrations.c.anonymised_at.is_(None))
            .values(**shapes.ANONYMOUS, anonymised_at=now)
        ).rowcount


def forget_idempotency_keys(database, now=None):
    """Idempotency-Keys hold a day; older ones are deleted. Returns how many went."""
    oldest = (now or utcnow()) - rules.IDEMPOTENCY_KEY_LIFETIME
    with database.transaction() as session:
        return session.execute(idempotency_keys.delete().where(idempotency_keys.c.created_at <= oldest)).rowcount
