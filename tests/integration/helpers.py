"""Builders shared by the integration tests."""
import datetime as dt
import json
import uuid

from sqlalchemy import select

from shared.events import Envelope, make_envelope


def future(days=30, hour=15):
    day = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def catalog_event(**changes):
    starts = future()
    event = {
        "id": str(uuid.uuid4()), "title": {"fi": "Asunnottomien Yö"}, "municipality": "Jyväskylä",
        "place": "Tourujoen puisto", "address": None, "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=4)).isoformat(), "capacity": 3, "waitlist_capacity": 2,
        "max_group_size": 5, "registration_opens_at": None, "registration_closes_at": None,
        "organizer": "Jyväskylän kaupunki", "status": "published",
    }
    event.update(changes)
    return event


def envelope(event_type, data):
    """(Envelope, data model) as a consumer receives them."""
    from shared.events import DATA_CONTRACTS
    raw = make_envelope(event_type, data)
    return Envelope.model_validate(raw), DATA_CONTRACTS[event_type].model_validate(raw["data"])


def published(store, **changes):
    """A catalog event that registration's `store` has taken in as published."""
    event = catalog_event(**changes)
    store.apply_catalog_event(*envelope("event_published", event))
    return event


def outbox_events(database, table, event_type=None):
    with database.transaction() as session:
        rows = session.execute(select(table.c.event_type, table.c.payload).order_by(table.c.seq)).all()
    return [json.loads(r.payload) for r in rows if event_type is None or r.event_type == event_type]
