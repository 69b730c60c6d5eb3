"""Residents answer by SMS: Twilio's incoming-message webhook, signed as Twilio signs it, through
the whole system (gateway, notifications, registration, catalog) with the real broker and
database; every reply and message read at the Twilio double. One system: the session's."""
import datetime as dt
import itertools
import random
import time

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import wait_until
from tests.e2e.helpers import create_event, event_start, sign_up

pytestmark = pytest.mark.e2e

INBOUND_PATH = "/webhooks/twilio/inbound"
OUR_NUMBER = "+358451234567"
_sids = itertools.count()
# numbers of this module's residents: 040 778 xxxx, each test its own
_numbers = itertools.count(7780000 + random.randrange(0, 9000, 100))


def a_number():
    return f"+35840{next(_numbers)}"


def post_text(system, sender, body, sid=None, signature=None):
    """Twilio's incoming-message webhook, signed with the auth token against our public URL (or
    with `signature`: "" for none)."""
    form = {"MessageSid": sid or f"SMinbound{next(_sids)}{random.getrandbits(32):08x}", "AccountSid": "ACtest",
            "From": sender, "To": OUR_NUMBER, "Body": body, "NumMedia": "0"}
    url = system.env["PUBLIC_BASE_URL"].rstrip("/") + INBOUND_PATH
    if signature is None:
        signature = RequestValidator("secret").compute_signature(url, form)
    return system.call("POST", INBOUND_PATH, data=form, headers={"X-Twilio-Signature": signature} if signature else {})


def text(system, sender, body, sid=None):
    answer = post_text(system, sender, body, sid)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml"), answer.text
    assert answer.text == "<Response/>"


def sms_to(system, number):
    return [m["Body"] for m in system.sms.all() if m["To"] == number]


def wait_for_sms(system, number, count, message=None):
    return wait_until(lambda: len(sms_to(system, number)) >= count and sms_to(system, number),
                      message=message or f"{count} SMS to {number}")


def roster(system, event_id):
    return {r["phone"]: r for r in system.call("GET", f"/api/events/{event_id}/registrations", staff=True).json()}


def a_code():
    return f"Q{random.randrange(100, 1000)}"


# language: (texts of one number, what each reply says; texts of another, what each reply says)
WORDS = {
    "fi": (("apua", "FI", "Mihin aikaan ovet aukeavat?", "Peru", "?"),
           ("Vastaa PERU", "suomeksi", "automaattinen", "ei ole", "Vastaa PERU"),
           ("LOPETA", "aloita"), ("ALOITA", "taas")),
    "sv": (("Hjälp!", "sv", "Hur dags öppnar dörrarna?", "AVBOKA", " ? "),
           ("Svara AVBOKA", "svenska", "automatiskt", "inga kommande", "Svara AVBOKA"),
           ("sv", "sluta", "START"), ("svenska", "svara START", "igen")),
    "en": (("HELP", "en.", "When do the doors open?", "cancel", "?"),
           ("Reply CANCEL", "English", "automatic", "no upcoming", "Reply CANCEL"),
           ("en", "Stop", "start"), ("English", "reply START", "back on")),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_word_is_answered_in_its_language(system, language):
    asked, says, stop_and_start, stop_says = WORDS[language]
    asking, stopping = a_number(), a_number()
    for body in asked:
        text(system, asking, body)
    for body in stop_and_start:
        text(system, stopping, body)
    for phone, expected in ((asking, says), (stopping, stop_says)):
        replies = wait_for_sms(system, phone, len(expected))
        assert len(replies) == len(expected)
        for reply, words in zip(replies, expected):
            assert words in reply, (reply, words)


def test_peru_cancels_the_only_registration_and_the_next_in_the_queue_is_promoted(system):
    event = create_event(system, capacity=1, waitlist_capacity=5)
    first, second, waiting = a_number(), a_number(), a_number()
    for name, phone in (("Aino", first), ("Bertta", second)):
        assert sign_up(system, event["id"], {"name": name, "phone": phone}).status_code == 201
    wait_for_sms(system, first, 1)
    wait_for_sms(system, second, 1)
    text(system, first, "PERU")
    assert "peruttu" in wait_for_sms(system, first, 2)[-1]   # the ordinary cancellation, no second reply
    wait_until(lambda: roster(system, event["id"])[second]["status"] == "confirmed", message="Bertta promoted")
    assert "promoted" in [m["template"] for m in roster(system, event["id"])[second]["messages"]]
    assert roster(system, event["id"])[first]["status"] == "cancelled"
    # someone on the waiting list cancels their place in the queue
    assert sign_up(system, event["id"], {"name": "Cecilia", "phone": waiting}).json()["status"] == "waitlisted"
    wait_for_sms(system, waiting, 1)
    text(system, waiting, "peruuta")
    assert "peruttu" in wait_for_sms(system, waiting, 2)[-1]
    assert roster(system, event["id"])[waiting]["status"] == "cancelled"
    time.sleep(1)
    assert len(sms_to(system, first)) == 2


def test_peru_among_several_lists_them_and_peru_2_cancels_the_second(system):
    phone = a_number()
    sooner = create_event(system, title={"fi": "Lukupiiri"}, starts_at=event_start(21).isoformat(),
                          ends_at=(event_start(21) + dt.timedelta(hours=2)).isoformat())
    later = create_event(system, title={"fi": "Kuoro"}, starts_at=event_start(22).isoformat(),
                         ends_at=(event_start(22) + dt.timedelta(hours=2)).isoformat())
    for event in (later, sooner):
        assert sign_up(system, event["id"], {"name": "Maija", "phone": phone}).status_code == 201
    wait_for_sms(system, phone, 2)
    text(system, phone, "PERU")
    listing = wait_for_sms(system, phone, 3)[-1]
    assert "PERU 1 = Lukupiiri" in listing and "PERU 2 = Kuoro" in listing
    text(system, phone, "PERU 2")
    wait_until(lambda: roster(system, later["id"])[phone]["status"] == "cancelled", message="the second cancelled")
    assert roster(system, sooner["id"])[phone]["status"] == "confirmed"
    assert "peruttu" in wait_for_sms(system, phone, 4)[-1]


def test_lopeta_stops_every_sms_the_roster_shows_it_and_aloita_brings_them_back(system):
    phone = a_number()
    events = [create_event(system) for _ in range(3)]
    assert sign_up(system, events[0]["id"], {"name": "Maija", "phone": phone}).status_code == 201
    wait_for_sms(system, phone, 1)
    text(system, phone, "LOPETA")
    assert "ALOITA" in wait_for_sms(system, phone, 2)[-1]
    wait_until(lambda: roster(system, events[0]["id"])[phone]["sms_stopped"], message="the roster shows the stop")
    assert sign_up(system, events[1]["id"], {"name": "Maija", "phone": phone}).status_code == 201
    entry = wait_until(lambda: (lambda e: e["messages"] and e)(roster(system, events[1]["id"])[phone]),
                       message="the message recorded")
    assert entry["sms_stopped"] and [m["status"] for m in entry["messages"]] == ["stopped"]
    text(system, phone, "ALOITA")
    wait_for_sms(system, phone, 3)
    assert not roster(system, events[0]["id"])[phone]["sms_stopped"]
    assert sign_up(system, events[2]["id"], {"name": "Maija", "phone": phone}).status_code == 201
    wait_for_sms(system, phone, 4, message="the SMS after ALOITA")
    assert len(sms_to(system, phone)) == 4


def test_unsigned_and_wrongly_signed_texts_are_refused_and_change_nothing(system):
    phone = a_number()
    assert post_text(system, phone, "LOPETA", signature="").status_code == 403
    wrong = post_text(system, phone, "LOPETA", signature="AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "bad_signature"
    text(system, phone, "EN")
    time.sleep(1.5)
    assert sms_to(system, phone) == ["Messages now come in English."]  # no reply to the refused LOPETA


def test_the_same_message_sid_twice_has_one_effect(system):
    phone = a_number()
    text(system, phone, "apua", sid="SMsame" + phone[-7:])
    text(system, phone, "apua", sid="SMsame" + phone[-7:])
    text(system, phone, "SV")
    wait_for_sms(system, phone, 2)
    time.sleep(1.5)
    assert len(sms_to(system, phone)) == 2


def test_sign_up_by_code_with_seats_then_waiting_list_then_full_closed_not_open_and_unknown(system):
    code = a_code()
    event = create_event(system, sms_code=code.lower(), capacity=2, waitlist_capacity=1, max_group_size=3)
    seated, queued, turned_away, mistaken = a_number(), a_number(), a_number(), a_number()
    text(system, seated, f"{code} 2 Iida Koski")
    assert "Iida" in wait_for_sms(system, seated, 1)[0]
    assert roster(system, event["id"])[seated]["seats"] == 2
    text(system, queued, f"{code.lower()} Jussi")
    wait_for_sms(system, queued, 1)
    assert roster(system, event["id"])[queued]["status"] == "waitlisted"
    text(system, turned_away, f"{code} Kalle")
    assert "täynnä" in wait_for_sms(system, turned_away, 1)[0]
    unknown = code[:-1] + str((int(code[-1]) + 1) % 10)
    text(system, mistaken, f"{unknown} Liisa")
    assert f"Tarkoititko {code}?" in wait_for_sms(system, mistaken, 1)[0]

    now = dt.datetime.now(dt.timezone.utc)
    closed = create_event(system, sms_code=a_code(), registration_closes_at=(now + dt.timedelta(seconds=2)).isoformat())
    not_open = create_event(system, sms_code=a_code(), registration_opens_at=(now + dt.timedelta(days=1)).isoformat())
    late, early = a_number(), a_number()
    time.sleep(2.5)
    text(system, late, f"{closed['sms_code']} Mikko")
    text(system, early, f"{not_open['sms_code']} Niina")
    assert "päättynyt" in wait_for_sms(system, late, 1)[0]
    assert "ei ole vielä alkanut" in wait_for_sms(system, early, 1)[0]


def test_replies_to_one_number_stop_at_the_hourly_cap(system):
    phone = a_number()
    for n in range(7):
        text(system, phone, "apua")
    wait_for_sms(system, phone, 5)
    time.sleep(2)
    assert len(sms_to(system, phone)) == 5  # INBOUND_REPLIES_PER_HOUR


def test_no_reply_and_no_effect_for_a_sender_outside_the_allowed_regions(system):
    event = create_event(system)
    text(system, "+12025550123", "apua")
    text(system, "Yhdessa", "LOPETA")
    marker = a_number()
    text(system, marker, "EN")  # acted on after the two above
    wait_for_sms(system, marker, 1)
    assert sms_to(system, "+12025550123") == [] and sms_to(system, "Yhdessa") == []
    assert roster(system, event["id"]) == {}


def test_a_language_chosen_by_text_is_the_language_of_later_messages(system):
    phone = a_number()
    text(system, phone, "SV")
    wait_for_sms(system, phone, 1)
    event = create_event(system)
    assert sign_up(system, event["id"], {"name": "Maija", "phone": phone, "language": "fi"}).status_code == 201
    assert "Din plats är bokad: De bostadslösas natt" in wait_for_sms(system, phone, 2)[-1]
