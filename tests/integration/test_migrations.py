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


@pytest.mark.parametrize("service_name", ["registration", "notifications"])
def test_copies_of_a_service_starting_together_migrate_one_after_the_other(service_name, database_url):
    """Two processes of a service (SERVICE_COPIES, or `docker compose --scale`) migrate the same
    fresh database at the same moment: both must come up."""
    import os
    import subprocess
    import sys

    from shared.config import DATABASE_URL_NAMES, REPO_ROOT

    url = database_url(service_name)
    env = {**os.environ, DATABASE_URL_NAMES[service_name]: url}
    processes = [subprocess.Popen([sys.executable, "-m", "shared.migrations", service_name, "upgrade"],
                                  cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    assert [code for code, _ in outcomes] == [0, 0, 0], [err[-800:] for _, err in outcomes]
