"""Locks that the copies of a service take in the database they share: a PostgreSQL advisory
lock (held by a connection: it goes when the process or its connection does), or a lock file
beside a SQLite file (it goes when the process does).

- `held_while(url, key)`: wait for the lock and hold it for a block (migrations: copies starting
  together take turns).
- `OneCopy(job)`: a service's dependency saying whether this copy is the one that runs a timer
  `job` that must run once however many copies there are (retention): the first copy to ask
  holds it for as long as it runs; the others ask again at each tick, so when the holder stops
  or dies another takes over.
"""
import contextlib
import fcntl
import hashlib
import logging
from pathlib import Path

from nameko.extensions import DependencyProvider
from sqlalchemy import text

from shared.database import engine_url, is_outage, make_engine

log = logging.getLogger(__name__)


def key_of(name):
    """A PostgreSQL advisory lock key (signed 64 bits) for a lock's name."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


class _AdvisoryLock:
    def __init__(self, url, key, connect_timeout):
        self.key = key
        self.engine = make_engine(url, connect_timeout=connect_timeout)
        self.connection = None

    def acquire(self, wait):
        self.connection = self.engine.connect()
        function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        got = self.connection.execute(text(f"SELECT {function}(:key)"), {"key": self.key}).scalar()
        self.connection.commit()  # no transaction left open while the lock is held
        if got is False:
            self.release()
            return False
        return True

    def still_held(self):
        """False when the connection (and with it the lock) is gone: a restarted or failed-over
        database, a terminated backend."""
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
            return True
        except Exception:
            self.release()
            return False

    def release(self):
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self.connection.commit()
            except Exception:  # the connection is gone, and the lock with it
                pass
            self.connection.close()
            self.connection = None
        self.engine.dispose()


class _FileLock:
    def __init__(self, path):
        self.path = path
        self.file = None

    def acquire(self, wait):
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, "w")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            return False
        return True

    def still_held(self):
        return self.file is not None

    def release(self):
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None


class _NoLock:
    """An in-memory SQLite database: one process's, nobody to share it with."""

    def acquire(self, wait):
        return True

    def still_held(self):
        return True

    def release(self):
        pass


def _lock(url, key, suffix, connect_timeout=None):
    parsed = engine_url(url)
    if parsed.get_backend_name() == "postgresql":
        return _AdvisoryLock(url, key, connect_timeout)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return _FileLock(f"{parsed.database}.{suffix}")
    return _NoLock()


@contextlib.contextmanager
def held_while(url, key, suffix):
    """Wait for the lock (`key` on PostgreSQL, the file `<database>.<suffix>` beside SQLite) and
    hold it for the block."""
    lock = _lock(url, key, suffix)
    lock.acquire(wait=True)
    try:
        yield
    finally:
        lock.release()


class _Holder:
    def __init__(self, url, job, connect_timeout):
        self.url, self.job, self.connect_timeout = url, job, connect_timeout
        self.lock = None

    def mine(self):
        """Whether this copy runs the job now: it held the lock already, or it is free and taken."""
        if self.lock is not None and self.lock.still_held():
            return True
        self.lock = None
        lock = _lock(self.url, key_of(f"one copy: {self.job}"), f"{self.job}.lock", self.connect_timeout)
        try:
            taken = lock.acquire(wait=False)
        except Exception as error:
            lock.release()
            if not is_outage(error):
                raise
            log.warning("the database is not reachable: %s not run this time", self.job)
            return False
        if taken:
            self.lock = lock
            log.info("this copy runs %s for every copy of the service", self.job)
        return taken

    def release(self):
        if self.lock is not None:
            self.lock.release()
            self.lock = None


class OneCopy(DependencyProvider):
    """`self.<name>.mine()`: True in the one copy of the service (on its DATABASE_URL) that runs
    `job`; a timer returns at once where it is False."""

    def __init__(self, job):
        self.job = job

    def setup(self):
        config = self.container.config
        self.holder = _Holder(config["DATABASE_URL"], self.job, config.get("DATABASE_CONNECT_TIMEOUT_SECONDS"))

    def stop(self):
        self.holder.release()

    def kill(self):
        self.holder.release()

    def get_dependency(self, worker_ctx):
        return self.holder
