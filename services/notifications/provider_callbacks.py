"""A provider's webhook, handed over by the gateway as it came: checked against the provider's
signature, read by the provider's own module (providers/twilio.py) into our terms, and acted on.

A status callback moves its message forward (storage `record_delivery`: never back, so a late or
repeated report changes nothing). An inbound SMS is kept once per provider id and answered at
once; the timer acts on it (inbound.py), so nothing waits on registration here.

The request is {"url": the public address it was posted to, "headers": {name: value}, "form":
{field: value}}; the answer is the one the provider expects ({"status", "content_type"?, "body"?})."""
from shared.errors import Forbidden, NotFound


def receive(store, webhooks, provider, kind, request):
    """Act on `provider`'s webhook of `kind`; returns its answer. 403 `bad_signature` when the
    provider did not sign it, 404 for a provider or kind we take no webhooks of."""
    reader = webhooks.get(provider)
    if reader is None or kind not in _ACTIONS:
        raise NotFound(f"No {provider} webhooks of kind {kind!r} are taken.", code="no_such_endpoint")
    headers = {name.lower(): value for name, value in request.get("headers", {}).items()}
    form = request.get("form", {})
    if not reader.is_signed(request.get("url", ""), form, headers):
        raise Forbidden(f"The request is not signed by {reader.title}.", code="bad_signature")
    _ACTIONS[kind](store, reader, form)
    return reader.answer(kind)


def _record_delivery(store, reader, form):
    report = reader.delivery_report(form)
    if report is not None:
        store.record_delivery(report.provider_ref, report.status, report.error_code)


def _keep_inbound(store, reader, form):
    sms = reader.inbound_sms(form)
    if sms is not None:
        store.inbound.receive(sms.provider_ref, sms.sender, sms.body)


_ACTIONS = {"status": _record_delivery, "inbound": _keep_inbound}
