"""HTTP steps shared by the end-to-end tests."""
import datetime as dt
import time
import zoneinfo

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def event_start(days=20):
    """18:00 Helsinki time, `days` from now."""
    day = (dt.datetime.now(HELSINKI) + dt.timedelta(days=days)).date()
    return dt.datetime.combine(day, dt.time(18), HELSINKI)


def finnish_day(moment):
    """How Finnish messages write the day: 17.10."""
    return f"{moment.day}.{moment.month}."


def event_body(**changes):
    starts = event_start()
    return {"title": {"fi": "Valtakunnallinen Asunnottomien Yö", "sv": "De bostadslösas natt"},
            "description": {"fi": "Yhdessä puistossa"}, "municipality": "Jyväskylä", "place": "Tourujoen puisto",
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=4)).isoformat(),
            "capacity": 50, "organizer": "Jyväskylän kaupunki", **changes}


def create_event(system, **changes):
    response = system.call("POST", "/api/events", staff=True, json=event_body(**changes))
    assert response.status_code == 201, response.text
    return response.json()


def sign_up(system, event_id, body, headers=None, wait_for_event=True):
    """POST a sign-up. A just-published event reaches registration by an event over the bus a few
    milliseconds after catalog answers; until then registration does not know it, so a sign-up
    made in that instant is retried briefly here."""
    deadline = time.monotonic() + 10
    while True:
        response = system.call("POST", f"/api/events/{event_id}/registrations", json=body, headers=headers or {})
        unknown = response.status_code == 404 and response.json()["error"]["code"] == "event_not_found"
        if not (wait_for_event and unknown and time.monotonic() < deadline):
            return response
        time.sleep(0.05)
