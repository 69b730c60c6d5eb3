"""What one service process asks of PostgreSQL's max_connections: at most DATABASE_POOL_SIZE +
DATABASE_MAX_OVERFLOW connections however many workers want one at once (README, PostgreSQL for
many copies); the workers beyond wait for a connection rather than open another."""
import eventlet
from sqlalchemy import text
from sqlalchemy.engine import make_url

from shared.database import Database

WORKERS = 12

def test_a_process_opens_at_most_pool_plus_overflow_connections_however_many_workers(postgres_database,
                                                                                     monkeypatch):
    url = postgres_database()
    monkeypatch.setenv("DATABASE_POOL_SIZE", "2")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "1")
    database = Database(url)  # the settings, as a service's storage reads them
    seen = []

    def worker():
        with database.transaction() as session:
            session.execute(text("SELECT pg_sleep(0.3)"))
            seen.append(session.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                                        {"name": make_url(url).database}).scalar())

    pool = eventlet.GreenPool(WORKERS)
    for _ in range(WORKERS):
        pool.spawn(worker)
    pool.waitall()
    database.dispose()
    assert len(seen) == WORKERS  # every worker was served
    assert max(seen) == 3  # and never over 2 + 1 connections at once
