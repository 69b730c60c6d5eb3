"""Delivering queued webhook POSTs: claim one, POST it outside any transaction, record the outcome.

Per subscription in order; the first failure holds that subscription back until its backoff is
over, so one receiver being down slows nobody else's."""
import logging

from services.notifications import webhooks
from services.notifications.providers.errors import TransientDeliveryError

log = logging.getLogger(__name__)


def deliver_due(store, client, max_attempts, retry_base_seconds):
    """Try every due delivery once; returns how many reached their receiver."""
    delivered, held_back = 0, set()
    for delivery_id, webhook_id in store.due():
        if webhook_id in held_back:
            continue
        delivery = store.claim(delivery_id)
        if delivery is None:
            continue
        try:
            client.post(delivery["url"], delivery["secret"], delivery["source_event_id"],
                        delivery["body"].encode("utf-8"))
        except TransientDeliveryError as exc:
            held_back.add(webhook_id)
            if delivery["attempts"] >= max_attempts:
                log.warning("webhook %s gave up after %d attempts: %s", webhook_id, delivery["attempts"], exc)
                store.failed(delivery_id, exc)
            else:
                store.retry_later(delivery, webhooks.backoff(delivery["attempts"], retry_base_seconds), exc)
            continue
        store.delivered(delivery_id)
        delivered += 1
    return delivered
