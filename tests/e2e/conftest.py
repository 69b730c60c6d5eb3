"""The whole system as `make run` starts it, for the end-to-end tests (see tests/system.py)."""
import pytest

from tests.system import postgres_databases, start_system


@pytest.fixture(scope="session")
def system(tmp_path_factory):
    """The system on its embedded default, SQLite."""
    system, stop = start_system(tmp_path_factory.mktemp("system"))
    try:
        yield system
    finally:
        stop()


@pytest.fixture(scope="session")
def postgres_system(tmp_path_factory):
    """The system on PostgreSQL, as in production."""
    with postgres_databases("yhdessa_e2e") as urls:
        system, stop = start_system(tmp_path_factory.mktemp("pg-system"), urls)
        try:
            yield system
        finally:
            stop()
