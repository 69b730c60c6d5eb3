"""The residents' event pages through HTTP, as a browser without JavaScript uses them: the list and
its filters, an event's page, signing up with its form (the SMS at the Twilio double, the code that
then opens the registration), the same form sent twice, forms from elsewhere refused, bad input
answered beside its field with nothing written."""
import datetime as dt
import uuid

import pytest

from tests.e2e.helpers import create_event, event_start, sign_up
from tests.e2e.pages import BROWSER, Page, browser, get

pytestmark = pytest.mark.e2e

def form_of(system, session, event_id, **fields):
    """The event page's form as it was drawn (its hidden token and key), with `fields` filled in."""
    page = Page(get(session, system, f"/events/{event_id}").text)
    return {"csrf_token": page.value("csrf_token"), "idempotency_key": page.value("idempotency_key"),
            "seats": "1", "language": "fi", **fields}


def send(session, system, event_id, form):
    """The event page's form sent as it is (its token, or none, among the fields)."""
    return session.post(f"{system.base_url}/events/{event_id}", data=form, timeout=30)


def registrations(system, event_id):
    """Who is on the event's roster (staff API): (name, status) each."""
    roster = system.call("GET", f"/api/events/{event_id}/registrations", staff=True).json()
    return sorted((registration["name"], registration["status"]) for registration in roster)


def published(system, **changes):
    """A new published event that registration already knows (a sign-up may be made at once)."""
    event = create_event(system, **changes)
    probe = sign_up(system, event["id"], {"name": "Koetin", "email": f"probe-{uuid.uuid4().hex[:8]}@example.fi"})
    assert probe.status_code == 201, probe.text
    system.call("DELETE", f"/api/registrations/{probe.json()['cancel_code']}")
    return event


def test_the_list_shows_published_events_soonest_first_with_filters_and_no_drafts(system):
    word = uuid.uuid4().hex[:8]
    later = create_event(system, title={"fi": f"Siivoustalkoot {word}", "sv": f"Städtalko {word}"},
                         municipality="Äänekoski", starts_at=event_start(12).isoformat(),
                         ends_at=(event_start(12) + dt.timedelta(hours=2)).isoformat())
    sooner = create_event(system, title={"fi": f"Lumityöt {word}"}, municipality="Jyväskylä",
                          starts_at=event_start(11).isoformat(), capacity=0, waitlist_capacity=5,
                          ends_at=(event_start(11) + dt.timedelta(hours=2)).isoformat())
    draft = create_event(system, title={"fi": f"Luonnos {word}"}, status="draft")
    session = browser()

    answer = get(session, system, "/", params={"q": word})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    page = Page(answer.text)
    listed = [link for link in page.links if link.startswith("/events/") and not link.endswith(".ics")]
    assert listed == [f"/events/{sooner['id']}", f"/events/{later['id']}"]
    assert f"/events/{draft['id']}" not in answer.text and "Luonnos" not in answer.text
    assert "50 paikkaa vapaana" in answer.text and "jonoon mahtuu" in answer.text
    assert f"{event_start(12).day}.{event_start(12).month}. klo 18–20" in answer.text

    in_aanekoski = Page(get(session, system, "/", params={"q": word, "municipality": "äänekoski"}).text)
    assert f"/events/{later['id']}" in in_aanekoski.links and f"/events/{sooner['id']}" not in in_aanekoski.links
    assert in_aanekoski.inputs["municipality"]  # the select, with the municipalities that have events
    on_the_day = Page(get(session, system, "/", params={"q": word, "day": event_start(11).date().isoformat()}).text)
    assert f"/events/{sooner['id']}" in on_the_day.links and f"/events/{later['id']}" not in on_the_day.links

    bad_day = get(session, system, "/", params={"q": word, "day": "31.2."})
    page = Page(bad_day.text)
    assert bad_day.status_code == 200 and "day-error" in page.ids
    assert "day-error" in page.ids["day"]["attrs"]["aria-describedby"]
    assert f"/events/{sooner['id']}" in page.links  # the list still shown

    nothing = get(session, system, "/", params={"q": f"{word} eiole"})
    assert "/events/" not in nothing.text.split("<main", 1)[1] and "Emme löytäneet" in nothing.text


def test_the_pages_speak_the_readers_language_and_remember_it(system):
    event = create_event(system, title={"fi": "Talkoot", "sv": "Talko"})
    in_swedish = browser("sv-FI,sv;q=0.9")
    page = get(in_swedish, system, f"/events/{event['id']}")
    assert Page(page.text).lang == "sv" and "<h1>Talko</h1>" in page.text and "Anmäl dig" in page.text

    english = browser("fi")
    first = get(english, system, f"/events/{event['id']}", params={"lang": "en"})
    assert Page(first.text).lang == "en" and "<h1>Talkoot</h1>" in first.text  # no English title: Finnish
    again = get(english, system, "/")
    assert Page(again.text).lang == "en" and again.headers["Content-Language"] == "en"

    finnish = get(browser("de"), system, "/")
    assert Page(finnish.text).lang == "fi" and "Tapahtumat" in finnish.text


def test_signing_up_with_the_form_texts_the_code_that_then_opens_the_registration(system):
    event = published(system, title={"fi": "Rantasiivous"}, capacity=10)
    session = browser()
    sms_before = len(system.sms.all())
    form = form_of(system, session, event["id"], name="Aino Lahtinen", phone="040 765 4321", seats="2")

    answer = send(session, system, event["id"], form)
    assert answer.status_code == 201, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    page = Page(answer.text)
    code = page.text("cancel-code")
    assert f"/r/{code}" in page.links and f"/events/{event['id']}.ics" in page.links
    assert "+358*******21" in answer.text and "PERU" in answer.text

    [sms] = system.sms.wait_for(sms_before + 1)[sms_before:]
    assert sms["To"] == "+358407654321" and code in sms["Body"] and "Rantasiivous" in sms["Body"]
    own = system.call("GET", f"/api/registrations/{code}")
    assert own.status_code == 200 and own.json()["status"] == "confirmed" and own.json()["seats"] == 2
    assert "8 paikkaa vapaana" in get(browser(), system, "/", params={"q": "Rantasiivous"}).text


def test_the_same_form_sent_twice_gets_the_same_code_and_one_registration(system):
    event = published(system)
    session = browser()
    form = form_of(system, session, event["id"], name="Pekka Virtanen", email="pekka@example.fi")
    first, second = send(session, system, event["id"], form), send(session, system, event["id"], form)
    assert first.status_code == 201 and second.status_code == 200, (first.text, second.text)
    assert Page(first.text).text("cancel-code") == Page(second.text).text("cancel-code")
    assert registrations(system, event["id"]) == [("Koetin", "cancelled"), ("Pekka Virtanen", "confirmed")]


@pytest.mark.parametrize("token", [None, "not-the-cookies-token"])
def test_a_form_without_its_token_is_refused_and_nothing_is_written(system, token):
    event = published(system)
    session = browser()
    form = form_of(system, session, event["id"], name="Kalle Kolmas", phone="040 111 2233")
    if token is None:
        del form["csrf_token"]
    else:
        form["csrf_token"] = token
    before, sms_before = registrations(system, event["id"]), len(system.sms.all())
    answer = send(session, system, event["id"], form)
    assert answer.status_code == 403 and "Lomake" in answer.text and Page(answer.text).lang == "fi"
    other_site = session.post(f"{system.base_url}/events/{event['id']}", data={**form, "csrf_token": form.get(
        "csrf_token") or "x"}, headers={"Origin": "https://evil.example"}, timeout=30)
    assert other_site.status_code == 403
    assert registrations(system, event["id"]) == before
    assert not [m for m in system.sms.all()[sms_before:] if m["To"] == "+358401112233"]


@pytest.mark.parametrize("fields, wrong", [
    ({"name": "Liisa", "phone": "12345"}, "phone"),
    ({"name": "Liisa"}, "phone"),
    ({"name": "Liisa", "email": "liisa@example.fi", "seats": "0"}, "seats"),
    ({"name": "Liisa", "email": "liisa@example.fi", "seats": "abc"}, "seats"),
    ({"name": "Liisa", "email": "liisa@example.fi", "seats": "6"}, "seats"),
    ({"name": "", "email": "liisa@example.fi"}, "name"),
])
def test_bad_input_is_answered_beside_its_field_and_nothing_is_written(system, group_event, fields, wrong):
    event = group_event
    session = browser()
    form = form_of(system, session, event["id"], **fields)
    before = registrations(system, event["id"])
    answer = send(session, system, event["id"], form)
    assert answer.status_code == 422, answer.text
    page = Page(answer.text)
    assert f"{wrong}-error" in page.ids and f"#{wrong}" in page.links and "error-summary" in page.ids
    assert f"{wrong}-error" in page.ids[wrong]["attrs"]["aria-describedby"].split()
    assert page.value("name") == fields["name"] and page.value("idempotency_key") == form["idempotency_key"]
    assert registrations(system, event["id"]) == before


@pytest.fixture(scope="module")
def group_event(system):
    """One event (groups of at most 5) for the bad-input cases: nothing is ever written to it."""
    return published(system, max_group_size=5)


def test_pages_carry_the_security_headers_and_a_browser_gets_a_page_for_a_missing_one(system):
    event = create_event(system)
    session = browser()
    for path in ("/", f"/events/{event['id']}"):
        headers = get(session, system, path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src" not in policy and "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"

    draft = create_event(system, status="draft")
    for path in (f"/events/{draft['id']}", f"/events/{uuid.uuid4()}", "/no-such-page"):
        missing = get(session, system, path)
        assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html"), path
        assert "Sivua ei löytynyt" in missing.text and "default-src 'none'" in missing.headers["Content-Security-Policy"]
    api = system.call("GET", "/api/no-such-thing", headers=BROWSER)
    assert api.status_code == 404 and api.json()["error"]["code"] == "no_such_endpoint"
    assert system.call("GET", "/no-such-page").json()["error"]["code"] == "no_such_endpoint"
