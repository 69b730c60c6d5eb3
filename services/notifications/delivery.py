"""Sending one stored message: claim it, call the provider outside any transaction, record what
happened. Transient failures back off exponentially with jitter up to a limit; permanent ones
fail at once with the provider's code."""
import logging
import random
from dataclasses import dataclass

import eventlet

from services.notifications.providers.errors import (
    PermanentDeliveryError,
    TransientDeliveryError,
)

log = logging.getLogger(__name__)

MAX_DELAY_SECONDS = 15 * 60


def backoff(attempts, base_seconds, rng=random.random):
    """Seconds before attempt `attempts + 1`: base, 2 x base, 4 x base … capped at 15 minutes,
    the second half of each jittered so that a burst of failures does not retry in step."""
    delay = min(base_seconds * 2 ** (attempts - 1), MAX_DELAY_SECONDS)
    return delay / 2 + rng() * delay / 2


@dataclass(frozen=True)
class SendPolicy:
    max_attempts: int
    retry_base_seconds: float
    sms_per_second: float

    @classmethod
    def from_config(cls, config):
        return cls(int(config["SEND_MAX_ATTEMPTS"]), float(config["SEND_RETRY_BASE_SECONDS"]),
                   float(config["SMS_RATE_PER_SECOND"]))


def deliver(store, providers, notification_id, policy):
    """Send one message if it is still waiting; returns its new status, or None if not ours."""
    notification = store.claim(notification_id)
    if notification is None:
        return None
    return send(store, providers, notification, policy)


def send(store, providers, notification, policy):
    """Send a message this worker has claimed (`sending`); returns its new status."""
    notification_id = notification["id"]
    if notification["channel"] == "sms" and policy.sms_per_second > 0:
        # Every process books its slot in the shared table, so together they keep the rate.
        try:
            wait = store.reserve_slot("sms", 1.0 / policy.sms_per_second)
        except Exception as exc:
            # Nothing was sent yet: hand the message back rather than leave it `sending`.
            store.retry_later(notification_id, policy.retry_base_seconds, exc)
            raise
        eventlet.sleep(wait)
    try:
        provider_ref = providers.send(notification)
    except PermanentDeliveryError as exc:
        log.warning("message failed for good: %s", exc, extra={"notification_id": notification_id})
        store.failed(notification_id, exc)
        return "failed"
    except TransientDeliveryError as exc:
        if notification["attempts"] >= policy.max_attempts:
            log.error("message failed after %d attempts: %s", notification["attempts"], exc,
                      extra={"notification_id": notification_id})
            store.failed(notification_id, exc)
            return "failed"
        delay = backoff(notification["attempts"], policy.retry_base_seconds)
        log.warning("message will be retried in %.0f s: %s", delay, exc, extra={"notification_id": notification_id})
        store.retry_later(notification_id, delay, exc)
        return "created"
    store.sent(notification_id, provider_ref)
    return "sent"
