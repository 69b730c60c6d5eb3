"""The organizer's event pages in a real browser: signing in, making an event and publishing it with
JavaScript off; axe-core clean on the sign-in page (and its error), the list, an event's page, the
event form (and its errors) and the cancel confirmation, none scrolling sideways at 320 px or at
200 % zoom; screenshots at 360 and 1280 px."""
import datetime as dt
import uuid

import pytest

from tests.browser.browser import WIDE, axe_violations, reflow_problems, screenshot
from tests.e2e.helpers import event_start, staff_token
from tests.e2e.pages import token_of

pytestmark = pytest.mark.e2e

ORGANIZER = "Laukaan seurakunta"
PHONE = 360  # the door worker's phone; the residents' 320 is checked by reflow_problems too


@pytest.fixture(scope="module")
def token(system):
    return token_of(staff_token(system, "Leena / seurakunta", ORGANIZER))


def looked_at(browser, name):
    """axe-core's violations and sideways scrolling on the page shown; its screenshots at 360 and
    1280 px (var/screenshots/staff-events-<name>-<width>.png)."""
    problems = axe_violations(browser) + reflow_problems(browser)
    for width in (PHONE, WIDE):
        screenshot(browser, f"staff-events-{name}", width)
    return problems


def type_day(browser, name, day):
    """A day typed into a date field as a person does, in the order the browser's own language
    shows its parts (month first in en-US, day first elsewhere)."""
    field = browser.one(f"[name='{name}']")
    for keys in (day.strftime("%m%d%Y"), day.strftime("%d%m%Y")):
        field.clear()
        field.send_keys(keys)
        if field.get_attribute("value") == day.isoformat():
            return browser
    raise AssertionError(f"could not type {day} into {name}")


def type_time(browser, name, clock):
    """A time ("18:30") typed into a time field as a person does: 24-hour, or 12-hour with AM/PM,
    as the browser's own language shows it."""
    hour, minute = (int(part) for part in clock.split(":"))
    field = browser.one(f"[name='{name}']")
    for keys in (f"{hour:02d}{minute:02d}", f"{hour % 12 or 12:02d}{minute:02d}{'AM' if hour < 12 else 'PM'}"):
        field.clear()
        field.send_keys(keys)
        if field.get_attribute("value") == clock:
            return browser
    raise AssertionError(f"could not type {clock} into {name}")


def sign_in(browser, token):
    browser.open("/staff/events")
    assert browser.path == "/staff/sign-in"
    browser.fill("token", token).submit()
    assert browser.path == "/staff/events", browser.text()


def test_an_organizer_signs_in_makes_an_event_and_publishes_it_without_javascript(system, browser, token):
    word = uuid.uuid4().hex[:8]
    sign_in(browser, token)
    browser.follow("#new-event")
    day = event_start(21).date()
    browser.fill("title_fi", f"Perhekahvila {word}").fill("title_sv", f"Familjecafé {word}")
    browser.fill("place", "Seurakuntakoti").fill("municipality", "Laukaa").fill("capacity", "25")
    type_day(browser, "starts_date", day)
    type_time(browser, "starts_time", "10:00")
    type_day(browser, "ends_date", day)
    type_time(browser, "ends_time", "12:00")
    browser.follow("#publish-now")

    assert browser.path.startswith("/staff/events/") and "Tapahtuma on julkaistu" in browser.text()
    event_id = browser.path.split("/")[3]
    event = system.call("GET", f"/api/events/{event_id}", staff=True).json()
    assert (event["status"], event["organizer"], event["capacity"]) == ("published", ORGANIZER, 25)
    assert dt.datetime.fromisoformat(event["starts_at"]).astimezone(event_start().tzinfo).strftime(
        "%Y-%m-%d %H:%M") == f"{day.isoformat()} 10:00"
    assert browser.text("#sms-code") == event["sms_code"]
    assert browser.one("a[href$='/door']") and browser.one("a[href$='/cancel']")

    # a draft, published from its page with one button
    browser.open("/staff/events/new")
    browser.fill("title_fi", f"Luonnos {word}").fill("place", "Seurakuntakoti").fill("municipality", "Laukaa")
    browser.fill("capacity", "5")
    type_day(browser, "starts_date", day)
    type_time(browser, "starts_time", "13:00")
    type_day(browser, "ends_date", day)
    type_time(browser, "ends_time", "14:00")
    browser.follow("#save-draft")
    assert "luonnoksena" in browser.text()
    browser.follow("#publish")
    assert "Tapahtuma on julkaistu" in browser.text()


def test_the_staff_event_pages_pass_axe_and_reflow(system, checker, token):
    problems = []
    checker.open("/staff/sign-in")
    problems += looked_at(checker, "sign-in")
    checker.fill("token", "yst_wrong").submit()
    assert checker.one("#token-error")
    problems += looked_at(checker, "sign-in-error")
    checker.fill("token", token).submit()
    assert checker.path == "/staff/events"

    checker.follow("#new-event")
    problems += looked_at(checker, "form")
    checker.fill("capacity", "paljon").follow("#publish-now")
    assert checker.one("#error-summary") and checker.one("#capacity-error")
    problems += looked_at(checker, "form-errors")
    checker.fill("capacity", "8").fill("title_fi", "").fill("place", "Kirkko").fill("municipality", "Laukaa")
    day = event_start(22).date()
    type_day(checker, "starts_date", day)
    type_time(checker, "starts_time", "10:00")
    type_day(checker, "ends_date", day)
    type_time(checker, "ends_time", "09:00")
    checker.follow("#publish-now")
    assert checker.one("#title_fi-error")  # the catalog's refusal, beside its field
    problems += looked_at(checker, "form-catalog-errors")
    checker.fill("title_fi", "Kirkkokahvit").follow("#publish-now")
    assert checker.one("#ends_date-error")  # times are compared once every field reads
    type_time(checker, "ends_time", "11:00").follow("#publish-now")
    assert checker.one("#counts")
    problems += looked_at(checker, "event")

    checker.follow("a[href$='/cancel']")
    problems += looked_at(checker, "cancel")
    checker.follow("#confirm-cancel")
    assert "peruttu" in checker.text()
    checker.open("/staff/events")
    problems += looked_at(checker, "list")
    assert not problems, "\n".join(problems)
