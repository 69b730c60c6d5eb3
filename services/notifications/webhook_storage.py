"""Storage verbs of organizers' webhooks: subscriptions, and one delivery row per event and
subscription, queued in the transaction that handles the event."""
import datetime
import json
import uuid

from sqlalchemy import bindparam, func, select, update

from services.notifications import webhook_rules as rules
from services.notifications.tables import webhook_deliveries, webhooks
from shared.database import insert_ignoring_conflict, transaction_memo, utcnow
from shared.errors import NotFound
from shared.organizers import check_owner

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# A claimed delivery is not tried again by another worker for this long (a crash mid-POST is
# retried after it: at least once).
LEASE = datetime.timedelta(seconds=60)


# built once: it runs for every registration event (see shared.database.insert_ignoring_conflict)
LIVE_SUBSCRIPTIONS = select(webhooks.c.id).where(webhooks.c.organizer == bindparam("organizer"),
                                                 webhooks.c.revoked_at.is_(None))


def queue(session, organizer, envelope_id, body, event_id, registration_id=None):
    """One pending delivery per live subscription of `organizer`; a repeat of the event adds none."""
    now = utcnow()
    memo, key = transaction_memo(session), ("webhooks", organizer)  # read once per group commit
    if key not in memo:
        memo[key] = session.execute(LIVE_SUBSCRIPTIONS, {"organizer": organizer}).scalars().all()
    ids = memo[key]
    text = json.dumps(body, ensure_ascii=False)
    for webhook_id in ids:
        insert_ignoring_conflict(session, webhook_deliveries, {
            "id": str(uuid.uuid4()), "webhook_id": webhook_id, "source_event_id": envelope_id,
            "event_id": event_id, "registration_id": registration_id, "body": text, "status": PENDING,
            "attempts": 0, "next_attempt_at": now, "created_at": now,
        }, index_elements=["webhook_id", "source_event_id"])


class WebhookStore:
    def __init__(self, database):
        self.database = database

    def subscribe(self, organizer, url, created_by):
        """A new subscription to `url` (checked by the caller: WebhookClient.check_url); its secret
        is in this answer and never again."""
        row = {"id": str(uuid.uuid4()), "organizer": organizer, "url": url,
               "secret": rules.new_secret(), "created_by": created_by, "created_at": utcnow()}
        with self.database.transaction() as session:
            session.execute(webhooks.insert().values(**row))
        return {**self._public(row), "secret": row["secret"]}

    def subscriptions(self, organizer=None):
        """Live subscriptions (of one organizer, or all), with how their deliveries stand."""
        with self.database.transaction() as session:
            query = select(webhooks).where(webhooks.c.revoked_at.is_(None)).order_by(webhooks.c.created_at)
            if organizer is not None:
                query = query.where(webhooks.c.organizer == organizer)
            rows = session.execute(query).mappings().all()
            ids = [r["id"] for r in rows]
            counts = session.execute(
                select(webhook_deliveries.c.webhook_id, webhook_deliveries.c.status, func.count().label("n"))
                .where(webhook_deliveries.c.webhook_id.in_(ids))
                .group_by(webhook_deliveries.c.webhook_id, webhook_deliveries.c.status)
            ).all()
            # what went wrong last, while something is still waiting: "is our receiver down?"
            errors = session.execute(
                select(webhook_deliveries.c.webhook_id, webhook_deliveries.c.last_error)
                .where(webhook_deliveries.c.webhook_id.in_(ids), webhook_deliveries.c.status != DELIVERED,
                       webhook_deliveries.c.last_error.is_not(None))
                .order_by(webhook_deliveries.c.created_at)
            ).all()
        found = [{**self._public(r), "deliveries": dict.fromkeys((PENDING, DELIVERED, FAILED), 0), "last_error": None}
                 for r in rows]
        by_id = {w["id"]: w for w in found}
        for webhook_id, status, n in counts:
            by_id[webhook_id]["deliveries"][status] = n
        for webhook_id, error in errors:
            by_id[webhook_id]["last_error"] = error
        return found

    def unsubscribe(self, webhook_id, organizer=None):
        with self.database.transaction() as session:
            row = session.execute(select(webhooks).where(webhooks.c.id == webhook_id,
                                                         webhooks.c.revoked_at.is_(None))).mappings().first()
            if row is None:
                raise NotFound("No such webhook.", code="webhook_not_found")
            check_owner(row["organizer"], organizer, "webhook")
            session.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(revoked_at=utcnow()))
        return self._public(row)

    # --- delivering ------------------------------------------------------------------------

    def due_subscriptions(self, limit=500):
        """Ids of live subscriptions with a delivery waiting whose time has come."""
        with self.database.transaction() as session:
            return session.execute(
                select(webhook_deliveries.c.webhook_id).distinct()
                .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
                .where(webhook_deliveries.c.status == PENDING, webhook_deliveries.c.next_attempt_at <= utcnow(),
                       webhooks.c.revoked_at.is_(None))
                .limit(limit)
            ).scalars().all()

    def claim_next(self, webhook_id):
        """The subscription's oldest waiting delivery with its URL and secret, leased to this worker;
        None if it is not due (or another worker holds it). Only the oldest can be claimed, so a
        subscription has one POST in flight at a time, in order, whichever process sends it."""
        now = utcnow()
        with self.database.transaction() as session:
            oldest = session.execute(
                select(webhook_deliveries.c.id, webhook_deliveries.c.next_attempt_at, webhooks.c.revoked_at)
                .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
                .where(webhook_deliveries.c.webhook_id == webhook_id, webhook_deliveries.c.status == PENDING)
                .order_by(webhook_deliveries.c.created_at, webhook_deliveries.c.id).limit(1)
            ).mappings().first()
            if oldest is None or oldest["revoked_at"] is not None or oldest["next_attempt_at"] > now:
                return None
            # the same condition again as the update's own: of two workers, one wins
            claimed = session.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id == oldest["id"], webhook_deliveries.c.status == PENDING,
                       webhook_deliveries.c.next_attempt_at <= now)
                .values(next_attempt_at=now + LEASE, attempts=webhook_deliveries.c.attempts + 1)
                .returning(*webhook_deliveries.c)
            ).mappings().first()
            if claimed is None:
                return None
            webhook = session.execute(select(webhooks.c.url, webhooks.c.secret)
                                      .where(webhooks.c.id == webhook_id)).mappings().one()
        return {**claimed, **webhook}

    def delivered(self, delivery_id):
        with self.database.transaction() as session:
            session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                            .values(status=DELIVERED, delivered_at=utcnow(), last_error=None))

    def retry_later(self, delivery, delay_seconds, error):
        """Try again after the delay, and hold the subscription's other deliveries back as long:
        a receiver that is down gets one try per backoff step, not one per queued event."""
        later = utcnow() + datetime.timedelta(seconds=delay_seconds)
        with self.database.transaction() as session:
            session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery["id"])
                            .values(next_attempt_at=later, last_error=str(error)))
            session.execute(update(webhook_deliveries).where(
                webhook_deliveries.c.webhook_id == delivery["webhook_id"],
                webhook_deliveries.c.status == PENDING, webhook_deliveries.c.next_attempt_at < later,
            ).values(next_attempt_at=later))

    def failed(self, delivery_id, error):
        with self.database.transaction() as session:
            session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                            .values(status=FAILED, last_error=str(error)))

    @staticmethod
    def _public(row):
        return {"id": row["id"], "organizer": row["organizer"], "url": row["url"],
                "created_at": row["created_at"].isoformat()}
