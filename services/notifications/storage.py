"""Notifications' storage verbs: record messages, claim one for sending, record the outcome.

The session is never held across a provider call: claim commits `sending` first, the call happens
outside any transaction, and the outcome is a second short transaction.

A claim is a lease: `claim_token` names the worker's claim and `claimed_until` ends it
(SEND_CLAIM_MARGIN_SECONDS after the claim, or after its SMS slot when that lies beyond half of
it). Right before the provider call the worker records `handed_over_at`, only while its claim
holds. A claim that lapsed before hand-over goes back to `created` (`reap`: its worker died or
stalled, nothing went out); one that lapsed after it, or whose call ended without an answer, is
`unsettled`: the provider is asked what it sent.

Priority: a message that answers what the person just did (`immediate`) is recorded claimed and
takes the next SMS slot of its process however far ahead (`sms_slot`: a block of slots is booked
in one transaction, sms_rate.py). An SMS that may wait, under an SMS rate, is recorded `created`
and taken by the due timer, each with its slot in the same transaction, only while no immediate SMS
is due and only slots due within a short window (`claim_behind`, `claim_behind_many`). So a wave of
reminders never books the rate ahead of a confirmation made during it. Emails, and SMS without a
rate, wait for no slot: they go at once whatever their kind."""
import datetime
import uuid

from sqlalchemy import bindparam, exists, func, or_, select, update

from services.notifications import inbound_storage, webhook_storage
from services.notifications import pacing as message_pacing
from services.notifications.sms_commands import START as START_WORD
from services.notifications.sms_commands import STOP as STOP_WORD
from services.notifications.tables import (
    erased_registrations,
    event_times,
    notifications,
    processed_events,
    send_rate,
    webhook_deliveries,
)
from services.notifications.webhook_rules import without_name
from shared.batching import GroupCommit
from shared.database import as_utc, insert_ignoring_conflict, transaction_memo, upsert, utcnow
from shared.inbox import first_delivery
from shared.kinds import immediate as answers_the_person

CREATED, SENDING, SENT, FAILED = "created", "sending", "sent", "failed"
DELIVERED, UNDELIVERED = "delivered", "undelivered"
# recorded, never sent: the number texted LOPETA/STOP (or opted out at the provider)
STOPPED = inbound_storage.STOPPED
# A status only ever moves forward: late or repeated delivery reports change nothing.
RANK = {CREATED: 0, SENDING: 1, SENT: 2, DELIVERED: 3, UNDELIVERED: 3, FAILED: 3, STOPPED: 3}
SUPPRESSED = message_pacing.Held(STOPPED, None, "stopped", "the number texted STOP: no SMS goes to it")
# templates of the replies to residents' texts (their INBOUND_REPLIES_PER_HOUR cap counts these)
REPLY_PREFIX = "reply_"


# What anonymising a message blanks: its recipient, its text (which greets the person by name) with
# its calendar file, and the provider's error text (Twilio's names the number: "The 'To' number
# +358… is not valid").
# The error code stays, for statistics.
ANONYMOUS = {"recipient": "", "subject": None, "body": "", "html": None, "calendar": None, "error_message": None}


# The statements of every message, built once and given their values as parameters (building one
# with its values inside costs more CPU than running it: README, Performance).
ERASED = select(erased_registrations.c.registration_id).where(
    erased_registrations.c.registration_id == bindparam("registration_id"))
END_OF_EVENT = select(event_times.c.ends_at).where(event_times.c.event_id == bindparam("event_id"))
INSERT_MESSAGE = notifications.insert()
MARK_SENT = update(notifications).where(
    notifications.c.id == bindparam("notification_id"), notifications.c.status == SENDING
).values(status=SENT, provider_ref=bindparam("provider_ref"), sent_at=bindparam("now"), updated_at=bindparam("now"),
         error_code=None, error_message=None)

STRETCH_CLAIM = update(notifications).where(
    notifications.c.id == bindparam("notification_id"), notifications.c.status == SENDING,
    notifications.c.claim_token == bindparam("token"), notifications.c.handed_over_at.is_(None)
).values(claimed_until=bindparam("until"))

# The SMS rate's row (sms_rate.py): read under a lock, moved past the slots just booked.
LOCK_SLOT = select(send_rate.c.next_at).where(send_rate.c.channel == bindparam("rate_channel")).with_for_update()
MOVE_SLOT = update(send_rate).where(send_rate.c.channel == bindparam("rate_channel")).values(
    next_at=bindparam("slot_at"))

HAND_OVER = update(notifications).where(
    notifications.c.id == bindparam("notification_id"), notifications.c.status == SENDING,
    notifications.c.claim_token == bindparam("token"), notifications.c.handed_over_at.is_(None)
).values(handed_over_at=bindparam("now"), claimed_until=bindparam("until"), updated_at=bindparam("now"))


def registrant_of(data):
    """Whose a message is: its registration's id, or for a message about a whole enrolment
    (enrolment_*) the enrolment's, by which it is found and erased."""
    return getattr(data, "registration_id", None) or data.enrolment_id


class NotificationStore:
    #: message_pacing.Pacing: caps and budget of messages anonymous requests cause (None: none)
    pacing = None
    #: seconds a claim holds (SEND_CLAIM_MARGIN_SECONDS; set by the dependency): from the claim, or
    #: from its SMS slot when that lies beyond half of it
    claim_margin_seconds = 60.0
    #: QUIET_HOURS as (start hour, end hour) (pacing.quiet_hours; None: none)
    quiet = None
    #: whether SMS share a rate (SMS_RATE_PER_SECOND > 0): then those that may wait go behind
    sms_paced = True
    #: this process's slots of the SMS rate (sms_rate.SlotBook; set by the dependency). None, as
    #: for a store alone in a test: each SMS books its own slot (`reserve_slot`)
    slots = None

    def __init__(self, database, group=None):
        self.database = database
        # a message's recording and its `sent` share their transaction with other workers' (a
        # rush's messages cost one commit per group, not two each)
        self.group = group or GroupCommit(database)
        self.webhooks = webhook_storage.WebhookStore(database)
        self.inbound = inbound_storage.InboundStore(database)

    def record(self, envelope, data, message, activity=None):
        """Store the message a registration event becomes (`message` None: nobody is told) and
        queue the organizer's webhook POSTs of it (`activity`). Returns the new message, already
        claimed for sending by this worker (`sending`), or `created` for the due timer when it is
        an SMS that waits behind the immediate ones; None when the event was seen before, there is no
        message, the registrant erased their data or the message is held."""
        return self.group.run(self.recording(envelope, data, message, activity))

    def record_all(self, units):
        """Units of `recording`, `summary_recording` and `activity_recording` (a batch of events)
        committed in one transaction: each one's result, or an exception instance for its error
        (a unit that fails fails alone: shared.batching.GroupCommit.run_all)."""
        return self.group.run_all(units)

    def recording(self, envelope, data, message, activity=None):
        """`record` as a unit of work (a callable of a session) for `record_all`."""
        def unit(session):
            if not self._first_delivery(session, envelope, data.event):
                return None
            registration_id = registrant_of(data)
            erased = session.execute(ERASED, {"registration_id": registration_id}).first()
            told = activity
            if told is not None and data.event.organizer:
                if erased:  # arrived after the registrant erased their data: staff get no name
                    told = {**told, "name": None}
                webhook_storage.queue(session, data.event.organizer, str(envelope.event_id), told,
                                      data.event.id, registration_id)
            if message is None or erased:
                return None
            recipient = data.phone if data.channel == "sms" else data.email
            now = utcnow()
            held = self.pacing and self.pacing.check(session, envelope.type, data, data.channel, recipient, now)
            # staff mark a message to everyone `urgent` (shared/contracts.py StaffMessage); no other kind has it
            immediate = answers_the_person(envelope.type, data.reason, getattr(data, "urgent", False))
            if not immediate:
                held = message_pacing.through_quiet_hours(held, now, data.event.starts_at, self.quiet)
            if data.channel == "sms" and inbound_storage.is_stopped(session, recipient):
                held = SUPPRESSED
            return self._insert(session, str(envelope.event_id), registration_id, data.event.id, data.channel,
                                recipient, message, immediate, held, self._behind(immediate, data.channel))

        return unit

    def record_summary(self, envelope, data, message):
        """The message to an event's contact person when its registration closes, like `record`'s
        (it may wait: held through the quiet hours, an SMS behind the immediate ones); None when the
        event was seen before or it is held."""
        with self.database.transaction() as session:
            return self.summary_recording(envelope, data, message)(session)

    def summary_recording(self, envelope, data, message):
        """`record_summary` as a unit of work for `record_all`."""
        channel, recipient = ("sms", data.summary_phone) if data.summary_phone else ("email", data.summary_email)

        def unit(session):
            if not self._first_delivery(session, envelope, data.event):
                return None
            held = message_pacing.through_quiet_hours(None, utcnow(), data.event.starts_at, self.quiet)
            if channel == "sms" and inbound_storage.is_stopped(session, recipient):
                held = SUPPRESSED
            return self._insert(session, str(envelope.event_id), None, data.event.id, channel, recipient, message,
                                False, held, self._behind(False, channel))
        return unit

    def record_reply(self, session, source_id, recipient, message, event_id="", registration_id=None, held=None):
        """An SMS answering what a person just texted us, recorded in the caller's transaction
        (`source_id`: what it answers, unique, e.g. the inbound MessageSid) as immediate: claimed
        by this worker, sent at once ahead of any wave (delivery.send it after the commit); `held`
        recorded instead (a stopped number), None returned."""
        return self._insert(session, source_id, registration_id, event_id, "sms", recipient, message, True, held)

    def _behind(self, immediate, channel):
        """Whether a new message waits behind the immediate ones: an SMS that may wait, under a rate."""
        return not immediate and channel == "sms" and self.sms_paced

    def _insert(self, session, source_id, registration_id, event_id, channel, recipient, message, immediate,
                held=None, behind=False):
        """A new message row, `sending` for the worker that records it: nobody else can see it
        before this transaction commits, so it is claimed as surely as by the conditional update,
        one transaction sooner. `behind`: `created`, due now, for the due timer to send behind the
        immediate ones. `held` (message_pacing.Held): recorded as it says instead, and None
        returned (nothing to send now)."""
        now = utcnow()
        row = {
            "id": str(uuid.uuid4()), "source_event_id": source_id, "registration_id": registration_id,
            "event_id": event_id, "recipient": recipient, "channel": channel, "language": message.language,
            "template": message.template, "subject": message.subject or None, "body": message.text,
            "html": message.html or None, "calendar": message.calendar or None, "status": SENDING, "attempts": 1, "next_attempt_at": now,
            "created_at": now, "updated_at": now, "immediate": immediate, **self._new_claim(now),
        }
        if held is not None:
            row.update(status=held.status, attempts=0, next_attempt_at=held.until or now,
                       error_code=held.error_code, error_message=held.error_message, claim_token=None,
                       claimed_until=None)
        elif behind:
            row.update(status=CREATED, attempts=0, claim_token=None, claimed_until=None)
        session.execute(INSERT_MESSAGE, row)
        return None if held is not None else row

    def record_activity(self, envelope, data, activity):
        """An event that messages nobody but organizers' webhooks (attendance, walk-ins)."""
        with self.database.transaction() as session:
            self.activity_recording(envelope, data, activity)(session)

    def activity_recording(self, envelope, data, activity):
        """`record_activity` as a unit of work for `record_all`."""
        def unit(session):
            if not self._first_delivery(session, envelope, data.event):
                return None
            if data.event.organizer:
                webhook_storage.queue(session, data.event.organizer, str(envelope.event_id), activity,
                                      data.event.id, getattr(data, "registration_id", None))
            return None
        return unit

    def _first_delivery(self, session, envelope, event):
        """Record `envelope` as handled and remember when its event ends; False when it was
        handled before (the caller then does nothing)."""
        if not first_delivery(session, processed_events, envelope):
            return False
        self._remember_end(session, event)
        return True

    def _remember_end(self, session, event):
        # Read first: an upsert locks the event's row even when nothing changes, and every
        # message about one event would queue behind that lock.
        memo, key = transaction_memo(session), ("ends_at", event.id)  # a fan-out's messages share it
        known = memo[key] if key in memo else session.execute(END_OF_EVENT, {"event_id": event.id}).scalar()
        if known != event.ends_at:
            upsert(session, event_times, {"event_id": event.id, "ends_at": event.ends_at}, ["event_id"])
        memo[key] = event.ends_at

    # --- personal data ---------------------------------------------------------------------

    def erase(self, envelope, registration_id):
        """The registrant erased their data: blank every message and webhook body about them,
        and drop any message about them that arrives later."""
        now = utcnow()
        with self.database.transaction() as session:
            if not first_delivery(session, processed_events, envelope):
                return
            insert_ignoring_conflict(session, erased_registrations,
                                     {"registration_id": registration_id, "erased_at": now}, ["registration_id"])
            # the texts they sent us and our replies: found through the numbers we messaged them on
            phones = set(session.execute(select(notifications.c.recipient).where(
                notifications.c.registration_id == registration_id, notifications.c.channel == "sms",
                notifications.c.recipient != "")).scalars())
            inbound_storage.forget_senders(session, phones, now)
            if phones:
                session.execute(update(notifications).where(
                    notifications.c.recipient.in_(list(phones)), notifications.c.template.startswith(REPLY_PREFIX))
                    .values(**ANONYMOUS, anonymised_at=now, updated_at=now))
            session.execute(update(notifications).where(notifications.c.registration_id == registration_id)
                            .values(**ANONYMOUS, anonymised_at=now, updated_at=now))
            self._blank_webhook_names(session, webhook_deliveries.c.registration_id == registration_id)

    def is_erased(self, registration_id):
        """Whether the registrant of this registration erased their data."""
        with self.database.transaction() as session:
            return session.execute(ERASED, {"registration_id": registration_id}).first() is not None

    def anonymise_ended(self, retention_days, now=None):
        """The retention job: recipients and texts of messages about events that ended
        `retention_days` ago are blanked; returns how many messages. Counts stay."""
        now = now or utcnow()
        cutoff = now - datetime.timedelta(days=retention_days)
        ended_events = select(event_times.c.event_id).where(event_times.c.ends_at < cutoff)
        with self.database.transaction() as session:
            # messages recorded before event end times were kept: their own age stands in
            ended = or_(notifications.c.event_id.in_(ended_events),
                        notifications.c.event_id.not_in(select(event_times.c.event_id))
                        & (notifications.c.created_at < cutoff))
            count = session.execute(
                update(notifications).where(ended, notifications.c.anonymised_at.is_(None))
                .values(**ANONYMOUS, anonymised_at=now)
            ).rowcount
            self._blank_webhook_names(session, webhook_deliveries.c.event_id.in_(ended_events))
        return count

    # --- residents' texts -------------------------------------------------------------------

    def answer_inbound(self, inbound_id, command, phone, reply, max_replies_per_hour, asks=None, answers=False,
                       **number):
        """A resident's text acted on: what the number told us (`number`: stopped_at, language)
        recorded, the text marked processed and `reply` (a Message, or None) recorded for `phone`,
        unless INBOUND_REPLIES_PER_HOUR replies went to it in the last hour; all at once. `asks`:
        the reply asks "only the next session, or all?" of this enrolment (remembered only when
        the reply goes); `answers`: the text answered the number's open question. Returns
        the reply claimed for sending, or None. The reply is never suppressed: STOP's own reply
        says how to undo it. Its source is the text: a text redelivered or re-processed after a
        crash is answered once."""
        now = utcnow()
        with self.database.transaction() as session:
            if number:
                inbound_storage.note(session, phone, **number)
            if number.get("stopped_at"):
                self._suppress_waiting(session, phone)
            inbound_storage.done(session, inbound_id, command)
            if answers:
                inbound_storage.answered(session, phone)
            if reply is None or self._replies_since(session, phone, now - datetime.timedelta(hours=1)) \
                    >= max_replies_per_hour:
                return None
            # STOP's and START's own replies go to a stopped number; any other is recorded `stopped`
            held = None if command in (STOP_WORD, START_WORD) or not inbound_storage.is_stopped(session, phone) \
                else SUPPRESSED
            source_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"inbound-sms:{inbound_id}"))
            if session.execute(select(notifications.c.id).where(notifications.c.source_event_id == source_id)).first():
                return None
            if asks and held is None:  # a question nobody reads cannot be answered
                inbound_storage.ask(session, phone, asks)
            # a reply is about no event: retention blanks it RETENTION_DAYS after it was made; it
            # answers what the person just did, so it goes at once, ahead of any wave
            return self.record_reply(session, source_id, phone, reply, held=held)

    def _replies_since(self, session, phone, since):
        return session.execute(select(func.count()).select_from(notifications).where(
            notifications.c.recipient == phone, notifications.c.template.startswith(REPLY_PREFIX),
            notifications.c.created_at >= since)).scalar()

    def opted_out(self, phone):
        """The provider says the number opted out (Twilio's 21610): on the suppression list."""
        with self.database.transaction() as session:
            inbound_storage.note(session, phone, stopped_at=utcnow())
            self._suppress_waiting(session, phone)

    def _suppress_waiting(self, session, phone):
        """The number is stopped: its SMS still waiting to go are `stopped` too."""
        session.execute(update(notifications).where(
            notifications.c.recipient == phone, notifications.c.channel == "sms",
            notifications.c.status == CREATED).values(status=STOPPED, updated_at=utcnow(), error_code="stopped"))

    def _blank_webhook_names(self, session, condition):
        rows = session.execute(select(webhook_deliveries.c.id, webhook_deliveries.c.body)
                               .where(condition, webhook_deliveries.c.body.contains('"name": "'))).all()
        for delivery_id, body in rows:
            blanked = without_name(body)
            if blanked != body:
                session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                                .values(body=blanked))

    def forget_past_pacing(self):
        """Retention of the pacing counts: past days' go (message_pacing.forget_past)."""
        with self.database.transaction() as session:
            message_pacing.forget_past(session, utcnow())

    def message_counts(self, event_ids):
        """{event id: {channel: messages}} for statistics."""
        with self.database.transaction() as session:
            rows = session.execute(
                select(notifications.c.event_id, notifications.c.channel, func.count())
                .where(notifications.c.event_id.in_(list(event_ids)))
                .group_by(notifications.c.event_id, notifications.c.channel)
            ).all()
        counts = {}
        for event_id, channel, n in rows:
            counts.setdefault(event_id, {})[channel] = n
        return counts

    # --- sending: claims, hand-over, outcomes -------------------------------------------------

    def _new_claim(self, now, seconds=None):
        seconds = self.claim_margin_seconds if seconds is None else seconds
        return {"claim_token": str(uuid.uuid4()), "claimed_until": now + datetime.timedelta(seconds=seconds),
                "handed_over_at": None}

    def _ours(self, notification_id, token):
        return (notifications.c.id == notification_id, notifications.c.status == SENDING,
                notifications.c.claim_token == token)

    def claim(self, notification_id):
        """Move one due message from `created` to `sending` under a new claim and return it;
        None when another worker has it, it is not due, or it was sent already."""
        now = utcnow()
        with self.database.transaction() as session:
            claimed = session.execute(
                update(notifications)
                .where(notifications.c.id == notification_id, notifications.c.status == CREATED,
                       notifications.c.next_attempt_at <= now)
                .values(status=SENDING, attempts=notifications.c.attempts + 1, updated_at=now, **self._new_claim(now))
                .returning(*notifications.c)
            ).mappings().first()
        return dict(claimed) if claimed else None

    def hand_over(self, notification_id, token, lease_seconds):
        """Record that the message is being handed to the provider now, if this worker's claim
        still holds; the claim then runs `lease_seconds` more (the call's time limit and a
        margin). False: the claim lapsed and the message is someone else's to send."""
        now = utcnow()
        params = {"notification_id": notification_id, "token": token, "now": now,
                  "until": now + datetime.timedelta(seconds=lease_seconds)}
        # committed with other workers' hand-overs and sent marks: one commit per group in a rush
        return self.group.run(lambda session: session.execute(HAND_OVER, params).rowcount == 1)

    def sent(self, notification_id, provider_ref):
        now = utcnow()
        self.group.execute(MARK_SENT, {"notification_id": notification_id, "provider_ref": provider_ref, "now": now})

    def retry_later(self, notification_id, token, at, error):
        """Not sent: back to `created`, due again at `at`."""
        with self.database.transaction() as session:
            session.execute(
                update(notifications).where(*self._ours(notification_id, token))
                .values(status=CREATED, updated_at=utcnow(), error_code=getattr(error, "code", None),
                        error_message=str(error), next_attempt_at=at,
                        claim_token=None, claimed_until=None, handed_over_at=None)
            )

    def failed(self, notification_id, token, code, reason):
        with self.database.transaction() as session:
            session.execute(
                update(notifications).where(*self._ours(notification_id, token))
                .values(status=FAILED, updated_at=utcnow(), error_code=code, error_message=reason,
                        claim_token=None, claimed_until=None)
            )

    def outcome_unknown(self, notification_id, token, settle_at, error):
        """Handed over, no answer: stays `sending`, unclaimed, to be settled from `settle_at`."""
        with self.database.transaction() as session:
            session.execute(
                update(notifications).where(*self._ours(notification_id, token))
                .values(updated_at=utcnow(), error_code=getattr(error, "code", None), error_message=str(error),
                        claim_token=None, claimed_until=settle_at)
            )

    def reap(self, now=None):
        """Messages whose claim lapsed before hand-over (their worker died or stalled waiting for
        its slot; nothing went out) go back to `created`, due now; returns how many."""
        now = now or utcnow()
        with self.database.transaction() as session:
            return session.execute(
                update(notifications)
                .where(notifications.c.status == SENDING, notifications.c.handed_over_at.is_(None),
                       notifications.c.claimed_until < now)
                .values(status=CREATED, next_attempt_at=now, updated_at=now,
                        claim_token=None, claimed_until=None)
            ).rowcount

    def unsettled(self, now=None, limit=100):
        """Ids of messages handed over whose outcome nobody recorded and nobody is settling."""
        now = now or utcnow()
        with self.database.transaction() as session:
            return list(session.execute(
                select(notifications.c.id)
                .where(notifications.c.status == SENDING, notifications.c.handed_over_at.is_not(None),
                       notifications.c.claimed_until < now)
                .order_by(notifications.c.claimed_until).limit(limit)
            ).scalars())

    def claim_unsettled(self, notification_id, lease_seconds):
        """Take one unsettled message to settle it; None when another worker took it first."""
        now = utcnow()
        with self.database.transaction() as session:
            claimed = session.execute(
                update(notifications)
                .where(notifications.c.id == notification_id, notifications.c.status == SENDING,
                       notifications.c.handed_over_at.is_not(None), notifications.c.claimed_until < now)
                .values(claim_token=str(uuid.uuid4()), updated_at=now,
                        claimed_until=now + datetime.timedelta(seconds=lease_seconds))
                .returning(*notifications.c)
            ).mappings().first()
        return dict(claimed) if claimed else None

    def other_refs(self, notification):
        """Provider ids of our other messages to the same recipient: a listed message with one
        of these is not this one, even with the same text."""
        with self.database.transaction() as session:
            return set(session.execute(
                select(notifications.c.provider_ref)
                .where(notifications.c.recipient == notification["recipient"],
                       notifications.c.id != notification["id"], notifications.c.provider_ref.is_not(None))
            ).scalars())

    def settled_sent(self, notification_id, token, provider_ref):
        """The provider has it: `sent`, with its id."""
        now = utcnow()
        with self.database.transaction() as session:
            session.execute(
                update(notifications).where(*self._ours(notification_id, token))
                .values(status=SENT, provider_ref=provider_ref, sent_at=now, updated_at=now,
                        error_code=None, error_message=None, claim_token=None, claimed_until=None)
            )

    def send_again(self, notification_id, token):
        """The provider has no record of it: back to `created`, due now."""
        now = utcnow()
        with self.database.transaction() as session:
            session.execute(
                update(notifications).where(*self._ours(notification_id, token))
                .values(status=CREATED, next_attempt_at=now, updated_at=now,
                        claim_token=None, claimed_until=None, handed_over_at=None)
            )

    def event_end(self, event_id):
        """When the event a message is about ends, as far as notifications knows (else None)."""
        with self.database.transaction() as session:
            return session.execute(END_OF_EVENT, {"event_id": event_id}).scalar()

    def delivery_counts(self):
        """{"failed": messages given up on, "waiting": messages not yet out}, for /health."""
        with self.database.transaction() as session:
            rows = dict(session.execute(
                select(notifications.c.status, func.count())
                .where(notifications.c.status.in_([CREATED, SENDING, FAILED])).group_by(notifications.c.status)
            ).all())
        return {"failed": rows.get(FAILED, 0), "waiting": rows.get(CREATED, 0) + rows.get(SENDING, 0)}

    def sms_slot(self, notification, interval_seconds):
        """Seconds until the SMS slot of `notification` (claimed by this worker), taken from this
        process's block (booked in one transaction for many SMS: sms_rate.py). Its claim is
        stretched over the slot only when the slot lies beyond half the claim's margin (a long
        queue must not look like a dead worker); below the rate that costs no statement."""
        if self.slots is None:
            return self.reserve_slot("sms", interval_seconds, notification["id"], notification["claim_token"])
        slot = self.slots.take(lambda count: self.book_slots("sms", interval_seconds, count))
        margin = datetime.timedelta(seconds=self.claim_margin_seconds)
        claimed_until = as_utc(notification.get("claimed_until"))
        if claimed_until is None or claimed_until < slot + margin / 2:
            params = {"notification_id": notification["id"], "token": notification["claim_token"],
                      "until": slot + margin}
            self.group.run(lambda session: session.execute(STRETCH_CLAIM, params))
        return max((slot - utcnow()).total_seconds(), 0.0)

    def book_slots(self, channel, interval_seconds, count):
        """Book `count` consecutive send slots of `channel`, `interval_seconds` apart, with one
        transaction and one row lock; returns the first."""
        now = utcnow()
        with self.database.transaction() as session:
            return self._book(session, channel, now, interval_seconds, count)

    def reserve_slot(self, channel, interval_seconds, notification_id=None, token=None):
        """Book the next send slot of `channel` alone; returns how many seconds to wait for it. The
        claim of `notification_id` (if given) is stretched to the slot plus its margin, in the
        same transaction, so a long queue for slots does not look like a dead worker."""
        now = utcnow()
        with self.database.transaction() as session:
            slot = self._book(session, channel, now, interval_seconds, 1)
            if notification_id is not None:
                session.execute(update(notifications).where(*self._ours(notification_id, token)).values(
                    claimed_until=slot + datetime.timedelta(seconds=self.claim_margin_seconds)))
        return (slot - now).total_seconds()

    def _book(self, session, channel, now, interval_seconds, count):
        """`count` slots of `channel` from its next free one (or now), in the caller's transaction;
        returns the first."""
        first = max(self._lock_slot(session, channel, now), now)
        session.execute(MOVE_SLOT, {"rate_channel": channel,
                                    "slot_at": first + datetime.timedelta(seconds=interval_seconds * count)})
        return first

    def _lock_slot(self, session, channel, now):
        """When `channel`'s next slot is free, its row locked until the transaction ends."""
        next_at = session.execute(LOCK_SLOT, {"rate_channel": channel}).scalar()
        if next_at is None:  # the channel's first SMS ever
            insert_ignoring_conflict(session, send_rate, {"channel": channel, "next_at": now}, ["channel"])
            next_at = session.execute(LOCK_SLOT, {"rate_channel": channel}).scalar()
        return next_at

    def record_delivery(self, provider_ref, status, error_code=None):
        """Move a message forward to what the provider reports; True if it moved."""
        with self.database.transaction() as session:
            row = session.execute(
                select(notifications.c.id, notifications.c.status)
                .where(notifications.c.provider_ref == provider_ref).with_for_update()
            ).first()
            if row is None or RANK[status] <= RANK[row.status]:
                return False
            session.execute(update(notifications).where(notifications.c.id == row.id).values(
                status=status, updated_at=utcnow(),
                **({"error_code": str(error_code)} if error_code else {})))
        return True

    def due(self, limit=100, sms_behind=False):
        """Ids of messages waiting to be sent (new, or back off after a transient failure),
        immediate ones first. `sms_behind`: without the SMS that wait behind (claim_behind's)."""
        conditions = [notifications.c.status == CREATED, notifications.c.next_attempt_at <= utcnow()]
        if sms_behind:
            conditions.append(notifications.c.immediate | (notifications.c.channel != "sms"))
        with self.database.transaction() as session:
            return list(session.execute(
                select(notifications.c.id).where(*conditions)
                .order_by(notifications.c.immediate.desc(), notifications.c.next_attempt_at).limit(limit)
            ).scalars())

    def claim_behind(self, interval_seconds):
        """Claim the next due SMS that waits behind (not immediate) with the next SMS slot, only if
        that slot is due within `interval_seconds` and no immediate SMS is due: so the rate is never
        booked ahead of a message that answers someone. Returns (the claimed message, seconds to its
        slot), or (None, seconds worth waiting before asking again; None: nothing waits)."""
        claimed, wait = self.claim_behind_many(interval_seconds, interval_seconds, 1)
        return claimed[0] if claimed else (None, wait)

    def claim_behind_many(self, interval_seconds, window_seconds, limit):
        """Like `claim_behind`, up to `limit` SMS in one transaction, one for each slot due within
        `window_seconds` (at least one interval). Returns ([(message, seconds to its slot), …],
        None), or ([], seconds worth waiting before asking again; None: nothing waits)."""
        now = utcnow()
        window = max(window_seconds, interval_seconds)
        with self.database.transaction() as session:
            slot = max(self._lock_slot(session, "sms", now), now)
            ahead = (slot - now).total_seconds()
            if ahead > window:
                return [], ahead - window
            if session.execute(select(exists().where(
                    notifications.c.immediate, notifications.c.status == CREATED, notifications.c.channel == "sms",
                    notifications.c.next_attempt_at <= now))).scalar():
                return [], interval_seconds  # the due timer's first pass sends it
            room = min(limit, int((window - ahead) / interval_seconds + 1e-9) + 1)
            # SKIP LOCKED: another process's claim of a message in flight is not waited for
            waiting = list(session.execute(
                select(notifications.c.id)
                .where(notifications.c.immediate.is_(False), notifications.c.status == CREATED,
                       notifications.c.channel == "sms", notifications.c.next_attempt_at <= now)
                .order_by(notifications.c.next_attempt_at).limit(room).with_for_update(skip_locked=True)
            ).scalars())
            if not waiting:
                return [], None
            interval = datetime.timedelta(seconds=interval_seconds)
            last_slot = slot + (len(waiting) - 1) * interval
            # one claim for the batch, held until the last slot plus the margin
            claimed = session.execute(
                update(notifications).where(notifications.c.id.in_(waiting), notifications.c.status == CREATED)
                .values(status=SENDING, attempts=notifications.c.attempts + 1, updated_at=now,
                        **self._new_claim(now, (last_slot - now).total_seconds() + self.claim_margin_seconds))
                .returning(*notifications.c)
            ).mappings().all()
            if not claimed:  # taken between the two statements (SQLite has no row locks)
                return [], 0.0
            order = {notification_id: n for n, notification_id in enumerate(waiting)}
            claimed = sorted((dict(row) for row in claimed), key=lambda row: order[row["id"]])
            session.execute(MOVE_SLOT, {"rate_channel": "sms", "slot_at": slot + len(claimed) * interval})
        return [(row, ahead + n * interval_seconds) for n, row in enumerate(claimed)], None

    def for_registrations(self, registration_ids):
        """{registration id: [each message about it, oldest first, without its text]}."""
        with self.database.transaction() as session:
            rows = session.execute(
                select(notifications).where(notifications.c.registration_id.in_(list(registration_ids)))
                .order_by(notifications.c.created_at)
            ).mappings().all()
        found = {registration_id: [] for registration_id in registration_ids}
        for r in rows:
            found[r["registration_id"]].append({
                "template": r["template"], "channel": r["channel"], "status": r["status"],
                "attempts": r["attempts"], "error_code": r["error_code"],
                "created_at": r["created_at"].isoformat(),
                "sent_at": r["sent_at"].isoformat() if r["sent_at"] else None})
        return found
