"""Errors that cross RPC intact and become the JSON error shape at the gateway.

Each is registered with nameko so the caller gets the same type back, with its code, message and
fields, instead of a generic RemoteError. The gateway maps `http_status` once, in one place.
"""
from nameko.exceptions import deserialize_to_instance


class YhdessaError(Exception):
    http_status = 400
    default_code = "bad_request"

    def __init__(self, message, code=None, fields=None):
        super().__init__(message, code or self.default_code, fields or {})
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}

    def as_json(self):
        error = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


@deserialize_to_instance
class ValidationFailed(YhdessaError):
    http_status = 422
    default_code = "validation_error"


@deserialize_to_instance
class NotFound(YhdessaError):
    http_status = 404
    default_code = "not_found"


@deserialize_to_instance
class Conflict(YhdessaError):
    """The request is well-formed but the state of things refuses it: `event_full`,
    `registration_closed`, `registration_not_open`, `event_cancelled`."""

    http_status = 409
    default_code = "conflict"


@deserialize_to_instance
class Forbidden(YhdessaError):
    http_status = 403
    default_code = "forbidden"


def validation_failed(pydantic_error, message="The request has invalid fields."):
    """A ValidationFailed naming each bad field (dotted path) with pydantic's reason."""
    fields = {}
    for err in pydantic_error.errors():
        path = ".".join(str(part) for part in err["loc"]) or "body"
        # our own rules' reasons as written, without pydantic's "Value error, " in front
        reason = str(err["ctx"]["error"]) if err["type"] == "value_error" and "error" in err.get("ctx", {}) else err["msg"]
        fields.setdefault(path, reason)
    return ValidationFailed(message, fields=fields)


@deserialize_to_instance
class Unauthorized(YhdessaError):
    http_status = 401
    default_code = "unauthorized"


class BadRequest(YhdessaError):
    http_status = 400
    default_code = "bad_request"


class MethodNotAllowed(YhdessaError):
    http_status = 405
    default_code = "method_not_allowed"


class PayloadTooLarge(YhdessaError):
    http_status = 413
    default_code = "payload_too_large"


class UnsupportedMediaType(YhdessaError):
    http_status = 415
    default_code = "unsupported_media_type"


@deserialize_to_instance
class ServiceUnavailable(YhdessaError):
    """Not done: the service, or what it depends on, could not do it now. Safe to try again
    (with the same Idempotency-Key for a sign-up)."""

    http_status = 503
    default_code = "service_unavailable"


class TooManyRequests(YhdessaError):
    """Over a limit of the client's address (gateway only); `Retry-After` says when to try again."""

    http_status = 429
    default_code = "too_many_requests"

    def __init__(self, message, retry_after, code=None):
        super().__init__(message, code)
        self.headers = {"Retry-After": str(retry_after)}


@deserialize_to_instance
class DatabaseUnavailable(ServiceUnavailable):
    """The service's database could not be reached or did not answer in time: an outage, not the
    request's fault. Event handlers keep retrying these instead of dead-lettering them."""


@deserialize_to_instance
class MaybeDone(ServiceUnavailable):
    """A request delivered a second time after a lost broker connection (shared/entrypoints.py):
    the first delivery may have done it, so it is refused, not done again."""


@deserialize_to_instance
class DeadlinePassed(ServiceUnavailable):
    """The caller had given up waiting (shared/deadlines.py), so the work was refused or rolled back."""
