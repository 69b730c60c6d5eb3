"""Calendar files (shared/calendar.py) read back by icalendar as a calendar program reads them:
fields, times in UTC, a stable UID, and titles with iCalendar's special characters and
non-ASCII letters surviving escaping and line folding."""
import datetime

import icalendar

from shared.calendar import calendar, uid

BASE_URL = "https://yhdessa.example/jkl"
UTC = datetime.timezone.utc


def event(**changes):
    return {"id": "5a81ab7d-7e93-4d0d-8990-00b3e12a29ec",
            "title": {"fi": "Kahvit, pullat; ja \\ kurkistus ääneen", "sv": "Kaffe; bullar, och \\ ÅÄÖ"},
            "description": {"fi": "Tule mukaan."}, "place": "Tourujoen puisto", "address": "Tourulantie 1",
            "starts_at": "2026-12-10T18:00:00+02:00", "ends_at": "2026-12-10T22:00:00+02:00",
            "status": "published", **changes}


def parsed(data):
    document = icalendar.Calendar.from_ical(data)
    return document, document.walk("VEVENT")


def test_an_event_reads_back_with_its_fields_in_utc():
    data = calendar([event()], BASE_URL, "fi")
    assert b"\r\nDTSTART:20261210T160000Z\r\n" in data and b"\r\nDTEND:20261210T200000Z\r\n" in data
    document, [vevent] = parsed(data)
    assert str(document["VERSION"]) == "2.0" and str(document["METHOD"]) == "PUBLISH"
    assert str(vevent["UID"]) == "5a81ab7d-7e93-4d0d-8990-00b3e12a29ec@yhdessa.example"
    assert vevent.decoded("DTSTART") == datetime.datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime.datetime(2026, 12, 10, 20, 0, tzinfo=UTC)
    assert str(vevent["SUMMARY"]) == "Kahvit, pullat; ja \\ kurkistus ääneen"
    assert str(vevent["LOCATION"]) == "Tourujoen puisto, Tourulantie 1"
    url = f"{BASE_URL}/events/5a81ab7d-7e93-4d0d-8990-00b3e12a29ec"
    assert str(vevent["URL"]) == url and str(vevent["DESCRIPTION"]) == f"Tule mukaan.\n\n{url}"
    assert str(vevent["STATUS"]) == "CONFIRMED" and vevent.decoded("DTSTAMP").tzinfo is not None


def test_special_characters_are_escaped_and_long_lines_folded():
    long_title = "Äänekosken kansalaisopiston syysjuhla, jossa; laulamme \\ yhdessä " * 3
    data = calendar([event(title={"fi": long_title})], BASE_URL, "fi")
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines), "lines are folded at 75 octets"
    assert b"SUMMARY:\xc3\x84\xc3\xa4nekosken kansalaisopiston syysjuhla\\, jossa\\; laulamme \\\\" in data
    _, [vevent] = parsed(data)
    assert str(vevent["SUMMARY"]) == long_title


def test_the_title_is_in_the_readers_language_else_finnish():
    _, [swedish] = parsed(calendar([event()], BASE_URL, "sv"))
    assert str(swedish["SUMMARY"]) == "Kaffe; bullar, och \\ ÅÄÖ"
    _, [english] = parsed(calendar([event()], BASE_URL, "en"))
    assert str(english["SUMMARY"]) == "Kahvit, pullat; ja \\ kurkistus ääneen"


def test_a_cancelled_event_says_so_and_keeps_its_uid():
    _, [vevent] = parsed(calendar([event(status="cancelled")], BASE_URL, "fi"))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["UID"]) == uid(event()["id"], BASE_URL)


def test_a_message_snapshot_without_description_or_address_still_makes_a_file():
    snapshot = {key: value for key, value in event().items() if key not in ("description", "address", "status")}
    _, [vevent] = parsed(calendar([snapshot], BASE_URL, "fi"))
    assert str(vevent["LOCATION"]) == "Tourujoen puisto"
    assert str(vevent["DESCRIPTION"]) == f"{BASE_URL}/events/{event()['id']}"
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_many_events_make_one_calendar_with_its_name():
    events = [event(id=f"e-{n}") for n in range(3)]
    document, vevents = parsed(calendar(events, BASE_URL, "fi", name="Yhdessä: Jyväskylä"))
    assert [str(v["UID"]) for v in vevents] == [f"e-{n}@yhdessa.example" for n in range(3)]
    assert str(document["X-WR-CALNAME"]) == "Yhdessä: Jyväskylä"
