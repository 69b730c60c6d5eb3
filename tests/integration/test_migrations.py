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


def test_an_existing_notifications_database_upgrades_in_place_keeping_its_messages(database_url):
    from alembic import command
    from sqlalchemy import text

    from shared.migrations import alembic_config

    url = database_url("notifications")
    command.upgrade(alembic_config("notifications", url), "46fb12765f1d")  # the first release's schema
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO notifications (id, source_event_id, registration_id, event_id, recipient, channel, language,"
            " template, body, status, attempts, next_attempt_at, created_at, updated_at) VALUES ('n1', 'e1', 'r1',"
            " 'ev1', '+358401234567', 'sms', 'fi', 'confirmed', 'Hei', 'sent', 1, '2026-01-01 10:00:00',"
            " '2026-01-01 10:00:00', '2026-01-01 10:00:00')"))
    upgrade("notifications", url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM notifications WHERE id = 'n1'")).scalar() == "sent"
        assert connection.execute(text("SELECT count(*) FROM send_rate")).scalar() == 0
    engine.dispose()
