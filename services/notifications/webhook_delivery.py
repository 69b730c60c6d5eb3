"""Delivering queued webhook POSTs: each subscription on its own, in order, one POST at a time.

Every tick, each subscription with a POST due gets a greenthread of its own (unless one is still
at work for it) that claims the subscription's oldest waiting delivery, POSTs it outside any
transaction, records the outcome and goes on with the next. So a slow or dead receiver delays
only its own subscription's POSTs, never another organizer's. Only the oldest waiting delivery of
a subscription can be claimed, so even several notifications processes keep one POST in flight
per subscription, in order. The first failure holds the subscription back until its backoff is
over."""
import functools
import logging

from services.notifications import webhook_rules
from services.notifications.delivery import backoff
from services.notifications.providers.errors import TransientDeliveryError

log = logging.getLogger(__name__)

# Subscriptions delivered at once by one process: each holds a greenthread and, for a moment, a
# database connection; the others wait for the next tick.
MAX_SUBSCRIPTIONS_AT_ONCE = 50


def deliver_next(store, client, webhook_id, max_attempts, retry_base_seconds):
    """POST the subscription's oldest waiting delivery if it is due; whether to go on with the next."""
    delivery = store.claim_next(webhook_id)
    if delivery is None:
        return False
    try:
        client.post(delivery["url"], delivery["secret"], delivery["source_event_id"],
                    delivery["body"].encode("utf-8"))
    except TransientDeliveryError as exc:
        if delivery["attempts"] >= max_attempts:
            log.warning("webhook %s gave up after %d attempts: %s", webhook_id, delivery["attempts"], exc)
            store.failed(delivery["id"], exc)
            return True
        delay = backoff(delivery["attempts"], retry_base_seconds, webhook_rules.MAX_DELAY_SECONDS)
        store.retry_later(delivery, delay, exc)
        return False
    store.delivered(delivery["id"])
    return True


class Dispatcher:
    """Hands each subscription with POSTs due to a greenthread of its own: `spawn(work)`, the
    container's spawn_managed_thread, so they stop with the service."""

    def __init__(self, client, spawn, max_attempts, retry_base_seconds, at_once=MAX_SUBSCRIPTIONS_AT_ONCE):
        self.client, self.spawn, self.at_once = client, spawn, at_once
        self.max_attempts, self.retry_base_seconds = max_attempts, retry_base_seconds
        self.at_work = set()  # subscriptions a greenthread of this process is delivering

    def check_url(self, url):
        """The URL if a subscription may use it, else ValidationFailed naming `url`."""
        return self.client.check_url(url)

    def tick(self, store):
        """Start delivering every subscription that has a POST due and nobody at work on it."""
        for webhook_id in store.due_subscriptions():
            if len(self.at_work) >= self.at_once:
                return
            if webhook_id not in self.at_work:
                self.at_work.add(webhook_id)
                try:
                    self.spawn(functools.partial(self._deliver_all, store, webhook_id))
                except BaseException:
                    self.at_work.discard(webhook_id)
                    raise

    def _deliver_all(self, store, webhook_id):
        try:
            while deliver_next(store, self.client, webhook_id, self.max_attempts, self.retry_base_seconds):
                pass
        except Exception:  # the database went away for a moment: the lease expires, the next tick retries
            log.exception("delivering webhook %s failed", webhook_id)
        finally:
            self.at_work.discard(webhook_id)
