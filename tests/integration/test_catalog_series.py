"""Series (weekly groups) in the catalog, as a nameko service on the real broker and its real
database: each session is published on the bus as an event carrying its series, number, count and
the series' SMS code; a change of the series reaches every session not yet started; codes of
series and events never clash; bad input writes nothing."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select

from services.catalog.service import CatalogService
from services.catalog.tables import events, series
from shared.contracts import CatalogEvent
from shared.database import Database
from shared.errors import Conflict, ValidationFailed
from shared.handlers import event_handler
from shared.helsinki import HELSINKI
from tests.conftest import wait_until

heard = []


class BusListener:
    """Hears what catalog publishes, as registration's copy does."""

    name = "series_listener"

    @event_handler("catalog", "event_published")
    def on_published(self, payload):
        heard.append(("event_published", CatalogEvent.model_validate(payload["data"])))

    @event_handler("catalog", "event_updated")
    def on_updated(self, payload):
        heard.append(("event_updated", CatalogEvent.model_validate(payload["data"])))


@pytest.fixture
def catalog(container_factory, config_for, migrated):
    heard.clear()
    url = migrated("catalog")
    config = config_for("catalog", DATABASE_URL=url)
    container_factory(BusListener, config_for("series_listener")).start()
    container_factory(CatalogService, config).start()
    database = Database(url)
    with ServiceRpcProxy("catalog", config) as proxy:
        yield proxy, database
    database.dispose()


def day(days_ahead):
    return (dt.datetime.now(HELSINKI) + dt.timedelta(days=days_ahead)).date()


def new_series(**changes):
    first = day(10)
    return {"title": {"fi": "Nuorten vertaisryhmä", "en": "Youth peer group"}, "municipality": "Jyväskylä",
            "place": "Nuorisotila Veturi", "capacity": 10, "organizer": "Monikulttuurinen nuorisotyö",
            "schedule": {"from": first.isoformat(), "until": (first + dt.timedelta(weeks=3)).isoformat(),
                         "start_time": "17:00", "end_time": "19:00"}, **changes}


def rows(database, table):
    with database.transaction() as session:
        return session.execute(select(func.count()).select_from(table)).scalar()


def heard_of(kind, series_id, count):
    return wait_until(lambda: (lambda found: found if len(found) >= count else None)(
        [e for k, e in heard if k == kind and e.series_id == series_id]), message=f"{count} {kind}")


def test_each_session_is_published_as_an_event_carrying_its_series(catalog):
    proxy, _ = catalog
    made = proxy.create_series(new_series(sms_code="ryhma7"), organizer=None)
    assert made["sms_code"] == "RYHMA7" and made["session_count"] == 4 and made["status"] == "published"
    assert [s["session_number"] for s in made["sessions"]] == [1, 2, 3, 4]
    published = sorted(heard_of("event_published", made["id"], 4), key=lambda e: e.session_number)
    assert [(e.id, e.session_number, e.session_count, e.series_sms_code, e.sms_code, e.series_weekly)
            for e in published] == [(s["id"], s["session_number"], 4, "RYHMA7", None, True) for s in made["sessions"]]
    assert {e.starts_at.astimezone(HELSINKI).strftime("%A %H:%M") for e in published} == {
        day(10).strftime("%A") + " 17:00"}
    listed = [e for e in proxy.list_events() if e["series_id"] == made["id"]]
    assert [(e["session_number"], e["session_count"], e["series_sms_code"]) for e in listed] == [
        (n, 4, "RYHMA7") for n in (1, 2, 3, 4)]
    assert proxy.get_event(made["sessions"][1]["id"])["session_number"] == 2
    assert proxy.get_series(made["id"])["sessions"] == made["sessions"]


def test_sessions_on_a_list_of_days_are_not_called_weeks(catalog):
    proxy, _ = catalog
    days = [day(10).isoformat(), day(12).isoformat()]
    made = proxy.create_series(new_series(schedule={"dates": days, "start_time": "10:00", "end_time": "11:00"}),
                               organizer=None)
    published = heard_of("event_published", made["id"], 2)
    assert [e.series_weekly for e in published] == [False, False]


def test_a_series_code_and_an_events_code_never_clash(catalog):
    proxy, database = catalog
    starts = dt.datetime.combine(day(5), dt.time(18), HELSINKI)
    proxy.create_event({**{k: v for k, v in new_series().items() if k != "schedule"}, "sms_code": "YO17",
                        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat()},
                       organizer=None)
    with pytest.raises(Conflict) as taken:
        proxy.create_series(new_series(sms_code="yo17"), organizer=None)
    assert taken.value.code == "sms_code_taken"
    assert rows(database, series) == 0 and rows(database, events) == 1  # nothing of the series written
    made = proxy.create_series(new_series(sms_code="RY55"), organizer=None)
    with pytest.raises(Conflict):
        proxy.create_event({**{k: v for k, v in new_series().items() if k != "schedule"}, "sms_code": "ry55",
                            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat()},
                           organizer=None)
    with pytest.raises(ValidationFailed) as own_code:  # a session has the series' code only
        proxy.update_event(made["sessions"][0]["id"], {"sms_code": "OMA1"}, organizer=None)
    assert "sms_code" in own_code.value.fields


def test_a_change_of_the_series_reaches_every_session_not_yet_started(catalog):
    proxy, _ = catalog
    schedule = {"dates": [day(-1).isoformat(), day(6).isoformat(), day(13).isoformat()],
                "start_time": "10:00", "end_time": "12:00"}
    made = proxy.create_series(new_series(schedule=schedule), organizer=None)
    started, *coming = made["sessions"]
    changed = proxy.change_series(made["id"], {"capacity": 12, "title": {"fi": "Vertaisryhmä"}, "sms_code": "VR12"},
                                  organizer=None)
    assert changed["capacity"] == 12 and changed["sms_code"] == "VR12"
    updates = heard_of("event_updated", made["id"], 2)
    assert sorted(e.id for e in updates) == sorted(s["id"] for s in coming)  # not the one already held
    assert all(e.capacity == 12 and e.title["fi"] == "Vertaisryhmä" and e.title["en"] == "Youth peer group"
               and e.series_sms_code == "VR12" and "series_sms_code" in e.changed for e in updates)
    assert proxy.get_event(started["id"])["capacity"] == 10
    assert proxy.get_event(coming[0]["id"])["capacity"] == 12


def test_a_draft_series_published_publishes_each_session_with_a_code_made_for_it(catalog):
    proxy, _ = catalog
    draft = proxy.create_series(new_series(status="draft"), organizer="Monikulttuurinen nuorisotyö")
    assert draft["sms_code"] is None and {s["status"] for s in draft["sessions"]} == {"draft"}
    assert draft["id"] not in {e["series_id"] for e in proxy.list_events()}
    published = proxy.change_series(draft["id"], {"status": "published"}, organizer="Monikulttuurinen nuorisotyö")
    assert published["status"] == "published" and published["sms_code"]
    sessions = heard_of("event_published", draft["id"], 4)
    assert {e.series_sms_code for e in sessions} == {published["sms_code"]}


def test_a_schedule_it_cannot_have_writes_nothing(catalog):
    proxy, database = catalog
    for schedule, field in (({"from": day(10).isoformat(), "until": day(3).isoformat(), "start_time": "17:00",
                              "end_time": "19:00"}, "schedule.until"),
                            ({"dates": [day(10).isoformat(), day(2000).isoformat()], "start_time": "17:00",
                              "end_time": "19:00"}, "schedule")):
        with pytest.raises(ValidationFailed) as refused:
            proxy.create_series(new_series(schedule=schedule), organizer=None)
        assert field in refused.value.fields, refused.value.fields
    assert rows(database, series) == 0 and rows(database, events) == 0
