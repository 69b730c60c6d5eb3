"""Organizers' webhooks, the rules in plain Python: how a POST is signed (the Standard Webhooks
scheme, https://www.standardwebhooks.com), how long to wait before trying a receiver that was
down again, what is left of a body after erasure. Which URLs are accepted: webhook_addresses.py."""
import base64
import binascii
import hashlib
import hmac
import json
import secrets

SECRET_PREFIX = "whsec_"
# Standard Webhooks: the receiver checks webhook-signature over "id.timestamp.body" and refuses a
# timestamp too far from its clock, so a POST recorded once cannot be played again later.
ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = "webhook-id", "webhook-timestamp", "webhook-signature"
# The signature of the first release (HMAC of the body alone, no timestamp: replayable), still sent
# for one release so receivers can move over; then dropped.
LEGACY_SIGNATURE_HEADER = "X-Yhdessa-Signature"
EVENT_ID_HEADER = "X-Yhdessa-Event-Id"
MAX_DELAY_SECONDS = 30 * 60


def new_secret():
    """`whsec_` and the base64 of 32 random bytes, as Standard Webhooks libraries take it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _key(secret):
    """The HMAC key of a secret, read as the Standard Webhooks libraries read it (lenient base64),
    so secrets of the first release (url-safe base64) verify with those libraries too."""
    encoded = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(encoded + "==")
    except binascii.Error:  # a first-release secret no library can decode: its text is the key
        return encoded.encode("utf-8")


def sign(secret, message_id, timestamp, body):
    """The webhook-signature value: `v1,` and the base64 HMAC-SHA256 of "id.timestamp.body"."""
    signed = f"{message_id}.{int(timestamp)}.".encode("utf-8") + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode("ascii")


def legacy_signature(secret, body):
    """X-Yhdessa-Signature: `sha256=` and the hex HMAC-SHA256 of the body, keyed with the secret's text."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_headers(secret, message_id, timestamp, body):
    """The headers that let a receiver check that we sent `body` (bytes), and when."""
    return {ID_HEADER: message_id, TIMESTAMP_HEADER: str(int(timestamp)),
            SIGNATURE_HEADER: sign(secret, message_id, timestamp, body),
            LEGACY_SIGNATURE_HEADER: legacy_signature(secret, body), EVENT_ID_HEADER: message_id}


def without_name(body):
    """A stored body with the registrant's name blanked (erasure, retention)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    if isinstance(payload, dict) and payload.get("name") is not None:
        payload["name"] = None
    return json.dumps(payload, ensure_ascii=False)
