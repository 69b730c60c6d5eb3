"""Enrolments in a series (a weekly group): one person's sign-up to every session not yet started,
one cancel code and link token for all of it; cancelling one session or all that is left; erasure.

Each session is an ordinary event of registration's copy (`series_id`, `session_number`), and the
enrolment holds one registration row in each session it covers (`registrations.enrolment_id`),
seated or waiting by that session's own rules, so seats, the waiting list, reminders, check-ins and
retention hold per session as for any event. Every change locks the sessions' event rows first, in
id order (as sign-ups in a batch do), so counts are exact under concurrency and nothing deadlocks.

The registrant hears of an enrolment, and of cancelling all of it, in one message
(`enrolment_confirmed`, `enrolment_cancelled`); the session rows' own events say
`told_with_enrolment` (staff's activity and webhooks still get them). A session cancelled alone,
a promotion in one session, a moved session: each told as for any registration.
"""
import uuid

from sqlalchemy import bindparam, func, select, update

from services.registration import codes, enrolment_rules, lookups, rules, seating, shapes
from services.registration.cancellation import cancel_registration, promote_waiting_list
from services.registration.seating import ACTIVE, CANCELLED, CONFIRMED, WAITLISTED
from services.registration.tables import enrolments, events, idempotency_keys, outbox, registrations
from shared.database import utcnow
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.organizers import check_owner
from shared.outbox import add_event, add_events

SESSION_IDS = select(events.c.id).where(events.c.series_id == bindparam("series_id"))
ENROLMENT_OF_KEY = select(enrolments, idempotency_keys.c.request_hash.label("request_hash"),
                          idempotency_keys.c.created_at.label("key_created_at")).select_from(
    idempotency_keys.join(registrations, registrations.c.id == idempotency_keys.c.registration_id)
    .join(enrolments, enrolments.c.id == registrations.c.enrolment_id)).where(idempotency_keys.c.key == bindparam("key"))
ROWS_OF_ENROLMENT = select(registrations).where(registrations.c.enrolment_id == bindparam("enrolment_id"))
WAITING = select(func.count()).where(registrations.c.event_id == bindparam("event_id"),
                                     registrations.c.status == WAITLISTED)
HIGHEST_WAITLIST_SEQ = select(func.max(registrations.c.waitlist_seq)).where(
    registrations.c.event_id == bindparam("event_id"))
ADD_TO_COUNTERS = events.update().where(events.c.id == bindparam("event_id")).values(
    seats_taken=events.c.seats_taken + bindparam("seats"), waitlist_taken=events.c.waitlist_taken + bindparam("waiting"))


def no_such_series():
    return NotFound("No such series.", code="series_not_found")


def no_such_enrolment():
    return NotFound("No enrolment with that code.", code="enrolment_not_found")


def enrol(database, series_id, signup, idempotency_key=None, organizer=None):
    """(enrolment, repeat_of), as `register` answers: a new enrolment (with its link `token`) and
    None; the one this Idempotency-Key made ("request"); to staff, the one this person already has
    ("contact"); to anyone else signing up an enrolled person again, a new-looking answer that
    opens nothing and writes nothing (a decoy: README, "Signing up twice"). Refused as a whole
    (409 event_full, nothing written) when a session it would cover has neither seat nor place.
    `organizer`: staff's (None for an admin or a resident), whose series alone they may enrol in."""
    with database.transaction() as session:
        now = utcnow()
        if idempotency_key:
            earlier = _made_by_key(session, idempotency_key, series_id, signup, now)
            if earlier is not None:
                return earlier, "request"
        ids = sorted(session.execute(SESSION_IDS, {"series_id": series_id}).scalars())
        if not ids:
            raise no_such_series()
        sessions = sorted((lookups.lock_event(session, event_id) for event_id in ids), key=_in_order)
        check_owner(sessions[0]["organizer"], organizer)
        covered = enrolment_rules.sessions_to_enrol(sessions, now)
        rules.check_group(covered[0], signup.seats)
        theirs = _registered(session, covered, signup.contact_key)
        enrolled = next((row["enrolment_id"] for row in theirs.values() if row["enrolment_id"]), None)
        if enrolled and signup.assisted_by:
            return _view(session, _enrolment(session, enrolled)), "contact"  # staff may know: they help in person
        # a session they already signed up for alone keeps that registration; the rest are enrolled
        remaining = [event for event in covered if event["id"] not in theirs]
        if enrolled or not remaining:
            places = [seating.placement(seating.Counts.of(event), signup.seats) for event in covered]
            return _decoy(session, series_id, signup, covered, places, now), None
        places = [seating.placement(seating.Counts.of(event), signup.seats) for event in remaining]
        return _write(session, series_id, signup, remaining, places, idempotency_key, now), None


def _in_order(event):
    return event["session_number"] or 0, event["starts_at"]


def _made_by_key(session, key, series_id, signup, now):
    """The enrolment an earlier request with this key made (None: none, or the key has expired);
    ValidationFailed when the key came with another request (nothing of the first is shown)."""
    row = session.execute(ENROLMENT_OF_KEY, {"key": key}).mappings().first()
    other = session.execute(select(idempotency_keys.c.created_at).where(idempotency_keys.c.key == key)).scalar()
    if other is not None and other <= now - rules.IDEMPOTENCY_KEY_LIFETIME:
        session.execute(idempotency_keys.delete().where(idempotency_keys.c.key == key))
        return None
    if other is not None and (row is None or row["series_id"] != series_id
                              or row["request_hash"] != signup.request_hash):
        raise ValidationFailed(
            "This Idempotency-Key was used with another request. Use a new key for a new request.",
            code="idempotency_key_reused", fields={"Idempotency-Key": "a new key for each new request"})
    if row is None:
        return None
    enrolment = {key: value for key, value in row.items() if key not in ("request_hash", "key_created_at")}
    return {**_view(session, enrolment), "token": None}  # the token was shown once


def _registered(session, covered, contact_key):
    """{event id: their active registration} of the person `contact_key` in the sessions."""
    if not contact_key:
        return {}
    rows = session.execute(select(registrations).where(
        registrations.c.event_id.in_([event["id"] for event in covered]),
        registrations.c.contact_key == contact_key, registrations.c.status.in_(ACTIVE))).mappings()
    return {row["event_id"]: dict(row) for row in rows}


def _write(session, series_id, signup, covered, places, key, now):
    code, token = codes.free_codes(session, 1)[0], codes.new_token()
    enrolment = {
        "id": str(uuid.uuid4()), "series_id": series_id, "cancel_code": code, "token_hash": codes.token_hash(token),
        "name": signup.name, "phone": signup.phone, "email": signup.email, "contact_key": signup.contact_key,
        "language": signup.language, "channel": signup.channel, "seats": signup.seats, "status": "active",
        "created_at": now, "updated_at": now, "cancelled_at": None,
        "assisted_by": signup.assisted_by["id"] if signup.assisted_by else None,
        "assisted_by_name": signup.assisted_by["name"] if signup.assisted_by else None,
        "consent_at": now if signup.assisted_by else None, "client_ref": signup.client_ref, "anonymised_at": None,
    }
    session.execute(enrolments.insert(), enrolment)
    rows, outgoing, sessions = [], [], []
    for event, status in zip(covered, places):
        position, seq = None, None
        if status == WAITLISTED:
            seq = (session.execute(HIGHEST_WAITLIST_SEQ, {"event_id": event["id"]}).scalar() or 0) + 1
            position = session.execute(WAITING, {"event_id": event["id"]}).scalar() + 1
        row = {
            "id": str(uuid.uuid4()), "event_id": event["id"], "enrolment_id": enrolment["id"],
            "cancel_code": codes.session_code(code, event["session_number"] or 0), "token_hash": None,
            "client_ref": signup.client_ref, "details_resent_at": None, "name": signup.name, "phone": signup.phone,
            "email": signup.email, "contact_key": signup.contact_key, "language": signup.language,
            "channel": signup.channel, "seats": signup.seats, "status": status, "waitlist_seq": seq,
            "created_at": now, "updated_at": now, "cancelled_at": None,
            "assisted_by": enrolment["assisted_by"], "assisted_by_name": enrolment["assisted_by_name"],
            "consent_at": enrolment["consent_at"], "attended_at": None, "attended_by": None, "anonymised_at": None,
            "reminded_at": None,
        }
        session.execute(registrations.insert(), row)
        session.execute(ADD_TO_COUNTERS, {"event_id": event["id"], "seats": signup.seats if status == CONFIRMED else 0,
                                          "waiting": signup.seats if status == WAITLISTED else 0})
        rows.append(row)
        outgoing.append((f"registration_{status}", shapes.message_data(row, event, position,
                                                                       told_with_enrolment=True)))
        sessions.append(shapes.session_place(row, event, position))
    if key:
        session.execute(idempotency_keys.insert(), {"key": key, "registration_id": rows[0]["id"],
                                                    "request_hash": signup.request_hash, "created_at": now})
    outgoing.append(("enrolment_confirmed", shapes.enrolment_data(
        enrolment, enrolment_rules.first_status(places), sessions, covered[0], token=token)))
    add_events(session, outbox, outgoing)
    return {**shapes.enrolment_view(enrolment, enrolment_rules.first_status(places), sessions, covered[0]),
            "token": token}


def _decoy(session, series_id, signup, covered, places, now):
    """What a new enrolment would have been answered, made for someone already enrolled: a fresh
    code and token that open nothing, nothing written (README, "Signing up twice")."""
    decoy = {"id": str(uuid.uuid4()), "series_id": series_id, "cancel_code": codes.new_code(), "name": signup.name,
             "phone": signup.phone, "email": signup.email, "language": signup.language, "channel": signup.channel,
             "seats": signup.seats, "status": "active", "created_at": now, "cancelled_at": None,
             "assisted_by": None, "assisted_by_name": None, "consent_at": None}
    sessions = [shapes.session_place(
        {"event_id": event["id"], "status": status, "attended_at": None}, event,
        session.execute(WAITING, {"event_id": event["id"]}).scalar() + 1 if status == WAITLISTED else None)
        for event, status in zip(covered, places)]
    return {**shapes.enrolment_view(decoy, enrolment_rules.first_status(places), sessions, covered[0]),
            "token": codes.new_token()}


def _enrolment(session, enrolment_id):
    return dict(session.execute(select(enrolments).where(enrolments.c.id == enrolment_id)).mappings().one())


def _held(session, reference):
    """The enrolment a cancel code or link token opens (NotFound when none)."""
    held = codes.reference(reference)
    if held is not None:
        kind, value = held
        condition = enrolments.c.token_hash == value if kind == "token" else enrolments.c.cancel_code == value
        found = session.execute(select(enrolments).where(condition)).mappings().first()
        if found:
            return dict(found)
    raise no_such_enrolment()


def _rows(session, enrolment_id):
    """[(registration, event)] of an enrolment, in session order."""
    rows = [dict(row) for row in session.execute(ROWS_OF_ENROLMENT, {"enrolment_id": enrolment_id}).mappings()]
    their_events = {row["id"]: dict(row) for row in session.execute(
        select(events).where(events.c.id.in_([row["event_id"] for row in rows]))).mappings()} if rows else {}
    return sorted(((row, their_events[row["event_id"]]) for row in rows), key=lambda pair: _in_order(pair[1]))


def _view(session, enrolment, now=None):
    """The enrolment as its RPCs answer it, its sessions read from the database."""
    now = now or utcnow()
    pairs = _rows(session, enrolment["id"])
    sessions = [shapes.session_place(row, event, lookups.waitlist_position(session, row)) for row, event in pairs]
    status = enrolment_rules.enrolment_status(enrolment, [(row["status"], event["ends_at"] <= now)
                                                          for row, event in pairs])
    return shapes.enrolment_view(enrolment, status, sessions, pairs[0][1] if pairs else None)


def _lock(session, pairs):
    """Lock the events of `pairs` in id order; the rows read again after the lock, in session order."""
    for event_id in sorted({event["id"] for _, event in pairs}):
        lookups.lock_event(session, event_id)
    return [(dict(session.execute(select(registrations).where(registrations.c.id == row["id"])).mappings().one()),
             lookups.read_event(session, event["id"])) for row, event in pairs]


def get(database, reference):
    """An enrolment by its cancel code or link token, with its sessions."""
    with database.transaction() as session:
        return _view(session, _held(session, reference))


def cancel_all(database, reference):
    """Every session not yet started cancelled (each its own `registration_cancelled`, told with the
    enrolment's one `enrolment_cancelled`), each session's waiting list moving. Twice is harmless."""
    with database.transaction() as session:
        enrolment = _held(session, reference)
        cancel_all_held(session, enrolment)
        return _view(session, enrolment)


def cancel_all_held(session, enrolment):
    """`cancel_all` inside the caller's transaction (a text's records its MessageSid in it): the
    sessions cancelled, as listed in answers."""
    if enrolment["status"] == CANCELLED:
        return []
    now = utcnow()
    pairs = _lock(session, _rows(session, enrolment["id"]))
    cancelled = []
    for row, event in pairs:
        if row["status"] in ACTIVE and not rules.has_started(event, now):
            cancel_registration(session, row, event, "by_registrant", told_with_enrolment=True)
            promote_waiting_list(session, event["id"])
            cancelled.append(shapes.session_place({**row, "status": CANCELLED}, event, None))
    _mark_cancelled(session, enrolment, now)
    if cancelled:  # nothing left to cancel (the series is over): nothing to tell
        first = next(event for _, event in pairs if event["id"] == cancelled[0]["event_id"])
        add_event(session, outbox, "enrolment_cancelled", shapes.enrolment_data(
            enrolment, CANCELLED, cancelled, first, reason="by_registrant"))
    return cancelled


def _mark_cancelled(session, enrolment, now):
    session.execute(update(enrolments).where(enrolments.c.id == enrolment["id"])
                    .values(status=CANCELLED, cancelled_at=now, updated_at=now))
    enrolment.update(status=CANCELLED, cancelled_at=now, updated_at=now)


def cancel_session(database, reference, event_id):
    """One session cancelled (told as any cancellation: the message names the session), its waiting
    list moving for that session only. Twice is harmless; a session already begun cannot be."""
    with database.transaction() as session:
        enrolment = _held(session, reference)
        cancel_session_held(session, enrolment, event_id)
        return _view(session, enrolment)


def cancel_session_held(session, enrolment, event_id):
    """`cancel_session` inside the caller's transaction: the session's place, as listed in answers."""
    pair = next((pair for pair in _rows(session, enrolment["id"]) if pair[1]["id"] == event_id), None)
    if pair is None:
        raise NotFound("This enrolment has no such session.", code="event_not_found")
    [(row, event)] = _lock(session, [pair])
    if row["status"] in ACTIVE:
        if rules.has_started(event, utcnow()):
            raise Conflict("The session has begun: it can no longer be cancelled.", code="registration_closed")
        cancel_registration(session, row, event, "by_registrant")
        promote_waiting_list(session, event["id"])
    return shapes.session_place({**row, "status": CANCELLED}, event, None)


def rows_of(session, enrolment_id):
    """[(registration, event)] of an enrolment, in session order (by_phone.py)."""
    return _rows(session, enrolment_id)


def view(session, enrolment):
    """The enrolment as its RPCs answer it (by_phone.py)."""
    return _view(session, enrolment)


def erase(database, reference):
    """The holder's own erasure: every session row cancelled if still active (nobody messaged),
    blanked and forgotten by every service (`registration_erased` each), the enrolment blanked and
    `enrolment_cancelled` with reason `erased` (no name or contact: notifications forgets its
    messages). Twice is harmless."""
    with database.transaction() as session:
        enrolment = _held(session, reference)
        if enrolment["anonymised_at"] is not None:
            return {"id": enrolment["id"], "erased": True}
        now = utcnow()
        pairs = _lock(session, _rows(session, enrolment["id"]))
        for row, event in pairs:
            if row["anonymised_at"] is not None:
                continue
            if row["status"] in ACTIVE:
                cancel_registration(session, row, event, "erased")
                promote_waiting_list(session, event["id"])
            session.execute(update(registrations).where(registrations.c.id == row["id"])
                            .values(**shapes.ANONYMOUS, anonymised_at=now))
            add_event(session, outbox, "registration_erased", {"registration_id": row["id"],
                                                               "event": shapes.snapshot(event)})
        if enrolment["status"] != CANCELLED:
            _mark_cancelled(session, enrolment, now)
        session.execute(update(enrolments).where(enrolments.c.id == enrolment["id"])
                        .values(**shapes.ANONYMOUS, anonymised_at=now))
        if pairs:
            add_event(session, outbox, "enrolment_cancelled", shapes.enrolment_data(
                {**enrolment, **shapes.ANONYMOUS}, CANCELLED, [], pairs[0][1], reason="erased"))
        return {"id": enrolment["id"], "erased": True}
