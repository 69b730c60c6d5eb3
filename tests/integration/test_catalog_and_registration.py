"""Catalog and registration as nameko services on the real broker: what staff publish in the
catalog reaches registration's copy by events, and bad input changes nothing anywhere."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select

from services.catalog.service import CatalogService
from services.catalog.storage import CatalogStore
from services.catalog.tables import events as catalog_events
from services.catalog.tables import outbox as catalog_outbox
from services.registration.service import RegistrationService
from services.registration.tables import events as registration_events
from shared.api import EventChange, NewEvent
from shared.database import Database
from shared.errors import Conflict, Forbidden, ValidationFailed
from tests.conftest import wait_until
from tests.integration.helpers import future


@pytest.fixture
def urls(migrated):
    """The catalog's and registration's databases."""
    return migrated("catalog"), migrated("registration")


@pytest.fixture
def services(container_factory, config_for, urls):
    catalog_url, registration_url = urls
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


# --- SMS codes and reminder times ---------------------------------------------------------------

def test_an_events_sms_code_and_reminder_time_reach_registration_and_follow_a_moved_start(services, urls):
    catalog, _, _ = services
    copy = Database(urls[1])

    def copied(event_id):
        with copy.transaction() as session:
            row = session.execute(select(registration_events).where(registration_events.c.id == event_id)).mappings().first()
        return row and (row["sms_code"], row["reminder_at"].isoformat() if row["reminder_at"] else None)

    event = catalog.create_event(new_event(sms_code=" yo17 "), organizer=None)
    assert event["sms_code"] == "YO17" and event["reminders"] is True
    assert dt.datetime.fromisoformat(event["starts_at"]) - dt.datetime.fromisoformat(event["reminder_at"]) \
        >= dt.timedelta(hours=24)
    wait_until(lambda: copied(event["id"]) == ("YO17", event["reminder_at"]), message="the code in registration's copy")
    starts = dt.datetime.fromisoformat(event["starts_at"]) + dt.timedelta(days=1)
    moved = catalog.update_event(event["id"], {"starts_at": starts.isoformat(),
                                               "ends_at": (starts + dt.timedelta(hours=2)).isoformat()}, organizer=None)
    assert moved["reminder_at"] != event["reminder_at"]
    wait_until(lambda: copied(event["id"]) == ("YO17", moved["reminder_at"]), message="the moved reminder in the copy")
    copy.dispose()


@pytest.fixture
def catalog_store(urls):
    database = Database(urls[0])
    yield CatalogStore(database)
    database.dispose()


def create(store, **changes):
    return store.create_event(NewEvent.model_validate(new_event(**changes)), organizer=None)


def test_a_code_in_use_is_refused_and_a_published_event_without_one_gets_one_made(catalog_store):
    first = create(catalog_store, sms_code="AY17")
    with pytest.raises(Conflict) as refused:
        create(catalog_store, sms_code="ay17")
    assert refused.value.code == "sms_code_taken"
    made = create(catalog_store, title={"fi": "Asunnottomien Yö"})
    assert made["sms_code"].startswith("AY") and made["sms_code"] != first["sms_code"]
    with pytest.raises(Conflict):
        catalog_store.update_event(made["id"], EventChange.model_validate({"sms_code": "AY17"}), organizer=None)
    draft = create(catalog_store, status="draft")
    assert draft["sms_code"] is None
    published = catalog_store.update_event(draft["id"], EventChange.model_validate({"status": "published"}), organizer=None)
    assert 4 <= len(published["sms_code"]) <= 6


def test_an_event_that_is_over_frees_its_code(catalog_store):
    yesterday = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    create(catalog_store, sms_code="YO17", starts_at=(yesterday - dt.timedelta(hours=2)).isoformat(),
           ends_at=yesterday.isoformat())
    assert create(catalog_store, sms_code="YO17")["sms_code"] == "YO17"


def test_two_events_created_at_once_with_one_code_get_it_once(catalog_store):
    """The code is checked under a lock: of staff creating events with one code at the same
    moment, exactly one gets it."""
    import threading
    start, outcomes = threading.Barrier(6), []

    def attempt():
        start.wait()
        try:
            outcomes.append(create(catalog_store, sms_code="KE24")["sms_code"])
        except Conflict as exc:
            outcomes.append(exc.code)
    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["KE24"] + ["sms_code_taken"] * 5


def test_the_catalog_reminds_as_its_configuration_says(container_factory, config_for, urls):
    config = config_for("catalog", DATABASE_URL=urls[0], REMINDER_HOURS_BEFORE="2", QUIET_HOURS="")
    container_factory(CatalogService, config).start()
    with ServiceRpcProxy("catalog", config) as catalog:
        event = catalog.create_event(new_event(), organizer=None)
    starts, reminder = (dt.datetime.fromisoformat(event[name]) for name in ("starts_at", "reminder_at"))
    assert starts - reminder == dt.timedelta(hours=2)
