"""Personal data lives only as long as it is needed, on PostgreSQL as in production: a resident
erases their own at once with their cancel code; the retention job blanks everyone's names and
contacts RETENTION_DAYS after the event, in every service's database, and statistics stay the same."""
import datetime as dt
import subprocess
import sys

import pytest

from shared.config import REPO_ROOT
from tests.conftest import wait_until
from tests.e2e.helpers import event_body, sign_up, staff_token, where_found
from tests.system import Recorded, postgres_databases, start_double, start_system

ORGANIZER = "Kosketus ry"
SERVICES = ("catalog", "registration", "notifications")


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    """A PostgreSQL system of this module's own: the retention job here forgets every event in it."""
    with postgres_databases("yhdessa_pd", SERVICES) as urls:
        system, stop = start_system(tmp_path_factory.mktemp("personal-data"), urls)
        system.database_urls = list(urls.values())
        try:
            yield system
        finally:
            stop()


@pytest.fixture(scope="module")
def staff(system):
    return staff_token(system, "Maija / Kosketus", ORGANIZER, "--phone", "040 999 0000")


def own_event(system, staff, **changes):
    body = {**event_body(**changes), "organizer": ORGANIZER}
    response = system.call("POST", "/api/events", json=body, headers=staff)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_resident_erases_their_own_data_at_once_with_their_cancel_code(system, staff):
    event = own_event(system, staff, capacity=1, waitlist_capacity=1)
    erasing = sign_up(system, event["id"], {"name": "Elli Eräjärvi", "phone": "0402220001"}).json()
    waiting = sign_up(system, event["id"], {"name": "Fredrik Fält", "phone": "0402220002"}).json()
    system.sms.wait_for(2)

    erased = system.call("POST", f"/api/registrations/{erasing['cancel_code']}/erase")
    assert erased.status_code == 200 and erased.json()["erased"] is True
    assert system.call("POST", f"/api/registrations/{erasing['cancel_code']}/erase").status_code == 200  # twice
    assert system.call("POST", "/api/registrations/AAAA-AAAA/erase").status_code == 404

    # the freed seat goes to the waiting list, and the erased resident is not messaged again
    promoted = system.sms.wait_for(3)[-1]
    assert promoted["To"] == "+358402220002"
    needles = ["Elli Eräjärvi", "Eräjärvi", "402220001"]
    wait_until(lambda: not where_found(system.database_urls, needles), message="the erased data stayed")
    assert [m["To"] for m in system.sms.all()].count("+358402220001") == 1  # the confirmation, nothing after
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", headers=staff).json()
    assert [(r["name"], r["phone"], r["status"]) for r in roster] == [
        (None, None, "cancelled"), ("Fredrik Fält", "+358402220002", "confirmed")]
    assert waiting["status"] == "waitlisted"


def test_after_the_retention_job_no_personal_data_is_left_and_statistics_answer_the_same(system, staff, tmp_path):
    record = tmp_path / "posts.jsonl"
    receiver, port = start_double("tests.doubles.webhook_receiver", record)
    try:
        assert system.call("POST", "/api/webhooks", json={"url": f"http://127.0.0.1:{port}/"},
                           headers=staff).status_code == 201
        event = own_event(system, staff, capacity=3, waitlist_capacity=2)
        people = [
            {"name": "Aino Äijälä", "phone": "0403330001"},
            {"name": "Bertta Böök", "email": "bertta.book@example.fi"},
            {"name": "Daniel Dahl", "phone": "0403330004", "email": "daniel.dahl@example.fi"},
        ]
        made = [sign_up(system, event["id"], person).json() for person in people]
        assisted = sign_up(system, event["id"], {"name": "Cecilia Ceder", "consent": True}, headers=staff).json()
        assert [m["status"] for m in made] + [assisted["status"]] == ["confirmed"] * 3 + ["waitlisted"]
        system.call("POST", f"/api/registrations/{made[0]['cancel_code']}/check-in", headers=staff)
        system.call("POST", f"/api/events/{event['id']}/walk-ins", json={"count": 4}, headers=staff)
        system.call("DELETE", f"/api/registrations/{made[1]['cancel_code']}")  # Cecilia moves up
        Recorded(record).wait_for(8)  # 4 sign-ups, a check-in, walk-ins, a cancellation, a promotion

        # the event took place yesterday
        yesterday = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
        moved = system.call("PATCH", f"/api/events/{event['id']}", headers=staff, json={
            "starts_at": yesterday.isoformat(), "ends_at": (yesterday + dt.timedelta(hours=4)).isoformat()})
        assert moved.status_code == 200, moved.text

        def stats():
            return system.call("GET", "/api/stats", headers=staff).json()

        before = wait_until(lambda: (s := stats())["totals"].get("no_shows") and s,
                            message="the moved event never showed no-shows")
        totals = before["totals"]
        assert (totals["events"], totals["sign_ups"], totals["cancellations"], totals["attended"],
                totals["walk_ins"], totals["no_shows"]) == (2, 6, 2, 1, 4, 2)
        # SMS: 3 of the first test; confirmations, Cecilia's (to her helper) waiting and promotion,
        # and the change of time to the 3 still coming. Email: Bertta's confirmation and cancellation.
        before = wait_until(lambda: (s := stats())["totals"]["messages"] == {"sms": 10, "email": 2} and s,
                            message=f"messages never added up: {stats()['totals']}")
        monthly = system.call("GET", "/api/stats?per=month", headers=staff).json()
        assert sum(group["sign_ups"] for group in monthly["groups"]) == 6 and monthly["groups"][0]["month"]
        assert system.call("GET", "/api/stats?per=week", headers=staff).status_code == 422
        assert where_found(system.database_urls, ["Äijälä", "bertta.book", "403330004"])  # the check can see

        later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=31)).isoformat()
        ran = subprocess.run([sys.executable, "-m", "services.retention", "--now", later], cwd=REPO_ROOT,
                             env=system.env, capture_output=True, text=True)
        assert ran.returncode == 0, ran.stderr

        residents = [p["name"] for p in people] + ["Cecilia Ceder", "Äijälä", "Böök", "Dahl", "Ceder",
                                                   "403330001", "403330004", "bertta.book", "daniel.dahl"]
        assert where_found(system.database_urls, residents) == []
        assert stats() == before
        assert system.call("GET", "/api/stats?per=month", headers=staff).json() == monthly
        roster = system.call("GET", f"/api/events/{event['id']}/registrations", headers=staff).json()
        assert [(r["name"], r["phone"], r["email"]) for r in roster] == [(None, None, None)] * 4
        assert [r["attended"] for r in roster] == [True, False, False, False]
    finally:
        receiver.terminate()
        receiver.wait()
