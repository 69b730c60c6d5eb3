"""Database helpers: one engine per service process, transactions that are safe under eventlet.

PostgreSQL is reached through psycopg2, which eventlet's monkey patching makes green: a plain
`postgresql://` URL would select psycopg 3 under SQLAlchemy 2.1, which blocks the whole process.
SQLite's busy-wait sleeps in C and blocks every greenthread, so a process serialises its own
SQLite transactions with a green lock and starts them IMMEDIATE (no lock upgrades, no deadlocks).

A database that cannot be reached or does not answer in time (connect and statement timeouts on
PostgreSQL) raises `DatabaseUnavailable` from a transaction: an outage, answered 503 and retried by
event handlers without end. A transaction of an RPC whose caller has given up (shared/deadlines.py)
neither begins nor commits: `DeadlinePassed`, rolled back.
"""
import contextlib
import datetime
import functools
import weakref
from pathlib import Path

import eventlet
from eventlet.semaphore import Semaphore
from sqlalchemy import DateTime, create_engine, event, exc, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator

from shared import deadlines
from shared.config import setting
from shared.errors import DatabaseUnavailable


def engine_url(url):
    """The URL with the driver this project runs on: psycopg2 for PostgreSQL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed


def make_engine(url, connect_timeout=None, statement_timeout=None, pool_size=10, max_overflow=20):
    """An engine for `url`; SQLite files get their folder, WAL and a generous busy timeout.
    On PostgreSQL `connect_timeout` and `statement_timeout` (seconds; None: none) bound how long a
    worker waits for a database that is away or stuck, TCP keepalives notice one that vanished, and
    the process keeps `pool_size` connections open and opens at most `max_overflow` more."""
    parsed = engine_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
        if connect_timeout:
            connect_args["connect_timeout"] = max(1, round(float(connect_timeout)))
        if statement_timeout:
            connect_args["options"] = f"-c statement_timeout={int(float(statement_timeout) * 1000)}"
        # pre-ping costs a round trip per transaction, but a restarted database then costs no
        # failed sign-ups: resilience first, see the README's performance section.
        # values_plus_batch: an executemany UPDATE goes as pages of statements, one round trip each
        engine = create_engine(parsed, pool_size=int(pool_size), max_overflow=int(max_overflow), pool_pre_ping=True,
                               connect_args=connect_args, executemany_mode="values_plus_batch")
        if connect_timeout:
            _limit_connecting(engine, float(connect_timeout))
        return engine
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


def _limit_connecting(engine, seconds):
    """Give up connecting after `seconds`. libpq's own connect_timeout is not enough: under
    eventlet psycopg2 connects asynchronously, and the green wait for the server's answer has no
    end of its own (measured: a host that never answers held the worker for ever)."""
    import psycopg2

    @event.listens_for(engine, "do_connect")
    def _connect_in_time(dialect, _record, cargs, cparams):
        with eventlet.Timeout(seconds, psycopg2.OperationalError(f"timeout expired: no answer within {seconds:g} s")):
            return dialect.connect(*cargs, **cparams)


class Database:
    """A service's database: `with db.transaction() as session:` commits or rolls back.

    The `session` is a SQLAlchemy Core connection in a transaction: every service speaks Core,
    and skipping the ORM session halves the cost of each statement."""

    def __init__(self, url, connect_timeout=None, statement_timeout=None, pool_size=None, max_overflow=None):
        """Timeouts in seconds, the pool in connections; None: the DATABASE_CONNECT_TIMEOUT_SECONDS,
        DATABASE_STATEMENT_TIMEOUT_SECONDS, DATABASE_POOL_SIZE and DATABASE_MAX_OVERFLOW settings
        (services pass their container's)."""
        def given(value, name):
            return value if value is not None else setting(name)

        self.url = url
        self.engine = make_engine(
            url, given(connect_timeout, "DATABASE_CONNECT_TIMEOUT_SECONDS"),
            given(statement_timeout, "DATABASE_STATEMENT_TIMEOUT_SECONDS"),
            given(pool_size, "DATABASE_POOL_SIZE"), given(max_overflow, "DATABASE_MAX_OVERFLOW"))
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._sqlite_lock = Semaphore(1) if self.sqlite else None

    @contextlib.contextmanager
    def transaction(self):
        deadlines.check()  # the caller gave up already: do not even begin
        lock = self._sqlite_lock or contextlib.nullcontext()
        try:
            with lock:
                with self.engine.begin() as connection:
                    yield connection
                    deadlines.check()  # raising here rolls the transaction back instead of committing
        except DatabaseUnavailable:
            raise
        except Exception as error:
            if is_outage(error):
                raise DatabaseUnavailable("The database is not reachable just now. Try again shortly "
                                          "(a sign-up with the same Idempotency-Key: it is safe).") from error
            raise

    def dispose(self):
        self.engine.dispose()


# SQLite says OperationalError for a missing table too: only these mean "busy or away".
_SQLITE_OUTAGES = ("database is locked", "unable to open database", "disk i/o error")


def is_outage(error):
    """Whether `error` means the database is away or too slow (not that the work itself is wrong)."""
    if isinstance(error, DatabaseUnavailable):
        return True
    if isinstance(error, (exc.DisconnectionError, exc.TimeoutError)):  # TimeoutError: no pooled connection came
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        if isinstance(error, (exc.OperationalError, exc.InterfaceError)):
            if type(error.orig).__module__.startswith("sqlite3"):
                return any(text in str(error.orig).lower() for text in _SQLITE_OUTAGES)
            return True  # psycopg2: connection refused or lost, statement timeout, shutting down
    return False


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
