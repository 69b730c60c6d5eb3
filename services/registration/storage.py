"""The object registration's entrypoints (and the retention tool) get from its dependency: one
verb per use case, each handed to the module that holds it. No logic lives here.

Where things are (services/registration/):
  intake.py        sign-ups, one or a batch
  enrolment.py     enrolments in a series: enrol, cancel one session or all, erase (enrolment_rules.py)
  cancellation.py  cancel by code or by client, erase, the waiting list moving into freed seats
  attendance.py    check-in and walk-ins
  announcements.py staff's message to everyone coming, once per key
  by_phone.py      what a resident does by text: cancel, sign up by an event's SMS code, their
                   next event, a text forwarded to its organizer
  catalog_copy.py  the local copy of catalog's events; called off or changed, told per registrant
  closing.py       the contact person's summary when registration closes
  reminders.py     each confirmed registrant's reminder at the event's reminder_at, once
  retention.py     anonymising ended events, forgetting old Idempotency-Keys
  reads.py         a registration by code, the roster, seats left
  reports.py       statistics, a series' too
  rules.py, seating.py  the rules, plain Python;  shapes.py  answers and event data
  lookups.py       finding and locking rows, shared by the use cases

Every change locks the event's row first (events in id order when several), so seat counts are
exact under concurrency, and writes its outgoing events to the outbox in the same transaction."""
from services.registration import (announcements, attendance, by_phone, cancellation, catalog_copy, closing,
                                   enrolment, intake, reads, reminders, reports, retention)


class RegistrationStore:
    def __init__(self, database):
        self.database = database

    def register(self, event_id, signup, idempotency_key=None):
        return intake.register(self.database, event_id, signup, idempotency_key)

    def register_many(self, sign_ups):
        return intake.register_many(self.database, sign_ups)

    def enrol(self, series_id, signup, idempotency_key=None, organizer=None):
        return enrolment.enrol(self.database, series_id, signup, idempotency_key, organizer)

    def get_enrolment(self, cancel_code):
        return enrolment.get(self.database, cancel_code)

    def cancel_enrolment(self, cancel_code):
        return enrolment.cancel_all(self.database, cancel_code)

    def cancel_session(self, cancel_code, event_id):
        return enrolment.cancel_session(self.database, cancel_code, event_id)

    def erase_enrolment(self, cancel_code):
        return enrolment.erase(self.database, cancel_code)

    def cancel_enrolment_by_phone(self, phone, scope, enrolment_id, idempotency_key=None):
        return by_phone.cancel_enrolment(self.database, phone, scope, enrolment_id, idempotency_key)

    def series_stats(self, series_id, organizer=None):
        return reports.series_stats(self.database, series_id, organizer)

    def cancel(self, cancel_code):
        return cancellation.cancel(self.database, cancel_code)

    def cancel_by_client(self, event_id, client_ref, organizer=None):
        return cancellation.cancel_by_client(self.database, event_id, client_ref, organizer)

    def erase(self, cancel_code):
        return cancellation.erase(self.database, cancel_code)

    def cancel_by_phone(self, phone, choice=None, idempotency_key=None):
        return by_phone.cancel(self.database, phone, choice, idempotency_key)

    def sign_up_by_phone(self, phone, sms_code, seats, name, language, idempotency_key, allowed_regions):
        return by_phone.sign_up(self.database, phone, sms_code, seats, name, language, idempotency_key,
                                allowed_regions)

    def next_event_of_phone(self, phone):
        return by_phone.next_event(self.database, phone)

    def forward_text(self, phone, text, received_at, idempotency_key=None):
        return by_phone.forward(self.database, phone, text, received_at, idempotency_key)

    def check_in(self, reference, attended, staff, organizer=None):
        return attendance.check_in(self.database, reference, attended, staff, organizer)

    def record_walk_ins(self, event_id, count, staff, organizer=None):
        return attendance.record_walk_ins(self.database, event_id, count, staff, organizer)

    def walk_ins_for_event(self, event_id, organizer=None):
        return attendance.walk_ins_for_event(self.database, event_id, organizer)

    def message_everyone(self, event_id, message, staff, organizer=None, key=None):
        return announcements.message_everyone(self.database, event_id, message, staff, organizer, key)

    def message_audience(self, event_id, include_waitlist=False, organizer=None):
        return announcements.audience(self.database, event_id, include_waitlist, organizer)

    def sent_message(self, event_id, message_id, organizer=None):
        return announcements.sent_message(self.database, event_id, message_id, organizer)

    def apply_catalog_event(self, envelope, data):
        return catalog_copy.apply_catalog_event(self.database, envelope, data)

    def close_registrations(self, now=None):
        return closing.close_registrations(self.database, now)

    def send_reminders(self, now=None):
        return reminders.send_reminders(self.database, now)

    def anonymise_ended(self, retention_days, now=None):
        return retention.anonymise_ended(self.database, retention_days, now)

    def forget_idempotency_keys(self, now=None):
        return retention.forget_idempotency_keys(self.database, now)

    def get_by_code(self, reference):
        return reads.get_by_code(self.database, reference)

    def list_for_event(self, event_id, organizer=None, client_ref=None):
        return reads.list_for_event(self.database, event_id, organizer, client_ref)

    def availability(self, event_ids):
        return reads.availability(self.database, event_ids)

    def stats(self, starts_from=None, starts_before=None, municipality=None, organizer=None, per_month=False):
        return reports.stats(self.database, starts_from, starts_before, municipality, organizer, per_month)
