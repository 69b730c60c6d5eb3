from services.catalog.tables import metadata
from shared.migrations import run_migrations

run_migrations(metadata)
