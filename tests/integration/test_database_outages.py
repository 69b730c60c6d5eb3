"""A transaction keeps to its caller's deadline and names a database outage for what it is.

Real databases (SQLite and PostgreSQL; a PostgreSQL that is not there at all), no mocks: what is
checked is whether a row was written."""
import socket
import time

import eventlet
import pytest
from sqlalchemy import Column, MetaData, String, Table, func, select

from shared import deadlines
from shared.database import Database
from shared.errors import DatabaseUnavailable, DeadlinePassed
from tests.system import free_port

metadata = MetaData()
notes = Table("notes", metadata, Column("text", String(50)))


@pytest.fixture
def database(database_url):
    database = Database(database_url())
    metadata.create_all(database.engine)
    yield database
    deadlines.set_current(None)
    database.dispose()


def count(database):
    with database.transaction() as session:
        return session.execute(select(func.count()).select_from(notes)).scalar()


def test_work_whose_caller_has_given_up_is_not_even_begun(database):
    deadlines.set_current(time.time() - 1)
    begun = []
    with pytest.raises(DeadlinePassed):
        with database.transaction() as session:
            begun.append(True)  # no lock taken, no statement sent
            session.execute(notes.insert(), {"text": "too late"})
    deadlines.set_current(None)
    assert begun == [] and count(database) == 0


def test_a_transaction_that_outlives_its_callers_deadline_is_rolled_back_not_committed(database):
    deadlines.set_current(time.time() + 0.3)
    with pytest.raises(DeadlinePassed):
        with database.transaction() as session:
            session.execute(notes.insert(), {"text": "slow"})
            eventlet.sleep(0.5)  # the caller gives up meanwhile
    deadlines.set_current(None)
    assert count(database) == 0


def test_within_its_deadline_a_transaction_commits(database):
    deadlines.set_current(time.time() + 30)
    with database.transaction() as session:
        session.execute(notes.insert(), {"text": "in time"})
    deadlines.set_current(None)
    assert count(database) == 1


def test_a_postgresql_that_is_not_there_is_an_outage_not_a_crash():
    database = Database(f"postgresql://postgres@127.0.0.1:{free_port()}/nobody", connect_timeout=2)
    try:
        with pytest.raises(DatabaseUnavailable):
            with database.transaction() as session:
                session.execute(select(1))
    finally:
        database.dispose()


def test_a_database_host_that_never_answers_is_an_outage_after_the_connect_timeout():
    with socket.socket() as silent:  # takes connections (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        database = Database(f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/nobody", connect_timeout=1)
        try:
            with eventlet.Timeout(20):  # without a connect timeout the worker would wait for ever
                with pytest.raises(DatabaseUnavailable):
                    with database.transaction() as session:
                        session.execute(select(1))
        finally:
            database.dispose()


def test_a_statement_past_the_statement_timeout_is_an_outage(postgres_database):
    database = Database(postgres_database(), statement_timeout=0.2)
    try:
        with pytest.raises(DatabaseUnavailable):
            with database.transaction() as session:
                session.execute(select(func.pg_sleep(2)))
    finally:
        database.dispose()


def test_a_mistake_in_the_work_itself_is_not_called_an_outage(database_url):
    database = Database(database_url())  # no tables
    try:
        with pytest.raises(Exception) as raised:
            with database.transaction() as session:
                session.execute(select(notes))
        assert not isinstance(raised.value, DatabaseUnavailable)
    finally:
        database.dispose()
