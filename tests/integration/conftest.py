"""Fixtures of the integration tests."""
import pytest

from services.registration.storage import RegistrationStore
from shared.database import Database


@pytest.fixture
def store(migrated):
    """Registration's storage on a fresh, migrated database (SQLite and PostgreSQL)."""
    database = Database(migrated("registration"))
    yield RegistrationStore(database)
    database.dispose()
