"""Database plumbing: the driver each URL gets, and that PostgreSQL work really runs concurrently
under eventlet (psycopg 3 would block the whole process)."""
import time

import eventlet
from sqlalchemy import text

from shared.database import Database, engine_url


def test_plain_postgresql_urls_get_the_green_psycopg2_driver():
    assert engine_url("postgresql://u@h:5432/db").drivername == "postgresql+psycopg2"
    assert engine_url("postgres://u@h/db").drivername == "postgresql+psycopg2"
    assert engine_url("sqlite:///var/x.db").drivername == "sqlite"


def test_two_postgresql_queries_overlap_instead_of_queueing(postgres_database):
    database = Database(postgres_database())

    def sleep_in_database():
        with database.transaction() as session:
            session.execute(text("SELECT pg_sleep(0.5)"))

    pool = eventlet.GreenPool()
    started = time.monotonic()
    for _ in range(4):
        pool.spawn(sleep_in_database)
    pool.waitall()
    elapsed = time.monotonic() - started
    database.dispose()
    # Queued, four half-second sleeps take two seconds; overlapping, about half of one.
    assert elapsed < 1.5, elapsed
