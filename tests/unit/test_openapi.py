"""The OpenAPI document frontends build on is valid OpenAPI 3 and names every endpoint the
gateway serves, with its method."""
import re

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from openapi_spec_validator import validate

from services.gateway.http import FallbackEndpoint, JsonEndpoint
from services.gateway.openapi import document
from services.gateway.service import GatewayService


def _served():
    served = set()
    for member in vars(GatewayService).values():
        for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            # the fallback answers what no endpoint serves (404, 405, OPTIONS): not an endpoint
            if isinstance(entrypoint, JsonEndpoint) and not isinstance(entrypoint, FallbackEndpoint):
                path = re.sub(r"<(?:\w+:)?\w+>", "{}", entrypoint.url)
                served |= {(method.lower(), path) for method in entrypoint.method.split(",")}
    return served


def test_the_openapi_document_is_valid_and_names_every_endpoint():
    spec = document()
    validate(spec)
    documented = {(method, re.sub(r"\{\w+\}", "{}", path))
                  for path, operations in spec["paths"].items() for method in operations}
    assert documented == _served()
