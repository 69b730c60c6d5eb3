"""What registration answers without changing anything: a registration by its holder's code or
link, an event's roster for staff, seats left for catalog's lists."""
from sqlalchemy import select

from services.registration import lookups, seating, shapes
from services.registration.seating import WAITLISTED
from services.registration.tables import events, registrations
from shared.organizers import check_owner


def get_by_code(database, reference):
    """A registration by its cancel code or link token."""
    condition = lookups.held_by(reference)
    with database.transaction() as session:
        registration = condition is not None and session.execute(
            select(registrations).where(condition)).mappings().first()
        if not registration:
            raise lookups.no_such_registration()
        registration = dict(registration)
        event = lookups.read_event(session, registration["event_id"])
        return lookups.public_view_with_position(session, registration, event)


def list_for_event(database, event_id, organizer=None, client_ref=None):
    """Everyone who signed up (or, `client_ref` given, those who signed up from that client), in
    sign-up order, with waiting-list positions and the client each came from."""
    with database.transaction() as session:
        check_owner(lookups.read_event(session, event_id)["organizer"], organizer)
        rows = session.execute(
            select(registrations).where(registrations.c.event_id == event_id)
            .order_by(registrations.c.created_at, registrations.c.id)
        ).mappings().all()
    positions = {r["id"]: i for i, r in enumerate(
        sorted((r for r in rows if r["status"] == WAITLISTED), key=lambda r: r["waitlist_seq"]), 1)}
    return [{**shapes.answer(r, positions.get(r["id"])), "client_ref": r["client_ref"]}
            for r in rows if client_ref is None or r["client_ref"] == client_ref]


def availability(database, event_ids):
    """{event id: {"seats_left", "waitlist_left"}} as registration counts them."""
    with database.transaction() as session:
        rows = session.execute(select(events).where(events.c.id.in_(list(event_ids)))).mappings().all()
    return {r["id"]: {"seats_left": seating.Counts.of(r).seats_left, "waitlist_left": seating.Counts.of(r).waitlist_left}
            for r in rows}
