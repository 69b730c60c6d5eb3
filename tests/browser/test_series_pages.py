"""A weekly group's pages in a real browser: a resident finds the group in the list, enrols with
the keyboard alone, says they will not come one date and then cancels every date, with JavaScript
off; every page and error state of it checked by axe-core, at 320 px and 200 % zoom, in Finnish,
Swedish and English."""
import datetime as dt
import random
import string

import pytest

from tests.browser.browser import Keyboard, look_at, wait_for
from tests.e2e.helpers import event_start

pytestmark = pytest.mark.e2e


def a_word():
    return "".join(random.choices(string.ascii_lowercase, k=10)).capitalize()


def a_phone():
    digits = "".join(random.choices(string.digits, k=7))
    return f"040 {digits}", f"+35840{digits}"


def a_series(system, word):
    first = event_start(20).date()
    answer = system.call("POST", "/api/series", staff=True, json={
        "title": {"fi": f"Vertaisryhmä {word}", "sv": f"Kamratgrupp {word}", "en": f"Peer group {word}"},
        "municipality": "Jyväskylä", "place": "Nuorisotalo Veturi", "capacity": 5, "waitlist_capacity": 2,
        "max_group_size": 2, "organizer": "Kosketus ry",
        "schedule": {"from": first.isoformat(), "until": (first + dt.timedelta(weeks=3)).isoformat(),
                     "start_time": "17:00", "end_time": "19:00"}})
    assert answer.status_code == 201, answer.text
    series = answer.json()
    wait_for(lambda: system.call("GET", f"/api/series/{series['id']}").json()["sessions"][0].get("seats_left") == 5,
             message="the sessions' seats")
    return series


def statuses(system, series, name):
    """[status of `name`'s row in each session], as registration's roster has them."""
    return [next((r["status"] for r in system.call("GET", f"/api/events/{session['id']}/registrations",
                                                   staff=True).json() if r["name"] == name), None)
            for session in series["sessions"]]


def test_a_resident_enrols_with_the_keyboard_skips_one_date_and_cancels_the_rest_without_javascript(system, browser):
    word = a_word()
    series = a_series(system, word)
    typed, number = a_phone()

    browser.open(f"/?q={word}")
    assert len(browser.all("ul.events > li")) == 1  # the group once, not each of its dates
    browser.follow(f"ul.events a[href='/series/{series['id']}']")
    assert word in browser.text("h1") and len(browser.all("#sessions > li")) == 4

    keys = Keyboard(browser)
    keys.tab_to("#name")
    keys.type(f"Aino {word}")
    keys.tab_to("#phone")
    keys.type(typed)
    keys.tab_to("#signup [type=submit]")
    keys.enter(wait=True)
    code = browser.text("#cancel-code").strip()
    assert code and len(browser.all("#your-sessions > li")) == 4
    wait_for(lambda: [sms for sms in system.sms.all() if sms["To"] == number], message=f"the SMS to {number}")

    browser.open(f"/r/{code}")
    second = series["sessions"][1]["id"]
    browser.follow(f"main a[href='/r/{code}/sessions/{second}/cancel']")
    browser.submit("form[method=post]")
    assert statuses(system, series, f"Aino {word}") == ["confirmed", "cancelled", "confirmed", "confirmed"]
    browser.open(f"/r/{code}")
    browser.follow(f"main a[href='/r/{code}/cancel']")
    browser.submit("form[method=post]")
    assert statuses(system, series, f"Aino {word}") == ["cancelled"] * 4


def _every_state(system, checker, lang):
    problems = []

    def look(name):
        problems.extend(look_at(checker, f"series-{name}-{lang}"))

    word = a_word()
    series = a_series(system, word)
    typed, _number = a_phone()
    checker.open(f"/?q={word}&lang={lang}")
    look("list")
    checker.open(f"/series/{series['id']}")
    look("page")
    checker.fill("phone", "12").submit("#signup")  # no name, a wrong number
    assert checker.all("#error-summary") and checker.all("#name-error")
    look("errors")
    checker.fill("name", f"Aune {word}").fill("phone", typed).submit("#signup")
    code = checker.text("#cancel-code").strip()
    look("enrolled")
    checker.open(f"/r/{code}")
    look("enrolment")
    checker.open(f"/r/{code}/sessions/{series['sessions'][0]['id']}/cancel")
    look("session-cancel")
    checker.submit("form[method=post]")
    look("session-cancelled")
    checker.open(f"/r/{code}/cancel")
    look("cancel")
    checker.submit("form[method=post]")
    look("cancelled")
    checker.open(f"/r/{code}/erase")
    look("erase")
    return problems


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_weekly_group_pages_pass_axe_and_reflow(system, checker, lang):
    problems = _every_state(system, checker, lang)
    assert not problems, "\n".join(problems)
