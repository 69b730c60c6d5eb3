"""The accessibility statement and the privacy notice, read in a real browser with JavaScript off,
in every language; checked by axe-core, at 320 px and 200 % zoom, and with the keyboard."""
import pytest

from services.gateway.pages.statement_pages import feedback_email
from tests.browser.browser import Keyboard, described, dom_focus_order, look_at

pytestmark = pytest.mark.e2e

FEEDBACK = "saavutettavuus@yhdessa.example"  # the system's ACCESSIBILITY_FEEDBACK_EMAIL (tests/conftest.py)


def test_the_accessibility_statement_says_what_the_law_asks_in_the_readers_language(browser):
    browser.open("/saavutettavuus")
    assert browser.lang == "fi"
    assert browser.text("h1") == "Saavutettavuusseloste"
    text = browser.text()
    assert "täyttävät WCAG 2.1 -ohjeiden AA-tason vaatimukset" in text
    assert "järjestäjien henkilökunnan sivut" in text and "pieni skripti" in text  # staff pages covered, the script said plainly
    assert "axe-core" in text and "320 pikselin" in text and "28.11.2026" in text  # how and when it was checked
    assert browser.one(f"main a[href='mailto:{FEEDBACK}']").text == FEEDBACK
    assert "Traficom" in text and browser.one("main a[href='mailto:saavutettavuus@traficom.fi']")
    assert browser.one("main a[href='https://www.saavutettavuusvaatimukset.fi']")

    browser.follow("a[hreflang=sv]")
    assert browser.lang == "sv" and browser.text("h1") == "Tillgänglighetsutlåtande"
    assert "uppfyller kraven i WCAG 2.1 på nivå AA" in browser.text()
    browser.open("/saavutettavuus")  # the choice is remembered
    assert browser.lang == "sv"

    browser.follow("a[hreflang=en]")
    assert browser.lang == "en" and browser.text("h1") == "Accessibility statement"
    assert "Finnish Transport and Communications Agency Traficom" in browser.text()


def test_the_privacy_notice_says_how_long_and_how_to_erase_at_once(browser):
    browser.open("/tietosuoja")
    assert browser.lang == "fi" and browser.text("h1") == "Tietosuojaseloste"
    text = browser.text()
    assert "poistetaan 30 päivää tapahtuman päättymisen jälkeen" in text  # RETENTION_DAYS
    assert "Twilio" in text and "LOPETA" in text and "PERU" in text
    assert "internet-osoitteesta" in text  # the keyed hash of the address is named too
    browser.follow("main a[href='/r']")
    assert browser.path == "/r"

    browser.open("/tietosuoja?lang=en")
    assert "erased 30 days after the event ends" in browser.text()
    assert browser.one(f"main a[href='mailto:{FEEDBACK}']")


def test_the_statements_pass_axe_and_reflow_in_every_language(checker):
    problems = []
    for lang in ("fi", "sv", "en"):
        for path, name in (("/saavutettavuus", "accessibility"), ("/tietosuoja", "privacy")):
            checker.open(f"{path}?lang={lang}")
            problems += look_at(checker, f"{name}-{lang}")
    assert not problems, "\n".join(problems)


def test_the_statements_work_with_the_keyboard_alone(browser):
    browser.open("/saavutettavuus")
    keys = Keyboard(browser)
    skip = keys.tab()
    assert skip.get_attribute("class") == "skip" and skip.get_attribute("href").endswith("#main")
    keys.enter()
    assert browser.url.endswith("#main")
    first_in_main = keys.tab()  # past the header: the focus goes on inside the content
    assert first_in_main == browser.all("main a[href]")[0]

    browser.open("/tietosuoja")
    order = keys.focus_order()  # every stop visible, its focus shown
    assert described(order) == described(dom_focus_order(browser))
    assert keys.shift_tab() == order[-1] and keys.shift_tab() == order[-2]  # and back again


def test_the_feedback_address_is_the_setting_else_the_admins_else_none():
    assert feedback_email({"ACCESSIBILITY_FEEDBACK_EMAIL": " a@x.fi ", "ADMIN_EMAIL": "b@x.fi"}) == "a@x.fi"
    assert feedback_email({"ACCESSIBILITY_FEEDBACK_EMAIL": "", "ADMIN_EMAIL": "b@x.fi"}) == "b@x.fi"
    assert feedback_email({"ACCESSIBILITY_FEEDBACK_EMAIL": "", "ADMIN_EMAIL": ""}) is None
