"""The door page and the roster through HTTP, as a phone without JavaScript uses them: staff sign
in, find a resident by the code they read out or by name, check them in and undo it, count
walk-ins, and see the counts; each check-in reaches the API's activity stream, the page's own
stream and the roster; another organizer's staff reach none of it; the CSV opens with ä and ö."""
import csv
import io
import json
import socket
import threading
import uuid

import pytest

from services.gateway.pages.endpoint import SCRIPT_POLICY
from tests.conftest import wait_until
from tests.e2e.helpers import ActivityStream, event_body, sign_up, staff_token
from tests.e2e.pages import Page, get, post, signed_in, token_of

pytestmark = pytest.mark.e2e

class DoorPage(Page):
    """The door page: its list's rows and its counts."""

    def rows(self):
        """{registration id: the row's text} of the door list."""
        return {key[2:]: self.text(key) for key in self.ids if key.startswith("r-")}

    def counts(self):
        return {name: int(self.text(f"count-{name}")) for name in ("coming", "here", "walk-ins", "waiting")}


def staff_browser(system, headers):
    """A browser signed in to the staff pages with the token of `headers`, in English."""
    return signed_in(system, token_of(headers), accept_language="en")


def door(session, system, event_id, q=None):
    answer = get(session, system, f"/staff/events/{event_id}/door", params={"q": q} if q else None,
                 allow_redirects=True)
    assert answer.status_code == 200, answer.text
    return DoorPage(answer.text)


def roster(system, event_id, headers):
    answer = system.call("GET", f"/api/events/{event_id}/registrations", headers=headers)
    assert answer.status_code == 200, answer.text
    return {r["id"]: r for r in answer.json()}


@pytest.fixture(scope="module")
def organizer():
    return f"Kosketus {uuid.uuid4().hex[:6]} ry"


@pytest.fixture(scope="module")
def maija(system, organizer):
    return staff_token(system, "Maija / Kosketus", organizer)


@pytest.fixture(scope="module")
def ville(system):
    return staff_token(system, "Ville / kaupunki", f"Kaupunki {uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="module")
def night(system, maija):
    """The organizer's event: Äijä (a group of two, by SMS), Maija (by email) with places, Eino
    waiting."""
    body = event_body(capacity=3, waitlist_capacity=5)
    del body["organizer"]
    event = system.call("POST", "/api/events", json=body, headers=maija).json()
    people = {}
    for name, contact, seats in (("Äijä Öhman", {"phone": "040 765 4321"}, 2),
                                 ("Maija Meikäläinen", {"email": "maija@example.fi"}, 1),
                                 ("Eino Odottaja", {"email": "eino@example.fi"}, 1)):
        answer = sign_up(system, event["id"], {"name": name, "seats": seats, **contact})
        assert answer.status_code == 201, answer.text
        people[name.split()[0]] = answer.json()
    return event, people


def test_staff_check_in_by_code_and_by_name_undo_and_count_walk_ins_at_the_door(system, maija, night):
    event, people = night
    aija, maija_m, eino = people["Äijä"], people["Maija"], people["Eino"]
    session = staff_browser(system, maija)
    path = f"/staff/events/{event['id']}/door"
    api_stream = ActivityStream(system, event["id"], maija)
    try:
        first = session.get(system.base_url + path, timeout=30)
        assert first.headers["Cache-Control"] == "no-store"
        assert first.headers["Content-Security-Policy"] == SCRIPT_POLICY
        page = DoorPage(first.text)
        assert page.counts() == {"coming": 3, "here": 0, "walk-ins": 0, "waiting": 1}
        assert set(page.rows()) == {aija["id"], maija_m["id"], eino["id"]}

        # the code as read out, typed lower-case without the dash
        typed = aija["cancel_code"].replace("-", "").lower()
        found = door(session, system, event["id"], typed)
        assert list(found.rows()) == [aija["id"]] and "Has a place" in found.rows()[aija["id"]]
        checked = post(session, system, f"{path}/check-in", {"registration": aija["id"], "attended": "yes", "q": typed},
                       page=found)
        assert checked.status_code == 303
        assert checked.headers["Location"] == f"{path}?q={typed}#r-{aija['id']}"
        after = door(session, system, event["id"], typed)
        assert "Here" in after.rows()[aija["id"]] and after.counts()["here"] == 2  # a group of two
        marked = api_stream.wait_for(lambda item: item["event"] == "attendance_marked")["data"]
        assert (marked["registration_id"], marked["attended"], marked["marked_by"]["name"]) == \
            (aija["id"], True, "Maija / Kosketus")
        assert roster(system, event["id"], maija)[aija["id"]]["attended"] is True

        # by name, any case
        by_name = door(session, system, event["id"], "meikäLÄINEN")
        assert list(by_name.rows()) == [maija_m["id"]]
        assert post(session, system, f"{path}/check-in", {"registration": maija_m["id"], "attended": "yes"},
                    page=by_name).status_code == 303
        assert door(session, system, event["id"]).counts() == {"coming": 3, "here": 3, "walk-ins": 0, "waiting": 1}

        # undo, and the person waiting cannot be checked in (nothing changes)
        page = door(session, system, event["id"])
        assert post(session, system, f"{path}/check-in", {"registration": aija["id"], "attended": "no"},
                    page=page).status_code == 303
        refused = post(session, system, f"{path}/check-in", {"registration": eino["id"], "attended": "yes"},
                       page=page)
        assert refused.status_code == 409 and "Only someone with a place" in Page(refused.text).text("door-problem")
        now = roster(system, event["id"], maija)
        assert (now[aija["id"]]["attended"], now[maija_m["id"]]["attended"], now[eino["id"]]["attended"]) == \
            (False, True, False)
        assert door(session, system, event["id"]).counts()["here"] == 1

        # walk-ins: +1, +1, −1; below zero refused beside the counts
        for count in ("1", "1", "-1"):
            answer = post(session, system, f"{path}/walk-ins", {"count": count}, page=page)
            assert answer.status_code == 303 and answer.headers["Location"] == f"{path}#walk-ins"
        assert door(session, system, event["id"]).counts()["walk-ins"] == 1
        post(session, system, f"{path}/walk-ins", {"count": "-1"}, page=page)
        below = post(session, system, f"{path}/walk-ins", {"count": "-1"}, page=page)
        assert below.status_code == 422 and "below zero" in Page(below.text).text("door-problem")
        assert system.call("GET", f"/api/events/{event['id']}/walk-ins", headers=maija).json()["total"] == 0
    finally:
        api_stream.close()


def test_the_door_pages_activity_stream_carries_a_check_in_with_the_staff_session(system, maija, night):
    event, people = night
    session = staff_browser(system, maija)
    items, stream = [], session.get(f"{system.base_url}/staff/events/{event['id']}/activity", stream=True, timeout=30)
    assert stream.status_code == 200 and stream.headers["Content-Type"].startswith("text/event-stream")

    def read():
        try:
            for line in stream.iter_lines(decode_unicode=True):
                if line.startswith("data:"):
                    items.append(json.loads(line[5:]))
        except Exception:  # closed by the test
            pass
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        page = door(session, system, event["id"])
        attended = not roster(system, event["id"], maija)[people["Maija"]["id"]]["attended"]
        post(session, system, f"/staff/events/{event['id']}/door/check-in",
             {"registration": people["Maija"]["id"], "attended": "yes" if attended else "no"}, page=page)
        wait_until(lambda: any(i["type"] == "attendance_marked" and i["attended"] is attended for i in items),
                   timeout=10, message="the check-in on the page's stream")
    finally:
        connection = stream.raw.connection
        if connection is not None and connection.sock is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)  # the reader sees the end of the stream
        reader.join(timeout=5)
        stream.close()


def test_another_organizers_staff_reach_no_door_roster_or_stream_and_change_nothing(system, maija, ville, night):
    event, people = night
    state = lambda: {i: (r["status"], r["attended"]) for i, r in roster(system, event["id"], maija).items()}  # noqa: E731
    before = state()
    walk_ins = system.call("GET", f"/api/events/{event['id']}/walk-ins", headers=maija).json()["total"]
    session = staff_browser(system, ville)
    token_page = Page(session.get(f"{system.base_url}/staff/sign-in", timeout=30).text)
    base = f"{system.base_url}/staff/events/{event['id']}"
    answers = [
        session.get(f"{base}/door", timeout=30),
        session.get(f"{base}/door?q=maija", timeout=30),
        session.get(f"{base}/roster", timeout=30),
        session.get(f"{base}/roster?format=csv", timeout=30),
        session.get(f"{base}/activity", timeout=30),
        post(session, system, f"/staff/events/{event['id']}/door/check-in",
             {"registration": people["Eino"]["id"], "attended": "yes"}, page=token_page),
        post(session, system, f"/staff/events/{event['id']}/door/check-in",
             {"registration": people["Äijä"]["id"], "attended": "yes"}, page=token_page),
        post(session, system, f"/staff/events/{event['id']}/door/walk-ins", {"count": "5"}, page=token_page),
    ]
    # their own event's door, with our registrant's id posted to it
    own = event_body()
    del own["organizer"]
    theirs = system.call("POST", "/api/events", json=own, headers=ville).json()
    answers.append(post(session, system, f"/staff/events/{theirs['id']}/door/check-in",
                        {"registration": people["Äijä"]["id"], "attended": "yes"}, page=token_page))
    for answer in answers:
        assert answer.status_code in (403, 404), (answer.request.method, answer.request.url, answer.status_code)
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "Äijä" not in answer.text and "Meikäläinen" not in answer.text
    assert state() == before
    assert system.call("GET", f"/api/events/{event['id']}/walk-ins", headers=maija).json()["total"] == walk_ins


def test_the_roster_shows_contacts_in_full_and_messages_and_its_csv_opens_with_finnish_letters(system, maija, night):
    event, people = night
    session = staff_browser(system, maija)
    wait_until(lambda: all(r["messages"] for r in roster(system, event["id"], maija).values()),
               message="each registrant's first message")
    answer = session.get(f"{system.base_url}/staff/events/{event['id']}/roster", timeout=30)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    page = Page(answer.text)
    aija = page.text(f"r-{people['Äijä']['id']}")
    assert "Äijä Öhman" in aija and "+358407654321" in aija and "Confirmation (SMS)" in aija
    assert "maija@example.fi" in page.text(f"r-{people['Maija']['id']}")
    assert "place 1" in page.text(f"r-{people['Eino']['id']}")
    assert "SMS stopped" not in aija

    download = session.get(f"{system.base_url}/staff/events/{event['id']}/roster?format=csv", timeout=30)
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("text/csv")
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Nimi"
    assert ["Äijä Öhman", "+358407654321", "2", "vahvistettu"] in [row[:4] for row in rows[1:]]
    assert download.content == system.call("GET", f"/api/events/{event['id']}/registrations?format=csv",
                                           headers=maija).content
