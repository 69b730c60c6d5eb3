"""Timers that must run once however many copies of a service run (shared/locks.py OneCopy):
two copies of registration started together on one PostgreSQL database run the retention job
once between them, not once each; and when the copy that runs it dies (its connection gone, as
in a crash or a database failover) another takes over, on PostgreSQL and beside a SQLite file."""
import logging
import time

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from services.notifications.service import NotificationsService
from services.registration.service import RegistrationService
from shared.locks import _Holder
from shared.migrations import upgrade
from tests.conftest import wait_until


def retention_runs(caplog):
    return [r for r in caplog.records if r.getMessage().startswith("retention: ")]


@pytest.mark.parametrize("service", [RegistrationService, NotificationsService], ids=lambda s: s.name)
def test_two_copies_started_together_run_retention_once_between_them(service, container_factory, config_for,
                                                                      postgres_database, caplog):
    caplog.set_level(logging.INFO)
    url = postgres_database()
    upgrade(service.name, url)
    for _ in range(2):
        container_factory(service, config_for(service.name, DATABASE_URL=url)).start()
    wait_until(lambda: retention_runs(caplog), message="a retention run")
    time.sleep(2)  # both copies' timers fired at their start: the second found it taken
    assert len(retention_runs(caplog)) == 1


def _terminate(url, pid):
    parsed = make_url(url)
    connection = psycopg2.connect(host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    connection.close()


def test_when_the_copy_that_runs_it_loses_its_connection_another_takes_over(postgres_database):
    url = postgres_database()
    first, second = _Holder(url, "retention", 5), _Holder(url, "retention", 5)
    try:
        assert first.mine() and first.mine()  # it keeps it
        assert not second.mine()
        _terminate(url, first.lock.connection.connection.dbapi_connection.get_backend_pid())
        assert second.mine()
        assert not first.mine()
    finally:
        first.release()
        second.release()


def test_beside_a_sqlite_file_one_copy_holds_it_until_it_stops(tmp_path):
    url = f"sqlite:///{tmp_path}/registration.db"
    first, second = _Holder(url, "retention", 5), _Holder(url, "retention", 5)
    try:
        assert first.mine() and not second.mine()
        first.release()  # the copy stopped (a process that dies lets go of its lock file too)
        assert second.mine() and not first.mine()
    finally:
        first.release()
        second.release()
