"""Our Twilio provider with the real twilio library against the local Messages API double: what a
failure means, and finding a message Twilio accepted when its answer was lost."""
import datetime as dt

import pytest

from services.notifications.providers.errors import OutcomeUnknownError, TransientDeliveryError
from services.notifications.providers.twilio import TwilioSms
from shared.database import utcnow
from tests.system import free_port


def provider(settings, timeout=5):
    return TwilioSms(settings["TWILIO_ACCOUNT_SID"], settings["TWILIO_AUTH_TOKEN"], settings["TWILIO_FROM"],
                     settings["TWILIO_API_URL"], timeout)


def test_an_answer_lost_after_twilio_accepted_is_an_unknown_outcome_and_the_message_is_found(twilio_double):
    settings, sms = twilio_double("--answer-after", "3")
    twilio = provider(settings, timeout=1)
    handed_over = utcnow()
    with pytest.raises(OutcomeUnknownError):
        twilio.send_sms("+358401230001", "Hei Maija, paikkasi on varattu.", "n-1")
    [accepted] = sms.wait_for(1)
    assert twilio.find_sent("+358401230001", "Hei Maija, paikkasi on varattu.", handed_over) == accepted["sid"]


def test_a_refused_connection_is_transient_since_nothing_can_have_been_sent(twilio_double):
    settings, _ = twilio_double()
    twilio = provider({**settings, "TWILIO_API_URL": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(TransientDeliveryError) as raised:
        twilio.send_sms("+358401230001", "Hei", "n-1")
    assert raised.value.code == "connection"


def test_a_message_twilio_never_accepted_is_not_found_however_many_pages_the_number_has(twilio_double):
    settings, sms = twilio_double()
    twilio = provider(settings)
    handed_over = utcnow()
    for n in range(120):  # three pages of the list
        twilio.send_sms("+358401230002", f"viesti {n}", f"n-{n}")
    twilio.send_sms("+358401230003", "Hei Maija, paikkasi on varattu.", "other")
    assert twilio.find_sent("+358401230002", "Hei Maija, paikkasi on varattu.", handed_over) is None
    # the oldest, on the last page, is still found
    first = sms.all()[0]
    assert twilio.find_sent("+358401230002", "viesti 0", handed_over) == first["sid"]


def test_a_message_with_the_same_text_that_is_already_one_of_ours_is_not_taken_for_this_one(twilio_double):
    settings, _ = twilio_double()
    twilio = provider(settings)
    handed_over = utcnow()
    earlier = twilio.send_sms("+358401230004", "Tapahtuma on peruttu.", "n-1")
    assert twilio.find_sent("+358401230004", "Tapahtuma on peruttu.", handed_over, {earlier}) is None
    assert twilio.find_sent("+358401230004", "Tapahtuma on peruttu.", handed_over) == earlier


def test_messages_from_long_before_the_hand_over_are_not_looked_at(twilio_double):
    settings, _ = twilio_double()
    twilio = provider(settings)
    twilio.send_sms("+358401230005", "Muistutus huomisesta.", "n-1")
    tomorrow = utcnow() + dt.timedelta(days=1)
    assert twilio.find_sent("+358401230005", "Muistutus huomisesta.", tomorrow) is None


def test_a_twilio_that_cannot_list_now_is_transient(twilio_double):
    settings, _ = twilio_double()
    twilio = provider({**settings, "TWILIO_API_URL": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(TransientDeliveryError):
        twilio.find_sent("+358401230001", "Hei", utcnow())
