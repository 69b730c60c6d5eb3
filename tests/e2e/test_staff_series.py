"""The staff pages of weekly groups through HTTP, as a browser without JavaScript uses them: a series
made from the form (the weekday from its first day, holidays left out), its page listing each session
with links to its own event, door and edit pages and the counts per session, the event list showing
the series once, a mistyped form answered beside its fields with nothing made, a draft published, and
another organizer's staff reaching none of it."""
import datetime as dt
import uuid

import pytest

from tests.e2e.helpers import sign_up, staff_token
from tests.e2e.pages import Page, get, post, signed_in, token_of

pytestmark = pytest.mark.e2e

ORGANIZER = "Jyväskylän Setlementti ry"


@pytest.fixture(scope="module")
def own(system):
    return staff_token(system, "Mirja / Setlementti", ORGANIZER)


@pytest.fixture(scope="module")
def office(system, own):
    return signed_in(system, token_of(own))


def saturday(weeks_ahead):
    today = dt.date.today()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 + 7 * weeks_ahead)


def form(word, **fields):
    first = saturday(2)
    return {"title_fi": f"Nuorten vertaisryhmä {word}", "municipality": "Jyväskylä", "place": "Nuorisotila Veturi",
            "first_day": first.strftime("%-d.%-m.%Y"), "last_day": (first + dt.timedelta(weeks=4)).isoformat(),
            "exceptions": (first + dt.timedelta(weeks=2)).strftime("%-d.%-m.%Y"), "start_time": "17.00",
            "end_time": "19:00", "capacity": "10", "waitlist_capacity": "2", "max_group_size": "5",
            "action": "publish", **fields}


def made(answer):
    assert answer.status_code == 303, answer.text
    location = answer.headers["Location"]
    assert location.startswith("/staff/series/") and "?done=" in location, location
    return location.split("/")[3].split("?")[0]


def listed(system, word):
    return system.call("GET", f"/api/events?q={word}", staff=True).json()


def test_staff_make_a_weekly_group_and_see_each_session_with_its_counts(system, office):
    word = uuid.uuid4().hex[:8]
    get(office, system, "/staff/series/new")
    series_id = made(post(office, system, "/staff/series/new", form(word)))
    series = system.call("GET", f"/api/series/{series_id}", staff=True).json()
    first = saturday(2)
    assert series["organizer"] == ORGANIZER and series["status"] == "published" and series["sms_code"]
    assert [s["starts_at"][:10] for s in series["sessions"]] == [
        (first + dt.timedelta(weeks=n)).isoformat() for n in (0, 1, 3, 4)]  # week 3 a holiday
    sessions = [s["id"] for s in series["sessions"]]
    sign_up(system, sessions[1], {"name": "Amina", "phone": "0401234001"})

    shown = get(office, system, f"/staff/series/{series_id}?done=created")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    page = Page(shown.text)
    assert "julkaistu" in page.text("done") and "lauantai" in page.text("series-state")
    assert page.text("sms-code") == series["sms_code"]
    for number, session_id in enumerate(sessions, start=1):
        assert {f"/staff/events/{session_id}", f"/staff/events/{session_id}/door",
                f"/staff/events/{session_id}/edit"} <= set(page.links)
        assert page.text(f"session-{number}").startswith(f"{number}/4")
    # coming per session: the one who signed up to the second session only
    assert [page.text(f"coming-{n}") for n in (1, 2, 3, 4)] == ["0", "1", "0", "0"]

    staff_list = Page(get(office, system, "/staff/events").text)
    assert staff_list.links.count(f"/staff/series/{series_id}") == 1
    assert not set(f"/staff/events/{s}" for s in sessions) & set(staff_list.links)


def test_a_mistyped_series_is_answered_beside_its_fields_and_nothing_is_made(system, office):
    word = uuid.uuid4().hex[:8]
    get(office, system, "/staff/series/new")
    first = saturday(2)
    for fields, wrong in (({"first_day": "ensi lauantaina", "capacity": "kymmenen"}, ["capacity", "first_day"]),
                          ({"last_day": (first - dt.timedelta(days=1)).isoformat()}, ["last_day"]),
                          ({"exceptions": (first + dt.timedelta(days=1)).isoformat()}, ["exceptions"]),
                          ({"end_time": "16:00"}, ["end_time"])):
        answer = post(office, system, "/staff/series/new", form(word, **fields))
        assert answer.status_code == 422, answer.text
        page = Page(answer.text)
        assert page.errors() == wrong and page.ids.get("error-summary")
        assert page.value("title_fi") == f"Nuorten vertaisryhmä {word}"  # what was typed stays
    assert listed(system, word) == []


def test_a_draft_is_published_from_its_page_and_other_organizers_reach_none_of_it(system, office):
    word = uuid.uuid4().hex[:8]
    get(office, system, "/staff/series/new")
    series_id = made(post(office, system, "/staff/series/new", form(word, action="draft")))
    draft = Page(get(office, system, f"/staff/series/{series_id}").text)
    assert draft.ids.get("publish") and {e["status"] for e in listed(system, word)} == {"draft"}

    other = signed_in(system, token_of(staff_token(system, "Pekka / 4H", "Petäjäveden 4H-yhdistys")))
    assert get(other, system, f"/staff/series/{series_id}").status_code in (403, 404)
    get(other, system, "/staff/events")
    refused = post(other, system, f"/staff/series/{series_id}/publish")
    assert refused.status_code in (403, 404)
    assert {e["status"] for e in listed(system, word)} == {"draft"}

    published = post(office, system, f"/staff/series/{series_id}/publish", page=draft)
    assert published.status_code == 303
    assert {e["status"] for e in listed(system, word)} == {"published"}
    assert system.call("GET", f"/api/series/{series_id}").json()["sms_code"]


def test_the_series_page_counts_who_came_to_each_session_and_how_often(system, office, own):
    word = uuid.uuid4().hex[:8]
    series_id = made(post(office, system, "/staff/series/new", form(word)))
    sessions = [s["id"] for s in system.call("GET", f"/api/series/{series_id}", staff=True).json()["sessions"]]
    sign_up(system, sessions[0], {"name": "Lämmittely", "phone": "0401234099"})  # registration knows the sessions
    codes = []
    for n, name in enumerate(("Amina", "Bashir", "Chen")):
        answer = system.call("POST", f"/api/series/{series_id}/registrations",
                             json={"name": name, "phone": f"04012341{n:02d}"})
        assert answer.status_code == 201, answer.text
        codes.append(answer.json()["cancel_code"])
    staff = {"Authorization": f"Bearer {token_of(own)}"}
    rows = {(r["name"], r["event_id"] if "event_id" in r else s): r["id"] for s in sessions[:2]
            for r in system.call("GET", f"/api/events/{s}/registrations", headers=staff).json()}
    for name, session in (("Amina", sessions[0]), ("Amina", sessions[1]), ("Bashir", sessions[0])):
        marked = system.call("POST", f"/api/registrations/{rows[(name, session)]}/check-in", headers=staff)
        assert marked.status_code == 200, marked.text
    assert system.call("POST", f"/api/events/{sessions[0]}/walk-ins", headers=staff, json={"count": 3}).status_code == 201

    page = Page(get(office, system, f"/staff/series/{series_id}").text)
    columns = ("confirmed", "waitlisted", "attended", "walk_ins")
    assert [page.text(f"stats-{c}-1") for c in columns] == ["4", "0", "2", "3"]  # the warm-up sign-up too
    assert [page.text(f"stats-{c}-2") for c in columns] == ["3", "0", "1", "0"]
    assert page.text("came") == "2 kertaa: 1 henkilöä 1 kertaa: 1 henkilöä 0 kertaa: 1 henkilöä"
