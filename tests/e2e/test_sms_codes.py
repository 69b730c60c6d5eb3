"""Events' SMS codes and reminder times through the HTTP API, as staff set them and residents'
messages will use them: chosen or made, unique among events not yet over, on every read."""
import datetime as dt

from services.registration.codes import ALPHABET
from tests.e2e.helpers import create_event, event_body, event_start


def test_staff_choose_an_sms_code_or_get_one_made_and_set_or_turn_off_reminders(system):
    starts = event_start(days=25)
    chosen = create_event(system, sms_code="  ay17 ", starts_at=starts.isoformat(),
                          ends_at=(starts + dt.timedelta(hours=4)).isoformat())
    assert chosen["sms_code"] == "AY17" and chosen["reminders"] is True
    # 18:00 the day before: a day ahead, outside the quiet hours
    assert dt.datetime.fromisoformat(chosen["reminder_at"]) == starts.astimezone(dt.timezone.utc) - dt.timedelta(hours=24)

    taken = system.call("POST", "/api/events", staff=True, json=event_body(sms_code="Ay17"))
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "sms_code_taken"
    for bad in ({"sms_code": "Y"}, {"sms_code": "AY 17"}, {"reminder_at": starts.isoformat()}):
        refused = system.call("POST", "/api/events", staff=True, json=event_body(**bad))
        assert refused.status_code == 422 and set(refused.json()["error"]["fields"]) == set(bad), refused.text

    made = create_event(system)
    assert 4 <= len(made["sms_code"]) <= 6 and all(c in ALPHABET for c in made["sms_code"])
    assert made["sms_code"] != "AY17"

    off = system.call("PATCH", f"/api/events/{chosen['id']}", staff=True, json={"reminders": False})
    assert off.status_code == 200 and off.json()["reminder_at"] is None
    later = starts + dt.timedelta(days=2)
    moved = system.call("PATCH", f"/api/events/{made['id']}", staff=True,
                        json={"starts_at": later.isoformat(), "ends_at": (later + dt.timedelta(hours=4)).isoformat()})
    assert dt.datetime.fromisoformat(moved.json()["reminder_at"]) == later.astimezone(dt.timezone.utc) - dt.timedelta(hours=24)

    read = system.call("GET", f"/api/events/{chosen['id']}").json()
    assert (read["sms_code"], read["reminders"], read["reminder_at"]) == ("AY17", False, None)
    day = later.date().isoformat()
    listed = {e["id"]: e for e in system.call("GET", f"/api/events?from={day}&to={day}").json()}
    assert listed[made["id"]]["sms_code"] == made["sms_code"]
