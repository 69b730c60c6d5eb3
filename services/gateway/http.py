"""HTTP plumbing of the gateway: JSON bodies in (with limits), JSON out, and every error in the
shape `{"error": {"code", "message", "fields"}}` with the status code the error carries.

Every answer gets the security headers and, on public endpoints, CORS (headers.py). Bodies, forms
included, are capped before anything reads them; JSON is capped in depth too. A method or path no
endpoint serves is answered by the fallback: OPTIONS (a CORS preflight, or 204 with Allow), 405
with Allow, or 404, all JSON (a browser asking for a page gets the 404 page).
"""
import json
import logging
import re
import unicodedata

from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import Map
from werkzeug.wrappers import Response

from services.gateway.headers import HeaderPolicy, public_address
from services.gateway.openapi import Operation
from services.gateway.server import MAX_BODY_BYTES, GatewayServer
from shared.errors import (
    BadRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    YhdessaError,
)

log = logging.getLogger(__name__)

# Our deepest body is two levels ({"title": {"fi": …}}); thousands of levels overflow the parser.
MAX_JSON_DEPTH = 16
# Longer path values (ids, codes) name nothing we have.
MAX_PATH_VALUE_LENGTH = 200
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII only: str.isdigit() accepts "²"
_INVISIBLE = ("Cc", "Cf", "Cs", "Co")


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False), status=status, headers=headers,
                    mimetype="application/json")


def error_response(error):
    response = json_response(error.as_json(), status=error.http_status, headers=getattr(error, "headers", None))
    response.yhdessa_error = error  # a page answers it as a page (pages/endpoint.py)
    return response


def _too_large():
    return PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES} bytes.")


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _too_deep():
    return BadRequest(f"The body nests deeper than {MAX_JSON_DEPTH} levels.", code="too_deeply_nested")


def _check_parsed(body):
    """400 for JSON nesting deeper than MAX_JSON_DEPTH, or holding a lone surrogate ("\\ud800"
    decodes to one: it is no text, and no database or answer should have to hold it). Walked
    iteratively: no recursion."""
    stack = [(body, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest("The body holds a lone surrogate (\\ud800–\\udfff), which is not text.",
                                 code="malformed_json")
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))


def json_body(request):
    """The request's JSON body; 413 when too large, 415 when not JSON, 400 when malformed or
    nested deeper than MAX_JSON_DEPTH."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _too_large()
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    request.max_content_length = MAX_BODY_BYTES
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise _too_large()
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep()
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The body is not valid JSON.", code="malformed_json")
    _check_parsed(body)
    return body


def idempotency_key(request):
    """The request's Idempotency-Key (None without one); over 200 characters is a 422."""
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 200:
        raise ValidationFailed("Idempotency-Key is too long.", fields={"Idempotency-Key": "at most 200 characters"})
    return key


def int_param(request, name, default, lowest, highest):
    """A whole-number query parameter (ASCII digits), `default` when absent; 422 naming it otherwise."""
    value = request.args.get(name)
    if value is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(value) or not lowest <= int(value) <= highest:
        raise ValidationFailed("Bad query parameter.", fields={name: f"a whole number {lowest}–{highest}"})
    return int(value)


def _has_invisible(value):
    return any(unicodedata.category(char) in _INVISIBLE for char in value)


def _check_request_text(request):
    """Path values and query parameters with control characters (a NUL breaks PostgreSQL's
    queries) are refused before any service sees them."""
    for value in (request.path_values or {}).values():
        if isinstance(value, str) and (len(value) > MAX_PATH_VALUE_LENGTH or _has_invisible(value)):
            raise NotFound("No such resource.", code="not_found")
    for name, value in request.args.items(multi=True):
        if _has_invisible(name) or _has_invisible(value):
            raise ValidationFailed("Bad query parameter.", fields={name: "must not contain control characters"})


class JsonEndpoint(HttpRequestHandler):
    """nameko's HTTP entrypoint, answering every error as JSON, with the security headers.
    `cors=True` marks a public endpoint a frontend on an allowed origin may call.

    Each endpoint declares itself for the OpenAPI document (openapi.py) where it is declared:
    `summary`, `answers` ({status: openapi.Answer}), `body` (the request model), `params` (query
    parameters, openapi.Param), `staff` (a staff token required), `errors` (statuses beyond those
    every such endpoint may answer) and `request_media` (a body that is no JSON model)."""

    server = GatewayServer()

    def __init__(self, method, url, cors=False, summary=None, answers=None, body=None, params=(), staff=False,
                 errors=(), request_media=None, **kwargs):
        kwargs.setdefault("expected_exceptions", (YhdessaError, RequestEntityTooLarge))
        super().__init__(method, url, **kwargs)
        self.cors = cors
        self.operation = None if summary is None else Operation(
            summary=summary, answers=answers or {}, body=body, params=tuple(params), staff=staff,
            errors=tuple(errors), request_media=request_media)

    def setup(self):
        super().setup()
        self.policy = HeaderPolicy(self.container.config)

    def handle_request(self, request):
        return self.policy.secure(self.answer(request))

    def answer(self, request):
        # Capped before anything parses it: a form is read whole into memory when first touched.
        request.max_content_length = request.max_form_memory_size = MAX_BODY_BYTES
        try:
            if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
                raise _too_large()
            _check_request_text(request)
        except YhdessaError as exc:
            response = error_response(exc)
        else:
            response = super().handle_request(request)
        return self.policy.open_to_origin(request, response) if self.cors else response

    def handle_result(self, event, worker_ctx, result, exc_info):
        if exc_info is not None:
            # the worker's container has logged it already (shared/logs.py: the level it deserves)
            exc_info[1]._yhdessa_logged = True
        return super().handle_result(event, worker_ctx, result, exc_info)

    def response_from_exception(self, exc):
        if isinstance(exc, RequestEntityTooLarge):
            exc = _too_large()
        if isinstance(exc, YhdessaError):
            if not getattr(exc, "_yhdessa_logged", False):
                log.info("%s %s answered %s %s: %s", self.method, self.url, exc.http_status, exc.code, exc.message)
            return error_response(exc)
        if not getattr(exc, "_yhdessa_logged", False):  # one traceback per fault, not two
            log.error("unexpected error answering %s %s", self.method, self.url, exc_info=exc)
        response = json_response({"error": {"code": "internal_error",
                                             "message": "Something went wrong on our side."}}, status=500)
        response.yhdessa_error = exc
        return response


class FallbackEndpoint(JsonEndpoint):
    """Takes every method on `url` (a catch-all path) that no other endpoint serves. Before its
    worker runs, it finds which methods the path does serve (`request.allowed_methods`, for
    `unmatched`) and answers a CORS preflight for the public ones."""

    catch_all = True  # routed after every other endpoint (server.py)

    def __init__(self, url, **kwargs):
        super().__init__("*", url, **kwargs)
        self._routes = None

    def get_url_rule(self):
        rule = super().get_url_rule()
        rule.methods = None  # any method, OPTIONS and unknown ones included
        return rule

    def _other_routes(self):
        if self._routes is None:  # every endpoint has registered once requests come in
            routes = Map()
            for provider in list(self.server._providers):
                if not getattr(provider, "catch_all", False):
                    rule = provider.get_url_rule()
                    rule.endpoint = provider
                    routes.add(rule)
            self._routes = routes
        return self._routes

    def answer(self, request):
        adapter = self._other_routes().bind_to_environ(request.environ)
        request.allowed_methods = sorted(adapter.allowed_methods())
        public = {method for method in request.allowed_methods
                  if getattr(adapter.match(method=method)[0], "cors", False)}
        response = super().answer(request)
        if request.method == "OPTIONS" and response.status_code == 204:
            return self.policy.preflight(request, response, public)
        if response.status_code == 404 and _wants_page(request):
            return self._not_found_page(request, response)
        return response

    def _not_found_page(self, request, response):
        """A browser that followed a bad link gets the web pages' 404 page, not JSON."""
        from services.gateway.pages.endpoint import error_page  # pages build on this module
        from services.gateway.pages.rendering import Page
        return error_page(Page(request, *public_address(self.container.config)), response.yhdessa_error)


def _wants_page(request):
    """A browser asking for a page (Accept prefers HTML), not a client of the API under /api."""
    wanted = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return wanted == "text/html" and not (request.path == "/api" or request.path.startswith("/api/"))


def unmatched(request):
    """The answer for a method or path no endpoint serves (see FallbackEndpoint)."""
    allowed = request.allowed_methods
    if not allowed:
        raise NotFound(f"No such endpoint: {request.method} {request.path}", code="no_such_endpoint")
    allow = ", ".join(allowed + ["OPTIONS"])
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": allow})
    error = MethodNotAllowed(f"{request.path} does not take {request.method}; it takes {allow}.")
    return json_response(error.as_json(), status=error.http_status, headers={"Allow": allow})


http = JsonEndpoint.decorator
fallback = FallbackEndpoint.decorator
