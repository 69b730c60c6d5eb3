"""A resident's own registration on the web pages, against the whole system: finding it by code
(/r), seeing it masked and uncached, cancelling and erasing it through a confirmation step guarded
against cross-site posting; the events' calendar files; and the confirmation email's calendar file
and link to the registration's page."""
import datetime as dt
import re
import time
import uuid
from urllib.parse import urlsplit

import icalendar
import pytest

from tests.e2e.helpers import create_event, sign_up
from tests.e2e.pages import browser, form_token, get

pytestmark = pytest.mark.e2e


def status_text(html):
    """The text of the element with id="status", its whitespace collapsed."""
    found = re.search(r'<p id="status"[^>]*>(.*?)</p>', html, re.S)
    return " ".join(found.group(1).split()) if found else None


def unique_phone():
    return "040" + str(uuid.uuid4().int)[:7]


def texts_to(system, number, count, timeout=20):
    """The SMS bodies sent to `number`, once there are at least `count` of them."""
    deadline = time.monotonic() + timeout
    while True:
        texts = [m["Body"] for m in system.sms.all() if m["To"] == number]
        if len(texts) >= count or time.monotonic() > deadline:
            return texts
        time.sleep(0.05)


def registered(system, event, **body):
    answer = sign_up(system, event["id"], {"name": "Maija Meikäläinen", **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_resident_types_their_code_and_sees_their_registration_masked_and_uncached(system):
    event = create_event(system)
    phone = unique_phone()
    maija = registered(system, event, phone=phone, email="maija.meikalainen@example.fi", seats=2)
    code = maija["cancel_code"]
    session = browser()

    form = get(session, system, "/r")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert re.search(r'<form method="get" action="/r"', form.text) and 'name="code"' in form.text

    typed = get(session, system, "/r", params={"code": f"  {code.lower()} "}, allow_redirects=False)
    assert typed.status_code == 303 and typed.headers["Location"] == f"/r/{code}"

    page = get(session, system, f"/r/{code}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert status_text(page.text) == "Sinulla on paikka."
    assert "Valtakunnallinen Asunnottomien Yö" in page.text and "Tourujoen puisto" in page.text
    full_phone = "+358" + phone[1:]
    assert full_phone[:4] + "*" * 7 + full_phone[-2:] in page.text and "m***@example.fi" in page.text
    for whole in (full_phone, phone, "maija.meikalainen@example.fi"):
        assert whole not in page.text
    for link in (f"/r/{code}/cancel", f"/r/{code}/erase", f"/events/{event['id']}.ics", f"/events/{event['id']}\""):
        assert f'href="{link}' in page.text, link

    for lang, words in (("sv", "Du har en plats."), ("en", "You have a place.")):
        read = get(session, system, f"/r/{code}", params={"lang": lang})
        assert f'<html lang="{lang}">' in read.text and status_text(read.text) == words

    empty = get(session, system, "/r", params={"code": "  ", "lang": "fi"})
    assert empty.status_code == 422 and 'id="error-summary"' in empty.text
    assert 'id="code-error"' in empty.text and "Kirjoita koodi" in empty.text


def test_cancelling_needs_the_confirmation_posted_with_its_token_and_the_resident_hears_once(system):
    event = create_event(system)
    phone = unique_phone()
    number = "+358" + phone[1:]
    code = registered(system, event, phone=phone)["cancel_code"]
    session = browser()

    asked = get(session, system, f"/r/{code}/cancel")
    assert asked.status_code == 200 and asked.headers["Cache-Control"] == "no-store"
    assert "Perutaanko ilmoittautumisesi tapahtumaan Valtakunnallinen Asunnottomien Yö?" in asked.text
    assert re.search(rf'<form method="post" action="/r/{code}/cancel">', asked.text)
    assert '<button type="submit" name="confirm" value="yes"' in asked.text
    token = form_token(asked.text)

    forged = session.post(f"{system.base_url}/r/{code}/cancel", data={"confirm": "yes"}, timeout=30)
    assert forged.status_code == 403
    assert system.call("GET", f"/api/registrations/{code}").json()["status"] == "confirmed"

    done = session.post(f"{system.base_url}/r/{code}/cancel", data={"confirm": "yes", "csrf_token": token},
                        timeout=30)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert "Ilmoittautumisesi on peruttu" in done.text and "Saat perumisesta tekstiviestin." in done.text
    again = session.post(f"{system.base_url}/r/{code}/cancel", data={"confirm": "yes", "csrf_token": token},
                         timeout=30)
    assert again.status_code == 200 and "Se oli jo peruttu." in again.text
    assert status_text(get(session, system, f"/r/{code}").text) == "Tämä ilmoittautuminen on peruttu."

    texts = texts_to(system, number, 2)  # the confirmation and the cancellation
    assert len([t for t in texts if "peruttu" in t]) == 1, texts
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
    [entry] = roster
    assert sorted(m["template"] for m in entry["messages"]) == ["cancelled", "confirmed"]


def test_erasing_needs_the_confirmation_and_then_the_page_shows_no_name(system):
    event = create_event(system)
    code = registered(system, event, phone=unique_phone(), name="Eero Esimerkki")["cancel_code"]
    session = browser()

    asked = get(session, system, f"/r/{code}/erase", params={"lang": "fi"})
    assert asked.status_code == 200 and asked.headers["Cache-Control"] == "no-store"
    assert all(words in asked.text for words in ("nimesi", "puhelinnumerosi", "sähköpostiosoitteesi"))
    assert "Eero Esimerkki" in asked.text
    token = form_token(asked.text)
    assert session.post(f"{system.base_url}/r/{code}/erase", data={"confirm": "yes"}, timeout=30).status_code == 403
    assert system.call("GET", f"/api/registrations/{code}").json()["name"] == "Eero Esimerkki"

    done = session.post(f"{system.base_url}/r/{code}/erase", data={"confirm": "yes", "csrf_token": token},
                        timeout=30)
    assert done.status_code == 200 and "Tietosi on poistettu" in done.text

    after = get(session, system, f"/r/{code}")
    assert after.status_code == 200 and status_text(after.text) == "Tämän ilmoittautumisen tiedot on poistettu."
    assert "Eero" not in after.text and f"/r/{code}/erase" not in after.text and f"/r/{code}/cancel" not in after.text
    assert system.call("GET", f"/api/registrations/{code}").json()["status"] == "cancelled"


def test_a_waiting_registration_shows_its_place_in_the_line(system):
    event = create_event(system, capacity=1, waitlist_capacity=5)
    registered(system, event, phone=unique_phone())
    second = registered(system, event, phone=unique_phone(), name="Toinen Asukas")
    assert second["status"] == "waitlisted"
    page = get(browser(), system, f"/r/{second['cancel_code']}", params={"lang": "en"})
    assert status_text(page.text) == "You are on the waiting list, in place 1."


def test_an_unknown_code_answers_404_with_the_form_to_check_it(system):
    page = get(browser(), system, "/r/KKKK-KKKK", params={"lang": "sv"})
    assert page.status_code == 404 and page.headers["Cache-Control"] == "no-store"
    assert "Vi hittade ingen anmälan med koden KKKK-KKKK." in page.text
    assert re.search(r'<form method="get" action="/r"', page.text) and 'value="KKKK-KKKK"' in page.text
    for path in ("/r/KKKK-KKKK/cancel", "/r/KKKK-KKKK/erase"):
        assert get(browser(), system, path).status_code == 404


def calendar_events(response):
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_an_events_calendar_file_reads_back_with_its_fields(system):
    title = {"fi": "Kahvit, pullat; ja \\ äänekäs laulu", "sv": "Kaffe; bullar, och \\ sång på svenska"}
    event = create_event(system, title=title, address="Tourulantie 1")
    answer = get(browser(), system, f"/events/{event['id']}.ics")
    [vevent] = calendar_events(answer)
    assert answer.headers["Content-Disposition"].startswith('inline; filename="') and answer.headers[
        "Content-Disposition"].endswith('.ics"')
    assert answer.headers["Cache-Control"].startswith("public") and "Set-Cookie" not in answer.headers
    public = system.env["PUBLIC_BASE_URL"]
    assert str(vevent["UID"]) == f"{event['id']}@{urlsplit(public).hostname}"
    assert str(vevent["SUMMARY"]) == title["fi"] and str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent.decoded("DTSTART") == dt.datetime.fromisoformat(event["starts_at"])
    assert vevent["DTSTART"].to_ical().endswith(b"Z") and vevent["DTEND"].to_ical().endswith(b"Z")  # UTC
    assert str(vevent["LOCATION"]) == "Tourujoen puisto, Tourulantie 1"
    assert str(vevent["URL"]) == f"{public}/events/{event['id']}" and str(vevent["URL"]) in str(vevent["DESCRIPTION"])
    [swedish] = calendar_events(get(browser(), system, f"/events/{event['id']}.ics", params={"lang": "sv"}))
    assert str(swedish["SUMMARY"]) == title["sv"]

    assert system.call("POST", f"/api/events/{event['id']}/cancel", staff=True).status_code == 200
    [cancelled] = calendar_events(get(browser(), system, f"/events/{event['id']}.ics"))
    assert str(cancelled["STATUS"]) == "CANCELLED" and str(cancelled["UID"]) == str(vevent["UID"])


def test_the_lists_calendar_file_holds_the_events_of_the_lists_filters(system):
    word = "kalenterikoe" + "".join(chr(ord("a") + int(d)) for d in str(uuid.uuid4().int)[:6])
    first = create_event(system, title={"fi": f"Ensimmäinen {word}"})
    second = create_event(system, title={"fi": f"Toinen {word}"})
    create_event(system, title={"fi": "Jokin muu tapahtuma"})
    day = dt.datetime.fromisoformat(first["starts_at"]).date().isoformat()
    answer = get(browser(), system, "/events.ics", params={"municipality": "jyväskylä", "day": day, "q": word})
    assert sorted(str(v["UID"]).split("@")[0] for v in calendar_events(answer)) == sorted([first["id"], second["id"]])
    elsewhere = get(browser(), system, "/events.ics", params={"municipality": "Äänekoski", "q": word})
    assert calendar_events(elsewhere) == []
    assert get(browser(), system, "/events.ics", params={"day": "huomenna"}).status_code == 422


def test_drafts_and_unknown_events_have_no_calendar_file(system):
    draft = create_event(system, status="draft")
    for path in (f"/events/{draft['id']}.ics", f"/events/{uuid.uuid4()}.ics"):
        answer = get(browser(), system, path)
        assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("text/html")
    listed = get(browser(), system, "/events.ics", params={"q": draft["title"]["fi"]})
    assert draft["id"] not in listed.text


def test_the_confirmation_email_carries_the_calendar_file_and_a_link_that_opens_the_registration(system):
    event = create_event(system)
    before = len(system.mail.all())
    address = f"karin.{uuid.uuid4().hex[:8]}@example.fi"
    registered(system, event, name="Karin", email=address, language="sv")
    mail = next(m for m in system.mail.wait_for(before + 1)[before:] if m["rcpt_tos"] == [address])

    [attachment] = mail["attachments"]
    assert attachment["filename"] == "tapahtuma.ics"
    assert attachment["content_type"].startswith("text/calendar") and 'method="PUBLISH"' in attachment["content_type"]
    [vevent] = icalendar.Calendar.from_ical(attachment["content"]).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "De bostadslösas natt"
    assert vevent.decoded("DTSTART") == dt.datetime.fromisoformat(event["starts_at"])
    assert str(vevent["UID"]) == f"{event['id']}@{urlsplit(system.env['PUBLIC_BASE_URL']).hostname}"

    link = re.search(re.escape(system.env["PUBLIC_BASE_URL"]) + r"(/r/[A-Za-z0-9_-]+\?lang=sv)", mail["text"]).group(1)
    # opened on a phone set to English, the page is still in Karin's Swedish
    page = get(browser(), system, link, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert status_text(page.text) == "Du har en plats." and "k***@example.fi" in page.text and address not in page.text
