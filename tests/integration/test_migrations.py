"""Every service's schema comes from its Alembic history, which matches its tables."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.catalog.tables import metadata as catalog_metadata
from services.notifications.tables import metadata as notifications_metadata
from services.registration.tables import metadata as registration_metadata
from shared.database import make_engine
from shared.migrations import upgrade

METADATA = {"catalog": catalog_metadata, "registration": registration_metadata,
            "notifications": notifications_metadata}


@pytest.mark.parametrize("service_name", sorted(METADATA))
def test_migrations_build_exactly_the_tables_the_code_uses_and_upgrade_in_place(service_name, database_url):
    url = database_url(service_name)
    upgrade(service_name, url)
    upgrade(service_name, url)  # an up-to-date database upgrades to itself
    engine = make_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), METADATA[service_name])
    engine.dispose()
    assert differences == []
