"""The provider boundary for sending, in plain Python: a provider writes only its own call, and
every call is timed and logged with its outcome, never with the recipient."""
import logging

import pytest

from services.notifications.providers.errors import PermanentDeliveryError, TransientDeliveryError
from services.notifications.providers.mail import ConsoleEmail
from services.notifications.providers.sms import SmsClient


class Provider(SmsClient):
    """A provider whose own part answers as it is told."""

    name = "test-provider"

    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def try_send_sms(self, to, body, reference):
        self.calls.append((to, body, reference))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def provider_lines(caplog):
    return [r for r in caplog.records if r.name == "services.notifications.providers.client"]


def test_send_sms_hands_the_message_to_the_provider_and_returns_its_id_logging_the_time(caplog):
    caplog.set_level(logging.DEBUG)
    provider = Provider("SM0001")
    assert provider.send_sms("+358401234567", "Hei Maija", "n-1") == "SM0001"
    assert provider.calls == [("+358401234567", "Hei Maija", "n-1")]
    [line] = provider_lines(caplog)
    assert line.notification_id == "n-1"
    assert line.getMessage().startswith("test-provider call took ") and line.getMessage().endswith(": accepted")
    assert "+358401234567" not in line.getMessage()


@pytest.mark.parametrize("error", [TransientDeliveryError("Twilio 503", code="20503"),
                                   PermanentDeliveryError("Twilio 400", code="21211")])
def test_a_providers_failure_reaches_the_sender_as_it_was_raised_and_is_logged_with_its_code(caplog, error):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(type(error)) as raised:
        Provider(error).send_sms("+358401234567", "Hei", "n-2")
    assert raised.value is error
    [line] = provider_lines(caplog)
    assert line.getMessage().endswith(f"{type(error).__name__} ({error.code})")


def test_a_bug_in_a_provider_is_not_mistaken_for_a_provider_answer(caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(KeyError):
        Provider(KeyError("oops")).send_sms("+358401234567", "Hei", "n-3")
    [line] = provider_lines(caplog)
    assert line.getMessage().endswith("failed on an unexpected error")


def test_the_console_prints_an_email_with_the_address_masked(capsys):
    assert ConsoleEmail().send_email("maija@example.fi", "Tervetuloa", "Hei Maija", None, "n-4") == "console-n-4"
    printed = capsys.readouterr().out
    assert "m***@example.fi" in printed and "maija@example.fi" not in printed and "Hei Maija" in printed
