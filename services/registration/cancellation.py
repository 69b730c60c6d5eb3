"""Cancellations: a registrant's own (by cancel code or link token), staff clearing out what one
client signed up, a registrant's erasure of their data; and the waiting list moving into the
seats a cancellation (or a larger capacity) frees, first come first served."""
from sqlalchemy import bindparam, select, update

from services.registration import lookups, rules, seating, shapes
from services.registration.seating import ACTIVE, CANCELLED, CONFIRMED, WAITLISTED
from services.registration.tables import events, outbox, registrations
from shared.database import utcnow
from shared.organizers import check_owner
from shared.outbox import add_event

# Built once, values as parameters (README, Performance).
CANCEL_REGISTRATION = update(registrations).where(registrations.c.id == bindparam("registration_id")).values(
    status=CANCELLED, waitlist_seq=None, cancelled_at=bindparam("now"), updated_at=bindparam("now"))
ADD_TO_COUNTER = {counter: update(events).where(events.c.id == bindparam("event_id"))
                  .values({events.c[counter]: events.c[counter] + bindparam("delta")})
                  for counter in ("seats_taken", "waitlist_taken")}


def cancel(database, cancel_code):
    """Cancel by code; cancelling twice is harmless. Freed seats go to the waiting list."""
    with database.transaction() as session:
        return cancel_held(session, cancel_code)


def cancel_held(session, cancel_code):
    """`cancel` inside the caller's transaction (a text's cancellation records its MessageSid in it)."""
    event, registration = lookups.locked_by_code(session, cancel_code)
    if registration["status"] != CANCELLED:
        cancel_registration(session, registration, event, "by_registrant")
        promote_waiting_list(session, event["id"])
        registration = lookups.by_stored_code(session, registration["cancel_code"])
    return lookups.public_view_with_position(session, registration, event)


def cancel_by_client(database, event_id, client_ref, organizer=None):
    """Staff clear out what one client (a bot, say) signed up for an event: every active
    registration with that `client_ref` cancelled as staff cancel (each registrant told), the
    freed seats to the waiting list. Returns the ids cancelled."""
    with database.transaction() as session:
        event = lookups.lock_event(session, event_id)
        check_owner(event["organizer"], organizer)
        found = session.execute(
            select(registrations).where(registrations.c.event_id == event_id,
                                        registrations.c.client_ref == client_ref,
                                        registrations.c.status.in_(ACTIVE))
            .order_by(registrations.c.created_at, registrations.c.id)
        ).mappings().all()
        for registration in found:
            cancel_registration(session, dict(registration), event, "by_staff")
        if found:
            promote_waiting_list(session, event_id)
    return {"event_id": event_id, "client_ref": client_ref, "cancelled": len(found),
            "registration_ids": [r["id"] for r in found]}


def erase(database, cancel_code):
    """The registrant's own erasure: cancel if still active (nobody is messaged about it), blank
    name and contacts at once, and tell every service to forget them."""
    with database.transaction() as session:
        event, registration = lookups.locked_by_code(session, cancel_code)
        if registration["anonymised_at"] is not None:
            return {"id": registration["id"], "erased": True}
        if registration["status"] != CANCELLED:
            cancel_registration(session, registration, event, "erased")
            promote_waiting_list(session, event["id"])
        session.execute(update(registrations).where(registrations.c.id == registration["id"])
                        .values(**shapes.ANONYMOUS, anonymised_at=utcnow()))
        add_event(session, outbox, "registration_erased",
                  {"registration_id": registration["id"], "event": shapes.snapshot(event)})
        return {"id": registration["id"], "erased": True}


def cancel_registration(session, registration, event, reason, told_with_enrolment=False):
    """Cancel an active registration under its event's lock, free its seats, tell its registrant
    (`told_with_enrolment`: in their enrolment's one message instead)."""
    now = utcnow()
    counter = "seats_taken" if registration["status"] == CONFIRMED else "waitlist_taken"
    _add_to_counter(session, event["id"], counter, -registration["seats"])
    session.execute(CANCEL_REGISTRATION, {"registration_id": registration["id"], "now": now})
    cancelled = {**registration, "status": CANCELLED, "waitlist_seq": None}
    add_event(session, outbox, "registration_cancelled", shapes.message_data(
        cancelled, event, reason=reason, told_with_enrolment=told_with_enrolment))


def promote_waiting_list(session, event_id):
    """Move every waitlisted group that now fits to confirmed, first come first served
    (seating.promotions), each told; nothing moves when rules.may_promote says no. The caller
    holds the event's lock."""
    event = lookups.read_event(session, event_id)
    if not rules.may_promote(event, utcnow()):
        return
    waiting = session.execute(
        select(registrations).where(registrations.c.event_id == event_id,
                                    registrations.c.status == WAITLISTED)
        .order_by(registrations.c.waitlist_seq)
    ).mappings().all()
    chosen = set(seating.promotions(seating.Counts.of(event).seats_left, [(r["id"], r["seats"]) for r in waiting]))
    now = utcnow()
    for registration in waiting:
        if registration["id"] not in chosen:
            continue
        session.execute(
            update(registrations).where(registrations.c.id == registration["id"])
            .values(status=CONFIRMED, waitlist_seq=None, updated_at=now,
                    reminded_at=now if rules.promotion_is_the_reminder(event, now) else None)
        )
        _add_to_counter(session, event_id, "seats_taken", registration["seats"])
        _add_to_counter(session, event_id, "waitlist_taken", -registration["seats"])
        promoted = {**registration, "status": CONFIRMED, "waitlist_seq": None}
        add_event(session, outbox, "registration_promoted", shapes.message_data(promoted, event))


def _add_to_counter(session, event_id, counter, delta):
    session.execute(ADD_TO_COUNTER[counter], {"event_id": event_id, "delta": delta})
