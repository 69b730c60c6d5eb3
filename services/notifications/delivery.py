"""Sending one stored message: claim it, wait for its SMS slot, record the hand-over, call the
provider outside any transaction, record what happened.

A message is sent by the worker that records it, an SMS booking the next slot of the shared rate;
except an SMS that may wait (not shared.kinds.immediate) under a rate: the due timer sends those
behind the immediate ones (`deliver_due`): retries and immediate ones first, then the SMS that may
wait, a window's slots at a time, never booking the rate ahead (storage.py, `claim_behind_many`).

Transient failures back off exponentially with jitter, at most SEND_RETRY_MAX_SECONDS apart, for
as long as the message matters: until SEND_GIVE_UP_HOURS after it was created or the end of its
event, whichever comes first; then it is `failed` with the last reason. Permanent failures fail at
once with the provider's code. A call that may have reached the provider without an answer is
left to reconciliation.py, never simply repeated."""
import datetime
import logging
import random
import time
from dataclasses import dataclass

import eventlet

from services.notifications import sms_rate
from services.notifications.providers.errors import (
    OutcomeUnknownError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from shared.database import utcnow

log = logging.getLogger(__name__)

SENT, FAILED, WAITING = "sent", "failed", "created"
OPTED_OUT = "21610"  # Twilio: the recipient texted STOP to our number
# messages the retry timer sends side by side: each mostly waits for its SMS slot or the provider
DUE_AT_ONCE = 20
# how long one tick of the due timer keeps taking SMS that wait behind, one slot at a time
BEHIND_SECONDS = 1.0


@dataclass(frozen=True)
class SendPolicy:
    retry_base_seconds: float
    retry_max_seconds: float
    give_up_hours: float
    sms_per_second: float
    claim_margin_seconds: float
    provider_timeout_seconds: float

    @classmethod
    def from_config(cls, config):
        return cls(float(config["SEND_RETRY_BASE_SECONDS"]), float(config["SEND_RETRY_MAX_SECONDS"]),
                   float(config["SEND_GIVE_UP_HOURS"]), float(config["SMS_RATE_PER_SECOND"]),
                   float(config["SEND_CLAIM_MARGIN_SECONDS"]), float(config["PROVIDER_TIMEOUT_SECONDS"]))

    @property
    def hand_over_lease_seconds(self):
        """How long a claim holds after hand-over: the call's time limit and the margin. A call
        still unanswered then is taken for lost and its message reconciled."""
        return self.provider_timeout_seconds + self.claim_margin_seconds


def backoff(attempts, base_seconds, max_seconds, rng=random.random):
    """Seconds before attempt `attempts + 1`: base, 2 x base, 4 x base … capped at `max_seconds`,
    the second half of each jittered so that a burst of failures does not retry in step."""
    delay = min(base_seconds * 2 ** max(attempts - 1, 0), max_seconds)
    return delay / 2 + rng() * delay / 2


def give_up_at(created_at, event_ends_at, give_up_hours):
    """When retrying stops: `give_up_hours` after the message was created, or when its event
    ends if that is sooner (a confirmation after the event helps nobody)."""
    limit = created_at + datetime.timedelta(hours=give_up_hours)
    return min(limit, event_ends_at) if event_ends_at is not None else limit


def next_attempt_at(now, attempts, give_up, policy, rng=random.random):
    """When to try again after a transient failure, or None when it is time to give up. The
    last try falls on the give-up time itself."""
    if now >= give_up:
        return None
    delay = backoff(attempts, policy.retry_base_seconds, policy.retry_max_seconds, rng)
    return min(now + datetime.timedelta(seconds=delay), give_up)


def deliver(store, providers, notification_id, policy):
    """Send one message if it is still waiting; returns its new status, or None if not ours."""
    notification = store.claim(notification_id)
    if notification is None:
        return None
    return send(store, providers, notification, policy)


def deliver_due(store, providers, policy, behind_seconds=BEHIND_SECONDS):
    """Send the messages that are due, side by side: retries after backoff, ones handed back and
    emails at once (immediate ones first), then for `behind_seconds` the SMS that wait behind, each
    as its slot comes due. Returns how many were taken."""
    paced = policy.sms_per_second > 0
    interval = 1.0 / policy.sms_per_second if paced else None
    # room for a window's worth of SMS that may wait, each asleep until its slot, besides the rest
    pool = eventlet.GreenPool(DUE_AT_ONCE + (sms_rate.block_size(interval) if paced else 0))

    def one(notification_id, claimed=None, slot_at=None):
        try:
            if claimed is None:
                deliver(store, providers, notification_id, policy)
            else:  # its slot was booked with its claim: waited for from then, not from now
                send(store, providers, claimed, policy, max(slot_at - time.monotonic(), 0.0))
        except Exception:  # the database gone for a moment: the message is due again next time
            log.warning("a due message could not be sent now", exc_info=True,
                        extra={"notification_id": notification_id})

    due = store.due(sms_behind=paced)
    for notification_id in due:
        pool.spawn_n(one, notification_id)
    taken = len(due)
    deadline = time.monotonic() + behind_seconds
    while paced and time.monotonic() < deadline:
        # as many as there are free senders and slots within a block's window, in one transaction
        claimed, wait = store.claim_behind_many(interval, sms_rate.BLOCK_SECONDS, max(pool.free(), 1))
        for notification, slot_wait in claimed:
            pool.spawn_n(one, notification["id"], notification, time.monotonic() + slot_wait)
        taken += len(claimed)
        if claimed:
            # the claimed cover the window: ask again when half of it has gone, for that half at
            # once (asking at every slot would cost a transaction per SMS again)
            wait = sms_rate.BLOCK_SECONDS / 2 if interval < sms_rate.BLOCK_SECONDS else 0.0
        elif wait is None:  # nothing waits
            break
        eventlet.sleep(min(wait, max(deadline - time.monotonic(), 0)))
    pool.waitall()
    return taken


def send(store, providers, notification, policy, slot_wait=None):
    """Send a message this worker has claimed (`sending`); returns its new status, or None when
    its claim lapsed before hand-over (another worker sends it). `slot_wait`: its SMS slot was
    booked with its claim (claim_behind), this many seconds from the claim."""
    notification_id, token = notification["id"], notification["claim_token"]
    if not notification["recipient"]:  # erased (or blanked) while it waited for a retry
        store.failed(notification_id, token, "erased", "the recipient's data was erased before it was sent")
        return FAILED
    if notification["channel"] == "sms" and policy.sms_per_second > 0:
        # Every process books its slots in the shared table (a block at a time), so together they
        # keep the rate; a slot far ahead stretches the claim to it.
        try:
            wait = slot_wait if slot_wait is not None else store.sms_slot(notification, 1.0 / policy.sms_per_second)
        except Exception as exc:
            # Nothing was sent yet: hand the message back rather than leave it `sending`.
            retry_at = utcnow() + datetime.timedelta(seconds=policy.retry_base_seconds)
            store.retry_later(notification_id, token, retry_at, exc)
            raise
        try:
            eventlet.sleep(wait)
        except BaseException:  # the worker is killed (a stop) while waiting: hand the message back now
            _hand_back(store, notification_id, token)
            raise
    if not store.hand_over(notification_id, token, policy.hand_over_lease_seconds):
        log.warning("claim lapsed before hand-over; the message goes back to the queue",
                    extra={"notification_id": notification_id})
        return None
    try:
        provider_ref = providers.send(notification)
    except PermanentDeliveryError as exc:
        log.warning("message failed for good: %s", exc, extra={"notification_id": notification_id})
        store.failed(notification_id, token, exc.code, str(exc))
        if exc.code == OPTED_OUT:  # the provider's own STOP list: ours too
            store.opted_out(notification["recipient"])
        return FAILED
    except TransientDeliveryError as exc:
        return _retry_or_give_up(store, notification, policy, exc)
    except OutcomeUnknownError as exc:
        log.warning("no answer from the provider; the message will be reconciled: %s", exc,
                    extra={"notification_id": notification_id})
        store.outcome_unknown(notification_id, token,
                              utcnow() + datetime.timedelta(seconds=policy.retry_base_seconds), exc)
        return "sending"
    except Exception as exc:
        # Our own fault (a message that cannot be written, a bug): shown, never left `sending`.
        log.exception("message failed on an unexpected error", extra={"notification_id": notification_id})
        store.failed(notification_id, token, "internal", f"{type(exc).__name__}: {exc}")
        return FAILED
    store.sent(notification_id, provider_ref)
    return SENT


def _hand_back(store, notification_id, token):
    try:
        store.retry_later(notification_id, token, utcnow(),
                          TransientDeliveryError("stopped before its send slot", code="stopped"))
    except Exception:  # the database may be going too: the claim then lapses by itself
        log.warning("could not hand a message back at stop", exc_info=True,
                    extra={"notification_id": notification_id})


def _retry_or_give_up(store, notification, policy, exc):
    notification_id, attempts = notification["id"], notification["attempts"]
    give_up = give_up_at(notification["created_at"], store.event_end(notification["event_id"]), policy.give_up_hours)
    retry_at = next_attempt_at(utcnow(), attempts, give_up, policy)
    if retry_at is None:
        log.error("message given up after %d attempts: %s", attempts, exc, extra={"notification_id": notification_id})
        store.failed(notification_id, notification["claim_token"], exc.code,
                     f"gave up after {attempts} attempts (until {give_up.isoformat(timespec='seconds')}): {exc}")
        return FAILED
    # INFO: an outage retries every waiting message every few minutes; /health counts them
    log.info("message will be retried at %s: %s", retry_at.isoformat(timespec="seconds"), exc,
             extra={"notification_id": notification_id})
    store.retry_later(notification_id, notification["claim_token"], retry_at, exc)
    return WAITING
