"""What a resident does by text message, as registration's use cases: cancel (PERU), sign up with
an event's SMS code (or enrol with a series' code), their next event (for APUA's contact), and any other text forwarded to the
organizer of their next event (`sms_received`). Notifications reads the words and sends the
replies; these take the sender's phone (E.164, as it arrived) and answer what to text back.

A person's registrations are those whose contact is this phone (`contact_key`: a staff member's
phone given for residents they signed up is nobody's contact, so staff texting PERU cancel no
resident's seat). Active: confirmed or waitlisted, the event not over.

An enrolment in a series is one thing to cancel, however many sessions it holds: PERU answers it
as `{"outcome": "enrolment"}` (notifications asks "only the next session, or all?"), and the reply
acts through `cancel_enrolment` (scope "next" or "all").

Each text acts once: its MessageSid is the `idempotency_key`, kept with what the text did in
`idempotency_keys` (a day, as the HTTP API's keys), so a redelivered text answers the same and
changes nothing more.
"""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.registration import cancellation, codes, enrolment, enrolment_rules, intake, rules, shapes, signup
from services.registration.seating import ACTIVE, CANCELLED
from services.registration.tables import enrolments, events, idempotency_keys, outbox, registrations
from shared.database import utcnow
from shared.errors import ValidationFailed, YhdessaError
from shared.outbox import add_event

# The refusals a sign-up by text is answered with (anything else it raises is one of these).
REFUSALS = ("event_full", "registration_closed", "registration_not_open", "no_such_code", "validation_error")
# An event called off is, to someone texting its code, closed (a draft's code is nobody's yet).
REFUSAL_OF = {"event_cancelled": "registration_closed", "series_not_found": "no_such_code"}
# What a reply to "only the next session, or all?" may ask for.
ENROLMENT_SCOPES = ("next", "all")
# The longest text forwarded (Twilio joins at most ten segments of 160).
MAX_FORWARDED = 1600


def _active_of(session, phone, now):
    """(registration, event) of each active registration of `phone`, soonest event first."""
    found = session.execute(
        select(registrations).join(events, events.c.id == registrations.c.event_id)
        .where(registrations.c.contact_key == phone, registrations.c.status.in_(ACTIVE), events.c.ends_at > now)
        .order_by(events.c.starts_at, registrations.c.created_at, registrations.c.id)
    ).mappings().all()
    if not found:
        return []
    their_events = {row["id"]: dict(row) for row in session.execute(
        select(events).where(events.c.id.in_({row["event_id"] for row in found}))).mappings()}
    return [(dict(row), their_events[row["event_id"]]) for row in found]


def _earlier(session, key):
    """The registration an earlier delivery of this text acted on (None: it is the first)."""
    if not key:
        return None
    return session.execute(select(idempotency_keys.c.registration_id)
                           .where(idempotency_keys.c.key == key)).scalar()


def _remember(session, key, registration_id, now):
    if key:
        session.execute(idempotency_keys.insert(), {"key": key, "registration_id": registration_id,
                                                    "request_hash": None, "created_at": now})


def _once(action):
    """Run `action` again when a concurrent delivery of the same text committed its key first:
    the second run finds the first's result."""
    try:
        return action()
    except IntegrityError:
        return action()


def _listed(number, registration, event):
    return {"number": number, "cancel_code": codes.display(registration["cancel_code"]),
            "title": event["title"], "starts_at": event["starts_at"].isoformat(), "place": event["place"],
            "status": registration["status"], "enrolment_id": registration.get("enrolment_id"),
            "session_number": event.get("session_number"), "session_count": event.get("session_count")}


def _one_per_enrolment(active):
    """`active` with each enrolment's session rows as one: its soonest session's row (whose code
    shows as the enrolment's, codes.session_code), so PERU lists and picks an enrolment once."""
    seen, items = set(), []
    for registration, event in active:
        if registration.get("enrolment_id"):
            if registration["enrolment_id"] in seen:
                continue
            seen.add(registration["enrolment_id"])
            registration = {**registration, "cancel_code": registration["cancel_code"][:codes.LENGTH]}
        items.append((registration, event))
    return items


def _enrolment_choice(session, registration, event):
    """What notifications asks "only the next session, or all?" about: the enrolment, its next session."""
    left = [pair for pair in enrolment.rows_of(session, registration["enrolment_id"])
            if pair[0]["status"] in ACTIVE and pair[1]["starts_at"] > utcnow()]
    return {"outcome": "enrolment", "enrolment_id": registration["enrolment_id"],
            "cancel_code": codes.display(registration["cancel_code"]), "title": event["title"],
            "language": registration["language"], "sessions_left": len(left),
            "next": shapes.session_place(registration, event, None) | {"session_count": event.get("session_count")}}


def cancel(database, phone, choice=None, idempotency_key=None):
    """PERU: the sender's one active registration (or the one `choice` names) cancelled as with
    its cancel code. {"outcome": "cancelled", "registration"} | {"outcome": "choose",
    "registrations": [numbered, soonest first]} | {"outcome": "none"}."""
    key = idempotency_key and f"sms-cancel:{idempotency_key}"

    def act():
        with database.transaction() as session:
            done = _earlier(session, key)
            if done is not None:
                code = session.execute(select(registrations.c.cancel_code)
                                       .where(registrations.c.id == done)).scalar()
                return {"outcome": "cancelled", "registration": cancellation.cancel_held(session, code)}
            now = utcnow()
            active = _one_per_enrolment(_active_of(session, phone, now))
            if not active:
                return {"outcome": "none"}
            chosen = rules.chosen_registration([registration for registration, _ in active], choice)
            if chosen is None:
                return {"outcome": "choose", "registrations": [_listed(number, *pair)
                                                               for number, pair in enumerate(active, 1)]}
            if chosen.get("enrolment_id"):
                return _enrolment_choice(session, *next(pair for pair in active if pair[0] is chosen))
            cancelled = cancellation.cancel_held(session, chosen["cancel_code"])
            _remember(session, key, chosen["id"], now)
            return {"outcome": "cancelled", "registration": cancelled}

    return _once(act)


def cancel_enrolment(database, phone, scope, enrolment_id, idempotency_key=None):
    """The reply to "only the next session, or all?": `scope` "next" cancels the enrolment's next
    session not yet started (told as any cancellation), "all" every one left (told once, as the
    enrolment's cancellation). Only an enrolment of this phone. {"outcome": "cancelled", "scope",
    "sessions": [the sessions cancelled], "enrolment"} | {"outcome": "none"} (nothing left)."""
    if scope not in ENROLMENT_SCOPES:
        raise ValidationFailed("Cancel the next session or all.", fields={"scope": "next or all"})
    key = idempotency_key and f"sms-cancel-enrolment:{idempotency_key}"

    def act():
        with database.transaction() as session:
            found = session.execute(select(enrolments).where(
                enrolments.c.id == enrolment_id, enrolments.c.contact_key == phone)).mappings().first()
            if found is None:
                return {"outcome": "none"}
            held = dict(found)
            done = _earlier(session, key)
            if done is not None:  # this text acted already: what it did, again
                pairs = enrolment.rows_of(session, held["id"])
                sessions = [shapes.session_place(row, event, None) for row, event in pairs
                            if scope == "all" and row["status"] == CANCELLED or row["id"] == done]
                return {"outcome": "cancelled", "scope": scope, "sessions": sessions,
                        "enrolment": enrolment.view(session, held)}
            now = utcnow()
            pairs = enrolment.rows_of(session, held["id"])
            upcoming = enrolment_rules.next_session(pairs, now)
            if upcoming is None or held["status"] == CANCELLED:
                return {"outcome": "none"}
            if scope == "all":
                sessions = enrolment.cancel_all_held(session, held)
            else:
                sessions = [enrolment.cancel_session_held(session, held, upcoming[1]["id"])]
            _remember(session, key, upcoming[0]["id"], now)
            return {"outcome": "cancelled", "scope": scope, "sessions": sessions,
                    "enrolment": enrolment.view(session, held)}

    return _once(act)


def sign_up(database, phone, sms_code, seats, name, language, idempotency_key, allowed_regions):
    """`<code> [seats] <name>`: a sign-up by the HTTP API's rules (services/registration/intake.py),
    channel sms, for the event not yet over whose SMS code this is. {"outcome": "registered",
    "status", "repeated", "event"} or {"outcome": "refused", "code" (one of REFUSALS),
    "suggestion" (the closest code of an upcoming event, for an unknown code), "event"}."""
    code = rules.sms_code_of(sms_code)
    now = utcnow()
    with database.transaction() as session:
        event = code and session.execute(
            select(events).where(func.upper(events.c.sms_code) == code, events.c.ends_at > now,
                                 events.c.status != "draft")
            .order_by(events.c.starts_at)).mappings().first()
        series = None
        if not event:
            series = code and session.execute(
                select(events).where(func.upper(events.c.series_sms_code) == code, events.c.ends_at > now,
                                     events.c.status != "draft")
                .order_by(events.c.starts_at)).mappings().first()
            if not series:
                return _refused("no_such_code", None, _closest_code(session, code, now))
            event = series
        event = dict(event)
        already = {registration["event_id"]: registration for registration, _ in _active_of(session, phone, now)}
    data = {"name": name, "phone": phone, "seats": 1 if seats is None else seats, "channel": "sms",
            "language": (language or "").lower() if (language or "").lower() in ("fi", "sv", "en") else "fi"}
    if series:
        return _enrol(database, event, data, already, idempotency_key, allowed_regions)
    try:
        new = signup.from_request(event["id"], data, allowed_regions)
        registration, repeat_of = intake.register(database, event["id"], new,
                                                  idempotency_key and f"sms-sign-up:{idempotency_key}")
    except YhdessaError as exc:
        refusal = REFUSAL_OF.get(exc.code, exc.code)
        return _refused(refusal if refusal in REFUSALS else "validation_error", event)
    existing = already.get(event["id"]) if repeat_of is None else None
    # Someone already registered gets their registration's details by message, as over HTTP; the
    # sender holds this phone, so the answer may say so (the HTTP answer cannot: anyone can type
    # a phone number there).
    return {"outcome": "registered", "status": (existing or registration)["status"],
            "repeated": existing is not None, "event": _named(event)}


def _enrol(database, event, data, already, idempotency_key, allowed_regions):
    """`<series code> [seats] <name>`: an enrolment in the series of `event` (its soonest session not
    over), by the HTTP API's rules; answered as `sign_up`, with the sessions' places."""
    series_id = event["series_id"]
    try:
        new = signup.from_request(series_id, data, allowed_regions)
        enrolled, repeat_of = enrolment.enrol(database, series_id, new,
                                              idempotency_key and f"sms-sign-up:{idempotency_key}")
    except YhdessaError as exc:
        refusal = REFUSAL_OF.get(exc.code, exc.code)
        return _refused(refusal if refusal in REFUSALS else "validation_error", event)
    # the sender holds this phone: the answer may say they were enrolled already (as for events)
    repeated = repeat_of is None and any(row.get("enrolment_id") for row in already.values()
                                         if row["event_id"] in {s["event_id"] for s in enrolled["sessions"]})
    first = enrolled["event"] or event
    return {"outcome": "registered", "status": enrolled["status"], "repeated": repeated,
            "event": {"title": first["title"], "starts_at": first["starts_at"] if isinstance(first["starts_at"], str)
                      else first["starts_at"].isoformat()},
            "series_id": series_id, "sessions": enrolled["sessions"]}


def _refused(code, event, suggestion=None):
    return {"outcome": "refused", "code": code, "suggestion": suggestion, "event": event and _named(event)}


def _named(event):
    return {"title": event["title"], "starts_at": event["starts_at"].isoformat()}


def _closest_code(session, code, now):
    """The closest SMS code of an event still to come that takes sign-ups' texts (published)."""
    known = session.execute(select(func.coalesce(events.c.sms_code, events.c.series_sms_code)).where(
        (events.c.sms_code.is_not(None)) | (events.c.series_sms_code.is_not(None)),
        events.c.status == "published", events.c.starts_at > now)).scalars()
    return rules.closest_sms_code(code or "", {rules.sms_code_of(known_code) for known_code in known} - {None})


def _next(session, phone, now):
    """(registration, event) of the sender's next active registration, or None."""
    active = _active_of(session, phone, now)
    return active[0] if active else None


def next_event(database, phone):
    """APUA: the sender's next event (snapshot, with its SMS code and its contact person's
    `summary_phone`, `summary_email`), their registration and its language, or None."""
    with database.transaction() as session:
        found = _next(session, phone, utcnow())
    if found is None:
        return None
    registration, event = found
    return {"registration_id": registration["id"], "language": registration["language"],
            "status": registration["status"],
            "event": {**shapes.public_view(registration, event, None)["event"], "sms_code": event["sms_code"],
                      "summary_phone": event["summary_phone"], "summary_email": event["summary_email"]}}


def forward(database, phone, text, received_at, idempotency_key=None):
    """Any other text: `sms_received` for the organizer of the sender's next event, once per
    text. {"forwarded": False} when the sender has no event to come."""
    key = idempotency_key and f"sms-forward:{idempotency_key}"

    def act():
        with database.transaction() as session:
            if _earlier(session, key) is not None:
                return {"forwarded": True}
            now = utcnow()
            found = _next(session, phone, now)
            if found is None:
                return {"forwarded": False}
            registration, event = found
            add_event(session, outbox, "sms_received", {
                "registration_id": registration["id"], "name": registration["name"],
                "text": (text or "")[:MAX_FORWARDED], "received_at": received_at or now,
                "event": shapes.snapshot(event)})
            _remember(session, key, registration["id"], now)
            return {"forwarded": True}

    return _once(act)

