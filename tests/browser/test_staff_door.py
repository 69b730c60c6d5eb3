"""The door page in a real browser: two staff at two doors, each with JavaScript on, see each
other's check-ins within two seconds (the activity stream read by static/door.js); with
JavaScript off a check-in is a form post and a reload; the search box and the buttons work from
the keyboard; axe-core finds nothing on the door page (with results, with none, after a
check-in) or on the roster, none scrolls sideways, and each is photographed at 360 and 1280 px."""
import pytest

from tests.browser.browser import (
    WIDE,
    Keyboard,
    axe_violations,
    chromium,
    reflow_problems,
    screenshot,
    wait_for,
)
from tests.e2e.helpers import event_body, sign_up, staff_token

pytestmark = pytest.mark.e2e

PHONE = 360
LIVE_SECONDS = 2


@pytest.fixture(scope="module")
def other_door(_tools, system):
    """A second Chromium with JavaScript on: another phone at another door, its own session."""
    with chromium(system.base_url, javascript=True) as door:
        yield door


@pytest.fixture(scope="module")
def staff(system):
    organizer = "Kosketus ry (ovi)"
    return (staff_token(system, "Maija / Kosketus", organizer), staff_token(system, "Aino / Kosketus", organizer))


def an_event(system, headers, *names):
    body = event_body(capacity=10)
    del body["organizer"]
    event = system.call("POST", "/api/events", json=body, headers=headers).json()
    people = {}
    for number, name in enumerate(names):
        answer = sign_up(system, event["id"], {"name": name, "email": f"ovi{number}@example.fi"})
        assert answer.status_code == 201, answer.text
        people[name] = answer.json()
    return event, people


def sign_in(browser, headers):
    browser.forget()
    browser.open("/staff/sign-in").fill("token", headers["Authorization"].split(" ", 1)[1]).submit()
    assert browser.path == "/staff/events"


def looked_at(browser, name):
    """axe-core and sideways scrolling on the page shown, and its screenshots at 360 and 1280 px."""
    problems = axe_violations(browser) + reflow_problems(browser)
    for width in (PHONE, WIDE):
        screenshot(browser, name, width)
    return problems


def row_says(browser, registration_id):
    return browser.text(f"#r-{registration_id}")


def here_count(browser):
    return browser.text("#count-here")


def test_two_doors_see_each_others_check_ins_within_two_seconds(system, checker, other_door, staff):
    maija, aino = staff
    event, people = an_event(system, maija, "Helmi Järvinen", "Otto Virtanen")
    helmi, otto = people["Helmi Järvinen"]["id"], people["Otto Virtanen"]["id"]
    door = f"/staff/events/{event['id']}/door"
    sign_in(checker, maija)
    sign_in(other_door, aino)
    for phone in (checker, other_door):
        phone.open(door)
        wait_for(lambda: phone.one("#door").get_attribute("data-live") == "connected", timeout=10,
                 message="the door page's live feed")
        assert here_count(phone) == "0"

    checker.one(f"#r-{helmi} button").click()  # posted with fetch: the page stays, the row changes
    wait_for(lambda: "Paikalla" in row_says(checker, helmi), timeout=LIVE_SECONDS, message="the row at door 1")
    wait_for(lambda: "Paikalla" in row_says(other_door, helmi) and here_count(other_door) == "1",
             timeout=LIVE_SECONDS, message="door 1's check-in at door 2")
    assert "Helmi Järvinen" in other_door.text("#door-live")
    assert checker.path == door and checker.driver.switch_to.active_element.text.startswith("Peru")

    other_door.one(f"#r-{otto} button").click()
    other_door.one("#walk-ins form button").click()
    wait_for(lambda: "Paikalla" in row_says(checker, otto) and here_count(checker) == "2"
             and checker.text("#count-walk-ins") == "1", timeout=LIVE_SECONDS, message="door 2's changes at door 1")
    assert looked_at(checker, "staff-door-live") == []

    other_door.one(f"#r-{helmi} button").click()  # undo
    wait_for(lambda: "Kirjaa sisään" in row_says(checker, helmi) and here_count(checker) == "1",
             timeout=LIVE_SECONDS, message="door 2's undo at door 1")


def test_the_door_works_without_javascript_and_from_the_keyboard(system, browser, staff):
    maija, _ = staff
    event, people = an_event(system, maija, "Kerttu Lahtinen", "Pekka Salo")
    kerttu = people["Kerttu Lahtinen"]
    door = f"/staff/events/{event['id']}/door"
    sign_in(browser, maija)
    browser.open(door)
    keys = Keyboard(browser)

    keys.tab_to("#q")
    keys.type(kerttu["cancel_code"].replace("-", "").lower())  # as read out, typed in a hurry
    keys.enter(wait=True)
    assert [row.get_attribute("id") for row in browser.all("#door-list > li")] == [f"r-{kerttu['id']}"]
    keys.tab_to(f"#r-{kerttu['id']} button")
    keys.enter(wait=True)  # the form post, and the door page again at the row
    assert browser.url.endswith(f"#r-{kerttu['id']}") and browser.path == door
    assert "Paikalla" in row_says(browser, kerttu["id"]) and here_count(browser) == "1"

    browser.submit(f"#r-{kerttu['id']} form")  # undo, by a tap
    assert "Kirjaa sisään" in row_says(browser, kerttu["id"]) and here_count(browser) == "0"


def test_the_door_pages_and_the_roster_pass_axe_at_360_and_1280(system, checker, staff):
    maija, _ = staff
    event, people = an_event(system, maija, "Sanni Mäkelä")
    sanni = people["Sanni Mäkelä"]["id"]
    door = f"/staff/events/{event['id']}/door"
    sign_in(checker, maija)
    problems = looked_at(checker.open(door), "staff-door")
    problems += looked_at(checker.open(f"{door}?q=ketään"), "staff-door-none-found")
    assert "ketään" in checker.text("#door-found")
    checker.open(door)
    checker.one(f"#r-{sanni} button").click()
    wait_for(lambda: "Paikalla" in row_says(checker, sanni), message="the check-in")
    problems += looked_at(checker, "staff-door-checked-in")
    checker.one("#walk-ins form:nth-of-type(2) button").click()  # −1 at none: refused, said on the page
    wait_for(lambda: checker.text("#door-problem"), message="the refusal")
    problems += looked_at(checker, "staff-door-refused")
    problems += looked_at(checker.open(f"/staff/events/{event['id']}/roster"), "staff-roster")
    assert problems == []
