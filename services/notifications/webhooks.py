"""Organizers' webhooks, the rules in plain Python: which URLs are accepted, how a body is
signed, how long to wait before trying a receiver that was down again."""
import hashlib
import hmac
import json
import secrets
import urllib.parse

from shared.errors import ValidationFailed

SIGNATURE_HEADER = "X-Yhdessa-Signature"
EVENT_ID_HEADER = "X-Yhdessa-Event-Id"
MAX_DELAY_SECONDS = 30 * 60


def new_secret():
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret, body):
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def check_url(url):
    """The URL, or ValidationFailed: an absolute http(s) URL with a host and no credentials."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValidationFailed("The webhook URL must be an absolute http or https URL.",
                               fields={"url": "like https://example.org/yhdessa"})
    if parsed.username or parsed.password:
        raise ValidationFailed("Put no credentials in the URL: check the signature instead.",
                               fields={"url": "no user:password@ part"})
    return url


def backoff(attempts, base_seconds):
    """Seconds before the next try after `attempts` failed ones: base, 2 x base … at most 30 min."""
    return min(base_seconds * 2 ** (attempts - 1), MAX_DELAY_SECONDS)


def without_name(body):
    """A stored body with the registrant's name blanked (erasure, retention)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    if isinstance(payload, dict) and payload.get("name") is not None:
        payload["name"] = None
    return json.dumps(payload, ensure_ascii=False)
