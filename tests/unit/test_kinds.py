"""The table of the bus's kinds (shared/kinds.py): every message it names can be written in every
language, staff never see a contact, and notifications keeps listening where messages wait."""
import pytest
from nameko.containers import ServiceContainer

from services.notifications import messages
from services.notifications.service import NotificationsService
from services.registration.service import RegistrationService
from shared.contracts import RegistrationClosed, RegistrationEvent
from shared.handlers import RetryingEventHandler
from shared.kinds import ACTIVITY_TYPES, KINDS, REGISTRANT_TEMPLATES, notified, telling

LANGUAGES = ("fi", "sv", "en")
EVENT = {"id": "e1", "title": {"fi": "Asunnottomien Yö", "sv": "De bostadslösas natt"}, "municipality": "Jyväskylä",
         "place": "Tourujoen puisto", "address": "Tourujoentie", "starts_at": "2026-10-17T15:00:00Z",
         "ends_at": "2026-10-17T19:00:00Z", "organizer": "Kosketus ry"}


def registration(language="fi", channel="sms", **changes):
    return RegistrationEvent.model_validate({
        "registration_id": "r1", "status": "confirmed", "name": "Maija", "phone": "+358401234567",
        "email": "maija@example.fi", "language": language, "channel": channel, "seats": 2,
        "cancel_code": "K7MX-4PRA", "waitlist_position": 3, "event": EVENT, **changes})


def queues_of(service_class):
    """The queue names a service's event handlers listen on, sorted."""
    container = ServiceContainer(service_class, {"AMQP_URI": "memory://"})
    handlers = [entrypoint for entrypoint in container.entrypoints if isinstance(entrypoint, RetryingEventHandler)]
    for handler in handlers:
        handler.setup()
    return sorted(handler.queue.name for handler in handlers)


def test_notifications_listens_on_the_queues_it_always_had():
    # Queues are durable on the broker: a renamed one would strand the messages waiting in it.
    assert queues_of(NotificationsService) == [
        f"evt-registration-{event_type}--notifications.on_{event_type}" for event_type in (
            "attendance_marked", "enrolment_cancelled", "enrolment_confirmed", "event_message", "event_message_sent",
            "registration_cancelled", "registration_closed",
            "registration_confirmed",
            "registration_erased", "registration_event_changed", "registration_promoted", "registration_reminder",
            "registration_repeated", "registration_waitlisted", "sms_received", "walk_ins_recorded")]


def test_registration_listens_on_the_queues_it_always_had():
    assert queues_of(RegistrationService) == [
        f"evt-catalog-{event_type}--registration.on_{event_type}"
        for event_type in ("event_cancelled", "event_published", "event_updated")]


def test_every_kind_somebody_hears_of_has_a_handler_that_takes_its_events():
    container = ServiceContainer(NotificationsService, {"AMQP_URI": "memory://"})
    heard = {(entrypoint.source_service, entrypoint.event_type) for entrypoint in container.entrypoints
             if isinstance(entrypoint, RetryingEventHandler)}
    assert {(kind.source, kind.name) for kind in notified()} <= heard


@pytest.mark.parametrize("template", REGISTRANT_TEMPLATES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_a_registrant_may_get_is_written_in_their_language_or_in_finnish(template, language):
    translated = (messages.TEMPLATES / language / f"{template}.j2").exists()
    sms = messages.render_sms(template, registration(language))
    email = messages.render_email(template, registration(language, channel="email"))
    for message in (sms, email):
        assert message.template == template and message.language == (language if translated else "fi")
    title = EVENT["title"].get(language, EVENT["title"]["fi"])  # every message names its event
    assert title in sms.text and title in email.subject + email.text and title in email.html


def test_finnish_holds_every_registrant_template_as_the_fallback_of_the_others():
    # without the Finnish text a message in a language that lacks its own cannot be written at all
    missing = [name for name in REGISTRANT_TEMPLATES if not (messages.TEMPLATES / "fi" / f"{name}.j2").exists()]
    assert missing == []


@pytest.mark.parametrize("contact", [{"summary_phone": "+358401112222"}, {"summary_email": "yo@example.fi"}])
def test_the_contact_person_gets_the_numbers_when_registration_closes(contact):
    kind = KINDS["registration_closed"]
    closed = RegistrationClosed.model_validate({"confirmed": 40, "confirmed_seats": 52, "waitlisted": 3,
                                                "waitlisted_seats": 4, "event": EVENT, **contact})
    message = messages.render_summary(kind.contact_template, closed)
    assert message.template == "summary" and "52" in message.text and "Asunnottomien Yö" in message.text


def test_a_cancelled_event_tells_that_the_event_is_off_and_an_erasure_tells_nobody():
    assert telling("registration_cancelled", "by_registrant").template == "cancelled"
    assert telling("registration_cancelled", "event_cancelled").template == "event_cancelled"
    assert messages.render("registration_cancelled", registration(status="cancelled", reason="erased")) is None


def test_staff_caused_messages_are_the_event_cancelled_or_changed():
    assert telling("registration_cancelled", "event_cancelled").by_staff
    assert telling("registration_event_changed").by_staff
    assert not telling("registration_cancelled", "by_registrant").by_staff
    assert not telling("registration_confirmed").by_staff


@pytest.mark.parametrize("event_type", ACTIVITY_TYPES)
def test_what_staff_follow_is_in_the_event_and_never_a_contact_or_code(event_type):
    kind = KINDS[event_type]
    assert set(kind.activity_fields) <= set(kind.contract.model_fields)
    assert not set(kind.activity_fields) & {"phone", "email", "cancel_code", "token"}


def test_every_kind_comes_from_a_service_and_has_a_contract():
    for name, kind in KINDS.items():
        assert kind.name == name and kind.source in ("catalog", "registration") and kind.about
        assert kind.contract.model_fields
