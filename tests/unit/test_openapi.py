"""The OpenAPI document frontends build on is valid OpenAPI 3, names every endpoint the gateway
serves, with its method, and describes what each one answers when it succeeds."""
import json
import re

import pytest
import requests
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from openapi_spec_validator import validate

from services.gateway.http import FallbackEndpoint, JsonEndpoint
from services.gateway.openapi import document
from services.gateway.service import GatewayService
from tests.documented import AnswerNotDocumented, DocumentedAnswers


def _served():
    served = set()
    # the gateway's own endpoints and those of the API classes it inherits (SeriesApi, EnrolmentApi);
    # the pages' entrypoints (services/gateway/pages) are no API
    members = {name: member for klass in reversed(GatewayService.__mro__)
               if not klass.__module__.startswith("services.gateway.pages") for name, member in vars(klass).items()}
    for member in members.values():
        for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            # the fallback answers what no endpoint serves (404, 405, OPTIONS): not an endpoint
            if isinstance(entrypoint, JsonEndpoint) and not isinstance(entrypoint, FallbackEndpoint):
                path = re.sub(r"<(?:\w+:)?\w+>", "{}", entrypoint.url)
                served |= {(method.lower(), path) for method in entrypoint.method.split(",")}
    return served


def test_the_openapi_document_is_valid_and_names_every_endpoint():
    spec = document(GatewayService)
    validate(spec)
    documented = {(method, re.sub(r"\{\w+\}", "{}", path))
                  for path, operations in spec["paths"].items() for method in operations}
    assert documented == _served()


def test_every_operation_documents_its_success_answer_with_a_schema():
    """An endpoint declared without an answer model (or with an empty schema) fails here: what
    a frontend gets back is part of the API."""
    undocumented = []
    for path, operations in document(GatewayService)["paths"].items():
        for method, operation in operations.items():
            successes = {status: answer for status, answer in operation["responses"].items()
                         if status.startswith("2")}
            described = [status for status, answer in successes.items()
                         if status == "204" and "content" not in answer
                         or answer.get("content") and all(media.get("schema") for media in answer["content"].values())]
            if not successes or len(described) != len(successes):
                undocumented.append(f"{method.upper()} {path}")
    assert undocumented == []


def test_errors_every_operation_may_answer_are_documented_on_each_in_the_error_shape():
    for path, operations in document(GatewayService)["paths"].items():
        for method, operation in operations.items():
            for status in ("408", "413", "422", "429", "503"):
                if (path, status) == ("/health", "503"):
                    continue  # the health answer itself, saying what is down
                answer = operation["responses"][status]
                assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, \
                    (method, path, status)


def _answer(method, path, status, body):
    response = requests.Response()
    response.status_code, response._content = status, json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request(method, "http://gateway" + path).prepare()
    return response


ERASED = {"id": "0b6f", "erased": True}


def test_the_e2e_check_passes_an_answer_as_documented_and_names_what_drifted():
    """The response hook of the end-to-end tests (tests/documented.py): an answer with a field
    the document lacks, or a status it does not list, fails the test with path, status and why."""
    answers = DocumentedAnswers(document(GatewayService))
    assert answers.violations(_answer("POST", "/api/registrations/K7MX-4PRA/erase", 200, ERASED)) == []
    assert answers.violations(_answer("POST", "/api/registrations/K7MX-4PRA/erase", 429,
                                      {"error": {"code": "too_many_requests", "message": "later"}})) == []
    with pytest.raises(AnswerNotDocumented, match=r"(?s)POST /api/registrations/K7MX-4PRA/erase answered 200.*"
                                                  r"'undone' was unexpected"):
        answers.check(_answer("POST", "/api/registrations/K7MX-4PRA/erase", 200, {**ERASED, "undone": False}))
    assert answers.violations(_answer("POST", "/api/registrations/K7MX-4PRA/erase", 409, {})) == [
        "409 is not documented for POST /api/registrations/{cancel_code}/erase"]
    assert answers.violations(_answer("GET", "/no/such/path", 404, {"error": {"code": "no_such_endpoint"}})) == [
        "at $.error: 'message' is a required property"]
