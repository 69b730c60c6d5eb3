"""The catalog's storage verbs for series (weekly groups): a series and its sessions are written, and
each session's event published, in one transaction. CatalogStore inherits them."""
from sqlalchemy import func, select, update

from services.catalog import model, series_model
from services.catalog.tables import events, outbox, series
from shared.database import utcnow
from shared.errors import NotFound
from shared.organizers import check_owner
from shared.outbox import add_event


def _not_found():
    return NotFound("No such series.", code="series_not_found")


class SeriesVerbs:
    """create_series, get_series, change_series, list_series (needs CatalogStore's database, its
    reminder policy and its SMS code check)."""

    def create_series(self, fields, organizer):
        """A new series and its sessions; `organizer` is the staff member's scope (None: an admin)."""
        check_owner(fields.organizer, organizer)
        now = utcnow()
        row, sessions = series_model.new_series(fields, now, self.reminder_policy)
        with self.database.transaction() as session:
            self._settle_series_code(session, row, sessions[-1]["ends_at"], now)
            session.execute(series.insert().values(**row))
            session.execute(events.insert(), sessions)
            if row["status"] == "published":
                for event in sessions:
                    add_event(session, outbox, "event_published", model.public(event, row))
        return series_model.public(row, sessions)

    def get_series(self, series_id, include_drafts=False, drafts_of=None):
        """A series with its sessions; a draft only when asked for (given `drafts_of`, that
        organizer's). Others than its staff do not see sessions left as drafts."""
        with self.database.transaction() as session:
            row = session.execute(select(series).where(series.c.id == series_id)).mappings().first()
            if row is None:
                raise _not_found()
            staff = include_drafts and drafts_of in (None, row["organizer"])
            if row["status"] == "draft" and not staff:
                raise _not_found()
            sessions = self._sessions(session, [series_id])
        return series_model.public(row, [s for s in sessions if staff or s["status"] != "draft"])

    def list_series(self, organizer):
        """Every series of `organizer` (None: every organizer's), drafts too, the soonest first
        session first: for staff."""
        query = select(series)
        if organizer is not None:
            query = query.where(series.c.organizer == organizer)
        with self.database.transaction() as session:
            rows = session.execute(query).mappings().all()
            sessions = self._sessions(session, [row["id"] for row in rows])
        by_series = {}
        for event in sessions:
            by_series.setdefault(event["series_id"], []).append(event)
        listed = [series_model.public(row, by_series.get(row["id"], [])) for row in rows]
        return sorted(listed, key=lambda s: (s["sessions"][0]["starts_at"] if s["sessions"] else "", s["id"]))

    def change_series(self, series_id, change, organizer):
        """The series changed, and with it every session not yet started (each its own
        `event_updated`, or `event_published` when the series is published)."""
        with self.database.transaction() as session:
            current = session.execute(
                select(series).where(series.c.id == series_id).with_for_update()).mappings().first()
            if current is None:
                raise _not_found()
            current = dict(current)
            check_owner(current["organizer"], organizer)
            now = utcnow()
            updated, changed, session_change = series_model.apply_change(current, change, now)
            check_owner(updated["organizer"], organizer)
            last_end = session.execute(
                select(func.max(events.c.ends_at)).where(events.c.series_id == series_id)).scalar_one()
            if self._settle_series_code(session, updated, last_end, now, before=current) and "sms_code" not in changed:
                changed.append("sms_code")
                updated["updated_at"] = now
            if changed:
                session.execute(update(series).where(series.c.id == series_id).values(
                    **{name: updated[name] for name in changed + ["updated_at"]}))
            # in id order, as every writer of several sessions locks them
            coming = session.execute(
                select(events).where(events.c.series_id == series_id, events.c.starts_at > now,
                                     events.c.status != "cancelled").order_by(events.c.id).with_for_update()
            ).mappings().all()
            for event in map(dict, coming):
                self._pass_on(session, event, updated, session_change, "sms_code" in changed, now)
            sessions = self._sessions(session, [series_id])
        return series_model.public(updated, sessions)

    def _pass_on(self, session, event, series_row, change, code_changed, now):
        """One session changed as its series was: written, and its event published."""
        updated, changed = (model.apply_change(event, change, now, self.reminder_policy) if change
                            else (event, []))
        if not changed and not code_changed:
            return
        if changed:
            values = {name: updated[name] for name in changed + ["reminder_chosen", "search_text", "updated_at"]}
            session.execute(update(events).where(events.c.id == event["id"]).values(**values))
        shown = model.public(updated, series_row)
        if event["status"] == "draft" and updated["status"] == "published":
            add_event(session, outbox, "event_published", shown)
        elif updated["status"] == "published":
            add_event(session, outbox, "event_updated",
                      {**shown, "changed": changed + (["series_sms_code"] if code_changed else [])})

    def _sessions(self, session, series_ids):
        if not series_ids:
            return []
        return [dict(row) for row in session.execute(
            select(events).where(events.c.series_id.in_(series_ids)).order_by(events.c.session_number)
        ).mappings()]

    def _series_of(self, session, rows):
        """{series id: series row} for the sessions among `rows` (what model.public needs)."""
        ids = {row["series_id"] for row in rows if row.get("series_id")}
        if not ids:
            return {}
        found = session.execute(select(series.c.id, series.c.sms_code, series.c.session_count, series.c.schedule)
                                .where(series.c.id.in_(ids))).mappings()
        return {row["id"]: row for row in found}

    def _settle_series_code(self, session, row, ends_at, now, before=None):
        """The series' SMS code checked, or made when it is published without one (as an
        event's: storage.CatalogStore._settle_code); True when one was made."""
        if row["sms_code"] is None and row["status"] != "published":
            return False
        if row["sms_code"] is not None and before is not None and row["sms_code"] == before["sms_code"]:
            return False
        return self._settle_code(session, row, ends_at, now, series_id=row["id"])
