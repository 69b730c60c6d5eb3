"""Pacing of messages that anonymous requests cause, so that the public sign-up cannot be used to
pump SMS or to flood one person's phone or inbox.

- At most MESSAGES_PER_NUMBER_PER_DAY such messages to one phone number or email address a
  Helsinki day; one over it is recorded as `capped` (the roster shows it) and never sent.
- At most SMS_DAILY_BUDGET such SMS a Helsinki day in all; past it they stay `created` until the
  first day with budget left, and an admin is told once a day (an ERROR log line, and an email to
  ADMIN_EMAIL when set).

Messages staff cause are never held by these: an event cancelled or changed, and everything about
a registration made by staff on a resident's behalf (whose messages may go to the staff member's own
phone). Counts are kept per Helsinki day in small tables: recipients only as hashes, and past days
deleted (`forget_past`).

- QUIET_HOURS: a message that does not answer what the person just did (shared.kinds.immediate:
  reminders, promotions, an event cancelled or changed, the contact person's summary), made in
  them, by SMS or email, stays `created` (`quiet_hours`) until they end, unless its event starts
  before then (`through_quiet_hours`).
"""
import datetime
import functools
import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite

from services.notifications import messages
from services.notifications.tables import notifications, recipient_days, sms_budget_days
from shared.config import ConfigurationError
from shared.helsinki import day_of, in_quiet_hours, parse_quiet_hours, quiet_hours_end, staff_time, start_of_day
from shared.kinds import telling

log = logging.getLogger(__name__)

CAPPED = "capped"
# how far ahead the budget books days for held SMS before giving up on them
BUDGET_DAYS_AHEAD = 31
BUDGET_NOTICE_NAMESPACE = uuid.UUID("6f0d5b7e-6a43-4a57-9a43-8d1c1a7f7d35")


def caused_by_public(event_type, data):
    """Whether a registration event's message was caused by an anonymous request (a sign-up, a
    cancel by code, or a promotion someone's cancel made) rather than by staff."""
    if data.assisted_by:
        return False
    return not telling(event_type, data.reason).by_staff


def recipient_hash(recipient):
    return hashlib.sha256(recipient.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class PacingPolicy:
    per_recipient_per_day: int
    sms_daily_budget: int
    admin_email: str

    @classmethod
    def from_config(cls, config):
        return cls(int(config["MESSAGES_PER_NUMBER_PER_DAY"]), int(config["SMS_DAILY_BUDGET"]),
                   (config.get("ADMIN_EMAIL") or "").strip())


@dataclass(frozen=True)
class Held:
    """How a message that may not go now is recorded: `status`, when it may go (`until`), and why."""

    status: str
    until: Optional[datetime.datetime]
    error_code: str
    error_message: str


@functools.lru_cache(maxsize=None)
def _count_one(dialect, table, counter):
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    key = [column.name for column in table.primary_key]
    return insert.on_conflict_do_update(index_elements=key, set_={counter: table.c[counter] + 1},
                                        where=table.c[counter] < bindparam("limit"))


def _take_one(session, table, key, counter, limit):
    """Add one to the day's counter unless it has reached `limit`; True if it had room. One
    statement (an insert, or a conditional update of the row there), so concurrent workers and
    processes never overshoot."""
    statement = _count_one(session.dialect.name, table, counter)
    return session.execute(statement, {**key, counter: 1, "limit": limit}).rowcount == 1


class Pacing:
    def __init__(self, policy):
        self.policy = policy

    def check(self, session, event_type, data, channel, recipient, now):
        """None when the message may go now, else how it is held. Counts it in either case."""
        if not caused_by_public(event_type, data):
            return None
        today = day_of(now)
        cap = self.policy.per_recipient_per_day
        if cap > 0 and not _take_one(session, recipient_days, {"recipient_hash": recipient_hash(recipient), "day": today},
                                     "messages", cap):
            return Held(CAPPED, None, "messages_per_number_per_day",
                        f"{cap} messages caused by anonymous requests went to this recipient today; not sent")
        if channel == "sms" and self.policy.sms_daily_budget > 0:
            return self._book_sms(session, today, now)
        return None

    def _book_sms(self, session, today, now):
        budget = self.policy.sms_daily_budget
        for ahead in range(BUDGET_DAYS_AHEAD):
            day = today + datetime.timedelta(days=ahead)
            if _take_one(session, sms_budget_days, {"day": day}, "sms", budget):
                if ahead == 0:
                    return None
                return Held("created", start_of_day(day), "sms_daily_budget",
                            f"SMS_DAILY_BUDGET ({budget}) used up; waits for {day.isoformat()}")
            if ahead == 0:
                self._tell_admin_once(session, today, now)
        return Held(CAPPED, None, "sms_daily_budget",
                    f"SMS_DAILY_BUDGET ({budget}) used up for the next {BUDGET_DAYS_AHEAD} days; not sent")

    def _tell_admin_once(self, session, day, now):
        told = session.execute(update(sms_budget_days)
                               .where(sms_budget_days.c.day == day, sms_budget_days.c.admin_told_at.is_(None))
                               .values(admin_told_at=now)).rowcount == 1
        if not told:
            return
        log.error("SMS daily budget reached: %d SMS caused by anonymous requests on %s; the next ones wait "
                  "for the following day (SMS_DAILY_BUDGET)", self.policy.sms_daily_budget, day.isoformat())
        if self.policy.admin_email:
            notice = messages.render_budget_notice(day, self.policy.sms_daily_budget)
            session.execute(notifications.insert(), {
                "id": str(uuid.uuid4()),
                "source_event_id": str(uuid.uuid5(BUDGET_NOTICE_NAMESPACE, day.isoformat())),
                "registration_id": None, "event_id": "", "recipient": self.policy.admin_email,
                "channel": "email", "language": notice.language, "template": notice.template,
                "subject": notice.subject, "body": notice.text, "html": notice.html or None,
                # sent by the service's timer that sends whatever waits
                "status": "created", "attempts": 0, "next_attempt_at": now, "created_at": now, "updated_at": now,
            })


QUIET_HOURS_CODE = "quiet_hours"


def quiet_hours(config):
    """QUIET_HOURS as parse_quiet_hours reads it; a bad value is a ConfigurationError, one line."""
    try:
        return parse_quiet_hours(config["QUIET_HOURS"])
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None


def through_quiet_hours(held, now, starts_at, quiet):
    """How a message that may wait, made at `now` (`held`: as Pacing.check holds it, None: free to
    go), is held once the quiet hours `quiet` count too: one that would go in them waits until they
    end, unless its event starts before then (it would come too late)."""
    if held is not None and held.until is None:  # never sent anyway
        return held
    goes_at = held.until if held is not None else now
    if not in_quiet_hours(goes_at, quiet):
        return held
    until = quiet_hours_end(goes_at, quiet)
    if starts_at is not None and starts_at < until:
        return held
    why = f"made in the quiet hours (QUIET_HOURS); waits until {staff_time(until)}"
    if held is not None:  # held for another reason first: that reason stays the code
        return Held(held.status, until, held.error_code, f"{held.error_message}; then {why}")
    return Held("created", until, QUIET_HOURS_CODE, why)


def forget_past(session, now):
    """Delete the counts of days gone (recipients' hashes after a day, budget days after a week)."""
    today = day_of(now)
    session.execute(delete(recipient_days).where(recipient_days.c.day < today - datetime.timedelta(days=1)))
    session.execute(delete(sms_budget_days).where(sms_budget_days.c.day < today - datetime.timedelta(days=7)))
