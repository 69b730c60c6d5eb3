"""Issue 17's proof, a weekly group from first enrolment to retention, through the whole system on
PostgreSQL with the real broker, over HTTP and SMS (Twilio's signed webhook in, the Twilio double
out): a 4-week series with 10 seats and 2 waiting places; 12 enrol (10 seated, 2 waiting), each told
once; one cancels week 2 only and the first waiting gets week 2 only, told; a moved session is told
once to each of its registrants; reminders before each session go to those coming that week;
check-ins per session; statistics per session and in total; the series over, retention leaves no
personal data and the statistics the same."""
import datetime as dt
import random
import subprocess
import sys
import time

import pytest
from twilio.request_validator import RequestValidator

from shared.config import REPO_ROOT
from tests.conftest import wait_until
from tests.e2e.helpers import resident_name, where_found
from tests.system import postgres_databases, start_system

pytestmark = [pytest.mark.e2e, pytest.mark.long]

ORGANIZER = "Monikulttuurinen nuorisotyö"
OUR_NUMBER = "+358451234567"
INBOUND_PATH = "/webhooks/twilio/inbound"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    """A PostgreSQL system of this module's own: its retention run forgets everything in it."""
    with postgres_databases("yhdessa_weekly") as urls:
        system, stop = start_system(tmp_path_factory.mktemp("weekly-groups"), urls)
        system.database_urls = list(urls.values())
        try:
            yield system
        finally:
            stop()


def a_day(days):
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def text(system, sender, body):
    """A resident's text, as Twilio posts it to us, signed."""
    form = {"MessageSid": f"SMweekly{random.getrandbits(48):012x}", "AccountSid": "ACtest", "From": sender,
            "To": OUR_NUMBER, "Body": body, "NumMedia": "0"}
    url = system.env["PUBLIC_BASE_URL"].rstrip("/") + INBOUND_PATH
    signature = RequestValidator("secret").compute_signature(url, form)
    answer = system.call("POST", INBOUND_PATH, data=form, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text


def sms_to(system, phone, starting=""):
    return [m["Body"] for m in system.sms.all() if m["To"] == phone and m["Body"].startswith(starting)]


def stats(system, series_id):
    answer = system.call("GET", f"/api/series/{series_id}/stats", staff=True)
    assert answer.status_code == 200, answer.text
    return answer.json()


def each_told(system, phones, starting, expected):
    """Waits until each phone has `expected[phone]` SMS starting so, then a turn of the timers more:
    nobody told twice."""
    def counts():
        return {phone: len(sms_to(system, phone, starting)) for phone in phones}
    wait_until(lambda: counts() == expected, timeout=40, message=f"{starting!r} SMS: {counts()} != {expected}")
    time.sleep(6)  # the reminders' and the outbox's timers turn again: nothing more arrives
    assert counts() == expected


def roster_ids(system, event_id):
    answer = system.call("GET", f"/api/events/{event_id}/registrations", staff=True)
    assert answer.status_code == 200, answer.text
    return {row["phone"]: row["id"] for row in answer.json()}


def test_a_weekly_group_from_enrolment_to_retention(system):
    code = f"NY{random.randrange(1000, 10000)}"
    made = system.call("POST", "/api/series", staff=True, json={
        "title": {"fi": "Nuorten vertaisryhmä"}, "municipality": "Jyväskylä", "place": "Nuorisotila Veturi",
        "capacity": 10, "waitlist_capacity": 2, "organizer": ORGANIZER, "sms_code": code,
        "schedule": {"from": a_day(14), "until": a_day(35), "start_time": "17:00", "end_time": "19:00"}})
    assert made.status_code == 201, made.text
    series_id, sessions = made.json()["id"], [s["id"] for s in made.json()["sessions"]]
    assert len(sessions) == 4
    # registration learns of each session over the bus
    def sessions_known():
        answer = system.call("GET", f"/api/series/{series_id}/stats", staff=True)
        return answer.status_code == 200 and len(answer.json()["sessions"]) == 4
    wait_until(sessions_known, message="registration's copy of the sessions")

    phones = [f"+35840779{n:04d}" for n in range(1, 13)]
    held = {}
    for number, phone in enumerate(phones, 1):
        if number in (3, 4):  # by text message: the series' code, seats and name
            text(system, phone, f"{code.lower()} {resident_name('Nuori', number)}")
            wait_until(lambda: stats(system, series_id)["total"]["enrolled"] == number, timeout=30,
                       message=f"the texted enrolment of {phone}")
            continue
        answer = system.call("POST", f"/api/series/{series_id}/registrations",
                             json={"name": resident_name("Nuori", number), "phone": phone})
        assert answer.status_code == 201, answer.text
        held[phone] = answer.json()
    assert [p["status"] for p in held[phones[9]]["sessions"]] == ["confirmed"] * 4
    assert [(p["status"], p["waitlist_position"]) for p in held[phones[11]]["sessions"]] == [("waitlisted", 2)] * 4
    # bad input: 422 naming the field, nothing written
    refused = system.call("POST", f"/api/series/{series_id}/registrations", json={"name": "Nuori 13", "phone": "1"})
    assert refused.status_code == 422 and "name" in refused.json()["error"]["fields"]
    # each told once, in one message carrying the one code
    each_told(system, phones, "", {phone: 1 for phone in phones})
    assert held[phones[0]]["cancel_code"] in sms_to(system, phones[0])[0]

    # the first cancels week 2 only: the first waiting gets week 2 only, and is told
    first, waiting = held[phones[0]]["cancel_code"], held[phones[10]]["cancel_code"]
    cancelled = system.call("DELETE", f"/api/enrolments/{first}/sessions/{sessions[1]}")
    assert cancelled.status_code == 200, cancelled.text
    assert [s["status"] for s in cancelled.json()["sessions"]] == ["confirmed", "cancelled", "confirmed", "confirmed"]
    promoted = system.call("GET", f"/api/enrolments/{waiting}").json()
    assert [s["status"] for s in promoted["sessions"]] == ["waitlisted", "confirmed", "waitlisted", "waitlisted"]
    each_told(system, phones[:1] + phones[10:11], "", {phones[0]: 2, phones[10]: 2})
    assert "viikko 2/4" in sms_to(system, phones[0])[-1] and "viikko 2/4" in sms_to(system, phones[10])[-1]

    # week 3 moves: each of its registrants (10 seated, 2 waiting) is told once
    moved = system.call("PATCH", f"/api/events/{sessions[2]}", staff=True, json={"place": "Nuorisotila Kompassi"})
    assert moved.status_code == 200, moved.text
    each_told(system, phones, "Muutos", {phone: 1 for phone in phones})

    # reminders before each session: to those coming that week
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)).isoformat()
    for session_id in sessions:
        assert system.call("PATCH", f"/api/events/{session_id}", staff=True,
                           json={"reminder_at": soon}).status_code == 200
    coming = {phone: 4 for phone in phones[:10]}
    coming.update({phones[0]: 3, phones[10]: 1, phones[11]: 0})
    each_told(system, phones, "Muistutus", coming)
    reminders = sms_to(system, phones[1], "Muistutus")
    assert all(any(f"viikko {week}/4" in reminder for reminder in reminders) for week in range(1, 5))

    # check-ins per session at the door, and walk-ins
    week_1, week_2 = roster_ids(system, sessions[0]), roster_ids(system, sessions[1])
    for ids, who in ((week_1, phones[:6]), (week_2, phones[1:4] + phones[10:11])):
        for phone in who:
            checked = system.call("POST", f"/api/registrations/{ids[phone]}/check-in", staff=True)
            assert checked.status_code == 200, checked.text
    assert system.call("POST", f"/api/events/{sessions[0]}/walk-ins", staff=True, json={"count": 2}).status_code == 201

    before = stats(system, series_id)
    assert [(s["session_number"], s["confirmed"], s["waitlisted"], s["attended"], s["walk_ins"])
            for s in before["sessions"]] == [(1, 10, 2, 6, 2), (2, 10, 1, 4, 0), (3, 10, 2, 0, 0), (4, 10, 2, 0, 0)]
    assert before["total"] == {"sessions": 4, "enrolled": 12, "attended_total": 10, "walk_ins_total": 2,
                               "came": {"0": 5, "1": 4, "2": 3}}

    # the series over: retention blanks every session's personal data; the counts stay
    names = [resident_name("Nuori", number) for number in range(1, 13)]
    assert where_found(system.database_urls, names[:1])  # the check can see
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=36 + 31)).isoformat()
    ran = subprocess.run([sys.executable, "-m", "services.retention", "--now", later], cwd=REPO_ROOT,
                         env=system.env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert where_found(system.database_urls, names + [phone[4:] for phone in phones]) == []
    assert stats(system, series_id) == before
