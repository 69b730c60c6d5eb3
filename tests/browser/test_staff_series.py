"""The staff pages of weekly groups in a real browser: a weekly group made from the form with
JavaScript off and its page reached from the event list; axe-core clean on the form, its errors, the
series' page and the list, none scrolling sideways at 320 px or at 200 % zoom; screenshots at 360
and 1280 px."""
import datetime as dt
import uuid

import pytest

from tests.browser.browser import WIDE, axe_violations, reflow_problems, screenshot
from tests.browser.test_staff_events import sign_in, type_day, type_time
from tests.e2e.helpers import staff_token
from tests.e2e.pages import token_of

pytestmark = pytest.mark.e2e

ORGANIZER = "Jyväskylän NMKY"
PHONE = 360


@pytest.fixture(scope="module")
def token(system):
    return token_of(staff_token(system, "Sami / NMKY", ORGANIZER))


def looked_at(browser, name):
    problems = axe_violations(browser) + reflow_problems(browser)
    for width in (PHONE, WIDE):
        screenshot(browser, f"staff-series-{name}", width)
    return problems


def fill_series(browser, word, first):
    browser.fill("title_fi", f"Kävelyryhmä {word}").fill("place", "Harjun portaat").fill("municipality", "Jyväskylä")
    browser.fill("capacity", "12").fill("exceptions", (first + dt.timedelta(weeks=1)).strftime("%-d.%-m.%Y"))
    type_day(browser, "first_day", first)
    type_day(browser, "last_day", first + dt.timedelta(weeks=3))
    type_time(browser, "start_time", "10:00")
    type_time(browser, "end_time", "11:30")
    return browser


def test_an_organizer_makes_a_weekly_group_without_javascript(system, browser, token):
    word = uuid.uuid4().hex[:8]
    sign_in(browser, token)
    browser.follow("#new-series")
    first = dt.date.today() + dt.timedelta(days=10)
    fill_series(browser, word, first).follow("#publish-now")
    assert browser.path.startswith("/staff/series/") and "Viikkoryhmä on julkaistu" in browser.text()
    series = system.call("GET", f"/api/series/{browser.path.split('/')[3]}", staff=True).json()
    assert (series["organizer"], series["session_count"], series["capacity"]) == (ORGANIZER, 3, 12)
    assert browser.text("#sms-code") == series["sms_code"]
    browser.follow(f"a[href='/staff/events/{series['sessions'][1]['id']}']")
    assert browser.path == f"/staff/events/{series['sessions'][1]['id']}"


def test_the_staff_series_pages_pass_axe_and_reflow(system, checker, token):
    problems = []
    sign_in(checker, token)
    checker.follow("#new-series")
    problems += looked_at(checker, "form")
    first = dt.date.today() + dt.timedelta(days=12)
    fill_series(checker, uuid.uuid4().hex[:8], first).fill("capacity", "paljon").fill("exceptions", "joulu")
    checker.follow("#publish-now")
    assert checker.one("#error-summary") and checker.one("#capacity-error") and checker.one("#exceptions-error")
    problems += looked_at(checker, "form-errors")
    checker.fill("capacity", "12").fill("exceptions", "").follow("#save-draft")
    assert checker.one("#sessions") and checker.one("#publish")
    problems += looked_at(checker, "series")
    checker.open("/staff/events")
    problems += looked_at(checker, "list")
    assert not problems, "\n".join(problems)
