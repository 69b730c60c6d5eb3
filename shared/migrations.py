"""Alembic migrations, one history per service, under services/<name>/migrations.

    python -m shared.migrations registration upgrade            # to head, at the configured URL
    python -m shared.migrations registration revision "add x"   # autogenerate a new revision
"""
import sys

from alembic import command, context
from alembic.config import Config

from shared.config import DATABASE_URL_NAMES, REPO_ROOT, setting
from shared.database import engine_url, make_engine


def alembic_config(service_name, url=None):
    config = Config()
    config.set_main_option("script_location", str(REPO_ROOT / "services" / service_name / "migrations"))
    url = url or setting(DATABASE_URL_NAMES[service_name])
    config.attributes["database_url"] = url
    # Alembic's ini interpolation treats % specially.
    config.set_main_option("sqlalchemy.url", engine_url(url).render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(service_name, url=None):
    """Create or upgrade the service's schema in place to the newest revision."""
    command.upgrade(alembic_config(service_name, url), "head")


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
    config = alembic_config(service_name)
    if action == "upgrade":
        command.upgrade(config, "head")
    elif action == "revision":
        command.revision(config, message=rest[0] if rest else None, autogenerate=True)
    else:
        raise SystemExit(f"unknown action {action!r}: upgrade or revision")


if __name__ == "__main__":
    main(sys.argv[1:])
