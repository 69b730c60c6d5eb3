"""Storage of residents' texts and of what each number told us (tables inbound_sms, sms_numbers,
sms_dialogs): take a text once per provider id, claim unprocessed ones for acting, the suppression
list (LOPETA / STOP, Twilio's opt-out), the number's language and the question it was asked and has
not answered. NotificationStore holds one as `inbound`."""
import datetime
import uuid

from sqlalchemy import bindparam, delete, or_, select, update

from services.notifications.tables import inbound_sms, sms_dialogs, sms_numbers
from shared.database import insert_ignoring_conflict, utcnow

STOPPED = "stopped"
# How long the question PERU asks a number with an enrolment ("only the next, or all?") may be
# answered by 1 or 2; later, a 1 or 2 is an ordinary text again.
QUESTION_HOURS = 24
# A text acted on this often without success is given up (a bug, not an outage: those end).
MAX_ATTEMPTS = 50

IS_STOPPED = select(sms_numbers.c.phone).where(sms_numbers.c.phone == bindparam("phone"),
                                               sms_numbers.c.stopped_at.is_not(None))
LANGUAGES = select(sms_numbers.c.phone, sms_numbers.c.language).where(
    sms_numbers.c.phone.in_(bindparam("phones", expanding=True)), sms_numbers.c.language.is_not(None))


class InboundStore:
    def __init__(self, database):
        self.database = database

    def receive(self, provider_ref, sender, body):
        """Keep a text as it came; False when the provider posted it before (one row, one effect)."""
        with self.database.transaction() as session:
            return insert_ignoring_conflict(session, inbound_sms, {
                "id": str(uuid.uuid4()), "provider_ref": provider_ref, "sender": sender, "body": body,
                "received_at": utcnow(), "attempts": 0}, ["provider_ref"])

    def claim_next(self, lease_seconds):
        """The oldest text not yet acted on and not held by another worker, claimed for
        `lease_seconds` (a worker that dies leaves it to the next after that); None: none."""
        for _ in range(3):  # another worker may claim the one read first
            now = utcnow()
            free = (inbound_sms.c.processed_at.is_(None),
                    or_(inbound_sms.c.claimed_until.is_(None), inbound_sms.c.claimed_until < now))
            with self.database.transaction() as session:
                inbound_id = session.execute(select(inbound_sms.c.id).where(*free)
                                             .order_by(inbound_sms.c.received_at).limit(1)).scalar()
                if inbound_id is None:
                    return None
                row = session.execute(
                    update(inbound_sms).where(inbound_sms.c.id == inbound_id, *free)
                    .values(claimed_until=now + datetime.timedelta(seconds=lease_seconds),
                            attempts=inbound_sms.c.attempts + 1)
                    .returning(*inbound_sms.c)).mappings().first()
            if row is not None:
                return dict(row)
        return None

    def release(self, inbound_id):
        """Not acted on (registration did not answer): free for the next try at once."""
        with self.database.transaction() as session:
            session.execute(update(inbound_sms).where(inbound_sms.c.id == inbound_id).values(claimed_until=None))

    def give_up_if_stuck(self, row):
        """True (and the text set aside) when it has been tried MAX_ATTEMPTS times."""
        if row["attempts"] < MAX_ATTEMPTS:
            return False
        with self.database.transaction() as session:
            done(session, row["id"], "failed")
        return True

    # --- what a number told us ------------------------------------------------------------------

    def language_of(self, phone):
        """The language the number chose (FI/SV/EN), or None."""
        with self.database.transaction() as session:
            return session.execute(select(sms_numbers.c.language).where(sms_numbers.c.phone == phone)).scalar()

    def languages_of(self, phones):
        """{phone: the language it chose} for those of `phones` that chose one (one query)."""
        if not phones:
            return {}
        with self.database.transaction() as session:
            return dict(session.execute(LANGUAGES, {"phones": list(phones)}).all())

    def stopped_among(self, phones):
        """Those of `phones` no SMS goes to."""
        with self.database.transaction() as session:
            return set(session.execute(select(sms_numbers.c.phone).where(
                sms_numbers.c.phone.in_(list(phones)), sms_numbers.c.stopped_at.is_not(None))).scalars())

    def open_question(self, phone, now=None):
        """The enrolment whose "only the next, or all?" `phone` was asked less than
        QUESTION_HOURS ago and has not answered, or None."""
        now = now or utcnow()
        with self.database.transaction() as session:
            return session.execute(select(sms_dialogs.c.enrolment_id).where(
                sms_dialogs.c.phone == phone,
                sms_dialogs.c.asked_at >= now - datetime.timedelta(hours=QUESTION_HOURS))).scalar()

    # --- personal data --------------------------------------------------------------------------

    def forget_received(self, retention_days, now=None):
        """Retention: senders and texts blanked RETENTION_DAYS after receipt, and the questions
        that can no longer be answered (QUESTION_HOURS old) forgotten; returns how many texts."""
        now = now or utcnow()
        with self.database.transaction() as session:
            session.execute(delete(sms_dialogs).where(
                sms_dialogs.c.asked_at < now - datetime.timedelta(hours=QUESTION_HOURS)))
            return session.execute(update(inbound_sms).where(
                inbound_sms.c.received_at < now - datetime.timedelta(days=retention_days),
                inbound_sms.c.anonymised_at.is_(None)).values(sender="", body="", anonymised_at=now)).rowcount


# Verbs run inside another transaction (NotificationStore's).

def is_stopped(session, phone):
    return session.execute(IS_STOPPED, {"phone": phone}).first() is not None


def note(session, phone, **values):
    """Record what `phone` told us (stopped_at, language)."""
    now = utcnow()
    insert_ignoring_conflict(session, sms_numbers, {"phone": phone, "updated_at": now}, ["phone"])
    session.execute(update(sms_numbers).where(sms_numbers.c.phone == phone).values(**values, updated_at=now))


def ask(session, phone, enrolment_id):
    """`phone` is asked "only the next session, or all?" of `enrolment_id` now (a new question
    replaces an older one)."""
    now = utcnow()
    insert_ignoring_conflict(session, sms_dialogs, {"phone": phone, "enrolment_id": enrolment_id,
                                                    "asked_at": now}, ["phone"])
    session.execute(update(sms_dialogs).where(sms_dialogs.c.phone == phone)
                    .values(enrolment_id=enrolment_id, asked_at=now))


def answered(session, phone):
    """`phone` answered its question: forgotten."""
    session.execute(delete(sms_dialogs).where(sms_dialogs.c.phone == phone))


def done(session, inbound_id, command):
    session.execute(update(inbound_sms).where(inbound_sms.c.id == inbound_id)
                    .values(processed_at=utcnow(), claimed_until=None, command=command))


def forget_senders(session, phones, now):
    """Erasure: the texts these numbers sent, blanked."""
    if phones:
        session.execute(delete(sms_dialogs).where(sms_dialogs.c.phone.in_(list(phones))))
        session.execute(update(inbound_sms).where(inbound_sms.c.sender.in_(list(phones)),
                                                  inbound_sms.c.anonymised_at.is_(None))
                        .values(sender="", body="", anonymised_at=now))
