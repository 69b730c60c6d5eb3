"""Limits against abuse, through HTTP against the running system: code guessing, seat hoarding and
a sign-up-and-cancel loop to one number stop at their limits; X-Forwarded-For counts only from a
trusted proxy. Clients come from addresses of their own on the loopback network (127.0.0.x), so
each is a real peer with its own counts; 127.0.0.2 plays the reverse proxy."""
import uuid

import pytest
import requests

from tests.conftest import wait_until
from tests.e2e.helpers import create_event, sign_up
from tests.system import STAFF_TOKEN, start_system

pytestmark = pytest.mark.e2e

PROXY = "127.0.0.2"
CODES_PER_MINUTE = 10
SEAT_CAP = 10
MESSAGES_PER_DAY = 4
WRONG_CODE = "ABCD-EFGH"


class _FromAddress(requests.adapters.HTTPAdapter):
    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Client:
    """HTTP to the system from one loopback address (what tests.system.System.call does)."""

    def __init__(self, system, address):
        self.base_url = system.base_url
        self.http = requests.Session()
        self.http.mount("http://", _FromAddress(address))

    def call(self, method, path, staff=False, **kwargs):
        headers = kwargs.pop("headers", {})
        if staff:
            headers["Authorization"] = f"Bearer {STAFF_TOKEN}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    system, stop = start_system(
        tmp_path_factory.mktemp("limited"), RATE_LIMITS="on", TRUSTED_PROXIES=PROXY,
        RATE_LIMIT_CODES=f"{CODES_PER_MINUTE}/minute", RATE_LIMIT_SIGNUPS="100/minute",
        SEATS_PER_ADDRESS_PER_EVENT=str(SEAT_CAP), MESSAGES_PER_NUMBER_PER_DAY=str(MESSAGES_PER_DAY),
        SMS_DAILY_BUDGET="1000", CLIENT_REF_SECRET="e2e-client-ref-secret")
    yield system
    stop()


def guesses(client, count, headers=None):
    return [client.call("GET", f"/api/registrations/{WRONG_CODE}", headers=headers or {}) for _ in range(count)]


def test_guessing_codes_gets_429_with_retry_after_and_the_limited_address_can_cancel_nothing(limited):
    event = create_event(limited)
    maija = sign_up(Client(limited, "127.0.0.4"), event["id"], {"name": "Maija", "phone": "0401230001"}).json()
    guesser = Client(limited, "127.0.0.3")
    answers = guesses(guesser, CODES_PER_MINUTE)
    assert {a.status_code for a in answers} == {404}
    refused = guesser.call("DELETE", f"/api/registrations/{maija['cancel_code']}")  # a right guess, too late
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_requests" and refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert guesser.call("POST", f"/api/registrations/{maija['cancel_code']}/erase").status_code == 429
    # nothing happened to Maija's registration, and she (another address) still reaches it
    own = Client(limited, "127.0.0.4").call("GET", f"/api/registrations/{maija['cancel_code']}")
    assert own.status_code == 200 and own.json()["status"] == "confirmed" and own.json()["name"] == "Maija"


def test_forwarded_for_from_an_untrusted_peer_is_ignored(limited):
    client = Client(limited, "127.0.0.5")
    answers = [client.call("GET", f"/api/registrations/{WRONG_CODE}", headers={"X-Forwarded-For": f"198.51.100.{n}"})
               for n in range(CODES_PER_MINUTE + 1)]
    assert [a.status_code for a in answers][-1] == 429


def test_forwarded_for_from_the_trusted_proxy_is_believed(limited):
    proxy = Client(limited, PROXY)
    # many clients behind the proxy: each has its own count
    answers = [proxy.call("GET", f"/api/registrations/{WRONG_CODE}", headers={"X-Forwarded-For": f"203.0.113.{n}"})
               for n in range(CODES_PER_MINUTE + 5)]
    assert {a.status_code for a in answers} == {404}
    # one client behind it is limited, whatever it wrote into the header itself
    one = guesses(proxy, CODES_PER_MINUTE + 1, headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.77"})
    assert one[-1].status_code == 429
    assert guesses(proxy, 1, headers={"X-Forwarded-For": "198.51.100.78"})[0].status_code == 404


def test_a_bot_takes_no_more_than_the_cap_of_seats_from_one_address_and_staff_are_exempt(limited):
    event = create_event(limited, capacity=500)
    bot = Client(limited, "127.0.0.7")
    answers = [sign_up(bot, event["id"], {"name": "Bot", "email": f"{uuid.uuid4().hex[:8]}@example.fi", "seats": 5})
               for _ in range(6)]
    assert [a.status_code for a in answers] == [201, 201, 429, 429, 429, 429]
    assert answers[2].json()["error"]["code"] == "too_many_seats" and "Retry-After" in answers[2].headers
    assert limited.call("GET", f"/api/events/{event['id']}").json()["seats_left"] == 500 - SEAT_CAP
    # a staff member at the same address signs residents up on their behalf
    assisted = sign_up(bot, event["id"], {"name": "Aino", "phone": "0401230002", "seats": 5, "consent": True},
                       headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
    assert assisted.status_code == 201
    # and someone at another address is not affected
    assert sign_up(Client(limited, "127.0.0.8"), event["id"], {"name": "Eero", "phone": "0401230003"}).status_code == 201


def test_a_sign_up_and_cancel_loop_stops_messaging_the_number_at_the_cap(limited):
    event = create_event(limited, title={"fi": "Silmukka"})
    number, rounds = "+358401230009", 5
    looper = Client(limited, "127.0.0.6")
    for _ in range(rounds):
        signed = sign_up(looper, event["id"], {"name": "Maija", "phone": number})
        assert signed.status_code == 201
        assert looper.call("DELETE", f"/api/registrations/{signed.json()['cancel_code']}").status_code == 200

    def roster_messages():
        roster = limited.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
        found = [m for r in roster for m in r["messages"]]
        return found if len(found) == 2 * rounds and all(m["status"] != "sending" for m in found) else None

    told = wait_until(roster_messages, timeout=30, message="every message recorded")
    capped = [m for m in told if m["status"] == "capped"]
    assert len(capped) == 2 * rounds - MESSAGES_PER_DAY
    assert {m["error_code"] for m in capped} == {"messages_per_number_per_day"}
    to_number = [m for m in limited.sms.all() if m["To"] == number]
    assert len(to_number) == MESSAGES_PER_DAY


def test_rate_limits_off_turns_every_limit_off(system):
    """The shared test system runs with RATE_LIMITS=off (tests/system.py), as `make bench` does."""
    answers = guesses(system, 30)
    assert {a.status_code for a in answers} == {404}


def test_a_retried_or_refused_sign_up_does_not_use_up_the_address_s_seats(limited):
    event = create_event(limited, capacity=500)
    family = Client(limited, "127.0.0.9")
    body = {"name": "Maija", "phone": "0401230010", "seats": 5}
    first = sign_up(family, event["id"], body, headers={"Idempotency-Key": "k-1"})
    retried = sign_up(family, event["id"], body, headers={"Idempotency-Key": "k-1"})  # the answer was lost
    assert (first.status_code, retried.status_code) == (201, 200)
    typo = sign_up(family, event["id"], {"name": "Eero", "phone": "12", "seats": 5})
    assert typo.status_code == 422
    # the family's second group still fits under the cap of 10
    assert sign_up(family, event["id"], {"name": "Eero", "phone": "0401230011", "seats": 5}).status_code == 201


def test_past_the_daily_sms_budget_anonymous_sms_wait_and_the_admin_is_told_once(tmp_path):
    system, stop = start_system(tmp_path, SMS_DAILY_BUDGET="2", MESSAGES_PER_NUMBER_PER_DAY="5",
                                ADMIN_EMAIL="valvoja@example.fi")
    try:
        event = create_event(system, title={"fi": "Budjetti"})
        for n in range(4):
            assert sign_up(system, event["id"], {"name": "Maija", "phone": f"04012300{20 + n}"}).status_code == 201

        def roster_messages():
            roster = system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
            found = [m for r in roster for m in r["messages"]]
            return found if len(found) == 4 and all(m["status"] not in ("sending",) for m in found) else None

        told = wait_until(roster_messages, timeout=30, message="every message recorded")
        waiting = [m for m in told if m["status"] == "created"]
        assert [m["error_code"] for m in waiting] == ["sms_daily_budget"] * 2
        [notice] = system.mail.wait_for(1)
        assert notice["rcpt_tos"] == ["valvoja@example.fi"] and "SMS_DAILY_BUDGET" in notice["text"]
        assert len(system.sms.all()) == 2
        # staff's messages still go: calling the event off tells everyone now (the two waiting too)
        assert system.call("POST", f"/api/events/{event['id']}/cancel", staff=True).status_code == 200
        system.sms.wait_for(6)
        assert len(system.mail.all()) == 1
    finally:
        stop()
