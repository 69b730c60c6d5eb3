"""A weekly group on the residents' pages, against the whole system, as a browser without
JavaScript uses them: the list shows the group once, its page lists the dates with the seats of
each and enrols through the API's path (errors beside their fields, nothing written; a reload sends
nothing twice); the enrolment's own page by its code says "I won't come this time" for one date,
cancels every date and erases, each behind a confirmation step guarded against cross-site posting;
the door page finds an enrolled person's row of a session by the enrolment's code."""
import datetime as dt
import re
import uuid

import pytest

from tests.conftest import wait_until
from tests.e2e.helpers import event_start, staff_token
from tests.e2e.pages import Page, browser, get, post, signed_in, token_of

pytestmark = pytest.mark.e2e


def status_text(html):
    found = re.search(r'<p id="status"[^>]*>(.*?)</p>', html, re.S)
    return " ".join(found.group(1).split()) if found else None


def a_series(system, headers=None, weeks=4, **changes):
    """A published weekly group of `weeks` Saturdays-or-whatever-day, 17–19 Helsinki time, from 20 days on."""
    first = event_start(20).date()
    body = {"title": {"fi": f"Vertaisryhmä {uuid.uuid4().hex[:6]}", "sv": "Kamratgrupp", "en": "Peer group"},
            "description": {"fi": "Nuorille"}, "municipality": "Jyväskylä", "place": "Nuorisotalo Veturi",
            "capacity": 1, "waitlist_capacity": 2, "max_group_size": 2, "organizer": "Kosketus ry",
            "schedule": {"from": first.isoformat(), "until": (first + dt.timedelta(weeks=weeks - 1)).isoformat(),
                         "start_time": "17:00", "end_time": "19:00"}, **changes}
    answer = system.call("POST", "/api/series", json=body, **({"headers": headers} if headers else {"staff": True}))
    assert answer.status_code == 201, answer.text
    series = answer.json()
    # its sessions reach registration over the bus a moment after catalog answers
    wait_until(lambda: system.call("GET", f"/api/series/{series['id']}").json()["sessions"][0].get("seats_left") == 1,
               message="the sessions' seats")
    return series


def enrolled(system, series, name):
    """Enrolled through the group's page, as a resident does; the code from the answer page."""
    session = browser()
    drawn = Page(get(session, system, f"/series/{series['id']}").text)
    answer = post(session, system, f"/series/{series['id']}", {
        "name": name, "phone": a_phone(), "seats": "1", "language": "fi",
        "idempotency_key": drawn.value("idempotency_key")}, page=drawn)
    assert answer.status_code == 201, answer.text
    return Page(answer.text).text("cancel-code")


def a_phone():
    return "040" + str(uuid.uuid4().int)[:7]


def places(system, series, name, headers=None):
    """[status of `name`'s row in each session], as registration's roster has them."""
    statuses = []
    for session in series["sessions"]:
        roster = system.call("GET", f"/api/events/{session['id']}/registrations",
                             **({"headers": headers} if headers else {"staff": True}))
        assert roster.status_code == 200, roster.text
        statuses.append(next((r["status"] for r in roster.json() if r["name"] == name), None))
    return statuses


def test_the_list_shows_a_group_once_and_its_page_enrols_for_every_date(system):
    series = a_series(system)
    sessions = series["sessions"]
    session = browser()

    listed = get(session, system, "/", params={"q": series["title"]["fi"]})
    assert listed.status_code == 200
    assert listed.text.count(f'href="/series/{series["id"]}"') == 1
    assert not any(f'href="/events/{s["id"]}"' in listed.text for s in sessions)
    assert "4 kertaa" in listed.text and "Joka " in listed.text  # "Joka lauantai, 4 kertaa"

    # a session's own event page leads to its group: one enrols in all of it
    moved = get(session, system, f"/events/{sessions[1]['id']}")
    assert moved.status_code == 303 and moved.headers["Location"] == f"/series/{series['id']}"

    page = get(session, system, f"/series/{series['id']}")
    assert page.status_code == 200
    drawn = Page(page.text)
    assert [drawn.text(f"session-{n}") for n in range(1, 5)] and "1 paikka vapaana" in drawn.text("session-1")
    assert drawn.text("rhythm").endswith("4 kertaa")

    # a mistake is shown beside its field; nothing is written
    bad = post(session, system, f"/series/{series['id']}", {"name": "", "phone": "12", "seats": "1",
                                                            "idempotency_key": drawn.value("idempotency_key")},
               page=drawn)
    assert bad.status_code == 422 and Page(bad.text).errors() == ["name", "phone"]
    assert system.call("GET", f"/api/series/{series['id']}").json()["sessions"][0]["seats_left"] == 1

    form = {"name": "Aino Virtanen", "phone": a_phone(), "seats": "1", "language": "fi",
            "idempotency_key": drawn.value("idempotency_key")}
    answer = post(session, system, f"/series/{series['id']}", form, page=drawn)
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    done = Page(answer.text)
    code = done.text("cancel-code")
    assert [done.text(f"session-{n}").endswith("Sinulla on paikka.") for n in range(1, 5)] == [True] * 4
    assert places(system, series, "Aino Virtanen") == ["confirmed"] * 4
    # the same form sent again (a reload): the same enrolment, not a second one
    again = post(session, system, f"/series/{series['id']}", form, page=drawn)
    assert again.status_code == 200 and Page(again.text).text("cancel-code") == code

    # the next person waits for every date
    other = browser()
    # (each gateway keeps a group's seats 3 s, as an event's: README "Cheap")
    wait_until(lambda: "Seuraava kerta on täynnä" in get(other, system, f"/series/{series['id']}").text,
               message="the page saying the next date is full")
    drawn = Page(get(other, system, f"/series/{series['id']}").text)
    waiting = post(other, system, f"/series/{series['id']}", {
        "name": "Eino Lahtinen", "phone": a_phone(), "seats": "1", "language": "sv",
        "idempotency_key": drawn.value("idempotency_key")}, page=drawn)
    assert waiting.status_code == 201
    assert [Page(waiting.text).text(f"session-{n}").endswith("Olet jonossa. Sijasi on 1.") for n in range(1, 5)] == \
        [True] * 4


def test_one_date_then_every_date_then_erase_each_after_a_confirmation(system):
    series = a_series(system)
    second = series["sessions"][1]["id"]
    code = enrolled(system, series, "Aino Virtanen")
    enrolled(system, series, "Eino Lahtinen")  # waits for every date
    aino = lambda: places(system, series, "Aino Virtanen")  # noqa: E731
    eino = lambda: places(system, series, "Eino Lahtinen")  # noqa: E731
    session = browser()

    page = get(session, system, f"/r/{code}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    drawn = Page(page.text)
    assert status_text(page.text) == "Olet ilmoittautunut tähän ryhmään."
    skip_links = [link for link in drawn.links if "/sessions/" in (link or "")]
    assert skip_links == [f"/r/{code}/sessions/{s['id']}/cancel" for s in series["sessions"]]
    assert "Aino Virtanen" in page.text and "+358" in page.text and code in page.text

    # following the link cancels nothing; it asks
    asked = get(session, system, f"/r/{code}/sessions/{second}/cancel")
    assert asked.status_code == 200 and aino() == ["confirmed"] * 4
    # a post from another site, or without the form's token: refused, nothing done
    forged = session.post(system.base_url + f"/r/{code}/sessions/{second}/cancel", data={"confirm": "yes"},
                          headers={"Origin": "https://evil.example"}, timeout=30, allow_redirects=False)
    assert forged.status_code == 403 and aino() == ["confirmed"] * 4

    done = post(session, system, f"/r/{code}/sessions/{second}/cancel", {"confirm": "yes"}, page=Page(asked.text))
    assert done.status_code == 200 and "Muut kertasi pysyvät ennallaan" in status_text(done.text)
    assert aino() == ["confirmed", "cancelled", "confirmed", "confirmed"]
    # the freed seat of that one date went to the first waiting, for that date only
    assert eino() == ["waitlisted", "confirmed", "waitlisted", "waitlisted"]
    # a second post (a reload) does nothing more
    twice = post(session, system, f"/r/{code}/sessions/{second}/cancel", {"confirm": "yes"})
    assert twice.status_code == 200 and "Mitään muuta ei tehty" in status_text(twice.text)

    # every date: the confirmation lists what is left
    asked = get(session, system, f"/r/{code}/cancel")
    assert asked.status_code == 200 and f'href="/r/{code}"' in asked.text
    assert aino() == ["confirmed", "cancelled", "confirmed", "confirmed"]
    done = post(session, system, f"/r/{code}/cancel", {"confirm": "yes"}, page=Page(asked.text))
    assert done.status_code == 200 and status_text(done.text).startswith("Sinulla ei ole enää paikkaa")
    assert aino() == ["cancelled"] * 4
    assert eino() == ["confirmed"] * 4
    gone = Page(get(session, system, f"/r/{code}").text)
    assert not [link for link in gone.links if "/sessions/" in (link or "") or link == f"/r/{code}/cancel"]

    asked = get(session, system, f"/r/{code}/erase")
    assert asked.status_code == 200 and "Aino Virtanen" in asked.text
    erased = post(session, system, f"/r/{code}/erase", {"confirm": "yes"}, page=Page(asked.text))
    assert erased.status_code == 200
    after = get(session, system, f"/r/{code}")
    assert after.status_code == 200 and "Aino Virtanen" not in after.text
    assert status_text(after.text) == "Tämän ilmoittautumisen tiedot on poistettu."


def test_the_messages_link_token_opens_the_enrolment_and_a_code_that_opens_nothing_is_404(system):
    series = a_series(system)
    made = system.call("POST", f"/api/series/{series['id']}/registrations",
                       json={"name": "Aino Virtanen", "email": "aino@example.fi"})
    assert made.status_code == 201, made.text
    session = browser()
    page = get(session, system, f"/r/{made.json()['token']}")
    assert page.status_code == 200 and status_text(page.text) == "Olet ilmoittautunut tähän ryhmään."
    assert made.json()["cancel_code"] in page.text and "a***@example.fi" in page.text
    answer = get(session, system, "/r/ZZZZ-ZZZZ")
    assert answer.status_code == 404 and "ZZZZ-ZZZZ" in answer.text


def test_the_door_finds_an_enrolled_person_by_the_enrolments_code_in_each_session(system):
    organizer = f"Kosketus {uuid.uuid4().hex[:6]} ry"
    headers = staff_token(system, "Maija / Kosketus", organizer)
    series = a_series(system, headers=headers, organizer=organizer)
    code = enrolled(system, series, "Aino Virtanen")
    staff = signed_in(system, token_of(headers), accept_language="en")
    second = series["sessions"][1]["id"]

    for typed in (code, code[:4].lower()):
        door = get(staff, system, f"/staff/events/{second}/door", params={"q": typed})
        assert door.status_code == 200
        rows = [key for key in Page(door.text).ids if key.startswith("r-")]
        assert len(rows) == 1 and "Aino Virtanen" in Page(door.text).text(rows[0]), typed

    row_id = rows[0][2:]
    checked = post(staff, system, f"/staff/events/{second}/door/check-in",
                   {"registration": row_id, "q": code}, page=Page(door.text))
    assert checked.status_code == 303
    # checked in to that session only
    for session_ in series["sessions"]:
        roster = system.call("GET", f"/api/events/{session_['id']}/registrations", headers=headers).json()
        assert [r["attended"] for r in roster] == [session_["id"] == second]
