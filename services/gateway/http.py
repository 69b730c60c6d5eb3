"""HTTP plumbing of the gateway: JSON bodies in (with limits), JSON out, and every error in the
shape `{"error": {"code", "message", "fields"}}` with the status code the error carries."""
import json
import logging

from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from services.gateway.server import GatewayServer
from shared.errors import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    YhdessaError,
)

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False), status=status, headers=headers,
                    mimetype="application/json")


def error_response(error):
    return json_response(error.as_json(), status=error.http_status)


def json_body(request):
    """The request's JSON body; 413 when too large, 415 when not JSON, 400 when malformed."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES} bytes.")
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    request.max_content_length = MAX_BODY_BYTES
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The body is not valid JSON.", code="malformed_json")


class JsonEndpoint(HttpRequestHandler):
    """nameko's HTTP entrypoint, answering every error as JSON, served by our limited server."""

    server = GatewayServer()

    def __init__(self, method, url, **kwargs):
        kwargs.setdefault("expected_exceptions", (YhdessaError,))
        super().__init__(method, url, **kwargs)

    def response_from_exception(self, exc):
        if isinstance(exc, YhdessaError):
            return error_response(exc)
        log.error("unexpected error answering %s %s", self.method, self.url, exc_info=exc)
        return json_response({"error": {"code": "internal_error", "message": "Something went wrong on our side."}},
                             status=500)


http = JsonEndpoint.decorator
