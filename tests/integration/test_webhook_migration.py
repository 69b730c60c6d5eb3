"""Upgrading notifications' database blanks what the first release's webhook errors told."""
from alembic import command
from sqlalchemy import text

from shared.database import make_engine
from shared.migrations import alembic_config, upgrade


def test_the_first_releases_webhook_errors_become_generic_on_upgrade(database_url):
    url = database_url("notifications")
    command.upgrade(alembic_config("notifications", url), "3ba1e55430b2")  # before generic errors
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO webhooks (id, organizer, url, secret, created_by, created_at) VALUES"
            " ('w1', 'Kosketus ry', 'http://10.0.0.7:8080/', 'whsec_x', 's1', '2026-11-27 10:00:00')"))
        for n, error in enumerate(["answered 403", "unreachable: ConnectionError", None]):
            connection.execute(text(
                "INSERT INTO webhook_deliveries (id, webhook_id, source_event_id, body, status, attempts,"
                " next_attempt_at, last_error, created_at) VALUES (:id, 'w1', :id, '{}', 'pending', 1,"
                " '2026-11-27 10:00:00', :error, '2026-11-27 10:00:00')"), {"id": f"d{n}", "error": error})
    upgrade("notifications", url)
    with engine.connect() as connection:
        errors = connection.execute(text("SELECT last_error FROM webhook_deliveries ORDER BY id")).scalars().all()
    engine.dispose()
    assert errors == ["not delivered", "not delivered", None]
