"""Catalog and registration as nameko services on the real broker: what staff publish in the
catalog reaches registration's copy by events, and bad input changes nothing anywhere."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select

from services.catalog.service import CatalogService
from services.catalog.tables import events as catalog_events
from services.catalog.tables import outbox as catalog_outbox
from services.registration.service import RegistrationService
from shared.database import Database
from shared.errors import Forbidden, ValidationFailed
from tests.conftest import wait_until
from tests.integration.helpers import future


@pytest.fixture
def services(container_factory, config_for, migrated):
    catalog_url, registration_url = migrated("catalog"), migrated("registration")
    registration = container_factory(RegistrationService, config_for("registration", DATABASE_URL=registration_url))
    registration.start()
    catalog_config = config_for("catalog", DATABASE_URL=catalog_url)
    container_factory(CatalogService, catalog_config).start()
    with ServiceRpcProxy("catalog", catalog_config) as catalog, \
            ServiceRpcProxy("registration", catalog_config) as registrations:
        yield catalog, registrations, Database(catalog_url)


def new_event(**changes):
    starts = future()
    return {"title": {"fi": "Nuorten vertaisryhmä", "en": "Youth peer group"}, "municipality": "Jyväskylä",
            "place": "Nuorisotila Veturi", "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "capacity": 12,
            "organizer": "Monikulttuurinen nuorisotyö", **changes}


def count(database, table):
    with database.transaction() as session:
        return session.execute(select(func.count()).select_from(table)).scalar()


def test_a_published_event_reaches_registration_which_then_takes_sign_ups(services):
    catalog, registrations, _ = services
    event = catalog.create_event(new_event(), organizer=None)
    availability = wait_until(lambda: registrations.availability([event["id"]]), message="registration's copy")
    assert availability[event["id"]] == {"seats_left": 12, "waitlist_left": 0}
    answer = registrations.register(event["id"], {"name": "Ahmed", "phone": "0451234567", "language": "en"})
    assert answer["repeat_of"] is None and answer["registration"]["status"] == "confirmed"


def test_a_draft_is_not_published_until_staff_publish_it(services):
    catalog, registrations, _ = services
    draft = catalog.create_event(new_event(status="draft"), organizer=None)
    assert catalog.list_events() == [] and catalog.list_events(include_drafts=True)[0]["id"] == draft["id"]
    catalog.update_event(draft["id"], {"status": "published"}, organizer=None)
    wait_until(lambda: registrations.availability([draft["id"]]), message="published copy")


def test_events_are_listed_soonest_first_and_filtered(services):
    catalog, _, _ = services
    later = catalog.create_event(new_event(starts_at=future(days=40).isoformat(),
                                           ends_at=(future(days=40) + dt.timedelta(hours=1)).isoformat()),
                                 organizer=None)
    sooner = catalog.create_event(new_event(municipality="Äänekoski", title={"fi": "Luento onnellisuudesta"}), organizer=None)
    assert [e["id"] for e in catalog.list_events()] == [sooner["id"], later["id"]]
    assert [e["id"] for e in catalog.list_events(municipality="äänekoski")] == [sooner["id"]]
    assert [e["id"] for e in catalog.list_events(q="ONNELLISUUDESTA")] == [sooner["id"]]
    day = future(days=40).date().isoformat()
    assert [e["id"] for e in catalog.list_events(starts_from=day, starts_before=day)] == [later["id"]]


def test_an_invalid_event_is_refused_and_nothing_is_written_or_published(services):
    catalog, _, database = services
    with pytest.raises(ValidationFailed) as refused:
        catalog.create_event(new_event(capacity=-1, title={"sv": "bara svenska"}), organizer=None)
    assert {"capacity", "title.fi"} <= set(refused.value.fields)
    assert count(database, catalog_events) == 0 and count(database, catalog_outbox) == 0


def test_cancelling_an_event_reaches_registration(services):
    catalog, registrations, _ = services
    event = catalog.create_event(new_event(), organizer=None)
    wait_until(lambda: registrations.availability([event["id"]]), message="copy")
    catalog.cancel_event(event["id"], organizer=None)
    catalog.cancel_event(event["id"], organizer=None)  # twice is harmless

    def refused_as_cancelled():
        try:
            registrations.register(event["id"], {"name": "A", "phone": "0451234567"})
        except Exception as exc:
            return getattr(exc, "code", None) == "event_cancelled"
        return False
    assert wait_until(refused_as_cancelled, message="cancellation reached registration")


def test_the_catalog_itself_refuses_staff_changing_another_organizers_event(services):
    """Defence in depth: whoever calls the catalog over RPC (not only the gateway) passes the staff
    member's organizer, and the catalog refuses another organizer's event."""
    catalog, _, database = services
    event = catalog.create_event(new_event(), organizer="Monikulttuurinen nuorisotyö")
    outbox_before = count(database, catalog_outbox)
    for attempt in (lambda: catalog.update_event(event["id"], {"capacity": 0}, organizer="Toinen järjestö"),
                    lambda: catalog.cancel_event(event["id"], organizer="Toinen järjestö"),
                    lambda: catalog.update_event(event["id"], {"organizer": "Toinen järjestö"},
                                                 organizer="Monikulttuurinen nuorisotyö"),
                    lambda: catalog.create_event(new_event(), organizer="Toinen järjestö")):
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert refused.value.code == "other_organizer"
    assert count(database, catalog_events) == 1 and count(database, catalog_outbox) == outbox_before
    unchanged = catalog.get_event(event["id"])
    assert (unchanged["capacity"], unchanged["status"], unchanged["organizer"]) == (12, "published", event["organizer"])
    # an admin (no organizer) reaches every event
    assert catalog.cancel_event(event["id"], organizer=None)["status"] == "cancelled"
