"""Schemathesis over our own OpenAPI document against the running system: whatever it sends, the
gateway never answers 5xx, and every answer is one the document describes (its status, content
type, headers and body schema). Bounded: a few dozen examples per operation, as an anonymous
caller and as staff (staff reach the code behind every check). FUZZ_EXAMPLES=1000 digs deeper by
hand."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.gateway.openapi import document
from services.gateway.service import GatewayService
from tests.e2e.helpers import create_event
from tests.system import STAFF_TOKEN

pytestmark = pytest.mark.e2e

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, missing_required_header]

schema = (schemathesis.openapi.from_dict(document(GatewayService))
          # an endless event stream, and subscriptions that would POST to whatever URL was made up
          .exclude(path="/api/events/{id}/activity")
          .exclude(path="/api/webhooks", method="POST"))


@pytest.fixture(scope="module")
def event(system):
    """A real event, so that what is sent about an event gets past "no such event" to the code
    that reads it."""
    return create_event(system)


@schema.parametrize()
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@pytest.mark.parametrize("caller", ["anyone", "staff"])
def test_no_request_gets_a_5xx_or_an_undocumented_answer(system, event, case, caller):
    if "id" in (case.path_parameters or {}) and not case.path.endswith("/cancel"):
        case.path_parameters["id"] = event["id"]
    headers = {"Authorization": f"Bearer {STAFF_TOKEN}"} if caller == "staff" else {}
    case.call_and_validate(base_url=system.base_url, headers=headers, timeout=30, checks=CHECKS)
