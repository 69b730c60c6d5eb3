"""The whole system as `make run` starts it, for the end-to-end tests (see tests/system.py)."""
import pytest

from services.gateway.openapi import document
from services.gateway.service import GatewayService
from tests.documented import DocumentedAnswers
from tests.system import System, postgres_databases, start_system

# `system` (the one on SQLite) is in tests/conftest.py: the browser tests (tests/browser) share it.


@pytest.fixture(scope="session", autouse=True)
def answers_as_documented():
    """Every answer through System.call is held to the OpenAPI document: a drift fails the test
    that met it (tests/documented.py)."""
    System.answer_check = DocumentedAnswers(document(GatewayService)).check
    yield
    System.answer_check = None


@pytest.fixture(scope="session")
def postgres_system(tmp_path_factory):
    """The system on PostgreSQL, as in production."""
    with postgres_databases("yhdessa_e2e") as urls:
        system, stop = start_system(tmp_path_factory.mktemp("pg-system"), urls)
        try:
            yield system
        finally:
            stop()
