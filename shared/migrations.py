"""Alembic migrations, one history per service, under services/<name>/migrations.

    python -m shared.migrations registration upgrade            # to head, at the configured URL
    python -m shared.migrations registration revision "add x"   # autogenerate a new revision
"""
import sys

from alembic import command, context
from alembic.config import Config

from shared.config import DATABASE_URL_NAMES, REPO_ROOT, setting
from shared.database import engine_url, make_engine
from shared.locks import held_while


def alembic_config(service_name, url=None):
    config = Config()
    config.set_main_option("script_location", str(REPO_ROOT / "services" / service_name / "migrations"))
    url = url or setting(DATABASE_URL_NAMES[service_name])
    config.attributes["database_url"] = url
    # Alembic's ini interpolation treats % specially.
    config.set_main_option("sqlalchemy.url", engine_url(url).render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(service_name, url=None):
    """Create or upgrade the service's schema in place to the newest revision. Copies of a
    service starting together take turns: the second finds the schema done."""
    url = url or setting(DATABASE_URL_NAMES[service_name])
    with migration_lock(url):
        command.upgrade(alembic_config(service_name, url), "head")


# Any number will do, as long as every copy uses the same one: each service has its own database.
ADVISORY_LOCK_KEY = 7418305223


def migration_lock(url):
    """Held while migrating: a PostgreSQL advisory lock, or a lock file beside a SQLite file."""
    return held_while(url, ADVISORY_LOCK_KEY, "migrating")


def run_migrations(target_metadata):
    """The body of every service's migrations/env.py."""
    url = context.config.attributes.get("database_url") or context.config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite can only ALTER through table copies
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    engine.dispose()


def main(argv):
    service_name, action, *rest = argv
    if action == "upgrade":
        upgrade(service_name)
    elif action == "revision":
        command.revision(alembic_config(service_name), message=rest[0] if rest else None, autogenerate=True)
    else:
        raise SystemExit(f"unknown action {action!r}: upgrade or revision")


if __name__ == "__main__":
    main(sys.argv[1:])
