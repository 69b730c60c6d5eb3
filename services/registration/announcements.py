"""Staff's message to everyone coming (the bus is late, the place moved): one `event_message` per
registrant, each sent by notifications on their own channel, and one `event_message_sent` for the
activity stream; recorded once per key, so the same form sent twice sends once."""
import uuid

from sqlalchemy import func, select

from services.registration import lookups, shapes
from services.registration.seating import CONFIRMED, WAITLISTED
from services.registration.tables import announcements, outbox, registrations
from shared.database import utcnow
from shared.errors import NotFound, ValidationFailed
from shared.organizers import check_owner
from shared.outbox import add_events


def _told(event_id, include_waitlist):
    """The condition for the registrations a message reaches: confirmed (and waitlisted, if
    asked), not erased or anonymised; a cancelled one never."""
    statuses = (CONFIRMED, WAITLISTED) if include_waitlist else (CONFIRMED,)
    return (registrations.c.event_id == event_id) & registrations.c.status.in_(statuses) & \
        registrations.c.anonymised_at.is_(None)


def audience(database, event_id, include_waitlist=False, organizer=None):
    """How many a message would reach now, by channel: {"recipients", "sms", "email"}."""
    with database.transaction() as session:
        check_owner(lookups.read_event(session, event_id)["organizer"], organizer)
        counts = dict(session.execute(
            select(registrations.c.channel, func.count()).where(_told(event_id, include_waitlist))
            .group_by(registrations.c.channel)).all())
    return _counted(counts.get("sms", 0), counts.get("email", 0))


def message_everyone(database, event_id, message, staff, organizer=None, key=None):
    """Send `message` (shared.api.EventMessage) to everyone coming, under the event's lock. A
    `key` sent before for this event answers that message again and sends nothing; the same key
    with another text is refused."""
    with database.transaction() as session:
        event = lookups.lock_event(session, event_id)
        check_owner(event["organizer"], organizer)
        if key is not None:
            earlier = session.execute(select(announcements).where(
                announcements.c.event_id == event_id, announcements.c.key == key)).mappings().first()
            if earlier is not None:
                if (earlier["text"], earlier["include_waitlist"], earlier["urgent"]) != (
                        message.text, message.include_waitlist, message.urgent):
                    raise ValidationFailed("This Idempotency-Key was used for another message.",
                                           code="idempotency_key_reused",
                                           fields={"Idempotency-Key": "a new key for each new message"})
                return _answer(earlier)
        told = session.execute(select(registrations).where(_told(event_id, message.include_waitlist))
                               .order_by(registrations.c.created_at, registrations.c.id)).mappings().all()
        sent = {"id": str(uuid.uuid4()), "event_id": event_id, "key": key, "text": message.text,
                "include_waitlist": message.include_waitlist, "urgent": message.urgent,
                "sms": sum(1 for r in told if r["channel"] == "sms"),
                "email": sum(1 for r in told if r["channel"] != "sms"),
                "sent_at": utcnow(), "sent_by": staff["id"], "sent_by_name": staff["name"]}
        session.execute(announcements.insert().values(**sent))
        about = {"message_id": sent["id"], "text": message.text, "urgent": message.urgent}
        add_events(session, outbox, [
            ("event_message", {**shapes.message_data(dict(registration), event), **about})
            for registration in told] + [
            ("event_message_sent", {**about, "recipients": len(told), "include_waitlist": message.include_waitlist,
                                    "sent_at": sent["sent_at"], "sent_by": {"id": staff["id"], "name": staff["name"]},
                                    "event": shapes.snapshot(event)})])
        return _answer(sent)


def sent_message(database, event_id, message_id, organizer=None):
    """A message sent to an event's registrants, as message_everyone answered it."""
    with database.transaction() as session:
        check_owner(lookups.read_event(session, event_id)["organizer"], organizer)
        found = session.execute(select(announcements).where(
            announcements.c.event_id == event_id, announcements.c.id == message_id)).mappings().first()
    if found is None:
        raise NotFound("No such message.", code="message_not_found")
    return _answer(found)


def _counted(sms, email):
    return {"recipients": sms + email, "sms": sms, "email": email}


def _answer(row):
    return {"id": row["id"], "event_id": row["event_id"], "text": row["text"],
            "include_waitlist": row["include_waitlist"], "urgent": row["urgent"],
            "sent_at": row["sent_at"].isoformat(), **_counted(row["sms"], row["email"])}
