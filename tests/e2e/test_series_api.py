"""Series (weekly groups) through the HTTP API, as staff make and change them and residents'
frontends read them: every answer held to the OpenAPI document (tests/e2e/conftest.py)."""
import datetime as dt
import uuid

import pytest

from tests.e2e.helpers import staff_token
from tests.system import STAFF_TOKEN  # noqa: F401  (system.call(staff=True) is an admin)

pytestmark = pytest.mark.e2e

HELSINKI_OFFSET_SUMMER, HELSINKI_OFFSET_WINTER = "+03:00", "+02:00"


def a_day(days):
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def series_body(word, **changes):
    return {"title": {"fi": f"Nuorten vertaisryhmä {word}"}, "municipality": "Jyväskylä", "place": "Nuorisotila Veturi",
            "capacity": 10, "organizer": "Monikulttuurinen nuorisotyö",
            "schedule": {"from": a_day(14), "until": a_day(35), "except": [a_day(28)],
                         "start_time": "17:00", "end_time": "19:00"}, **changes}


def listed(system, word, **headers):
    answer = system.call("GET", f"/api/events?q={word}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_staff_make_a_weekly_group_and_residents_read_it_with_seats_per_session(system):
    word = uuid.uuid4().hex[:8]
    made = system.call("POST", "/api/series", staff=True, json=series_body(word, sms_code="vr" + word[:4]))
    assert made.status_code == 201, made.text
    series = made.json()
    assert series["sms_code"] == ("VR" + word[:4]).upper() and series["session_count"] == 3
    assert [s["starts_at"][:10] for s in series["sessions"]] == [a_day(14), a_day(21), a_day(35)]

    read = system.call("GET", f"/api/series/{series['id']}")  # no token: anyone
    assert read.status_code == 200, read.text
    assert [(s["session_number"], s["seats_left"], s["waitlist_left"]) for s in read.json()["sessions"]] == [
        (1, 10, 0), (2, 10, 0), (3, 10, 0)]
    sessions = listed(system, word)
    assert [(e["id"], e["series_id"], e["session_number"], e["session_count"], e["series_sms_code"], e["sms_code"])
            for e in sessions] == [(s["id"], series["id"], s["session_number"], 3, series["sms_code"], None)
                                   for s in series["sessions"]]
    one = system.call("GET", f"/api/events/{series['sessions'][2]['id']}").json()
    assert (one["session_number"], one["session_count"], one["title"]["fi"]) == (3, 3, f"Nuorten vertaisryhmä {word}")


def test_a_weekly_group_over_the_end_of_summer_time_meets_at_the_same_helsinki_hour(system):
    # summer time ends on the last Sunday of October: 31.10.2027
    answer = system.call("POST", "/api/series", staff=True, json=series_body(
        uuid.uuid4().hex[:8], schedule={"from": "2027-10-24", "until": "2027-11-07", "start_time": "17:00",
                                        "end_time": "19:00"}))
    assert answer.status_code == 201, answer.text
    assert [s["starts_at"] for s in answer.json()["sessions"]] == [
        "2027-10-24T14:00:00+00:00", "2027-10-31T15:00:00+00:00", "2027-11-07T15:00:00+00:00"]


@pytest.mark.parametrize("changes, field", [
    ({"schedule": {"from": a_day(14), "until": a_day(7), "start_time": "17:00", "end_time": "19:00"}}, "schedule.until"),
    ({"schedule": {"from": a_day(14), "until": a_day(21), "except": [a_day(15)], "start_time": "17:00",
                   "end_time": "19:00"}}, "schedule.except"),
    ({"schedule": {"dates": [a_day(7 * n) for n in range(1, 62)], "start_time": "17:00", "end_time": "19:00"}},
     "schedule.dates"),
    ({"starts_at": "2026-12-01T17:00:00+02:00"}, "starts_at"),
    ({"capacity": -1}, "capacity"),
])
def test_a_series_it_cannot_have_is_refused_naming_the_field_and_nothing_is_made(system, changes, field):
    word = uuid.uuid4().hex[:8]
    refused = system.call("POST", "/api/series", staff=True, json=series_body(word, **changes))
    assert refused.status_code == 422, refused.text
    assert field in refused.json()["error"]["fields"], refused.text
    assert listed(system, word, Authorization=f"Bearer {STAFF_TOKEN}") == []


def test_a_draft_is_staffs_until_published_and_a_change_reaches_the_sessions_not_yet_held(system):
    organizer = "Kortepohjan kylätalo ry"
    own = staff_token(system, "Liisa / Kylätalo", organizer)
    other = staff_token(system, "Pekka / 4H", "Petäjäveden 4H-yhdistys")
    word = uuid.uuid4().hex[:8]
    draft = system.call("POST", "/api/series", headers=own, json=series_body(word, status="draft", organizer=organizer))
    assert draft.status_code == 201, draft.text
    series_id = draft.json()["id"]
    assert system.call("GET", f"/api/series/{series_id}").status_code == 404
    assert listed(system, word) == []
    assert system.call("GET", f"/api/series/{series_id}", headers=own).json()["status"] == "draft"

    refused = system.call("PATCH", f"/api/series/{series_id}", headers=other, json={"capacity": 99})
    assert refused.status_code in (403, 404), refused.text
    published = system.call("PATCH", f"/api/series/{series_id}", headers=own,
                            json={"status": "published", "capacity": 12, "title": {"fi": f"Vertaisryhmä {word}", "sv": "Kamratgrupp"}})
    assert published.status_code == 200, published.text
    assert published.json()["sms_code"] and published.json()["capacity"] == 12
    sessions = listed(system, word)
    assert [(e["status"], e["capacity"], e["title"]) for e in sessions] == [
        ("published", 12, {"fi": f"Vertaisryhmä {word}", "sv": "Kamratgrupp"})] * 3
    read = system.call("GET", f"/api/series/{series_id}").json()
    assert "summary_phone" not in read and [s["seats_left"] for s in read["sessions"]] == [12, 12, 12]
