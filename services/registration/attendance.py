"""Attendance at the door: staff check confirmed registrants in (or take it back) and count
walk-ins, people who came without signing up."""
import uuid

from sqlalchemy import func, select, update

from services.registration import lookups, rules, shapes
from services.registration.tables import outbox, registrations, walk_ins
from shared.database import utcnow
from shared.organizers import check_owner
from shared.outbox import add_event


def check_in(database, reference, attended, staff, organizer=None):
    """Mark a confirmed registration (by id or cancel code) as there, or take that back.
    Marking what is already marked changes nothing and publishes nothing."""
    with database.transaction() as session:
        found = lookups.by_id_or_code(session, reference)
        event = lookups.lock_event(session, found["event_id"])
        check_owner(event["organizer"], organizer)
        registration = dict(session.execute(
            select(registrations).where(registrations.c.id == found["id"])).mappings().one())
        rules.check_may_check_in(registration)
        if (registration["attended_at"] is not None) == attended:
            return lookups.public_view_with_position(session, registration, event)
        now = utcnow()
        values = {"attended_at": now if attended else None, "attended_by": staff["id"] if attended else None}
        session.execute(update(registrations).where(registrations.c.id == registration["id"])
                        .values(**values, updated_at=now))
        registration.update(values)
        add_event(session, outbox, "attendance_marked", {
            "registration_id": registration["id"], "name": registration["name"],
            "seats": registration["seats"], "attended": attended, "marked_at": now,
            "marked_by": {"id": staff["id"], "name": staff["name"]}, "event": shapes.snapshot(event)})
        return lookups.public_view_with_position(session, registration, event)


def record_walk_ins(database, event_id, count, staff, organizer=None):
    """Count people in (or, negative, out) who came without signing up; the total never goes
    below zero (rules.walk_in_total)."""
    with database.transaction() as session:
        event = lookups.lock_event(session, event_id)
        check_owner(event["organizer"], organizer)
        total = rules.walk_in_total(_walk_in_total(session, event_id), count)
        walk_in = {"id": str(uuid.uuid4()), "event_id": event_id, "count": count,
                   "recorded_at": utcnow(), "recorded_by": staff["id"]}
        session.execute(walk_ins.insert().values(**walk_in))
        add_event(session, outbox, "walk_ins_recorded", {
            "walk_in_id": walk_in["id"], "count": count, "total": total, "recorded_at": walk_in["recorded_at"],
            "recorded_by": {"id": staff["id"], "name": staff["name"]}, "event": shapes.snapshot(event)})
        return {"event_id": event_id, "count": count, "total": total}


def walk_ins_for_event(database, event_id, organizer=None):
    """The walk-in counts of an event, in the order recorded, and their total."""
    with database.transaction() as session:
        check_owner(lookups.read_event(session, event_id)["organizer"], organizer)
        rows = session.execute(select(walk_ins).where(walk_ins.c.event_id == event_id)
                               .order_by(walk_ins.c.recorded_at)).mappings().all()
    return {"event_id": event_id, "total": sum(r["count"] for r in rows),
            "counts": [{"count": r["count"], "recorded_at": r["recorded_at"].isoformat()} for r in rows]}


def _walk_in_total(session, event_id):
    return session.execute(select(func.coalesce(func.sum(walk_ins.c.count), 0))
                           .where(walk_ins.c.event_id == event_id)).scalar()
