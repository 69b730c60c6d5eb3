"""Counts without personal data (statistics). They read only columns retention keeps (rows,
statuses, attendance marks), so they answer the same before and after the retention job."""
from sqlalchemy import func, select

from services.registration import enrolment_rules
from services.registration.seating import CANCELLED, CONFIRMED, WAITLISTED
from services.registration.tables import enrolments, events, registrations, walk_ins
from shared.database import utcnow
from shared.errors import NotFound
from shared.helsinki import month_of
from shared.organizers import check_owner

COUNTS = ("events", "events_cancelled", "sign_ups", "seats_signed_up", "confirmed", "waitlisted",
          "cancellations", "attended", "attended_seats", "no_shows", "walk_ins")


def stats(database, starts_from=None, starts_before=None, municipality=None, organizer=None, per_month=False):
    """`counts` as of now, in a transaction of its own."""
    with database.transaction() as session:
        return counts(session, utcnow(), starts_from, starts_before, municipality, organizer, per_month)


def counts(session, now, starts_from=None, starts_before=None, municipality=None, organizer=None, per_month=False):
    """Per municipality and organizer (and, `per_month`, per Helsinki month of the event's start),
    for events starting in the period: the COUNTS, and the ids of the events counted (to add other
    services' figures to)."""
    query = select(events.c.id, events.c.municipality, events.c.organizer, events.c.status, events.c.ends_at,
                   events.c.starts_at)
    if starts_from is not None:
        query = query.where(events.c.starts_at >= starts_from)
    if starts_before is not None:
        query = query.where(events.c.starts_at < starts_before)
    if organizer is not None:
        query = query.where(events.c.organizer == organizer)
    rows = [r for r in session.execute(query).mappings()
            if municipality is None or r["municipality"].casefold() == municipality.strip().casefold()]
    ids = [r["id"] for r in rows]
    per_event = {r["id"]: dict.fromkeys(COUNTS, 0) for r in rows}
    for r in rows:
        per_event[r["id"]]["events"] = 1
        per_event[r["id"]]["events_cancelled"] = int(r["status"] == "cancelled")
    ended = {r["id"] for r in rows if r["ends_at"] <= now}
    if ids:
        attended = registrations.c.attended_at.is_not(None)
        for r in session.execute(
            select(registrations.c.event_id, registrations.c.status, attended.label("attended"),
                   func.count().label("n"), func.sum(registrations.c.seats).label("seats"))
            .where(registrations.c.event_id.in_(ids))
            .group_by(registrations.c.event_id, registrations.c.status, attended)
        ).mappings():
            counts = per_event[r["event_id"]]
            counts["sign_ups"] += r["n"]
            counts["seats_signed_up"] += r["seats"]
            counts["confirmed"] += r["n"] if r["status"] == CONFIRMED else 0
            counts["waitlisted"] += r["n"] if r["status"] == WAITLISTED else 0
            counts["cancellations"] += r["n"] if r["status"] == CANCELLED else 0
            if r["attended"]:
                counts["attended"] += r["n"]
                counts["attended_seats"] += r["seats"]
            elif r["status"] == CONFIRMED and r["event_id"] in ended:
                counts["no_shows"] += r["n"]
        for r in session.execute(
            select(walk_ins.c.event_id, func.sum(walk_ins.c.count).label("n"))
            .where(walk_ins.c.event_id.in_(ids)).group_by(walk_ins.c.event_id)
        ).mappings():
            per_event[r["event_id"]]["walk_ins"] = r["n"]
    groups = {}
    for r in rows:
        month = {"month": month_of(r["starts_at"])} if per_month else {}
        group = groups.setdefault((*month.values(), r["municipality"], r["organizer"]), {
            **month, "municipality": r["municipality"], "organizer": r["organizer"], **dict.fromkeys(COUNTS, 0),
            "event_ids": []})
        group["event_ids"].append(r["id"])
        for name in COUNTS:
            group[name] += per_event[r["id"]][name]
    return [groups[key] for key in sorted(groups)]


def series_stats(database, series_id, organizer=None):
    """A series' counts: per session {event_id, session_number, starts_at, status, confirmed,
    waitlisted, attended, walk_ins} (registrations, not seats), and in total {sessions, enrolled
    (enrolments not cancelled), attended_total, walk_ins_total, came} — `came`: how many enrolments
    came how many times, counting those not cancelled and those cancelled after coming at least once."""
    with database.transaction() as session:
        sessions = session.execute(select(events).where(events.c.series_id == series_id)
                                   .order_by(events.c.session_number, events.c.starts_at)).mappings().all()
        if not sessions:
            raise NotFound("No such series.", code="series_not_found")
        check_owner(sessions[0]["organizer"], organizer)
        ids = [event["id"] for event in sessions]
        per_session = {event["id"]: {"event_id": event["id"], "session_number": event["session_number"],
                                     "starts_at": event["starts_at"].isoformat(), "status": event["status"],
                                     "confirmed": 0, "waitlisted": 0, "attended": 0, "walk_ins": 0}
                       for event in sessions}
        attended = registrations.c.attended_at.is_not(None)
        for row in session.execute(
            select(registrations.c.event_id, registrations.c.status, attended.label("attended"), func.count().label("n"))
            .where(registrations.c.event_id.in_(ids))
            .group_by(registrations.c.event_id, registrations.c.status, attended)
        ).mappings():
            counts = per_session[row["event_id"]]
            counts["confirmed"] += row["n"] if row["status"] == CONFIRMED else 0
            counts["waitlisted"] += row["n"] if row["status"] == WAITLISTED else 0
            counts["attended"] += row["n"] if row["attended"] else 0
        for row in session.execute(select(walk_ins.c.event_id, func.sum(walk_ins.c.count).label("n"))
                                   .where(walk_ins.c.event_id.in_(ids)).group_by(walk_ins.c.event_id)).mappings():
            per_session[row["event_id"]]["walk_ins"] = row["n"]
        statuses = dict(session.execute(select(enrolments.c.id, enrolments.c.status)
                                        .where(enrolments.c.series_id == series_id)).all())
        times = dict.fromkeys(statuses, 0)
        for enrolment_id, n in session.execute(
            select(registrations.c.enrolment_id, func.count()).where(
                registrations.c.event_id.in_(ids), registrations.c.enrolment_id.is_not(None), attended)
            .group_by(registrations.c.enrolment_id)
        ).all():
            times[enrolment_id] = n
    listed = list(per_session.values())
    return {"series_id": series_id, "sessions": listed, "total": {
        "sessions": len(listed), "enrolled": sum(status != CANCELLED for status in statuses.values()),
        "attended_total": sum(s["attended"] for s in listed), "walk_ins_total": sum(s["walk_ins"] for s in listed),
        "came": enrolment_rules.came(n for enrolment_id, n in times.items()
                                     if statuses.get(enrolment_id) != CANCELLED or n > 0)}}
