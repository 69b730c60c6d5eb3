"""The gateway's limits per client address: who the client is, what counts, and the limiter over
its real storages (memory; Redis, shared between two gateways, when Redis runs here)."""
import uuid

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.rate_limits import (
    Limits,
    client_address,
    client_key,
    client_ref,
    requested_seats,
    trusted_networks,
)
from shared.config import service_config
from shared.errors import TooManyRequests, ValidationFailed

PROXIES = trusted_networks("10.0.0.1, 192.168.0.0/16, fd00::/8")


def request_from(peer, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return Request(EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ())


def limits(**settings):
    return Limits(service_config("gateway", {"RATE_LIMITS": "on", "CLIENT_REF_SECRET": "s" * 32, **settings}))


def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    assert client_address("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"


def test_a_trusted_proxy_is_believed_and_addresses_the_client_wrote_further_left_are_not():
    assert client_address("10.0.0.1", "198.51.100.1", PROXIES) == "198.51.100.1"
    # the client wrote "1.2.3.4" itself; our two proxies appended what they saw
    assert client_address("10.0.0.1", "1.2.3.4, 198.51.100.7, 192.168.3.3", PROXIES) == "198.51.100.7"


def test_a_garbled_forwarded_entry_stops_the_walk_at_the_last_good_address():
    # what lies left of a garbled entry cannot be told apart from what the client wrote
    assert client_address("10.0.0.1", "198.51.100.1, junk", PROXIES) == "10.0.0.1"


def test_an_ipv4_client_on_an_ipv6_socket_is_that_ipv4_client():
    assert client_address("::ffff:203.0.113.9", None, PROXIES) == "203.0.113.9"


def test_ipv6_clients_count_per_64_block_and_ipv4_per_address():
    assert client_key("2001:db8:1:2::5") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::5") != client_key("2001:db8:1:2::5")
    assert client_key("203.0.113.9") == "203.0.113.9"


def test_a_bad_trusted_proxy_setting_is_named():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        trusted_networks("10.0.0.1, proxy.example")


def test_client_ref_is_a_keyed_hash_that_does_not_show_the_address():
    ref = client_ref(b"secret-a", "203.0.113.9")
    assert ref == client_ref(b"secret-a", "203.0.113.9") != client_ref(b"secret-b", "203.0.113.9")
    assert "203" not in ref and len(ref) == 32


def test_seats_are_counted_as_registration_will_read_them():
    assert requested_seats({"seats": 4}) == 4
    assert requested_seats({}) == 1
    assert requested_seats({"seats": "4"}) == requested_seats({"seats": True}) == requested_seats([]) == 1


def test_code_uses_over_the_limit_answer_429_with_retry_after():
    limiter = limits(RATE_LIMIT_CODES="3/minute")
    for _ in range(3):
        limiter.code_use(request_from("203.0.113.9"))
    with pytest.raises(TooManyRequests) as refused:
        limiter.code_use(request_from("203.0.113.9"))
    assert refused.value.http_status == 429 and refused.value.code == "too_many_requests"
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
    limiter.code_use(request_from("203.0.113.10"))  # another address has its own count


def sign_up(limiter, request, event_id, body, staff=None, fails=False):
    """A sign-up through the limiter, as the gateway makes it; `fails`: registration refuses it.
    Returns its client reference."""
    try:
        with limiter.sign_up(request, event_id, body, staff) as admission:
            if fails:
                raise ValidationFailed("The contact details are not usable.")
            return admission.client_ref
    except ValidationFailed:
        return None


def test_rate_limits_off_counts_nothing():
    limiter = limits(RATE_LIMITS="off", RATE_LIMIT_CODES="1/minute", SEATS_PER_ADDRESS_PER_EVENT="1")
    for _ in range(5):
        limiter.code_use(request_from("203.0.113.9"))
        assert sign_up(limiter, request_from("203.0.113.9"), "e-1", {"seats": 5})


def test_one_address_takes_at_most_the_cap_of_seats_of_an_event():
    limiter = limits(SEATS_PER_ADDRESS_PER_EVENT="10")
    bot = request_from("203.0.113.9")
    sign_up(limiter, bot, "e-1", {"seats": 5})
    sign_up(limiter, bot, "e-1", {"seats": 3})
    with pytest.raises(TooManyRequests) as refused:
        sign_up(limiter, bot, "e-1", {"seats": 5})
    assert refused.value.code == "too_many_seats" and int(refused.value.headers["Retry-After"]) > 29 * 24 * 3600
    # the refused five were not counted: two more still fit, and then none
    sign_up(limiter, bot, "e-1", {"seats": 2})
    with pytest.raises(TooManyRequests):
        sign_up(limiter, bot, "e-1", {})
    sign_up(limiter, bot, "e-2", {"seats": 5})  # another event


def test_seats_of_a_sign_up_that_fails_or_repeats_go_back_to_the_address():
    limiter = limits(SEATS_PER_ADDRESS_PER_EVENT="5")
    resident = request_from("203.0.113.9")
    for _ in range(3):  # a typo in the phone number, three times
        sign_up(limiter, resident, "e-1", {"seats": 5}, fails=True)
    with limiter.sign_up(resident, "e-1", {"seats": 5}, None) as admission:
        admission.release()  # registration answered: already registered
    sign_up(limiter, resident, "e-1", {"seats": 5})
    with pytest.raises(TooManyRequests):
        sign_up(limiter, resident, "e-1", {"seats": 1})


def test_staff_sign_ups_are_not_limited_and_carry_no_client_ref():
    limiter = limits(SEATS_PER_ADDRESS_PER_EVENT="1", RATE_LIMIT_SIGNUPS="1/minute")
    for _ in range(3):
        assert sign_up(limiter, request_from("203.0.113.9"), "e-1", {"seats": 5}, staff={"id": "s-1"}) is None
    assert sign_up(limiter, request_from("203.0.113.9"), "e-1", {}) == client_ref(b"s" * 32, "203.0.113.9")


def test_two_gateways_share_their_counts_through_redis():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379", socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings = {"RATE_LIMIT_STORAGE_URL": "redis://127.0.0.1:6379", "RATE_LIMIT_CODES": "4/minute",
                "SEATS_PER_ADDRESS_PER_EVENT": "6"}
    first, second = limits(**settings), limits(**settings)
    # an address of its own each run, so that earlier runs' counts do not matter
    address = f"2001:db8:{uuid.uuid4().int % 65536:x}::1"
    for gateway in (first, second, first, second):
        gateway.code_use(request_from(address))
    with pytest.raises(TooManyRequests):
        second.code_use(request_from(address))
    # and the seats of an event taken from one address
    event_id = str(uuid.uuid4())
    sign_up(first, request_from(address), event_id, {"seats": 4})
    with pytest.raises(TooManyRequests):
        sign_up(second, request_from(address), event_id, {"seats": 3})


def test_an_unreachable_storage_lets_residents_through_and_says_so(caplog):
    limiter = limits(RATE_LIMIT_STORAGE_URL="redis://127.0.0.1:1", RATE_LIMIT_CODES="1/minute")
    for _ in range(3):
        limiter.code_use(request_from("203.0.113.9"))
        assert sign_up(limiter, request_from("203.0.113.9"), "e-1", {"seats": 5})
    assert "rate-limit storage unreachable" in caplog.text


def test_a_retry_is_let_past_the_seat_cap_only_while_registration_still_keeps_its_key():
    from services.gateway import rate_limits
    from services.registration import rules
    assert 0 < rate_limits.IDEMPOTENCY_KEY_SECONDS < rules.IDEMPOTENCY_KEY_LIFETIME.total_seconds()


def test_wrong_staff_tokens_count_against_their_address_and_good_ones_never_do():
    """Guessing staff tokens is as slow as guessing cancel codes; staff with a good token are never
    held back, however many wrong ones came from their address."""
    from unittest.mock import Mock

    from services.gateway.dependencies import _Authenticator
    from shared.errors import Unauthorized

    counted = limits(RATE_LIMIT_CODES="3/minute", RATE_LIMIT_STORAGE_URL=f"memory://{uuid.uuid4().hex}")
    catalog = Mock()
    catalog.authenticate.side_effect = lambda token: {"id": "s-1", "admin": False} if token == "good" else None
    auth = _Authenticator(catalog, "", {}, count_guess=counted.code_use)

    def with_token(token, peer="203.0.113.9"):
        return Request(EnvironBuilder(headers={"Authorization": f"Bearer {token}"},
                                      environ_base={"REMOTE_ADDR": peer}).get_environ())

    for guess in range(3):
        with pytest.raises(Unauthorized):
            auth.staff(with_token(f"guess-{guess}"))
    with pytest.raises(TooManyRequests):
        auth.staff(with_token("guess-3"))
    assert auth.staff(with_token("good"))["id"] == "s-1"
    with pytest.raises(Unauthorized):  # another address is not held back by this one's guesses
        auth.staff(with_token("guess-4", peer="198.51.100.5"))
