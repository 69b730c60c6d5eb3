"""A message to everyone coming, in a real browser: staff write it, see it as a registrant gets it,
and send it, with JavaScript off; the form, its error, the preview and the done page checked by
axe-core, for sideways scrolling, and photographed at 320, 360 and 1280 px."""
import uuid

import pytest

from tests.browser.browser import look_at, screenshot, wait_for
from tests.e2e.helpers import event_body, sign_up, staff_token

pytestmark = pytest.mark.e2e

ORGANIZER = "Kylätalo Ilona ry"
PHONE = 360  # the door staff's phone


@pytest.fixture(scope="module")
def token(system):
    return staff_token(system, "Ilona / Kylätalo", ORGANIZER)["Authorization"].removeprefix("Bearer ")


def an_event_with_one_coming(system, token):
    body = {**event_body(title={"fi": "Kylätalon ilta"}), "organizer": ORGANIZER}
    made = system.call("POST", "/api/events", json=body, headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 201, made.text
    number = "040" + str(uuid.uuid4().int)[:7]
    assert sign_up(system, made.json()["id"], {"name": "Aino", "phone": number}).status_code == 201
    return made.json(), "+358" + number[1:]


def sign_in(browser, token, then):
    browser.open(f"/staff/sign-in?next={then}").fill("token", token).submit("form[action='/staff/sign-in']")
    assert browser.path == then


def look(browser, name):
    problems = look_at(browser, name)
    screenshot(browser, name, PHONE)
    return problems


def test_staff_write_preview_and_send_a_message_without_javascript(system, browser, token):
    event, number = an_event_with_one_coming(system, token)
    address = f"/staff/events/{event['id']}/message"
    sign_in(browser, token, address)
    assert browser.text("h1") == "Viesti kaikille tulijoille"

    browser.submit("main form")  # nothing written
    assert browser.one("#text").get_attribute("aria-invalid") == "true"
    assert "Kirjoita viesti." in browser.text("#text-error") and "Kirjoita viesti." in browser.text("#error-summary")

    text = "Bussi on myöhässä, aloitamme klo 18.30."
    browser.fill("text", text)
    browser.one("#urgent").click()
    browser.submit("main form")
    assert browser.text("h1") == "Tarkista viesti"
    assert browser.text(".sms-preview") == f"Kylätalon ilta ({ORGANIZER}): {text} Jos et pääse, vastaa PERU."
    assert "Tekstiviestin osia: 1" in browser.text() and "Menee 1 henkilölle: 1 tekstiviestinä" in browser.text()
    assert "Kiireellinen" in browser.text()

    browser.follow("button[value=edit]")  # back to the form, as written
    assert browser.one("#text").get_attribute("value") == text and browser.one("#urgent").is_selected()
    browser.submit("main form").submit("main form")  # preview, send
    assert browser.path.startswith(address + "/")
    assert browser.text("#status") == "Lähetetty 1 henkilölle."
    [sms] = wait_for(lambda: [t for t in _texts_to(system, number) if text in t], message=f"the message to {number}")
    assert sms.startswith("Kylätalon ilta")


def test_the_message_pages_and_their_error_pass_axe_and_reflow(system, checker, token):
    event, _ = an_event_with_one_coming(system, token)
    address = f"/staff/events/{event['id']}/message"
    sign_in(checker, token, address)
    problems = look(checker, "staff-message-form")
    checker.fill("text", "Yksi.\n\nKaksi.").submit("main form")
    assert checker.text("#text-error")
    problems += look(checker, "staff-message-error")
    checker.fill("text", "Ovi aukeaa klo 18.15. Tervetuloa!").submit("main form")
    problems += look(checker, "staff-message-preview")
    checker.submit("main form")
    assert checker.text("#status")
    problems += look(checker, "staff-message-sent")
    assert not problems, "\n".join(problems)


def _texts_to(system, number):
    return [sms["Body"] for sms in system.sms.all() if sms["To"] == number]
