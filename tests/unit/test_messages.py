"""What residents read: their language, Finnish time style, the cancel code, two SMS segments."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import gsm
from services.notifications.messages import render
from shared.contracts import RegistrationEvent
from shared.helsinki import event_time

UTC = dt.timezone.utc


def registration(**changes):
    data = {
        "registration_id": "r1", "status": "confirmed", "name": "Maija Meikäläinen", "phone": "+358401234567",
        "email": "maija@example.fi", "language": "fi", "channel": "sms", "seats": 1, "cancel_code": "K7MX-4PRA",
        "waitlist_position": None,
        "event": {"id": "e1", "title": {"fi": "Valtakunnallinen Asunnottomien Yö", "sv": "De bostadslösas natt"},
                  "municipality": "Jyväskylä", "place": "Tourujoen puisto", "address": "Tourujoentie",
                  "starts_at": "2026-10-17T15:00:00Z", "ends_at": "2026-10-17T19:00:00Z"},
    }
    event = changes.pop("event", {})
    data.update(changes)
    data["event"].update(event)
    return RegistrationEvent.model_validate(data)


def test_times_are_shown_in_helsinki_time_finnish_style():
    starts, ends = dt.datetime(2026, 10, 17, 15, tzinfo=UTC), dt.datetime(2026, 10, 17, 19, tzinfo=UTC)
    assert event_time(starts, ends, "fi") == "la 17.10. klo 18–22"
    assert event_time(starts, ends, "sv") == "lör 17.10. kl. 18–22"
    assert event_time(starts, ends, "en") == "Sat 17 Oct 18:00–22:00"


def test_minutes_and_events_past_midnight_are_written_out():
    assert event_time(dt.datetime(2026, 10, 10, 6, tzinfo=UTC), dt.datetime(2026, 10, 10, 9, 30, tzinfo=UTC)) == "la 10.10. klo 9–12.30"
    assert event_time(dt.datetime(2026, 10, 17, 15, tzinfo=UTC), dt.datetime(2026, 10, 17, 23, tzinfo=UTC)) == \
        "la 17.10. klo 18 – su 18.10. klo 2"


def test_finnish_confirmation_sms_names_event_place_time_and_code():
    message = render("registration_confirmed", registration())
    assert message.language == "fi"
    for part in ("Valtakunnallinen Asunnottomien Yö", "Tourujoen puisto", "la 17.10. klo 18-22", "K7MX-4PRA"):
        assert part in message.text
    assert gsm.is_gsm7(message.text) and gsm.segments(message.text) <= 2


def test_swedish_registrant_reads_swedish_with_the_swedish_title():
    message = render("registration_confirmed", registration(language="sv"))
    assert "Din plats är bokad" in message.text and "De bostadslösas natt" in message.text


def test_english_registrant_gets_the_finnish_title_when_there_is_no_english_one():
    message = render("registration_confirmed", registration(language="en"))
    assert "Your place is booked" in message.text and "Valtakunnallinen Asunnottomien Yö" in message.text


def test_waitlisted_message_gives_the_position():
    message = render("registration_waitlisted", registration(status="waitlisted", waitlist_position=3))
    assert "sijalla 3" in message.text


def test_event_cancellation_says_the_event_is_off_not_that_you_cancelled():
    message = render("registration_cancelled", registration(status="cancelled", reason="event_cancelled"))
    assert "on peruttu" in message.text and message.template == "event_cancelled"


def test_email_has_subject_text_and_html_with_the_same_content():
    message = render("registration_confirmed", registration(channel="email"))
    assert message.subject == "Paikkasi on varattu: Valtakunnallinen Asunnottomien Yö"
    assert "la 17.10. klo 18–22" in message.text and "K7MX-4PRA" in message.html
    assert "<p>" in message.html and "Tourujoentie" in message.html


def test_the_first_email_links_to_the_registrants_own_page_with_the_token():
    token = "q3J9xW2kLm8vN4pR7sT1uQ"
    message = render("registration_confirmed", registration(channel="email", token=token))
    assert f"http://127.0.0.1:8000/r/{token}?lang=fi" in message.text and f"/r/{token}?lang=fi" in message.html
    swedish = render("registration_confirmed", registration(channel="email", token=token, language="sv"))
    assert f"/r/{token}?lang=sv" in swedish.text  # the page opens in the registrant's language
    later = render("registration_promoted", registration(channel="email"))
    assert "/r/" not in later.text  # the token is not kept after the first message


@pytest.mark.parametrize("language, already, place", [
    ("fi", "olet jo mukana", "paikkasi on varattu"), ("sv", "du är redan anmäld", "din plats är bokad"),
    ("en", "you are already registered", "your place is booked")])
def test_someone_signing_up_again_sends_the_registrant_their_own_details(language, already, place):
    message = render("registration_repeated", registration(language=language))
    assert message.template == "repeated" and already in message.text and place in message.text
    assert "K7MX-4PRA" in message.text and gsm.segments(message.text) <= 2
    waiting = render("registration_repeated", registration(status="waitlisted", waitlist_position=4))
    assert "jonossa sijalla 4" in waiting.text
    email = render("registration_repeated", registration(channel="email", language=language))
    assert "K7MX-4PRA" in email.text and email.subject


def test_html_escapes_what_staff_typed():
    message = render("registration_confirmed", registration(channel="email", event={"title": {"fi": "<b>Ilta</b>"}}))
    assert "<b>Ilta</b>" not in message.html and "&lt;b&gt;" in message.html


def longest(language):
    """The longest name, title and place the tests use."""
    return registration(language=language, waitlist_position=12, name="Maija-Liisa Meikäläinen-Virtanen",
                        event={"title": {"fi": "Kosketus-verkostotapaaminen järjestöjen ja kunnan työntekijöille "
                                               "teemana köyhyys ja yksinäisyys Keski-Suomessa"},
                               "place": "Jyväskylän kaupungintalon juhlasali, toinen kerros, sisäänkäynti pihalta"})


@pytest.mark.parametrize("event_type", ["registration_confirmed", "registration_waitlisted", "registration_promoted",
                                        "registration_cancelled", "registration_event_changed",
                                        "registration_repeated"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_sms_fits_two_segments_even_with_a_very_long_title(event_type, language):
    message = render(event_type, longest(language))
    assert gsm.segments(message.text) <= 2
    if event_type != "registration_cancelled":
        assert "K7MX-4PRA" in message.text


@settings(max_examples=300, deadline=None)
@given(event_type=st.sampled_from(["registration_confirmed", "registration_waitlisted", "registration_event_changed",
                                   "registration_repeated"]),
       overnight=st.booleans(), name=st.text(min_size=1, max_size=100), title=st.text(min_size=1, max_size=300),
       place=st.text(min_size=1, max_size=200))
def test_any_name_title_and_place_still_give_at_most_two_segments(event_type, overnight, name, title, place):
    ends_at = "2026-10-18T02:00:00Z" if overnight else "2026-10-17T19:00:00Z"
    message = render(event_type, registration(name=name, waitlist_position=123, event={
        "title": {"fi": title}, "place": place, "ends_at": ends_at}))
    assert gsm.segments(message.text) <= 2 and "K7MX-4PRA" in message.text


def test_segment_counting_follows_gsm7_and_ucs2():
    assert gsm.segments("ä" * 160) == 1 and gsm.segments("ä" * 161) == 2
    assert gsm.segments("€" * 80) == 1 and gsm.segments("€" * 81) == 2
    assert gsm.segments("Я" * 70) == 1 and gsm.segments("Я" * 71) == 2


TEACHING_THE_REPLY = {"fi": "Jos et pääse, vastaa PERU.", "sv": "Om du inte kan komma, svara PERU.",
                      "en": "If you cannot come, reply PERU."}
LEAVING_THE_LIST = {"fi": "Jos et enää halua paikkaa, vastaa PERU.",
                    "sv": "Om du inte längre vill ha en plats, svara PERU.",
                    "en": "If you no longer want a place, reply PERU."}


@pytest.mark.parametrize("event_type", ["registration_confirmed", "registration_promoted", "registration_reminder",
                                        "registration_waitlisted"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("long", [False, True])
def test_a_seat_and_a_waiting_place_end_by_teaching_the_reply_peru_in_two_segments(event_type, language, long):
    message = render(event_type, longest(language) if long else registration(language=language, waitlist_position=12))
    taught = LEAVING_THE_LIST if event_type == "registration_waitlisted" else TEACHING_THE_REPLY
    assert message.text.endswith(taught[language]) and gsm.segments(message.text) <= 2


@pytest.mark.parametrize("name", ["محمد علي", "Сергей"])
def test_a_name_outside_gsm7_is_still_greeted_next_to_the_reply_peru(name):
    message = render("registration_confirmed", registration(name=name))
    assert f"Hei {name}!" in message.text and message.text.endswith(TEACHING_THE_REPLY["fi"])
    assert "K7MX-4PRA" in message.text and gsm.segments(message.text) <= 2
