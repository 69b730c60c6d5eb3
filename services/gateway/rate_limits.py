"""Limits against abuse, per client address: how often one address may sign up or use a code, and
how many seats of one event it may take.

Who the client is: the peer's address, or, when the peer is one of TRUSTED_PROXIES, the address
that proxy says it forwarded (X-Forwarded-For, read from the right and past our own proxies only:
anything further left was written by the client and proves nothing). IPv6 clients count per /64,
the block one subscriber is given, so that hopping within it does not escape the limits.

Counts live in the `limits` library's storage (RATE_LIMIT_STORAGE_URL): `memory://` for one
gateway, `redis://…` shared by every gateway copy. Request rates use moving windows (a burst at
the turn of a minute gets no second allowance); seats are a counter per address and event that
a refused or repeated sign-up gives back to.
"""
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
import time

from limits import RateLimitItemPerDay, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from shared.errors import TooManyRequests

log = logging.getLogger(__name__)

IPV6_SUBSCRIBER_PREFIX = 64
# A sign-up's seats count against its address for this long: events open weeks ahead.
SEAT_WINDOW_DAYS = 30
# Registration keeps an Idempotency-Key a day (services/registration/rules.py); a retry is let past
# the seat cap a little less long, so that it never reaches registration after its key is gone.
IDEMPOTENCY_KEY_SECONDS = 24 * 3600 - 300


def trusted_networks(value):
    """The networks of TRUSTED_PROXIES ("10.0.0.1, 10.1.0.0/16"); ValueError naming a bad one."""
    networks = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {item!r} is not an address or a CIDR block")
    return tuple(networks)


def _address(text):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # an IPv4 client reaching an IPv6 socket is still that IPv4 client
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address, networks):
    return any(address.version == network.version and address in network for network in networks)


def client_address(peer, forwarded_for, networks):
    """The client's address: `peer` unless it is a trusted proxy, then the right-most address of
    X-Forwarded-For that is not one of our proxies (a garbled entry stops the walk there)."""
    address = _address(peer or "")
    if address is None:
        return peer or "unknown"
    if not forwarded_for or not _trusted(address, networks):
        return str(address)
    for hop in reversed(forwarded_for.split(",")):
        forwarded = _address(hop)
        if forwarded is None:
            break
        address = forwarded
        if not _trusted(address, networks):
            break
    return str(address)


def client_key(address):
    """What the limits count by: the IPv4 address, or the /64 an IPv6 address is in."""
    parsed = _address(address)
    if parsed is None or parsed.version == 4:
        return address
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_SUBSCRIBER_PREFIX}", strict=False))


def client_ref(secret, key):
    """A keyed hash of the client key: the same for every sign-up from one address, so staff can
    see and cancel them together, without keeping the address (personal data)."""
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()[:32]


def requested_seats(body):
    """The seats a sign-up body asks for, as the registration service will read them; a body it
    will refuse counts as one."""
    seats = body.get("seats", 1) if isinstance(body, dict) else 1
    return seats if type(seats) is int and 1 <= seats <= 100 else 1


class Admission:
    """A sign-up let through: its `client_ref`, and the seats it holds of its address's cap."""

    def __init__(self, client_ref):
        self.client_ref = client_ref
        self.seats = None  # gives the held seats back; None when none are held

    def release(self):
        """The sign-up took no seats (it failed, or repeated an earlier one): give them back."""
        give_back, self.seats = self.seats, None
        if give_back is not None:
            give_back()


class Limits:
    """The limits of one gateway process over a shared storage. `enabled` False (RATE_LIMITS=off)
    counts nothing; the client reference is computed either way."""

    def __init__(self, config):
        self.enabled = config["RATE_LIMITS"].strip().lower() not in ("off", "false", "0", "no")
        self.networks = trusted_networks(config["TRUSTED_PROXIES"])
        secret = config["CLIENT_REF_SECRET"]
        if not secret:
            log.warning("CLIENT_REF_SECRET not set: sign-ups' client references are keyed with a random "
                        "secret of this process, so other gateway copies and restarts will not match them")
            secret = secrets.token_hex(32)
        self.secret = secret.encode()
        try:
            self.sign_up_rates = parse_many(config["RATE_LIMIT_SIGNUPS"])
            self.code_rates = parse_many(config["RATE_LIMIT_CODES"])
        except ValueError as exc:
            raise ValueError(f"RATE_LIMIT_SIGNUPS / RATE_LIMIT_CODES: {exc}")
        seats = int(config["SEATS_PER_ADDRESS_PER_EVENT"])
        self.seat_cap = RateLimitItemPerDay(seats, SEAT_WINDOW_DAYS) if seats > 0 else None
        self.storage = storage_from_string(config["RATE_LIMIT_STORAGE_URL"]) if self.enabled else None
        self.limiter = MovingWindowRateLimiter(self.storage) if self.enabled else None

    def client(self, request):
        """The client key of `request` (see client_key)."""
        return client_key(client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                         self.networks))

    @contextlib.contextmanager
    def sign_up(self, request, event_id, body, staff):
        """Count a sign-up against its address, around the sign-up itself: yields its Admission
        (with the client reference; None for staff, who sign residents up on their behalf and
        are not limited). TooManyRequests when over a limit. Seats of a sign-up that fails, or
        that `release`s them (a repeat takes none), go back to the address's allowance."""
        if staff is not None:
            yield Admission(None)
            return
        key = self.client(request)
        self._hit("sign-ups", self.sign_up_rates, key)
        admission = Admission(client_ref(self.secret, key))
        counted = self.seat_cap is not None and self.storage is not None
        made = counted and self._made_by_key(key, event_id, request.headers.get("Idempotency-Key"))
        # A retry of a sign-up that was made (its answer lost) holds no seats again: its own seats
        # may be what filled the address's allowance, and a retry must get its first answer.
        if counted and not (made and self._count(made)):
            admission.seats = self._hold_seats(self.seat_cap.key_for("seats", key, event_id), requested_seats(body))
        try:
            yield admission
        except BaseException:
            admission.release()
            raise
        if made and admission.seats is not None:  # a new registration: its key may be retried
            self._note(made)

    def admitted(self, request, target_id, body, staff, make):
        """`make(client_ref)` (registration's sign-up or enrolment, answering with `repeat_of`)
        counted against the address as a sign-up, as `sign_up` counts it; a repeat takes no seats,
        so its seats go back to the address's allowance."""
        with self.sign_up(request, target_id, body, staff) as admission:
            answer = make(admission.client_ref)
            if answer["repeat_of"] is not None:
                admission.release()  # no seats taken
        return answer

    def _made_by_key(self, key, event_id, idempotency_key):
        """The counter that notes a sign-up made with this Idempotency-Key from this address, for
        as long as registration keeps the key (None without a key)."""
        if not idempotency_key:
            return None
        hashed = hashlib.sha256(idempotency_key.encode()).hexdigest()
        return self.seat_cap.key_for("made", key, event_id, hashed)

    def _count(self, counter):
        try:
            return self.storage.get(counter) > 0
        except Exception:
            log.exception("rate-limit storage unreachable: a retry's key not looked up")
            return False

    def _note(self, counter):
        try:
            self.storage.incr(counter, IDEMPOTENCY_KEY_SECONDS)
        except Exception:
            log.exception("rate-limit storage unreachable: a sign-up's key not noted")

    def _hold_seats(self, counter, seats):
        """Add `seats` to the address's seats of the event unless that passes the cap; a
        function that gives them back, or None when nothing was counted. Added first and given
        back when over, so that concurrent requests can never together pass the cap."""
        expiry = self.seat_cap.get_expiry()
        try:
            held = self.storage.incr(counter, expiry, amount=seats)
            if held > self.seat_cap.amount:
                self.storage.incr(counter, expiry, amount=-seats)
                retry_after = max(1, math.ceil(self.storage.get_expiry(counter) - time.time()))
            else:
                return lambda: self._give_back(counter, expiry, seats)
        except Exception:
            log.exception("rate-limit storage unreachable: seats not counted")
            return None
        raise TooManyRequests("This address has booked as many seats of this event as one may; "
                              "ask the organizer for more.", retry_after=retry_after, code="too_many_seats")

    def _give_back(self, counter, expiry, seats):
        try:
            self.storage.incr(counter, expiry, amount=-seats)
        except Exception:
            log.exception("rate-limit storage unreachable: seats not given back")

    def code_use(self, request):
        """Count a look-up, cancel or erase by code against its address (guessing codes is slow)."""
        self._hit("codes", self.code_rates, self.client(request))

    def _hit(self, kind, items, key):
        if self.limiter is None:
            return
        try:
            for item in items:
                if not self.limiter.hit(item, kind, key):
                    reset_at = self.limiter.get_window_stats(item, kind, key).reset_time
                    raise TooManyRequests("Too many requests from this address; try again later.",
                                          retry_after=max(1, math.ceil(reset_at - time.time())))
        except TooManyRequests:
            raise
        except Exception:
            # A storage that is down must not stop residents from signing up: let the request
            # through and say so (messages stay capped per number in notifications).
            log.exception("rate-limit storage unreachable: %s not counted", kind)
