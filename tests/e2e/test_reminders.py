"""The reminder before an event, through the whole system: at the event's reminder_at each
confirmed registrant gets one reminder SMS teaching the reply PERU; someone waiting or cancelled
gets none."""
import datetime as dt
import time

import pytest
from tests.e2e.helpers import create_event, sign_up
from tests.system import postgres_databases, start_system

pytestmark = pytest.mark.e2e

REMINDER = "Muistutus: "


def reminders_to(system, phones):
    return sorted(m["To"] for m in system.sms.all() if m["To"] in phones and m["Body"].startswith(REMINDER))


def event_within_the_hour(system, **fields):
    """Starting within the hour: its reminder goes at once even in quiet hours (the event starts
    before they end)."""
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).replace(microsecond=0)
    return create_event(system, starts_at=starts.isoformat(), ends_at=(starts + dt.timedelta(hours=2)).isoformat(),
                        **fields)


def remind_soon(system, event):
    """Staff move the reminder to two seconds ahead (its default, a day before the start, had
    passed when these signed up: that alone would remind nobody, their confirmation was enough)."""
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)).isoformat()
    moved = system.call("PATCH", f"/api/events/{event['id']}", staff=True, json={"reminder_at": soon})
    assert moved.status_code == 200, moved.text


def reminded_once(system, phones, expected):
    """Waits until exactly `expected` have their reminder, then a turn of the reminders' timer
    more: nothing sent twice, nobody else reminded."""
    deadline = time.monotonic() + 30
    while reminders_to(system, phones) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(6)
    assert reminders_to(system, phones) == expected


@pytest.mark.long  # minutes of make test: make test-long runs it (CI too)
def test_each_confirmed_registrant_gets_one_reminder_and_those_waiting_or_cancelled_none(system):
    event = event_within_the_hour(system, capacity=2, waitlist_capacity=5)
    phones = {"+358401717001": "confirmed", "+358401717002": "confirmed", "+358401717003": "waitlisted",
              "+358401717004": "cancelled"}
    codes = {}
    for phone in phones:
        answer = sign_up(system, event["id"], {"name": "Asukas", "phone": phone})
        assert answer.status_code == 201, answer.text
        codes[phone] = answer.json()["cancel_code"]
    assert system.call("DELETE", f"/api/registrations/{codes['+358401717004']}").status_code == 200

    remind_soon(system, event)
    confirmed = sorted(phone for phone, status in phones.items() if status == "confirmed")
    reminded_once(system, phones, confirmed)
    reminder = next(m["Body"] for m in system.sms.all() if m["To"] == confirmed[0] and m["Body"].startswith(REMINDER))
    assert "Valtakunnallinen Asunnottomien Yö" in reminder and reminder.endswith("Jos et pääse, vastaa PERU.")


@pytest.mark.long
def test_with_two_copies_of_registration_and_of_notifications_each_is_reminded_once(tmp_path):
    with postgres_databases("yhdessa_reminders") as urls:
        system, stop = start_system(tmp_path, urls, SERVICE_COPIES="registration=2,notifications=2")
        try:
            system.wait_healthy()
            event = event_within_the_hour(system, capacity=20)
            phones = [f"+35840171{n:04d}" for n in range(8)]
            for phone in phones:
                assert sign_up(system, event["id"], {"name": "Asukas", "phone": phone}).status_code == 201
            remind_soon(system, event)
            reminded_once(system, phones, sorted(phones))
        finally:
            stop()
