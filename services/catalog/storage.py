"""The catalog's storage verbs: every change and the event it publishes commit together."""
import hashlib
import secrets
import uuid

from sqlalchemy import select, text, update

from services.catalog import model, sms_codes
from services.catalog.reminders import ReminderPolicy
from services.catalog.series_storage import SeriesVerbs
from services.catalog.tables import events, outbox, series, staff_tokens
from shared.database import utcnow
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.organizers import check_owner
from shared.outbox import add_event


def _staff(row):
    return {key: row[key] for key in ("id", "name", "organizer", "admin", "phone", "email")}


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# PostgreSQL's transaction-level advisory lock every writer of SMS codes takes (SQLite's writers
# take turns already: BEGIN IMMEDIATE): a code is unique among events not yet over, which no
# constraint can say, so two events created at once must not both find a code free.
SMS_CODES_LOCK = 0x59_53_4D_53  # "YSMS"


class CatalogStore(SeriesVerbs):
    def __init__(self, database, reminder_policy=None):
        self.database = database
        self.reminder_policy = reminder_policy or ReminderPolicy.from_settings()

    # --- events -------------------------------------------------------------------------

    def create_event(self, fields, organizer):
        """A new event; `organizer` is the creating staff member's scope (None: an admin)."""
        check_owner(fields.organizer, organizer)
        now = utcnow()
        event = model.new_event(fields, now, self.reminder_policy)
        with self.database.transaction() as session:
            self._settle_sms_code(session, event, now)
            session.execute(events.insert().values(**event))
            if event["status"] == "published":
                add_event(session, outbox, "event_published", model.public(event))
        return model.public(event)

    def update_event(self, event_id, change, organizer):
        """The event changed; `organizer` is the staff member's scope (None: an admin)."""
        with self.database.transaction() as session:
            current = self._locked(session, event_id)
            check_owner(current["organizer"], organizer)
            of = self._series_of(session, [current]).get(current["series_id"])
            now = utcnow()
            updated, changed = model.apply_change(current, change, now, self.reminder_policy)
            check_owner(updated["organizer"], organizer)
            if self._settle_sms_code(session, updated, now, before=current) and "sms_code" not in changed:
                changed.append("sms_code")
                updated["updated_at"] = now
            if not changed and updated["reminder_chosen"] == current["reminder_chosen"]:
                return model.public(current, of)
            values = {k: updated[k] for k in changed + ["reminder_chosen", "search_text", "updated_at"]}
            session.execute(update(events).where(events.c.id == event_id).values(**values))
            if current["status"] == "draft" and updated["status"] == "published":
                add_event(session, outbox, "event_published", model.public(updated, of))
            elif updated["status"] == "published" and changed:
                add_event(session, outbox, "event_updated", {**model.public(updated, of), "changed": changed})
        return model.public(updated, of)

    def _settle_sms_code(self, session, event, now, before=None):
        """Check the SMS code staff chose, or make one for a published event without one, under
        SMS_CODES_LOCK; True when one was made. Conflict `sms_code_taken` for a code an event not
        yet over has (checked again when this event's end moves: an ended event may come back).
        A session of a series has no code of its own (the series' is checked with the series)."""
        code = event["sms_code"]
        if event.get("series_id") or (code is None and event["status"] != "published"):
            return False
        if code is not None and before is not None and (code, event["ends_at"]) == (before["sms_code"], before["ends_at"]):
            return False
        return self._settle_code(session, event, event["ends_at"], now, event_id=event["id"])

    def _settle_code(self, session, owner, ends_at, now, event_id=None, series_id=None):
        """`owner`'s (an event's or a series') `sms_code` made, or checked free among the codes of
        events and series not yet over, under SMS_CODES_LOCK; True when one was made."""
        if session.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SMS_CODES_LOCK})
        taken = set(session.execute(select(events.c.sms_code).where(
            events.c.sms_code.is_not(None), events.c.ends_at > now, events.c.id != event_id)).scalars())
        # a series is over when its last session is
        taken |= set(session.execute(select(series.c.sms_code).where(
            series.c.sms_code.is_not(None), series.c.id != series_id,
            select(events.c.id).where(events.c.series_id == series.c.id, events.c.ends_at > now).exists())).scalars())
        code = owner["sms_code"]
        if code is None:
            owner["sms_code"] = sms_codes.new_code(owner["title"]["fi"], taken)
            return True
        if code in taken and ends_at > now:
            raise Conflict(f"Another event not yet over has the SMS code {code}.", code="sms_code_taken",
                           fields={"sms_code": "in use by another event"})
        return False

    def cancel_event(self, event_id, organizer):
        """The event cancelled; `organizer` is the staff member's scope (None: an admin)."""
        with self.database.transaction() as session:
            current = self._locked(session, event_id)
            check_owner(current["organizer"], organizer)
            of = self._series_of(session, [current]).get(current["series_id"])
            if current["status"] == "cancelled":
                return model.public(current, of)  # cancelling twice is harmless
            session.execute(
                update(events).where(events.c.id == event_id).values(status="cancelled", updated_at=utcnow())
            )
            cancelled = {**current, "status": "cancelled"}
            if current["status"] == "published":
                add_event(session, outbox, "event_cancelled", model.public(cancelled, of))
        return model.public(cancelled, of)

    def get_event(self, event_id, include_drafts=False, drafts_of=None):
        """One event; drafts only when asked for (and then, given `drafts_of`, that organizer's)."""
        with self.database.transaction() as session:
            row = session.execute(select(events).where(events.c.id == event_id)).mappings().first()
            of = self._series_of(session, [row] if row else [])
        hidden_draft = row is not None and row["status"] == "draft" and not (
            include_drafts and drafts_of in (None, row["organizer"]))
        if row is None or hidden_draft:
            raise NotFound("No such event.", code="event_not_found")
        return model.public(row, of.get(row["series_id"]))

    def list_events(self, municipality=None, starts_from=None, starts_before=None, q=None,
                    include_drafts=False, limit=100, offset=0, drafts_of=None):
        """Published (and cancelled) events, soonest first; by default those not yet over. With
        `include_drafts`, drafts too (given `drafts_of`, only that organizer's)."""
        query = select(events)
        visible = events.c.status.in_(["published", "cancelled"])
        if include_drafts:
            drafts = events.c.status == "draft"
            if drafts_of is not None:
                drafts = drafts & (events.c.organizer == drafts_of)
            visible = visible | drafts
        query = query.where(visible)
        if starts_from is None:
            query = query.where(events.c.ends_at >= utcnow())
        else:
            query = query.where(events.c.starts_at >= starts_from)
        if starts_before is not None:
            query = query.where(events.c.starts_at < starts_before)
        for word in (q or "").lower().split():
            query = query.where(events.c.search_text.contains(word, autoescape=True))
        query = query.order_by(events.c.starts_at, events.c.id).limit(limit).offset(offset)
        with self.database.transaction() as session:
            if municipality:
                query = query.where(events.c.municipality.in_(self._spellings(session, municipality)))
            rows = session.execute(query).mappings().all()
            of = self._series_of(session, rows)
        return [model.public(row, of.get(row["series_id"])) for row in rows]

    def _spellings(self, session, municipality):
        """The stored spellings of a municipality, matched case-insensitively in Python (SQLite's
        lower() knows only ASCII, and Äänekoski is not)."""
        wanted = municipality.strip().casefold()
        known = session.execute(select(events.c.municipality).distinct()).scalars()
        return [name for name in known if name.casefold() == wanted]

    def _locked(self, session, event_id):
        row = session.execute(
            select(events).where(events.c.id == event_id).with_for_update()
        ).mappings().first()
        if row is None:
            raise NotFound("No such event.", code="event_not_found")
        return dict(row)

    # --- staff tokens ---------------------------------------------------------------------

    def create_staff_token(self, name, organizer=None, admin=False, phone=None, email=None):
        """A new token, returned once in clear; only its hash is stored. A token belongs to an
        organizer (its staff see and change that organizer's events only) or is an admin's."""
        if not admin and not organizer:
            raise ValidationFailed("A staff token belongs to an organizer, or is an admin token.",
                                   fields={"organizer": "required unless admin"})
        token = "yst_" + secrets.token_urlsafe(32)
        row = {
            "id": str(uuid.uuid4()), "token_hash": token_hash(token), "name": name,
            "organizer": organizer, "admin": admin, "phone": phone, "email": email, "created_at": utcnow(),
        }
        with self.database.transaction() as session:
            session.execute(staff_tokens.insert().values(**row))
        return {**_staff(row), "token": token}

    def list_staff_tokens(self):
        with self.database.transaction() as session:
            rows = session.execute(select(staff_tokens).order_by(staff_tokens.c.created_at)).mappings().all()
        return [
            {**_staff(r), "created_at": r["created_at"].isoformat(),
             "revoked_at": r["revoked_at"].isoformat() if r["revoked_at"] else None}
            for r in rows
        ]

    def revoke_staff_token(self, token_id):
        with self.database.transaction() as session:
            result = session.execute(
                update(staff_tokens)
                .where(staff_tokens.c.id == token_id, staff_tokens.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
        return result.rowcount == 1

    def authenticate(self, token):
        """The staff member a token belongs to, or None for an unknown or revoked token."""
        with self.database.transaction() as session:
            row = session.execute(
                select(staff_tokens).where(
                    staff_tokens.c.token_hash == token_hash(token), staff_tokens.c.revoked_at.is_(None)
                )
            ).mappings().first()
        return _staff(row) if row is not None else None
