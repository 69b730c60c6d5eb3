"""A weekly group's staff page counts: who is coming to each session, as registration counts seats."""
import datetime as dt

from services.gateway.pages import staff_series_view


def series(status, seats_left, waitlist_left):
    starts = dt.datetime(2026, 12, 10, 8, tzinfo=dt.timezone.utc)
    return {"capacity": 12, "waitlist_capacity": 3, "sessions": [
        {"id": "s1", "session_number": 1, "starts_at": starts, "status": status,
         "seats_left": seats_left, "waitlist_left": waitlist_left}]}


def test_a_published_session_shows_the_seats_taken_and_the_places_waited_for():
    (session,) = staff_series_view.sessions(series("published", 9, 1))
    assert (session["coming"], session["waiting"]) == (3, 2)


def test_a_draft_or_cancelled_session_has_nobody_coming_though_it_offers_no_seats():
    for status in ("draft", "cancelled"):
        (session,) = staff_series_view.sessions(series(status, 0, 0))
        assert (session["coming"], session["waiting"]) == (0, 0)
