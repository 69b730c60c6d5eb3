"""Staff's webhook and statistics pages in a real browser: every page and error state checked by
axe-core, at 320 px and 200 % zoom, and photographed at 360 and 1280 px (var/screenshots/): the
webhooks' list (empty and with a subscription), a refused address, the secret shown once, the
unsubscribe step; the statistics with figures, with none, and with a month that cannot be read."""
import datetime as dt
import uuid

import pytest

from tests.browser.browser import look_at, screenshot
from tests.e2e.helpers import event_body, sign_up, staff_token

pytestmark = pytest.mark.e2e

PHONE = 360


def sign_in(browser, headers):
    browser.open("/staff/sign-in")
    browser.fill("token", headers["Authorization"].removeprefix("Bearer ")).submit("form[action='/staff/sign-in']")


def looked_at(browser, name):
    """look_at's problems, and the page photographed on a 360 px phone as well."""
    problems = look_at(browser, name)
    screenshot(browser, name, PHONE)
    return problems


@pytest.fixture
def organizer_staff(system):
    organizer = f"Selainyhdistys {uuid.uuid4().hex[:8]}"
    return organizer, staff_token(system, "Saara / selain", organizer)


def test_the_webhook_pages_and_their_error_state_pass_axe_and_reflow(system, checker, organizer_staff):
    _organizer, headers = organizer_staff
    sign_in(checker, headers)
    checker.open("/staff/webhooks")
    assert checker.text("h1") == "Webhookit" and "Tilauksia ei ole vielä." in checker.text()
    problems = looked_at(checker, "staff-webhooks-none")

    checker.fill("url", "ftp://example.org/x").submit("#subscribe")
    assert checker.one("#url").get_attribute("aria-invalid") == "true" and checker.one("#error-summary")
    problems += looked_at(checker, "staff-webhooks-error")

    url = f"http://127.0.0.1:9/{uuid.uuid4().hex[:6]}"
    checker.fill("url", url).submit("#subscribe")
    assert checker.text("#secret").startswith("whsec_") and "sitä ei näytetä uudelleen" in checker.text()
    problems += looked_at(checker, "staff-webhooks-secret")

    checker.follow("main a.button")
    assert checker.path == "/staff/webhooks" and url in checker.text() and "whsec_" not in checker.driver.page_source
    problems += looked_at(checker, "staff-webhooks-list")

    checker.follow("main .webhooks a.button")
    assert checker.text("h1") == "Perutaanko tämän osoitteen tilaus?"
    problems += looked_at(checker, "staff-webhooks-unsubscribe")
    checker.follow("button[name=confirm]")
    assert checker.url == "/staff/webhooks?unsubscribed=1" and url not in checker.text()
    assert not problems, "\n".join(problems)


def test_the_statistics_with_figures_with_none_and_a_bad_month_pass_axe_and_reflow(system, checker, organizer_staff):
    _organizer, headers = organizer_staff
    body = event_body()
    del body["organizer"]
    made = system.call("POST", "/api/events", json=body, headers=headers).json()
    for n, name in enumerate(("Äijä Åström", "Öllö Kärkkäinen")):
        sign_up(system, made["id"], {"name": name, "email": f"selain{n}.{uuid.uuid4().hex[:6]}@example.fi"})
    starts = dt.datetime.fromisoformat(made["starts_at"])
    sign_in(checker, headers)

    checker.open(f"/staff/stats?from={starts:%Y-%m}&to={starts + dt.timedelta(days=62):%Y-%m}")
    assert checker.one("table.stats") and checker.one("svg.chart[role=img]")
    assert checker.one(f"tr[data-month='{starts:%Y-%m}'] td[data-column=sign_ups]").text == "2"
    problems = looked_at(checker, "staff-stats")

    checker.open("/staff/stats?from=2001-01&to=2001-03")
    assert "Tällä ajanjaksolla ei alkanut yhtään tapahtumaa." in checker.text()
    problems += looked_at(checker, "staff-stats-none")

    checker.open("/staff/stats?from=kes%C3%A4&to=2026-02")
    assert checker.one("#from").get_attribute("aria-invalid") == "true"
    problems += looked_at(checker, "staff-stats-error")
    assert not problems, "\n".join(problems)
