"""A resident's whole path through the pages in a real browser: find the event, sign up, get the
code by SMS, look the registration up, cancel it, erase it — with JavaScript off, in Finnish,
Swedish and English; the sign-up with the keyboard alone; every page and error state checked by
axe-core, at 320 px and at 200 % zoom, and photographed; a form without its token refused."""
import random
import string

import pytest

from tests.browser.browser import Keyboard, described, dom_focus_order, look_at, wait_for
from tests.e2e.helpers import create_event

pytestmark = pytest.mark.e2e

CONFIRMED = {"fi": "Paikkasi on varattu", "sv": "Din plats är bokad", "en": "Your place is booked"}
CANCELLED = {"fi": "Ilmoittautumisesi on peruttu", "sv": "Din anmälan är avbokad",
             "en": "Your registration is cancelled"}
SWITCH = {"sv": "a[hreflang=sv]", "en": "a[hreflang=en]"}


def a_word():
    """A made-up word no other event of the run has in its title (titles and names hold letters)."""
    return "".join(random.choices(string.ascii_lowercase, k=10)).capitalize()


def a_phone():
    """A Finnish mobile number no other test of the run texts: (as typed, as Twilio gets it)."""
    digits = "".join(random.choices(string.digits, k=7))
    return f"040 {digits}", f"+35840{digits}"


def an_event(system, word):
    return create_event(system, title={"fi": f"Lukupiiri {word}", "sv": f"Läscirkel {word}",
                                       "en": f"Reading circle {word}"})


def texts_to(system, number):
    return [sms["Body"] for sms in system.sms.all() if sms["To"] == number]


def roster(system, event_id):
    answer = system.call("GET", f"/api/events/{event_id}/registrations", staff=True)
    assert answer.status_code == 200, answer.text
    return answer.json()


def sign_up_on_the_event_page(browser, name, phone):
    browser.fill("name", name).fill("phone", phone).submit("#signup")
    return browser.text("#cancel-code").strip()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_resident_finds_signs_up_cancels_and_erases_without_javascript(system, browser, lang):
    word = a_word()
    event = an_event(system, word)
    typed, number = a_phone()
    name = f"Aino {word}"

    browser.open("/")
    assert browser.lang == "fi"  # the phone asks for Finnish
    if lang != "fi":
        browser.follow(SWITCH[lang])
    assert browser.lang == lang

    browser.fill("q", word).submit("form[role=search]")
    [found] = browser.all("ul.events > li")
    assert word in found.text
    browser.follow(f"ul.events a[href='/events/{event['id']}']")
    assert browser.path == f"/events/{event['id']}" and browser.lang == lang and word in browser.text("h1")
    # the messages' language follows the page's unless the resident picks another
    assert browser.one(f"#signup input[name=language][value={lang}]").is_selected()

    code = sign_up_on_the_event_page(browser, name, typed)
    assert browser.lang == lang and code
    assert browser.one(f"main a[href='/r/{code}']") and browser.one(f"main a[href='/events/{event['id']}.ics']")
    [confirmation] = wait_for(lambda: texts_to(system, number), message=f"the SMS to {number}")
    assert code in confirmation and CONFIRMED[lang] in confirmation

    browser.follow(f"main a[href='/r/{code}']")
    assert browser.lang == lang and browser.text("#status")
    confirmed_status = browser.text("#status")
    browser.follow(f"main a[href='/r/{code}/cancel']")
    browser.submit("form[method=post]")
    assert browser.text("#status") and browser.text("#status") != confirmed_status
    [_, cancellation] = wait_for(lambda: texts_to(system, number)[1:] and texts_to(system, number),
                                 message="the cancellation SMS")
    assert CANCELLED[lang] in cancellation
    assert [(r["name"], r["status"]) for r in roster(system, event["id"])] == [(name, "cancelled")]

    browser.follow(f"main a[href='/r/{code}']")
    browser.follow(f"main a[href='/r/{code}/erase']")
    browser.submit("form[method=post]")
    assert browser.lang == lang and browser.text("#status")
    assert name not in str(roster(system, event["id"]))  # erased at once, not after RETENTION_DAYS
    assert len(texts_to(system, number)) == 2  # an erasure messages nobody


def test_the_sign_up_works_with_the_keyboard_alone(system, browser):
    word = a_word()
    event = an_event(system, word)
    typed, number = a_phone()
    browser.open(f"/events/{event['id']}")
    keys = Keyboard(browser)

    skip = keys.tab()  # the first stop: the skip link, shown when focused
    assert "skip" in skip.get_attribute("class")
    keys.enter()
    first = keys.tab()
    assert first.find_element("xpath", "ancestor::main"), "the skip link did not lead into the content"

    keys.tab_to("#name")
    keys.type(f"Eino {word}")
    keys.tab_to("#phone")
    keys.type(typed)
    radio = keys.tab_to("#signup input[name=language]:checked") and browser.driver.switch_to.active_element
    assert radio.get_attribute("value") == "fi"
    keys._press("\ue014")  # Right arrow: the next language in the group, Swedish
    keys.space()
    assert browser.one("#signup input[name=language][value=sv]").is_selected()
    keys.tab_to("#signup [type=submit]")
    keys.enter(wait=True)

    code = browser.text("#cancel-code").strip()
    [confirmation] = wait_for(lambda: texts_to(system, number), message=f"the SMS to {number}")
    assert code in confirmation and CONFIRMED["sv"] in confirmation  # the language picked by keyboard

    browser.open(f"/events/{event['id']}")
    order = keys.focus_order()  # each stop shown
    assert described(order) == described(dom_focus_order(browser))  # Tab follows the page


def test_a_form_sent_without_its_token_is_refused_and_nothing_is_written(system, checker):
    event = an_event(system, a_word())
    refused, refused_number = a_phone()
    checker.open(f"/events/{event['id']}")
    checker.driver.execute_script("document.querySelector('#signup input[name=csrf_token]').remove()")
    checker.fill("name", "Ilkka Ilman").fill("phone", refused).submit("#signup")
    assert checker.lang == "fi" and "Lomake oli vanhentunut" in checker.text()
    problems = look_at(checker, "csrf-refused-fi")

    # the same browser, the form as served: accepted; its SMS arriving shows messages flowed meanwhile
    accepted, accepted_number = a_phone()
    checker.open(f"/events/{event['id']}")
    sign_up_on_the_event_page(checker, "Ilona Kanssa", accepted)
    wait_for(lambda: texts_to(system, accepted_number), message="the accepted sign-up's SMS")
    assert [r["name"] for r in roster(system, event["id"])] == ["Ilona Kanssa"]
    assert texts_to(system, refused_number) == []
    assert not problems, "\n".join(problems)


def _every_state(system, checker, lang, everything):
    """Walk `checker` through the pages in `lang`, looking at each (look_at): every page and error
    state with `everything`, else the main ones. Returns the problems found."""
    problems = []

    def look(name):
        problems.extend(look_at(checker, f"{name}-{lang}"))

    word = a_word()
    event = an_event(system, word)
    typed, _number = a_phone()
    checker.open(f"/?lang={lang}")
    look("list")
    if everything:
        checker.open("/?q=Eiolemassa")
        look("list-none-found")
    checker.open(f"/events/{event['id']}")
    look("event")
    checker.fill("phone", "040 123 4567").submit("#signup")  # no name
    assert checker.all("#error-summary") and checker.all("#name-error")
    look("event-name-missing")
    if everything:
        # the API tells of a bad number only once the name is right, and so does the page
        checker.fill("name", f"Aune {word}").fill("phone", "12").submit("#signup")
        assert checker.all("#error-summary") and checker.all("#phone-error")
        look("event-phone-wrong")
    code = sign_up_on_the_event_page(checker, f"Aune {word}", typed)
    look("signed-up")
    if everything:
        checker.open("/r")
        look("lookup")
        checker.fill("code", "XXXX-YYYY").submit("form.lookup")
        look("lookup-not-found")
        checker.open("/r?code=")  # (the browser itself stops the empty form: the field is required)
        assert checker.all("#code-error")
        look("lookup-empty")
    checker.open(f"/r/{code}")
    look("registration")
    if everything:
        checker.follow(f"main a[href='/r/{code}/cancel']")
        look("cancel-confirm")
        checker.submit("form[method=post]")
        look("cancel-done")
        checker.open(f"/r/{code}/erase")
        look("erase-confirm")
        checker.submit("form[method=post]")
        look("erase-done")
        checker.open("/no/such/page")
        assert checker.text("h1") == "Sivua ei löytynyt"
        look("not-found")
    return problems


def test_every_page_and_error_state_passes_axe_and_reflows_in_finnish(system, checker):
    problems = _every_state(system, checker, "fi", everything=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_main_pages_pass_axe_and_reflow_in_swedish_and_english(system, checker, lang):
    problems = _every_state(system, checker, lang, everything=False)
    assert not problems, "\n".join(problems)
