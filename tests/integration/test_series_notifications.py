"""A weekly group's messages through the notifications service with the real broker, its real
database and the real twilio library talking to the local Twilio double: one message for an
enrolment however many sessions it holds, "viikko 2/4" in a session's reminder, and PERU's question
answered by 2, with registration played by a stand-in service on the broker (its `sms_cancel` and
`sms_cancel_enrolment`, as the contract names them)."""
import datetime as dt

from nameko.rpc import rpc
from sqlalchemy import func, select

from services.notifications.inbound_storage import InboundStore
from services.notifications.tables import inbound_sms, processed_events
from shared import gsm
from shared.database import Database
from shared.events import make_envelope
from tests.conftest import wait_until
from tests.integration.helpers import future
from tests.integration.test_notifications_service import rows, start_notifications  # noqa: F401

PHONE = "+358401234567"
CALLS = []


class RegistrationStandIn:
    """Registration's SMS verbs on the broker: PERU finds an enrolment, 1 / 2 cancel it."""

    name = "registration"

    @rpc
    def sms_cancel(self, phone, choice=None, idempotency_key=None):
        CALLS.append(("sms_cancel", phone, choice, idempotency_key))
        return {"outcome": "enrolment", "enrolment_id": "n-1", "title": {"fi": "Nuorten vertaisryhmä"},
                "next": {"event_id": "e-2", "session_number": 2, "session_count": 4,
                         "starts_at": "2026-09-12T14:00:00+00:00"}}

    @rpc
    def sms_cancel_enrolment(self, phone, scope, enrolment_id, idempotency_key=None):
        CALLS.append(("sms_cancel_enrolment", phone, scope, enrolment_id, idempotency_key))
        return {"outcome": "cancelled"}


def session_snapshot(number, first):
    starts = first + dt.timedelta(weeks=number - 1)
    return {"id": f"e-{number}", "title": {"fi": "Nuorten vertaisryhmä"}, "municipality": "Jyväskylä",
            "place": "Kompassi", "address": None, "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "organizer": "Monikulttuurikeskus",
            "series_id": "s-1", "session_number": number, "session_count": 4, "series_weekly": True}


def person(**changes):
    return {"name": "Amina", "phone": PHONE, "email": None, "language": "fi", "channel": "sms", "seats": 1,
            "cancel_code": "K7MX-4PRA", **changes}


def test_an_enrolment_is_one_sms_and_each_sessions_reminder_says_which_week(start_notifications, twilio_double):
    twilio, sms = twilio_double()
    dispatch, database = start_notifications(twilio)
    first = future()
    for number in range(1, 5):  # each session's own registration, told with the enrolment
        dispatch("registration_confirmed", make_envelope("registration_confirmed", {
            **person(), "registration_id": f"r-{number}", "status": "confirmed", "enrolment_id": "n-1",
            "told_with_enrolment": True, "event": session_snapshot(number, first)}))
    dispatch("enrolment_confirmed", make_envelope("enrolment_confirmed", {
        **person(), "enrolment_id": "n-1", "series_id": "s-1", "status": "confirmed", "token": "tok",
        "sessions": [{"event_id": f"e-{n}", "session_number": n, "status": "confirmed",
                      "starts_at": (first + dt.timedelta(weeks=n - 1)).isoformat()} for n in range(1, 5)],
        "event": session_snapshot(1, first)}))
    [enrolled] = sms.wait_for(1)
    assert "Olet mukana: Nuorten vertaisryhmä" in enrolled["Body"] and "K7MX-4PRA" in enrolled["Body"]
    assert gsm.segments(enrolled["Body"]) <= 2
    dispatch("registration_reminder", make_envelope("registration_reminder", {
        **person(), "registration_id": "r-2", "status": "confirmed", "enrolment_id": "n-1",
        "event": session_snapshot(2, first)}))
    wait_until(lambda: len(sms.all()) == 2, message="the reminder")
    assert "(viikko 2/4)" in sms.all()[1]["Body"]
    # the four sessions' registrations were heard (each recorded as handled) but sent nothing
    wait_until(lambda: handled(database) == 6, message="all six events handled")
    assert sorted(r["template"] for r in rows(database)) == ["enrolled", "reminder"] and len(sms.all()) == 2
    # the enrolment erased: its own message is blanked (its sessions' by their registration_erased)
    dispatch("enrolment_cancelled", make_envelope("enrolment_cancelled", {
        "enrolment_id": "n-1", "series_id": "s-1", "status": "cancelled", "reason": "erased", "channel": "sms",
        "seats": 1, "cancel_code": "K7MX-4PRA", "event": session_snapshot(1, first)}))
    wait_until(lambda: [r["recipient"] for r in rows(database) if r["template"] == "enrolled"] == [""],
               message="the enrolment's message blanked")
    assert len(sms.all()) == 2


def test_peru_asks_only_the_next_or_all_and_2_cancels_all_through_registration(start_notifications, twilio_double,
                                                                                container_factory, config_for):
    CALLS.clear()
    twilio, sms = twilio_double()
    dispatch, database = start_notifications(twilio, SMS_ALLOWED_REGIONS="FI")
    container_factory(RegistrationStandIn, config_for("registration")).start()
    inbound = InboundStore(database)
    inbound.receive("SM-1", PHONE, "Peru")
    [question] = sms.wait_for(1)
    assert question["To"] == PHONE and question["Body"] == (
        "Nuorten vertaisryhmä: perutaanko vain seuraava kerta (la 12.9.) vai kaikki? "
        "Vastaa 1 = vain seuraava, 2 = kaikki.")
    inbound.receive("SM-2", PHONE, "2")
    inbound.receive("SM-2", PHONE, "2")  # the same MessageSid again: one effect
    wait_until(lambda: any(c[0] == "sms_cancel_enrolment" for c in CALLS), message="the answer acted on")
    wait_until(lambda: all(t is not None for t in processed(database)), message="both texts done")
    assert CALLS == [("sms_cancel", PHONE, None, "SM-1"), ("sms_cancel_enrolment", PHONE, "all", "n-1", "SM-2")]


def processed(database):
    with database.transaction() as session:
        return list(session.execute(select(inbound_sms.c.processed_at)).scalars())


def handled(database):
    with database.transaction() as session:
        return session.execute(select(func.count()).select_from(processed_events)).scalar()
