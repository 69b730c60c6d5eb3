"""Emails that give a place carry their event's calendar file (tapahtuma.ics, text/calendar;
method=PUBLISH), read back as a mail program and a calendar read them; a registrant's own
cancellation and every SMS carry none."""
import datetime as dt
from email import message_from_bytes, policy

import icalendar
import pytest

from services.notifications.messages import render
from services.notifications.providers.mail import compose
from tests.unit.test_messages import registration

UTC = dt.timezone.utc


def vevent(message):
    [event] = icalendar.Calendar.from_ical(message.calendar).walk("VEVENT")
    return event


@pytest.mark.parametrize("event_type", ["registration_confirmed", "registration_promoted", "registration_reminder"])
def test_an_email_giving_a_place_carries_the_event_in_the_registrants_language(event_type):
    message = render(event_type, registration(channel="email", language="sv"))
    event = vevent(message)
    assert str(event["SUMMARY"]) == "De bostadslösas natt"
    assert event.decoded("DTSTART") == dt.datetime(2026, 10, 17, 15, tzinfo=UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 10, 17, 19, tzinfo=UTC)
    assert str(event["LOCATION"]) == "Tourujoen puisto, Tourujoentie"
    assert str(event["UID"]) == "e1@127.0.0.1" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == "http://127.0.0.1:8000/events/e1"
    assert "Maija" not in message.calendar and "maija@" not in message.calendar  # the event's, nobody's


def test_an_event_cancelled_by_staff_carries_it_as_cancelled():
    message = render("registration_cancelled", registration(channel="email", status="cancelled",
                                                            reason="event_cancelled"))
    assert str(vevent(message)["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("event_type, changes", [
    ("registration_cancelled", {"status": "cancelled", "reason": "by_registrant"}),
    ("registration_waitlisted", {"status": "waitlisted", "waitlist_position": 2}),
    ("registration_confirmed", {"channel": "sms"})])
def test_a_cancellation_a_waiting_place_and_an_sms_carry_no_calendar(event_type, changes):
    assert render(event_type, registration(**{"channel": "email", **changes})).calendar == ""


def test_the_email_attaches_the_calendar_file_as_calendars_take_it():
    message = render("registration_confirmed", registration(channel="email"))
    raw = compose("Yhdessä <noreply@yhdessa.fi>", "maija@example.fi", message.subject, message.text, message.html,
                  "n-1", message.calendar).as_bytes(policy=policy.SMTP)
    received = message_from_bytes(raw, policy=policy.default)
    assert "Paikkasi on varattu" in received.get_body(("plain",)).get_content()
    [attachment] = received.iter_attachments()
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename() == "tapahtuma.ics"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_payload(decode=True) == message.calendar.encode()  # CRLF and folding as written
    assert str(icalendar.Calendar.from_ical(attachment.get_payload(decode=True))["METHOD"]) == "PUBLISH"


def test_an_email_without_a_calendar_has_no_attachment():
    raw = compose("noreply@yhdessa.fi", "maija@example.fi", "Aihe", "Hei", "<p>Hei</p>", "n-2").as_bytes()
    assert list(message_from_bytes(raw, policy=policy.default).iter_attachments()) == []
