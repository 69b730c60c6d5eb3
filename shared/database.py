"""Database helpers: one engine per service process, transactions that are safe under eventlet.

PostgreSQL is reached through psycopg2, which eventlet's monkey patching makes green: a plain
`postgresql://` URL would select psycopg 3 under SQLAlchemy 2.1, which blocks the whole process.
SQLite's busy-wait sleeps in C and blocks every greenthread, so a process serialises its own
SQLite transactions with a green lock and starts them IMMEDIATE (no lock upgrades, no deadlocks).
"""
import contextlib
import datetime
import functools
import weakref
from pathlib import Path

from eventlet.semaphore import Semaphore
from sqlalchemy import DateTime, create_engine, event, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator


def engine_url(url):
    """The URL with the driver this project runs on: psycopg2 for PostgreSQL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed


def make_engine(url):
    """An engine for `url`; SQLite files get their folder, WAL and a generous busy timeout."""
    parsed = engine_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pre-ping costs a round trip per transaction, but a restarted database then costs no
        # failed sign-ups: resilience first, see the README's performance section.
        # values_plus_batch: an executemany UPDATE goes as pages of statements, one round trip each
        return create_engine(parsed, pool_size=10, max_overflow=20, pool_pre_ping=True,
                             executemany_mode="values_plus_batch")
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN, so that it can be BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """A service's database: `with db.transaction() as session:` commits or rolls back.

    The `session` is a SQLAlchemy Core connection in a transaction: every service speaks Core,
    and skipping the ORM session halves the cost of each statement."""

    def __init__(self, url):
        self.url = url
        self.engine = make_engine(url)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._sqlite_lock = Semaphore(1) if self.sqlite else None

    @contextlib.contextmanager
    def transaction(self):
        lock = self._sqlite_lock or contextlib.nullcontext()
        with lock:
            with self.engine.begin() as connection:
                yield connection

    def dispose(self):
        self.engine.dispose()


@functools.lru_cache(maxsize=None)
def _insert_ignoring_conflict(dialect, table, index_elements):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(index_elements))


def insert_ignoring_conflict(session, table, values, index_elements):
    """INSERT that quietly does nothing when the row exists; True when it inserted."""
    # The statement is built once and given its values as parameters: building it with the values
    # inside costs more CPU than running it (README, Performance).
    statement = _insert_ignoring_conflict(session.dialect.name, table, tuple(index_elements))
    return session.execute(statement, values).rowcount == 1


def upsert(session, table, values, index_elements):
    """INSERT, or UPDATE the row already there when any of its other values differ."""
    dialect = session.dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(**values)
    changing = {k: insert.excluded[k] for k in values if k not in index_elements}
    differs = or_(*(table.c[k] != insert.excluded[k] for k in changing))
    session.execute(insert.on_conflict_do_update(index_elements=index_elements, set_=changing, where=differs))


_memos = weakref.WeakKeyDictionary()


def transaction_memo(session):
    """A dict that lives as long as this transaction's connection: what the units of one group
    commit (shared.batching) read once and share, such as the webhooks of one organizer."""
    return _memos.setdefault(session, {})


def utcnow():
    """Now, in UTC, timezone-aware."""
    return datetime.datetime.now(datetime.timezone.utc)


def as_utc(value):
    """A datetime read back from the database, as aware UTC (SQLite forgets the zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored in UTC")
        value = value.astimezone(datetime.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return as_utc(value)
