"""SMS through a Twilio Messaging Service (TWILIO_MESSAGING_SERVICE_SID, a pool of numbers): our
provider and the notifications service with the real twilio library against the Messages API
double, which takes MessagingServiceSid as Twilio does and refuses a message with no sender."""
import pytest

from services.notifications.providers.errors import TransientDeliveryError
from services.notifications.providers.twilio import TwilioSms
from shared.database import utcnow
from shared.events import make_envelope
from tests.integration.test_notifications_service import (  # noqa: F401 (a fixture)
    registration_data,
    start_notifications,
)

POOL = "MG" + "0123456789abcdef" * 2


def provider(settings, sender, pool):
    return TwilioSms(settings["TWILIO_ACCOUNT_SID"], settings["TWILIO_AUTH_TOKEN"], sender,
                     settings["TWILIO_API_URL"], 5, messaging_service_sid=pool)


def test_with_a_messaging_service_an_sms_names_the_service_instead_of_a_number_and_is_found_again(twilio_double):
    settings, sms = twilio_double()
    twilio = provider(settings, settings["TWILIO_FROM"], POOL)
    handed_over = utcnow()
    sid = twilio.send_sms("+358401230001", "Hei Maija, paikkasi on varattu.", "n-1")
    [posted] = sms.all()
    assert posted["MessagingServiceSid"] == POOL and "From" not in posted and posted["sid"] == sid
    # reconciliation asks by recipient, whichever of the pool's numbers sent it
    assert twilio.find_sent("+358401230001", "Hei Maija, paikkasi on varattu.", handed_over) == sid


def test_a_message_with_neither_a_number_nor_a_service_is_refused_as_twilio_does_and_retried_later(twilio_double):
    settings, sms = twilio_double()
    with pytest.raises(TransientDeliveryError) as refused:  # an operator's setting to fix, not the recipient's
        provider(settings, None, None).send_sms("+358401230001", "Hei", "n-1")
    assert refused.value.code == "21603"
    assert sms.all() == []


def test_the_service_sends_through_the_messaging_service_with_no_number_of_its_own(start_notifications,  # noqa: F811
                                                                                   twilio_double):
    twilio, sms = twilio_double()
    dispatch, _ = start_notifications({**twilio, "TWILIO_FROM": ""}, TWILIO_MESSAGING_SERVICE_SID=POOL)
    dispatch("registration_confirmed", make_envelope("registration_confirmed", registration_data()))
    [message] = sms.wait_for(1)
    assert message["To"] == "+358401234567" and message["MessagingServiceSid"] == POOL
    assert "K7MX-4PRA" in message["Body"]
