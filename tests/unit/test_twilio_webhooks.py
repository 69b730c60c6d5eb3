"""Twilio's posts to us, in plain Python: the gateway hands them over as posted, only what Twilio
signed is taken, a delivery report moves its message (the statuses in between do not), and an
inbound SMS is read into our own terms."""
from types import SimpleNamespace

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.dependencies import ProviderWebhooks
from services.notifications import provider_callbacks
from services.notifications.providers.sms import DeliveryReport, InboundSms
from services.notifications.providers.twilio import TwilioWebhooks, status_callback_url
from shared.errors import Forbidden, NotFound

TOKEN = "secret"
URL = "https://yhdessa.example/webhooks/twilio/status"
REPORT = {"MessageSid": "SM0123", "MessageStatus": "delivered", "AccountSid": "ACtest"}


def signed(form, url=URL, token=TOKEN):
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


class Store:
    """The one storage verb a status callback uses, remembering what it was told."""

    def __init__(self):
        self.recorded = []

    def record_delivery(self, provider_ref, status, error_code=None):
        self.recorded.append((provider_ref, status, error_code))
        return True


def post(form, headers, url=URL, token=TOKEN, kind="status", provider="twilio"):
    store, webhooks = Store(), TwilioWebhooks(token)
    answer = provider_callbacks.receive(store, {webhooks.name: webhooks}, provider, kind,
                                        {"url": url, "headers": headers, "form": form})
    return answer, store.recorded


def test_the_status_callback_address_is_our_public_address_and_the_path_twilio_posts_to():
    assert status_callback_url("https://yhdessa.example/") == URL


def test_a_signed_delivery_report_moves_its_message_and_twilio_is_answered_204():
    answer, recorded = post(REPORT, signed(REPORT))
    assert answer == {"status": 204}
    assert recorded == [("SM0123", "delivered", None)]


def test_the_signature_header_is_found_whatever_its_case():
    _, recorded = post(REPORT, {"x-twilio-signature": signed(REPORT)["X-Twilio-Signature"]})
    assert recorded == [("SM0123", "delivered", None)]


def test_an_undelivered_report_keeps_twilios_error_code():
    form = {**REPORT, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    _, recorded = post(form, signed(form))
    assert recorded == [("SM0123", "undelivered", "30003")]


@pytest.mark.parametrize("status", ["queued", "accepted", "sending", "scheduled", "canceled", "", "Delivered"])
def test_the_statuses_in_between_and_unknown_ones_change_nothing(status):
    form = {**REPORT, "MessageStatus": status}
    answer, recorded = post(form, signed(form))
    assert answer == {"status": 204} and recorded == []


def test_a_report_without_a_message_sid_changes_nothing():
    form = {"MessageStatus": "delivered"}
    assert post(form, signed(form))[1] == []


@pytest.mark.parametrize("headers", [
    {},                                                               # not signed
    {"X-Twilio-Signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},           # signed by nobody
    signed(REPORT, token="another account's token"),
    signed(REPORT, url="https://elsewhere.example/webhooks/twilio/status"),  # for another address
    signed({**REPORT, "MessageStatus": "failed"}),                    # the form changed after signing
], ids=["missing", "wrong", "other-token", "other-url", "changed-form"])
def test_a_report_twilio_did_not_sign_is_refused_403_bad_signature_and_changes_nothing(headers):
    store, webhooks = Store(), TwilioWebhooks(TOKEN)
    with pytest.raises(Forbidden) as refused:
        provider_callbacks.receive(store, {"twilio": webhooks}, "twilio", "status",
                                   {"url": URL, "headers": headers, "form": REPORT})
    assert refused.value.http_status == 403 and refused.value.code == "bad_signature"
    assert refused.value.message == "The request is not signed by Twilio."
    assert store.recorded == []


def test_without_an_auth_token_nothing_is_accepted_however_it_is_signed():
    with pytest.raises(Forbidden):
        post(REPORT, signed(REPORT, token=""), token="")


def test_a_provider_or_kind_we_take_no_webhooks_of_is_not_found():
    with pytest.raises(NotFound):
        post(REPORT, signed(REPORT), provider="messagebird")
    with pytest.raises(NotFound):
        post(REPORT, signed(REPORT), kind="anything")


def test_a_status_callback_is_read_into_our_own_terms():
    assert TwilioWebhooks(TOKEN).delivery_report({**REPORT, "MessageStatus": "failed", "ErrorCode": "30007"}) \
        == DeliveryReport("SM0123", "failed", "30007")


def test_an_inbound_sms_is_read_into_a_provider_neutral_value():
    form = {"From": "+358401234567", "To": "+358451234567", "Body": "PERU 2", "MessageSid": "SM9876",
            "AccountSid": "ACtest", "NumMedia": "0"}
    assert TwilioWebhooks(TOKEN).inbound_sms(form) == InboundSms(
        provider_ref="SM9876", sender="+358401234567", recipient="+358451234567", body="PERU 2", account="ACtest")


def test_an_empty_inbound_sms_is_still_a_message_but_a_form_without_sender_or_sid_is_none():
    webhooks = TwilioWebhooks(TOKEN)
    assert webhooks.inbound_sms({"From": "+358401234567", "MessageSid": "SM1"}).body == ""
    assert webhooks.inbound_sms({"Body": "PERU", "MessageSid": "SM1"}) is None
    assert webhooks.inbound_sms({"From": "+358401234567", "Body": "PERU"}) is None


def test_twilio_is_answered_an_empty_twiml_document_for_an_inbound_sms_so_it_sends_no_reply_itself():
    assert TwilioWebhooks(TOKEN).answer("inbound") == {"status": 200, "content_type": "text/xml",
                                                       "body": "<Response/>"}


def as_posted_by_the_gateway(path, form, headers):
    """What the gateway hands notifications for a POST to `path` under our public address."""
    hooks = ProviderWebhooks()
    hooks.container = SimpleNamespace(config={"PUBLIC_BASE_URL": "https://yhdessa.example/"})
    hooks.setup()
    return hooks.as_posted(Request(EnvironBuilder(path=path, method="POST", data=form, headers=headers,
                                                  base_url="http://gateway:8000").get_environ()))


def test_the_gateway_hands_over_the_public_address_twilio_signed_and_the_form_as_posted():
    url = URL + "?attempt=2"
    request = as_posted_by_the_gateway("/webhooks/twilio/status?attempt=2", REPORT, signed(REPORT, url=url))
    assert request["url"] == url and request["form"] == REPORT
    store, webhooks = Store(), TwilioWebhooks(TOKEN)
    provider_callbacks.receive(store, {"twilio": webhooks}, "twilio", "status", request)
    assert store.recorded == [("SM0123", "delivered", None)]


def test_the_gateway_never_hands_over_our_own_callers_credentials():
    request = as_posted_by_the_gateway("/webhooks/twilio/status", REPORT,
                                       {"Authorization": "Bearer staff-token", "Cookie": "session=1", **signed(REPORT)})
    assert {name.lower() for name in request["headers"]}.isdisjoint({"authorization", "cookie"})
    assert "X-Twilio-Signature" in request["headers"]
