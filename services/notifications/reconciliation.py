"""Messages whose worker did not finish: claims that lapsed before hand-over go back to the queue,
and messages handed over without a recorded outcome are settled by asking the provider.

Found among the messages Twilio accepted for the number (same text, not another of ours) →
`sent` with Twilio's id; not found → sent again. SMTP cannot be asked, so an email is sent again
(with the same Message-ID: providers/mail.py). A provider that cannot answer now is asked again
later, until the message's give-up time; then it is `failed` as `unknown`."""
import datetime
import logging

from services.notifications.delivery import give_up_at
from services.notifications.providers.errors import TransientDeliveryError
from shared.database import utcnow

log = logging.getLogger(__name__)


def reap(store):
    """Messages claimed by a worker that died or stalled before handing them over: back to
    `created`. Returns how many."""
    count = store.reap()
    if count:
        log.warning("%d message(s) whose claim lapsed before hand-over are queued again", count)
    return count


def settle_unsettled(store, providers, policy):
    """Settle every message handed over whose outcome nobody recorded; returns
    {"sent": n, "again": n, "later": n, "failed": n}."""
    counts = {"sent": 0, "again": 0, "later": 0, "failed": 0}
    for notification_id in store.unsettled():
        notification = store.claim_unsettled(notification_id, policy.hand_over_lease_seconds)
        if notification is not None:
            counts[settle(store, providers, notification, policy)] += 1
    return counts


def settle(store, providers, notification, policy):
    """Settle one claimed unsettled message; returns "sent", "again", "later" or "failed"."""
    notification_id, token = notification["id"], notification["claim_token"]
    try:
        provider_ref = providers.find_sent(notification, store.other_refs(notification))
    except TransientDeliveryError as exc:
        now = utcnow()
        give_up = give_up_at(notification["created_at"], store.event_end(notification["event_id"]),
                             policy.give_up_hours)
        if now >= give_up:
            store.failed(notification_id, token, "unknown",
                         f"the provider could not say whether it was sent: {exc}")
            return "failed"
        store.outcome_unknown(notification_id, token, now + datetime.timedelta(seconds=policy.retry_max_seconds), exc)
        return "later"
    if provider_ref is not None:
        log.info("a message whose answer was lost had been sent", extra={"notification_id": notification_id})
        store.settled_sent(notification_id, token, provider_ref)
        return "sent"
    log.warning("a message whose outcome was unknown had not been sent: sending it again",
                extra={"notification_id": notification_id})
    store.send_again(notification_id, token)
    return "again"
