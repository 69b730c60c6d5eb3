"""A message to everyone coming, against the whole system: through the API and the staff page,
each confirmed registrant gets it once on their channel (SMS at the Twilio double, email at the
SMTP double), the waiting list only when asked, a cancelled one never; the same form or key twice
sends once; another organizer's staff reach nothing; the activity stream shows it; bad input is
said beside the field and sends nothing. (That a message waits out the quiet hours unless urgent is
proved in tests/integration/test_announcements.py: this system runs with QUIET_HOURS=off.)"""
import re
import time
import uuid

import pytest

from tests.e2e.helpers import ActivityStream, event_body, sign_up, staff_token
from tests.e2e.pages import form_token, signed_in, token_of

pytestmark = pytest.mark.e2e

ORGANIZER = "Nuorten Ystävät ry"
OTHER = "Äänekosken seurakunta"


def hidden(html, name):
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    return found and found.group(1)


def field_error(html, name):
    found = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', html, re.S)
    return found and " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.fixture(scope="module")
def staff(system):
    return staff_token(system, "Sanna / Nuorten Ystävät", ORGANIZER)


@pytest.fixture(scope="module")
def other_staff(system):
    return staff_token(system, "Olli / seurakunta", OTHER)


def phone():
    return "040" + str(uuid.uuid4().int)[:7]


def e164(number):
    return "+358" + number[1:]


def texts_to(system, number):
    return [m["Body"] for m in system.sms.all() if m["To"] == e164(number)]


def mails_to(system, address):
    return [m for m in system.mail.all() if m["rcpt_tos"] == [address]]


def wait_until(found, timeout=20):
    deadline = time.monotonic() + timeout
    while not found():
        assert time.monotonic() < deadline, "the messages did not arrive"
        time.sleep(0.05)


def gathering(system, staff):
    """An event of ORGANIZER with 3 confirmed (two by SMS, one by email), 1 waiting and 1
    cancelled: {"event", "sms": [numbers], "email": address, "waiting": number, "cancelled": number}."""
    body = event_body(capacity=3, waitlist_capacity=2, title={"fi": "Nuorten ilta"})
    del body["organizer"]
    made = system.call("POST", "/api/events", json=body, headers=staff)
    assert made.status_code == 201, made.text
    event = made.json()
    people = {"event": event, "sms": [phone(), phone()], "email": f"karin.{uuid.uuid4().hex[:8]}@example.fi",
              "waiting": phone(), "cancelled": phone()}
    gone = sign_up(system, event["id"], {"name": "Eino", "phone": people["cancelled"]}).json()
    assert system.call("DELETE", f"/api/registrations/{gone['cancel_code']}").status_code == 200
    for number in people["sms"]:
        assert sign_up(system, event["id"], {"name": "Aino", "phone": number}).status_code == 201
    karin = sign_up(system, event["id"], {"name": "Karin", "email": people["email"], "language": "sv"})
    assert karin.status_code == 201
    waiting = sign_up(system, event["id"], {"name": "Ville", "phone": people["waiting"]}).json()
    assert waiting["status"] == "waitlisted"
    # the sign-ups' own messages are out before the test counts what else arrives
    wait_until(lambda: all(texts_to(system, n) for n in [*people["sms"], people["waiting"]])
               and mails_to(system, people["email"]))
    return people


def test_a_message_reaches_each_one_coming_once_and_the_waiting_list_only_when_asked(system, staff):
    people = gathering(system, staff)
    event = people["event"]
    stream = ActivityStream(system, event["id"], staff)
    try:
        text = "Bussi on myöhässä, aloitamme klo 18.30."
        key = {"Idempotency-Key": str(uuid.uuid4())}
        sent = system.call("POST", f"/api/events/{event['id']}/messages", json={"text": text},
                           headers={**staff, **key})
        assert sent.status_code == 201, sent.text
        answer = sent.json()
        assert (answer["recipients"], answer["sms"], answer["email"], answer["segments"]) == (3, 2, 1, 1)
        again = system.call("POST", f"/api/events/{event['id']}/messages", json={"text": text},
                            headers={**staff, **key})
        assert again.status_code == 201 and again.json()["id"] == answer["id"]

        shown = stream.wait_for(lambda item: item["event"] == "event_message_sent")["data"]
        assert (shown["text"], shown["recipients"], shown["urgent"]) == (text, 3, False)
        assert shown["sent_by"]["name"] == "Sanna / Nuorten Ystävät"

        later = "Paikka vaihtui: Kirkkopuisto."
        with_waiting = system.call("POST", f"/api/events/{event['id']}/messages", headers=staff,
                                   json={"text": later, "include_waitlist": True, "urgent": True})
        assert with_waiting.status_code == 201 and with_waiting.json()["recipients"] == 4
    finally:
        stream.close()

    everyone = [*people["sms"], people["waiting"]]
    wait_until(lambda: all(any(later in t for t in texts_to(system, n)) for n in everyone)
               and any(later in m["text"] for m in mails_to(system, people["email"])))
    for number in people["sms"]:
        [first] = [t for t in texts_to(system, number) if text in t]  # once, though posted twice
        assert first.startswith("Nuorten ilta (Nuorten Ystävät ry): " + text)
    assert not any(text in t for t in texts_to(system, people["waiting"]))
    [mail] = [m for m in mails_to(system, people["email"]) if text in m["text"]]
    assert "Nuorten Ystävät ry" in mail["text"] and mail["text"].startswith("Hej Karin!")  # in her language
    assert not any(text in t or later in t for t in texts_to(system, people["cancelled"]))


def test_another_organizers_staff_are_refused_and_bad_input_is_refused_and_nothing_is_sent(system, staff,
                                                                                          other_staff):
    people = gathering(system, staff)
    event = people["event"]
    path = f"/api/events/{event['id']}/messages"
    refused = system.call("POST", path, json={"text": "Ei kuulu teille."}, headers=other_staff)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "other_organizer"
    for body, reason in (({"text": ""}, "at least 1"), ({"text": "x" * 301}, "at most 300"),
                         ({"text": "Yksi.\n\nKaksi."}, "one paragraph"), ({}, "required")):
        bad = system.call("POST", path, json=body, headers=staff)
        assert bad.status_code == 422 and reason in bad.json()["error"]["fields"]["text"], bad.text
    # on the page as well: the words beside the field, the text kept, nothing sent
    browser = signed_in(system, token_of(staff))
    form = browser.get(f"{system.base_url}/staff/events/{event['id']}/message", timeout=30)
    empty = browser.post(f"{system.base_url}/staff/events/{event['id']}/message", timeout=30, data={
        "csrf_token": form_token(form.text), "key": hidden(form.text, "key"), "text": "x" * 301, "action": "send"})
    assert empty.status_code == 422 and empty.headers["Cache-Control"] == "no-store"
    assert field_error(empty.text, "text") == "Virhe: Viesti on liian pitkä. Kirjoita enintään 300 merkkiä."
    assert "x" * 301 in empty.text
    other = signed_in(system, token_of(other_staff)).get(f"{system.base_url}/staff/events/{event['id']}/message",
                                                         timeout=30)
    assert other.status_code == 403

    # a message sent now arrives; none of the refused ones ever did
    fine = system.call("POST", path, json={"text": "Tervetuloa!"}, headers=staff)
    assert fine.status_code == 201
    wait_until(lambda: all(any("Tervetuloa!" in t for t in texts_to(system, n)) for n in people["sms"]))
    assert not any("Ei kuulu teille." in t or "x" * 50 in t or "Kaksi." in t
                   for n in people["sms"] for t in texts_to(system, n))


def test_staff_write_preview_and_send_on_the_page_and_a_second_send_of_the_form_sends_nothing(system, staff):
    people = gathering(system, staff)
    event = people["event"]
    browser = signed_in(system, token_of(staff))
    address = f"{system.base_url}/staff/events/{event['id']}/message"
    form = browser.get(address, timeout=30)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert '<textarea id="text" name="text"' in form.text and 'name="urgent"' in form.text
    text = "Ovi aukeaa vasta klo 18.15."
    preview = browser.post(address, timeout=30, data={
        "csrf_token": form_token(form.text), "key": hidden(form.text, "key"), "text": text, "urgent": "yes",
        "action": "preview"})
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "no-store"
    assert f"Nuorten ilta (Nuorten Ystävät ry): {text} Jos et pääse, vastaa PERU." in preview.text
    assert "SMS segments: 1" in preview.text or "Tekstiviestin osia: 1" in preview.text
    assert "Menee 3 henkilölle: 2 tekstiviestinä, 1 sähköpostina." in preview.text
    assert not any(text in t for n in people["sms"] for t in texts_to(system, n))  # a preview sends nothing

    send = {"csrf_token": form_token(preview.text), "key": hidden(preview.text, "key"),
            "text": hidden(preview.text, "text"), "urgent": hidden(preview.text, "urgent"), "action": "send"}
    first = browser.post(address, data=send, timeout=30, allow_redirects=False)
    second = browser.post(address, data=send, timeout=30, allow_redirects=False)  # a double click
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    done = browser.get(system.base_url + first.headers["Location"], timeout=30)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert re.search(r'<p class="status" id="status">Lähetetty 3 henkilölle.</p>', done.text)

    wait_until(lambda: all(any(text in t for t in texts_to(system, n)) for n in people["sms"])
               and any(text in m["text"] for m in mails_to(system, people["email"])))
    for number in people["sms"]:
        assert len([t for t in texts_to(system, number) if text in t]) == 1
    assert len([m for m in mails_to(system, people["email"]) if text in m["text"]]) == 1
