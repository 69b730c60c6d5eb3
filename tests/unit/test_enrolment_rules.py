"""The rules of enrolling in a series, in plain Python: which sessions an enrolment covers, its
status, its next session, and how often its enrolled came."""
import datetime as dt

import pytest

from services.registration import codes, enrolment_rules
from shared.errors import Conflict

NOW = dt.datetime(2026, 9, 1, 12, tzinfo=dt.timezone.utc)


def session(number, days, **changes):
    starts = NOW + dt.timedelta(days=days)
    return {"id": f"e{number}", "session_number": number, "starts_at": starts, "ends_at": starts + dt.timedelta(hours=2),
            "status": "published", "registration_opens_at": None, "registration_closes_at": None, **changes}


def test_an_enrolment_covers_the_sessions_not_yet_started_that_take_sign_ups():
    sessions = [session(1, -7), session(2, 0.5, status="cancelled"), session(3, 7), session(4, 14)]
    assert [s["id"] for s in enrolment_rules.sessions_to_enrol(sessions, NOW)] == ["e3", "e4"]


def test_with_no_session_left_the_first_refusal_is_the_answer():
    with pytest.raises(Conflict) as closed:
        enrolment_rules.sessions_to_enrol([session(1, -7), session(2, -1)], NOW)
    assert closed.value.code == "registration_closed"
    # a session already begun is past, not a refusal: the one still to come answers
    not_open = [session(1, -0.01), session(2, 7, registration_opens_at=NOW + dt.timedelta(days=1))]
    with pytest.raises(Conflict) as refused:
        enrolment_rules.sessions_to_enrol(not_open, NOW)
    assert refused.value.code == "registration_not_open"


def test_came_counts_enrolments_by_how_many_times_they_came_with_every_count_up_to_the_highest():
    assert enrolment_rules.came([0, 2, 2, 4]) == {"0": 1, "1": 0, "2": 2, "3": 0, "4": 1}
    assert enrolment_rules.came([]) == {"0": 0}


def test_an_enrolments_status_is_that_of_its_next_session_still_held():
    active = {"status": "active"}
    assert enrolment_rules.enrolment_status(active, [("confirmed", True), ("cancelled", False),
                                                     ("waitlisted", False)]) == "waitlisted"
    assert enrolment_rules.enrolment_status(active, [("confirmed", True), ("confirmed", True)]) == "confirmed"
    assert enrolment_rules.enrolment_status({"status": "cancelled"}, [("confirmed", False)]) == "cancelled"


def test_the_next_session_is_the_soonest_held_one_not_yet_begun():
    pairs = [({"status": "confirmed"}, session(1, -1)), ({"status": "cancelled"}, session(2, 6)),
             ({"status": "waitlisted"}, session(3, 13)), ({"status": "confirmed"}, session(4, 20))]
    assert enrolment_rules.next_session(pairs, NOW)[1]["id"] == "e3"
    assert enrolment_rules.next_session(pairs[:2], NOW) is None


def test_a_session_rows_internal_code_cannot_be_typed_and_shows_as_the_enrolments():
    internal = codes.session_code("K7MX4PRA", 2)
    assert internal == "K7MX4PRA02" and codes.normalise(internal) is None
    assert codes.display(internal) == codes.display("K7MX4PRA") == "K7MX-4PRA"
