"""What the residents' pages make of a weekly group (services/gateway/pages/series_view.py)."""
import datetime

from services.gateway.pages import series_view
from shared.helsinki import HELSINKI

NOW = datetime.datetime(2026, 9, 10, 12, tzinfo=datetime.timezone.utc)


def at(day, hour=17):
    return datetime.datetime(2026, 9, day, hour, tzinfo=HELSINKI).isoformat()


def session(number, day, seats_left=5, waitlist_left=2, status="published", **changes):
    return {"id": f"e{number}", "session_number": number, "starts_at": at(day), "ends_at": at(day, 19),
            "place": "Nuorisotalo", "address": "Kauppakatu 1", "status": status, "seats_left": seats_left,
            "waitlist_left": waitlist_left, **changes}


def series(sessions, **changes):
    return {"id": "s1", "title": {"fi": "Vertaisryhmä", "en": "Peer group"}, "description": {"fi": "Tervetuloa"},
            "place": "Nuorisotalo", "address": "Kauppakatu 1", "municipality": "Jyväskylä", "organizer": "Kosketus",
            "capacity": 10, "waitlist_capacity": 2, "max_group_size": 2, "status": "published",
            "schedule": {"from": "2026-09-05", "until": "2026-09-26", "start_time": "17:00", "end_time": "19:00"},
            "session_count": len(sessions), "sessions": sessions, **changes}


# 5.9., 12.9., 19.9., 26.9.2026 are Saturdays
FOUR_SATURDAYS = [session(1, 5), session(2, 12), session(3, 19), session(4, 26)]


def test_a_weekly_series_says_its_weekday_and_how_many_times():
    assert series_view.rhythm(series(FOUR_SATURDAYS), FOUR_SATURDAYS) == {"every": "Every Saturday", "count": 4}


def test_a_list_of_dates_says_only_how_many_times():
    dates = series(FOUR_SATURDAYS, schedule={"dates": ["2026-09-05", "2026-09-12"]})
    assert series_view.rhythm(dates, FOUR_SATURDAYS)["every"] is None
    # with no schedule to read, sessions on different weekdays are no weekly group
    mixed = [session(1, 5), session(2, 9)]
    assert series_view.rhythm(series(mixed, schedule=None), mixed)["every"] is None
    assert series_view.rhythm(series(FOUR_SATURDAYS, schedule=None), FOUR_SATURDAYS)["every"] == "Every Saturday"


def test_each_session_says_how_full_it_is_and_which_are_over():
    sessions = [session(1, 5), session(2, 12, seats_left=0), session(3, 19, seats_left=0, waitlist_left=0),
                session(4, 26, status="cancelled")]
    view = series_view.shown(series(sessions), "fi", NOW)
    assert [s["state"] for s in view["sessions"]] == ["over", "waitlist", "full", "cancelled"]
    # the next session is the first still to come; it is full, so an enrolment now waits for it
    assert view["next"]["id"] == "e2" and view["first_waits"]
    assert view["sessions"][0]["time_text"] == "la 5.9. klo 17–19"
    assert view["title_text"] == "Vertaisryhmä"


def test_a_session_elsewhere_shows_its_own_place():
    sessions = [session(1, 12), session(2, 19, place="Kirjasto")]
    assert [s["elsewhere"] for s in series_view.shown(series(sessions), "fi", NOW)["sessions"]] == [False, True]


def test_the_form_is_offered_while_a_session_to_come_has_room():
    assert series_view.sign_up_state(series(FOUR_SATURDAYS), FOUR_SATURDAYS, NOW) == "open"
    waiting_only = [session(2, 12, seats_left=0), session(3, 19, seats_left=0, waitlist_left=1)]
    assert series_view.sign_up_state(series(waiting_only), waiting_only, NOW) == "open"
    full = [session(1, 5), session(2, 12, seats_left=0, waitlist_left=0)]  # the one with room is over
    assert series_view.sign_up_state(series(full), full, NOW) == "full"
    over = [session(1, 5), session(2, 9)]
    assert series_view.sign_up_state(series(over), over, NOW) == "over"
    assert series_view.sign_up_state(series(FOUR_SATURDAYS, status="cancelled"), FOUR_SATURDAYS, NOW) == "cancelled"
    later = series(FOUR_SATURDAYS, registration_opens_at=at(11))
    assert series_view.sign_up_state(later, FOUR_SATURDAYS, NOW) == "not_open"


def test_the_list_shows_a_series_once_by_its_next_session():
    events = [{"id": "e2", "series_id": "s1"}, {"id": "x"}, {"id": "e3", "series_id": "s1"},
              {"id": "f1", "series_id": "s2"}]
    assert [e["id"] for e in series_view.listed(events)] == ["e2", "x", "f1"]


def enrolment(places, **changes):
    return {"id": "n1", "series_id": "s1", "cancel_code": "K7MX-4PRA", "status": "waitlisted", "name": "Aino",
            "phone": "+358401234567", "email": None, "seats": 1, "channel": "sms", "sessions": places, **changes}


def place(number, day, status="confirmed", position=None):
    return {"event_id": f"e{number}", "session_number": number, "starts_at": at(day), "status": status,
            "waitlist_position": position}


def test_an_enrolment_shows_each_session_and_which_can_still_be_cancelled():
    places = [place(2, 12, "waitlisted", 1), place(1, 5), place(3, 19, "cancelled"), place(4, 26)]
    sessions = [session(1, 5), session(2, 12), session(3, 19), session(4, 26, status="cancelled")]
    view = series_view.enrolment_shown(enrolment(places), series(sessions), "fi", NOW)
    assert view["phone"] == "+358*******67" and view["state"] == "waitlisted"
    assert [s["session_number"] for s in view["sessions"]] == [1, 2, 3, 4]
    # week 1 is over, week 3 already cancelled by the person, week 4 cancelled by staff
    assert [s["can_cancel"] for s in view["sessions"]] == [False, True, False, False]
    assert [s["event_id"] for s in view["cancellable"]] == ["e2"]
    assert series_view.session_in(view, "e4")["session_cancelled"]
    assert series_view.session_in(view, "nope") is None


def test_a_moved_session_shows_its_new_time_and_place():
    moved = [session(1, 12, starts_at=at(13, 18), ends_at=at(13, 20), place="Kirjasto", address=None)]
    shown_ = series_view.sessions_of([place(1, 12)], series(moved), "fi", NOW)[0]
    assert (shown_["time_text"], shown_["place"]) == ("su 13.9. klo 18–20", "Kirjasto")


def test_an_enrolment_without_name_or_contacts_is_erased():
    view = series_view.enrolment_shown(enrolment([], name=None, phone=None), series([]), "fi", NOW)
    assert view["state"] == "erased"
