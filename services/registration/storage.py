"""Registration's storage verbs. Every change locks the event's row first, so seat counts are
exact under concurrency, and writes its outgoing events to the outbox in the same transaction."""
import logging
import uuid

from sqlalchemy import bindparam, func, or_, select, update

from services.registration import codes, reports, rules, seating
from services.registration.intake import Intake
from services.registration.seating import ACTIVE, CANCELLED, CONFIRMED, WAITLISTED
from services.registration.tables import (
    events,
    outbox,
    processed_events,
    registrations,
    idempotency_keys,
    walk_ins,
)
from shared.database import utcnow
from shared.errors import (
    Conflict,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
    YhdessaError,
)
from shared.inbox import first_delivery
from shared.organizers import check_owner
from shared.outbox import add_event, add_events

log = logging.getLogger(__name__)

# Catalog fields that, when they change, every registrant hears of.
FIELDS_REGISTRANTS_HEAR_OF = {"starts_at", "ends_at", "place", "address"}
EVENT_COPY = (
    "title", "municipality", "place", "address", "starts_at", "ends_at", "capacity",
    "waitlist_capacity", "max_group_size", "registration_opens_at", "registration_closes_at",
    "organizer", "status", "summary_phone", "summary_email",
)


def snapshot(event):
    return {key: event[key] for key in ("id", "title", "municipality", "place", "address", "starts_at", "ends_at",
                                        "organizer")}


# What anonymising a registration blanks: everything that names or reaches a person.
ANONYMOUS = {"name": None, "phone": None, "email": None, "contact_key": None, "assisted_by_name": None,
             "client_ref": None}


# The busiest statements, built once and given their values as parameters: building a statement
# with its values inside costs two to three times the CPU of running it (README, Performance).
LOCK_EVENT = select(events).where(events.c.id == bindparam("event_id")).with_for_update()
WAITLIST_POSITION = select(func.count()).select_from(registrations).where(
    registrations.c.event_id == bindparam("event_id"), registrations.c.status == WAITLISTED,
    registrations.c.waitlist_seq <= bindparam("seq"))
CANCEL_REGISTRATION = update(registrations).where(registrations.c.id == bindparam("registration_id")).values(
    status=CANCELLED, waitlist_seq=None, cancelled_at=bindparam("now"), updated_at=bindparam("now"))
ADD_TO_COUNTER = {counter: update(events).where(events.c.id == bindparam("event_id"))
                  .values({events.c[counter]: events.c[counter] + bindparam("delta")})
                  for counter in ("seats_taken", "waitlist_taken")}


class RegistrationStore:
    def __init__(self, database):
        self.database = database

    # --- sign-up and cancellation ------------------------------------------------------------

    def register(self, event_id, signup, idempotency_key=None):
        """(registration, repeat_of): a new registration and None, or the one this Idempotency-Key
        ("request") or this person ("contact") already has for the event."""
        with self.database.transaction() as session:
            event = self._lock_event(session, event_id)
            [result] = Intake(self, session, {event_id: event}, utcnow()).take([(event_id, signup, idempotency_key)])
        if isinstance(result, Exception):
            raise result
        return result

    def register_many(self, sign_ups):
        """`register` for many (event_id, signup, idempotency_key) at once, in one transaction:
        one result each, in order, a YhdessaError instance standing for a refused one. Events are
        locked in id order (as no other verb locks two, no deadlock), then taken in arrival order
        (services/registration/intake.py)."""
        if not sign_ups:
            return []
        try:
            with self.database.transaction() as session:
                locked = {}
                for event_id in sorted({event_id for event_id, _, _ in sign_ups}):
                    try:
                        locked[event_id] = self._lock_event(session, event_id)
                    except NotFound as exc:
                        locked[event_id] = exc
                return Intake(self, session, locked, utcnow()).take(sign_ups)
        except ServiceUnavailable:
            raise  # the database is away or the caller gave up: alone, each would fail the same way
        except Exception:
            if len(sign_ups) == 1:
                raise
            # Something unforeseen (a database error) undid them all: take each alone, so one
            # cannot fail the others.
            log.warning("a batch of %d sign-ups failed together; taking them one by one", len(sign_ups),
                        exc_info=True)
            return [self._register_alone(*sign_up) for sign_up in sign_ups]

    def _register_alone(self, event_id, signup, key):
        try:
            return self.register(event_id, signup, key)
        except Exception as exc:
            if not isinstance(exc, YhdessaError):
                log.error("a sign-up failed", exc_info=True)
            return exc

    def cancel(self, cancel_code):
        """Cancel by code; cancelling twice is harmless. Freed seats go to the waiting list."""
        with self.database.transaction() as session:
            event, registration = self._locked_by_code(session, cancel_code)
            if registration["status"] != CANCELLED:
                self._cancel(session, registration, event, "by_registrant")
                self._promote(session, event["id"])
                registration = self._by_code(session, registration["cancel_code"])
            return self._public(session, registration, event)

    def cancel_by_client(self, event_id, client_ref, organizer=None):
        """Staff clear out what one client (a bot, say) signed up for an event: every active
        registration with that `client_ref` cancelled as staff cancel (each registrant told),
        the freed seats to the waiting list. Returns the ids cancelled."""
        with self.database.transaction() as session:
            event = self._lock_event(session, event_id)
            check_owner(event["organizer"], organizer)
            found = session.execute(
                select(registrations).where(registrations.c.event_id == event_id,
                                            registrations.c.client_ref == client_ref,
                                            registrations.c.status.in_(ACTIVE))
                .order_by(registrations.c.created_at, registrations.c.id)
            ).mappings().all()
            for registration in found:
                self._cancel(session, dict(registration), event, "by_staff")
            if found:
                self._promote(session, event_id)
        return {"event_id": event_id, "client_ref": client_ref, "cancelled": len(found),
                "registration_ids": [r["id"] for r in found]}

    def _cancel(self, session, registration, event, reason):
        now = utcnow()
        counter = "seats_taken" if registration["status"] == CONFIRMED else "waitlist_taken"
        self._add_to_counter(session, event["id"], counter, -registration["seats"])
        session.execute(CANCEL_REGISTRATION, {"registration_id": registration["id"], "now": now})
        cancelled = {**registration, "status": CANCELLED, "waitlist_seq": None}
        add_event(session, outbox, "registration_cancelled",
                  self._message(cancelled, event, {"waitlist_position": None}, reason=reason))

    def _cancel_everyone(self, session, event, active):
        """An event called off: every active registration cancelled and told, in three statements
        however many there are (5,000 one by one held the first message back by seconds)."""
        now = utcnow()
        session.execute(update(registrations).where(registrations.c.event_id == event["id"],
                                                    registrations.c.status.in_(ACTIVE))
                        .values(status=CANCELLED, waitlist_seq=None, cancelled_at=now, updated_at=now))
        session.execute(update(events).where(events.c.id == event["id"]).values(seats_taken=0, waitlist_taken=0))
        add_events(session, outbox, [
            ("registration_cancelled", self._message({**registration, "status": CANCELLED, "waitlist_seq": None},
                                                     event, {"waitlist_position": None}, reason="event_cancelled"))
            for registration in active])

    def _promote(self, session, event_id):
        """Move every waitlisted group that now fits to confirmed, first come first served."""
        event = self._event(session, event_id)
        if event["status"] != "published" or utcnow() >= event["starts_at"]:
            return  # nobody is told they got a seat at an event that is off or under way
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
                .values(status=CONFIRMED, waitlist_seq=None, updated_at=now)
            )
            self._add_to_counter(session, event_id, "seats_taken", registration["seats"])
            self._add_to_counter(session, event_id, "waitlist_taken", -registration["seats"])
            promoted = {**registration, "status": CONFIRMED, "waitlist_seq": None}
            add_event(session, outbox, "registration_promoted",
                      self._message(promoted, event, {"waitlist_position": None}))

    def erase(self, cancel_code):
        """The registrant's own erasure: cancel if still active (nobody is messaged about it),
        blank name and contacts at once, and tell every service to forget them."""
        with self.database.transaction() as session:
            event, registration = self._locked_by_code(session, cancel_code)
            if registration["anonymised_at"] is not None:
                return {"id": registration["id"], "erased": True}
            if registration["status"] != CANCELLED:
                self._cancel(session, registration, event, "erased")
                self._promote(session, event["id"])
            session.execute(update(registrations).where(registrations.c.id == registration["id"])
                            .values(**ANONYMOUS, anonymised_at=utcnow()))
            add_event(session, outbox, "registration_erased",
                      {"registration_id": registration["id"], "event": snapshot(event)})
            return {"id": registration["id"], "erased": True}

    # --- attendance ------------------------------------------------------------------------

    def check_in(self, reference, attended, staff, organizer=None):
        """Mark a confirmed registration (by id or cancel code) as there, or take that back.
        Marking what is already marked changes nothing and publishes nothing."""
        with self.database.transaction() as session:
            found = self._find(session, reference)
            event = self._lock_event(session, found["event_id"])
            check_owner(event["organizer"], organizer)
            registration = dict(session.execute(
                select(registrations).where(registrations.c.id == found["id"])).mappings().one())
            if registration["status"] != CONFIRMED:
                raise Conflict(f"Only a confirmed registration can be checked in; this one is "
                               f"{registration['status']}.", code="not_confirmed")
            if (registration["attended_at"] is not None) == attended:
                return self._public(session, registration, event)
            now = utcnow()
            values = {"attended_at": now if attended else None, "attended_by": staff["id"] if attended else None}
            session.execute(update(registrations).where(registrations.c.id == registration["id"])
                            .values(**values, updated_at=now))
            registration.update(values)
            add_event(session, outbox, "attendance_marked", {
                "registration_id": registration["id"], "name": registration["name"],
                "seats": registration["seats"], "attended": attended, "marked_at": now,
                "marked_by": {"id": staff["id"], "name": staff["name"]}, "event": snapshot(event)})
            return self._public(session, registration, event)

    def record_walk_ins(self, event_id, count, staff, organizer=None):
        """Count people in who came without signing up; the total never goes below zero."""
        with self.database.transaction() as session:
            event = self._lock_event(session, event_id)
            check_owner(event["organizer"], organizer)
            total = self._walk_in_total(session, event_id) + count
            if count == 0 or total < 0:
                raise ValidationFailed("That count would make the headcount negative or leave it as it is.",
                                       fields={"count": f"a non-zero number, at least {-total + count}"})
            walk_in = {"id": str(uuid.uuid4()), "event_id": event_id, "count": count,
                       "recorded_at": utcnow(), "recorded_by": staff["id"]}
            session.execute(walk_ins.insert().values(**walk_in))
            add_event(session, outbox, "walk_ins_recorded", {
                "walk_in_id": walk_in["id"], "count": count, "total": total, "recorded_at": walk_in["recorded_at"],
                "recorded_by": {"id": staff["id"], "name": staff["name"]}, "event": snapshot(event)})
            return {"event_id": event_id, "count": count, "total": total}

    def walk_ins_for_event(self, event_id, organizer=None):
        with self.database.transaction() as session:
            check_owner(self._event(session, event_id)["organizer"], organizer)
            rows = session.execute(select(walk_ins).where(walk_ins.c.event_id == event_id)
                                   .order_by(walk_ins.c.recorded_at)).mappings().all()
        return {"event_id": event_id, "total": sum(r["count"] for r in rows),
                "counts": [{"count": r["count"], "recorded_at": r["recorded_at"].isoformat()} for r in rows]}

    # --- the contact person's summary ------------------------------------------------------

    def close_registrations(self, now=None):
        """For each event whose registration has closed and whose contact person has not been
        told: one `registration_closed` with how many are coming and waiting. Returns how many."""
        now = now or utcnow()
        closed = or_(events.c.registration_closes_at <= now, events.c.starts_at <= now)
        with self.database.transaction() as session:
            due = session.execute(select(events.c.id).where(
                events.c.status == "published", events.c.summary_sent_at.is_(None), closed,
                events.c.summary_phone.is_not(None) | events.c.summary_email.is_not(None),
            )).scalars().all()
        for event_id in due:
            with self.database.transaction() as session:
                event = self._lock_event(session, event_id)
                if event["summary_sent_at"] is not None:
                    continue
                totals = {status: (0, 0) for status in (CONFIRMED, WAITLISTED)}
                for status, n, seats in session.execute(
                    select(registrations.c.status, func.count(), func.sum(registrations.c.seats))
                    .where(registrations.c.event_id == event_id, registrations.c.status.in_(ACTIVE))
                    .group_by(registrations.c.status)
                ).all():
                    totals[status] = (n, seats)
                add_event(session, outbox, "registration_closed", {
                    "confirmed": totals[CONFIRMED][0], "confirmed_seats": totals[CONFIRMED][1],
                    "waitlisted": totals[WAITLISTED][0], "waitlisted_seats": totals[WAITLISTED][1],
                    "summary_phone": event["summary_phone"], "summary_email": event["summary_email"],
                    "event": snapshot(event)})
                session.execute(update(events).where(events.c.id == event_id).values(summary_sent_at=now))
        return len(due)

    # --- catalog's events ------------------------------------------------------------------

    def apply_catalog_event(self, envelope, data):
        """Keep the local copy of an event; fan a cancellation or a change out per registrant.
        A redelivered or out-of-date catalog event changes nothing."""
        with self.database.transaction() as session:
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
            else:
                session.execute(update(events).where(events.c.id == data.id).values(**values))
            event = self._event(session, data.id)
            if current is None:
                return
            active = session.execute(
                select(registrations).where(registrations.c.event_id == data.id,
                                            registrations.c.status.in_(ACTIVE))
                .order_by(registrations.c.created_at)
            ).mappings().all()
            if envelope.type == "event_cancelled" and current["status"] != "cancelled":
                self._cancel_everyone(session, event, active)
                return
            changed = sorted(set(data.changed) & FIELDS_REGISTRANTS_HEAR_OF)
            if changed:
                for registration in active:
                    public = self._public(session, registration, event)
                    add_event(session, outbox, "registration_event_changed",
                              self._message(registration, event, public, changed=changed))
            self._promote(session, data.id)

    # --- reads -----------------------------------------------------------------------------

    def get_by_code(self, reference):
        """A registration by its cancel code or link token."""
        condition = self._held_by(reference)
        with self.database.transaction() as session:
            registration = condition is not None and session.execute(
                select(registrations).where(condition)).mappings().first()
            if not registration:
                raise NotFound("No registration with that code.", code="registration_not_found")
            registration = dict(registration)
            return self._public(session, registration, self._event(session, registration["event_id"]))

    def list_for_event(self, event_id, organizer=None, client_ref=None):
        """Everyone who signed up (or, `client_ref` given, those who signed up from that client),
        in sign-up order, with waiting-list positions and the client each came from."""
        with self.database.transaction() as session:
            check_owner(self._event(session, event_id)["organizer"], organizer)
            rows = session.execute(
                select(registrations).where(registrations.c.event_id == event_id)
                .order_by(registrations.c.created_at, registrations.c.id)
            ).mappings().all()
        positions = {r["id"]: i for i, r in enumerate(
            sorted((r for r in rows if r["status"] == WAITLISTED), key=lambda r: r["waitlist_seq"]), 1)}
        return [{**self._row(r, positions.get(r["id"])), "client_ref": r["client_ref"]}
                for r in rows if client_ref is None or r["client_ref"] == client_ref]

    def availability(self, event_ids):
        """{event id: {"seats_left", "waitlist_left"}} as registration counts them."""
        with self.database.transaction() as session:
            rows = session.execute(select(events).where(events.c.id.in_(list(event_ids)))).mappings().all()
        return {r["id"]: {"seats_left": seating.Counts.of(r).seats_left, "waitlist_left": seating.Counts.of(r).waitlist_left}
                for r in rows}

    def stats(self, starts_from=None, starts_before=None, municipality=None, organizer=None, per_month=False):
        with self.database.transaction() as session:
            return reports.stats(session, utcnow(), starts_from, starts_before, municipality, organizer, per_month)

    def forget_idempotency_keys(self, now=None):
        """Idempotency-Keys hold a day; older ones are deleted. Returns how many went."""
        oldest = (now or utcnow()) - rules.IDEMPOTENCY_KEY_LIFETIME
        with self.database.transaction() as session:
            return session.execute(idempotency_keys.delete().where(idempotency_keys.c.created_at <= oldest)).rowcount

    def anonymise_ended(self, retention_days, now=None):
        """The retention job: names and contacts go `retention_days` after the event ends."""
        with self.database.transaction() as session:
            return reports.anonymise_ended(session, now or utcnow(), retention_days, ANONYMOUS)

    # --- helpers ---------------------------------------------------------------------------

    def _lock_event(self, session, event_id):
        event = session.execute(LOCK_EVENT, {"event_id": event_id}).mappings().first()
        if event is None:
            raise NotFound("No such event.", code="event_not_found")
        return dict(event)

    def _event(self, session, event_id):
        event = session.execute(select(events).where(events.c.id == event_id)).mappings().first()
        if event is None:
            raise NotFound("No such event.", code="event_not_found")
        return dict(event)

    def _locked_by_code(self, session, reference):
        """(event, registration) of a cancel code or link token, the event's row locked first (as
        every change does), the registration read after the lock."""
        condition = self._held_by(reference)
        found = condition is not None and session.execute(
            select(registrations.c.event_id).where(condition)).first()
        if not found:
            raise NotFound("No registration with that code.", code="registration_not_found")
        event = self._lock_event(session, found.event_id)
        return event, dict(session.execute(select(registrations).where(condition)).mappings().one())

    @staticmethod
    def _held_by(reference):
        """The condition finding the registration a cancel code or link token opens (None: it
        can be neither)."""
        held = codes.reference(reference)
        if held is None:
            return None
        kind, value = held
        return registrations.c.token_hash == value if kind == "token" else registrations.c.cancel_code == value

    def _find(self, session, reference):
        """A registration's id and event by its id or by its cancel code."""
        code = codes.normalise(reference)
        condition = registrations.c.id == reference
        if code:
            condition = condition | (registrations.c.cancel_code == code)
        row = session.execute(select(registrations.c.id, registrations.c.event_id).where(condition)).mappings().first()
        if row is None:
            raise NotFound("No registration with that id or code.", code="registration_not_found")
        return row

    def _walk_in_total(self, session, event_id):
        return session.execute(select(func.coalesce(func.sum(walk_ins.c.count), 0))
                               .where(walk_ins.c.event_id == event_id)).scalar()

    def _by_code(self, session, code, missing_ok=False):
        row = session.execute(select(registrations).where(registrations.c.cancel_code == code)).mappings().first()
        if row is None and not missing_ok:
            raise NotFound("No registration with that code.", code="registration_not_found")
        return dict(row) if row else None

    def _add_to_counter(self, session, event_id, counter, delta):
        session.execute(ADD_TO_COUNTER[counter], {"event_id": event_id, "delta": delta})

    def _position(self, session, registration):
        if registration["status"] != WAITLISTED:
            return None
        return session.execute(WAITLIST_POSITION, {"event_id": registration["event_id"],
                                                   "seq": registration["waitlist_seq"]}).scalar()

    def _row(self, registration, position):
        return {
            "id": registration["id"], "event_id": registration["event_id"],
            "status": registration["status"], "seats": registration["seats"],
            "waitlist_position": position, "cancel_code": codes.display(registration["cancel_code"]),
            "name": registration["name"], "phone": registration["phone"], "email": registration["email"],
            "language": registration["language"], "channel": registration["channel"],
            "created_at": registration["created_at"].isoformat(),
            "cancelled_at": registration["cancelled_at"].isoformat() if registration["cancelled_at"] else None,
            "attended": registration["attended_at"] is not None,
            "attended_at": registration["attended_at"].isoformat() if registration["attended_at"] else None,
            "assisted_by": registration["assisted_by_name"] or registration["assisted_by"],
            "consent_at": registration["consent_at"].isoformat() if registration["consent_at"] else None,
        }

    def _public(self, session, registration, event):
        return self._public_at(registration, event, self._position(session, registration))

    def _public_at(self, registration, event, position):
        public = self._row(registration, position)
        public["event"] = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in snapshot(event).items()}
        return public

    def _message(self, registration, event, public, reason=None, changed=(), token=None):
        """The data of a registration_* event: all a notification needs, no RPC required. An
        erasure's cancellation carries no name or contact: it is nobody's message. `token`: the
        link token, known only when the registration is made (its first message links with it)."""
        if reason == "erased":
            registration = {**registration, **ANONYMOUS}
        return {
            "registration_id": registration["id"], "status": registration["status"],
            "name": registration["name"], "phone": registration["phone"], "email": registration["email"],
            "assisted_by": registration.get("assisted_by_name"),
            "language": registration["language"], "channel": registration["channel"],
            "seats": registration["seats"], "cancel_code": codes.display(registration["cancel_code"]),
            "waitlist_position": public.get("waitlist_position"), "reason": reason,
            "changed": list(changed), "token": token, "event": snapshot(event),
        }
