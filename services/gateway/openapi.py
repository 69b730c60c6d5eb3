"""The OpenAPI 3 document of the HTTP API, generated: each path and operation from the endpoint
that serves it (its `@http(...)` declaration, an `Operation`), every schema from the pydantic
models the services validate with (shared/api.py) and the answers are described by
(shared/answers.py). A new endpoint is documented where it is declared."""
import dataclasses
import functools
import re
import typing

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from pydantic.json_schema import models_json_schema

from shared.answers import Activity, Error

# What every answer may be, whatever the endpoint: limits, slow bodies, refused path values and
# query parameters, a service or database out of reach.
EVERY_OPERATION = {
    408: "the body did not arrive within HTTP_BODY_TIMEOUT_SECONDS",
    413: "body too large (64 KiB)",
    422: "invalid fields, or a query parameter with control characters",
    429: "over a limit of the client's address (`too_many_requests`; for sign-ups also `too_many_seats`: the "
         "seats one address may book of an event); nothing was done, try again after Retry-After",
    503: "not done: a service did not answer in time or its database is unreachable; safe to retry",
}
WITH_PATH_VALUES = {404: "not found"}
WITH_BODY = {400: "malformed request (too_deeply_nested: JSON deeper than 16 levels)", 415: "body is not JSON"}
STAFF_ONLY = {401: "no or unknown staff token",
              403: "another organizer's (staff reach their own organizer's only)"}
ERRORS = {409: "refused by the event's state", **WITH_BODY, **STAFF_ONLY, **WITH_PATH_VALUES, **EVERY_OPERATION}

# A path value's name in the document where it differs from the endpoint's argument: the event's
# id has been `{id}` to frontends from the start.
DOCUMENTED_NAMES = {"event_id": "id"}
PATH_VALUES = {
    "cancel_code": "the cancel code (K7MX-4PRA) or the link token",
    "reference": "the registration's id, or its cancel code (as the resident reads it out)",
}
NO_STORE = {"Cache-Control": {"description": "no-store", "schema": {"type": "string"}}}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}


@dataclasses.dataclass(frozen=True)
class Answer:
    """One documented answer: a JSON body described by `model` (a pydantic model, or a list of
    one), and/or other media types given as schemas; `headers` as in OpenAPI."""

    description: str
    model: object = None
    media: dict = dataclasses.field(default_factory=dict)
    headers: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Param:
    """A query parameter (or, `where="header"`, a request header)."""

    name: str
    description: str = ""
    schema: dict = dataclasses.field(default_factory=lambda: {"type": "string"})
    where: str = "query"


@dataclasses.dataclass(frozen=True)
class Operation:
    """What an endpoint declares of itself for the document (see JsonEndpoint)."""

    summary: str
    answers: dict
    body: type = None  # the request model (shared/api.py)
    params: tuple = ()
    staff: bool = False
    errors: tuple = ()  # statuses beyond those every operation (and every staff one, body…) has
    request_media: dict = None  # a body that is no JSON model: {media type: schema}


# --- what endpoints declare, named once -------------------------------------------------------

MUNICIPALITY = Param("municipality", "e.g. Jyväskylä")
EVENT_FILTERS = (MUNICIPALITY, Param("from", "YYYY-MM-DD or ISO 8601; default: not yet over"),
                 Param("to", "YYYY-MM-DD (inclusive) or ISO 8601"), Param("q", "words in title, description or place"),
                 Param("limit", "1–500, default 100"), Param("offset", "default 0"))
STATS_PARAMS = (Param("from", "YYYY-MM-DD or ISO 8601"), Param("to", "YYYY-MM-DD (inclusive) or ISO 8601"),
                MUNICIPALITY, Param("organizer", "admins: any; staff: their own"),
                Param("per", "month: a row per Helsinki month of the event's start"))
ROSTER_PARAMS = (Param("format", schema={"enum": ["json", "csv"]}),
                 Param("client_ref", "only the sign-ups that came from this client"))
IDEMPOTENCY_KEY = Param("Idempotency-Key", "a retried request with the same key and body (for a day) gets the first "
                                           "answer; another body: 422 idempotency_key_reused",
                        schema={"type": "string", "maxLength": 200}, where="header")
LAST_EVENT_ID = Param("Last-Event-ID", "resume after this event", where="header")
ROSTER_CSV = {"type": "string", "description": "UTF-8 with BOM, ';' separated: Nimi;Yhteystieto;Paikkoja;Tila;"
                                               "Jonosija;Ilmoittautunut;Paikalla"}
ACTIVITY_STREAM = {"type": "string", "description": "each event's data: an Activity (#/components/schemas/Activity)"}
# a provider's webhook: its own form, read by notifications' module for that provider, not here
PROVIDER_FORM = {"type": "object", "additionalProperties": {"type": "string"},
                 "description": "the form as the provider posts it"}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _models(schema_of):
    """Each pydantic model a declared type names (Model or list[Model])."""
    args = typing.get_args(schema_of)
    return [args[0]] if args else [schema_of]


def _schema(schema_of):
    if typing.get_origin(schema_of) is list:
        return {"type": "array", "items": _schema(typing.get_args(schema_of)[0])}
    return _ref(schema_of.__name__)


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _answers(operation, path):
    statuses = dict(EVERY_OPERATION)
    if "{" in path:
        statuses.update(WITH_PATH_VALUES)
    if operation.body is not None:
        statuses.update(WITH_BODY)
    if operation.staff:
        statuses.update(STAFF_ONLY)
    statuses.update({status: ERRORS[status] for status in operation.errors})
    responses = {str(status): {"description": meaning, **_json(_ref("Error")),
                               **({"headers": RETRY_AFTER} if status == 429 else {})}
                 for status, meaning in sorted(statuses.items())}
    for status, answer in operation.answers.items():
        content = {media: {"schema": schema} for media, schema in answer.media.items()}
        if answer.model is not None:
            content = {"application/json": {"schema": _schema(answer.model)}, **content}
        responses[str(status)] = {"description": answer.description,
                                  **({"headers": answer.headers} if answer.headers else {}),
                                  **({"content": content} if content else {})}
    return dict(sorted(responses.items()))


def _operation(declared, path, path_values):
    spec = {"summary": declared.summary}
    if declared.staff:
        spec["security"] = [{"bearer": []}]
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"},
                   **({"description": PATH_VALUES[name]} if name in PATH_VALUES else {})}
                  for name in path_values]
    parameters += [{"name": p.name, "in": p.where, "required": False, "schema": p.schema,
                    **({"description": p.description} if p.description else {})} for p in declared.params]
    if parameters:
        spec["parameters"] = parameters
    if declared.body is not None:
        spec["requestBody"] = {"required": True, **_json(_ref(declared.body.__name__))}
    elif declared.request_media:
        spec["requestBody"] = {"content": {media: {"schema": schema}
                                           for media, schema in declared.request_media.items()}}
    spec["responses"] = _answers(declared, path)
    return spec


def endpoints(service_class):
    """(method, OpenAPI path, names of its path values, Operation) of each endpoint `service_class`
    declares with @http, itself or in a class it inherits (SeriesApi …): the fallback, which
    declares none, is no endpoint."""
    found = []
    members = {name: member for klass in reversed(service_class.__mro__) for name, member in vars(klass).items()}
    for member in members.values():
        for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            declared = getattr(entrypoint, "operation", None)
            if declared is None:
                continue
            path_values = [DOCUMENTED_NAMES.get(name, name) for name in re.findall(r"<(?:\w+:)?(\w+)>", entrypoint.url)]
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda found: "{%s}" % DOCUMENTED_NAMES.get(found[1], found[1]),
                          entrypoint.url)
            for method in entrypoint.method.split(","):
                found.append((method.lower(), path, path_values, declared))
    return found


@functools.cache
def document(service_class):
    """The document of the endpoints `service_class` (the gateway) serves."""
    declared = endpoints(service_class)
    models = {Error, Activity}  # Activity: the data of each Server-Sent Event and webhook POST
    for _, _, _, operation in declared:
        if operation.body is not None:
            models.add(operation.body)
        for answer in operation.answers.values():
            if answer.model is not None:
                models.update(_models(answer.model))
    _, definitions = models_json_schema([(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
                                        ref_template="#/components/schemas/{model}")
    paths = {}
    for method, path, path_values, operation in declared:
        paths.setdefault(path, {})[method] = _operation(operation, path, path_values)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Yhdessä", "version": "1.0.0",
                 "description": "Event registration and notifications for community events in Central Finland. "
                                "Every path answers OPTIONS (204 with Allow, or a CORS preflight for the "
                                "public endpoints from CORS_ORIGINS) and a method it does not take with "
                                "405 method_not_allowed and Allow, in the Error shape."},
        "components": {"schemas": dict(sorted(definitions["$defs"].items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": dict(sorted(paths.items())),
    }
