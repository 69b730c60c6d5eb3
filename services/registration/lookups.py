"""The reads every use case shares: an event's row (locked, as every change takes it first), a
registration by its cancel code, link token or id, and its place on the waiting list."""
from sqlalchemy import bindparam, func, select

from services.registration import codes, shapes
from services.registration.seating import WAITLISTED
from services.registration.tables import events, registrations
from shared.errors import NotFound

# The busiest statements, built once and given their values as parameters: building a statement
# with its values inside costs two to three times the CPU of running it (README, Performance).
LOCK_EVENT = select(events).where(events.c.id == bindparam("event_id")).with_for_update()
WAITLIST_POSITION = select(func.count()).select_from(registrations).where(
    registrations.c.event_id == bindparam("event_id"), registrations.c.status == WAITLISTED,
    registrations.c.waitlist_seq <= bindparam("seq"))


def no_such_event():
    return NotFound("No such event.", code="event_not_found")


def no_such_registration(message="No registration with that code."):
    return NotFound(message, code="registration_not_found")


def lock_event(session, event_id):
    """The event's row, locked until the transaction ends (NotFound when there is none)."""
    event = session.execute(LOCK_EVENT, {"event_id": event_id}).mappings().first()
    if event is None:
        raise no_such_event()
    return dict(event)


def read_event(session, event_id):
    """The event's row, unlocked (NotFound when there is none)."""
    found = session.execute(select(events).where(events.c.id == event_id)).mappings().first()
    if found is None:
        raise no_such_event()
    return dict(found)


def held_by(reference):
    """The condition finding the registration a cancel code or link token opens (None: it can be
    neither)."""
    held = codes.reference(reference)
    if held is None:
        return None
    kind, value = held
    return registrations.c.token_hash == value if kind == "token" else registrations.c.cancel_code == value


def locked_by_code(session, reference):
    """(event, registration) of a cancel code or link token, the event's row locked first (as
    every change does), the registration read after the lock."""
    condition = held_by(reference)
    found = condition is not None and session.execute(
        select(registrations.c.event_id).where(condition)).first()
    if not found:
        raise no_such_registration()
    locked = lock_event(session, found.event_id)
    return locked, dict(session.execute(select(registrations).where(condition)).mappings().one())


def by_stored_code(session, code):
    """A registration by its stored cancel code (NotFound when there is none)."""
    row = session.execute(select(registrations).where(registrations.c.cancel_code == code)).mappings().first()
    if row is None:
        raise no_such_registration()
    return dict(row)


def by_id_or_code(session, reference):
    """A registration's id and event by its id or by its cancel code (staff at the door)."""
    code = codes.normalise(reference)
    condition = registrations.c.id == reference
    if code:
        condition = condition | (registrations.c.cancel_code == code)
    row = session.execute(select(registrations.c.id, registrations.c.event_id).where(condition)).mappings().first()
    if row is None:
        raise no_such_registration("No registration with that id or code.")
    return row


def waitlist_position(session, registration):
    """Its place on the waiting list, counting only those still waiting (None unless waiting)."""
    if registration["status"] != WAITLISTED:
        return None
    return session.execute(WAITLIST_POSITION, {"event_id": registration["event_id"],
                                               "seq": registration["waitlist_seq"]}).scalar()


def public_view_with_position(session, registration, event):
    """shapes.public_view with its waiting-list place read from the database."""
    return shapes.public_view(registration, event, waitlist_position(session, registration))
