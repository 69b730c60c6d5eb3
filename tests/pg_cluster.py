"""A PostgreSQL cluster of a test's own, on a free port, for tests that need the database down.

The machine's shared PostgreSQL (5432) is never stopped: `initdb` makes a throwaway cluster in a
temporary folder and `pg_ctl` starts and stops it (as the `postgres` OS user when running as root,
since PostgreSQL refuses to run as root). Trust authentication, 127.0.0.1 only.
"""
import glob
import os
import shutil
import subprocess
import tempfile

import psycopg2

from tests.system import free_port


def _binary(name):
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]
    if not found:
        raise RuntimeError(f"{name} not found: install PostgreSQL's server binaries")
    return found if isinstance(found, str) else found[0]


class PostgresCluster:
    """`with PostgresCluster() as cluster:` a running cluster; `stop()` and `start()` make an outage;
    removed, whatever happens, on leaving."""

    def __init__(self):
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="yhdessa-pg-")
        self.data = os.path.join(self.folder, "data")
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *command):
        if self._as_postgres:
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def __enter__(self):
        try:
            self._run(_binary("initdb"), "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--no-sync")
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc):
        self.remove()

    def start(self):
        self._run(_binary("pg_ctl"), "-D", self.data, "-l", os.path.join(self.folder, "log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self):
        """Fast shutdown: sessions are cut off, as in a crash or failover of the database server."""
        self._run(_binary("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self):
        try:
            self._run(_binary("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "-t", "30", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError):
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name):
        """A new empty database; returns its URL (the plain kind the services are given)."""
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"
