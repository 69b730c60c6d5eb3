"""Sending one stored message: claim it, call the provider outside any transaction, record what
happened. Transient failures back off exponentially with jitter up to a limit; permanent ones
fail at once with the provider's code."""
import logging
import random

from services.notifications.providers.errors import PermanentDeliveryError, TransientDeliveryError

log = logging.getLogger(__name__)

BASE_DELAY_SECONDS = 5
MAX_DELAY_SECONDS = 15 * 60


def backoff(attempts, rng=random.random):
    """Seconds before attempt `attempts + 1`: 5, 10, 20 … s, capped, with full jitter on half."""
    delay = min(BASE_DELAY_SECONDS * 2 ** (attempts - 1), MAX_DELAY_SECONDS)
    return delay / 2 + rng() * delay / 2


def deliver(store, providers, notification_id, max_attempts):
    """Send one message if it is still waiting; returns its new status, or None if not ours."""
    notification = store.claim(notification_id)
    if notification is None:
        return None
    try:
        provider_ref = providers.send(notification)
    except PermanentDeliveryError as exc:
        log.warning("message failed for good: %s", exc, extra={"notification_id": notification_id})
        store.failed(notification_id, exc)
        return "failed"
    except TransientDeliveryError as exc:
        if notification["attempts"] >= max_attempts:
            log.error("message failed after %d attempts: %s", notification["attempts"], exc,
                      extra={"notification_id": notification_id})
            store.failed(notification_id, exc)
            return "failed"
        delay = backoff(notification["attempts"])
        log.warning("message will be retried in %.0f s: %s", delay, exc, extra={"notification_id": notification_id})
        store.retry_later(notification_id, delay, exc)
        return "created"
    store.sent(notification_id, provider_ref)
    return "sent"
