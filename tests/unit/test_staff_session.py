"""Staff pages' session cookies: signed, expiring after a working day, nothing but the token
they were made for."""
from types import SimpleNamespace

from services.gateway.pages.staff_session import WORKING_DAY_SECONDS, Sessions, cookie_name


def request_with(sessions, value):
    return SimpleNamespace(cookies={sessions.cookie: value})


def test_a_session_gives_back_its_token_until_the_working_day_ends():
    now = [1_000_000.0]
    sessions = Sessions(b"k" * 32, https=False, clock=lambda: now[0])
    value = sessions.value("the-token")
    assert sessions.token_of(request_with(sessions, value)) == "the-token"
    now[0] += WORKING_DAY_SECONDS - 1
    assert sessions.token_of(request_with(sessions, value)) == "the-token"
    now[0] += 2
    assert sessions.token_of(request_with(sessions, value)) is None


def test_a_changed_or_foreign_cookie_opens_nothing():
    sessions = Sessions(b"k" * 32, https=False)
    value = sessions.value("the-token")
    payload, _, signature = value.rpartition(".")
    forged = Sessions(b"x" * 32, https=False).value("admin-token")
    for bad in (payload + "." + signature[:-1] + ("0" if signature[-1] != "0" else "1"), forged, payload, "", "a.b",
                "e30=." + signature):
        assert sessions.token_of(request_with(sessions, bad)) is None


def test_behind_https_the_cookie_is_host_only():
    assert cookie_name(True) == "__Host-staff" and cookie_name(False) == "staff"
