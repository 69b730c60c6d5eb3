"""The whole system as `make run` starts it, for the end-to-end tests (see tests/system.py)."""
import pytest

from tests.system import create_postgres_database, drop_postgres_databases, start_system


@pytest.fixture(scope="session")
def system(tmp_path_factory):
    """The system on its embedded default, SQLite."""
    system, stop = start_system(tmp_path_factory.mktemp("system"))
    yield system
    stop()


@pytest.fixture(scope="session")
def postgres_system(tmp_path_factory):
    """The system on PostgreSQL, as in production."""
    urls = {f"{service.upper()}_DATABASE_URL": create_postgres_database(f"yhdessa_e2e_{service}")
            for service in ("catalog", "registration", "notifications")}
    system, stop = start_system(tmp_path_factory.mktemp("pg-system"), urls)
    yield system
    stop()
    drop_postgres_databases(urls.values())
