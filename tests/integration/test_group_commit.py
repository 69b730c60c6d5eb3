"""Group commits on SQLite and PostgreSQL: concurrent workers' writes share transactions, yet each
worker gets its own answer, and one failing write loses nobody else's."""
import time

import eventlet
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select, update

from shared import deadlines
from shared.batching import GroupCommit
from shared.database import Database
from shared.errors import DeadlinePassed

metadata = MetaData()
messages = Table("messages", metadata, Column("id", Integer, primary_key=True), Column("status", String(10)))
MARK_SENT = update(messages).where(messages.c.id == bindparam("message_id")).values(status="sent")


@pytest.fixture
def group(database_url):
    database = Database(database_url("group"))
    metadata.create_all(database.engine)
    group = GroupCommit(database, max_group=10)
    group.start()
    yield group
    group.stop()
    database.dispose()


def statuses(group):
    with group.database.transaction() as session:
        return dict(session.execute(select(messages.c.id, messages.c.status)).all())


def record(message_id):
    def unit(session):
        session.execute(messages.insert(), {"id": message_id, "status": "sending"})
        return message_id
    return unit


def test_concurrent_writes_each_get_their_own_answer_and_are_committed(group):
    pool = eventlet.GreenPool()
    answers = list(pool.imap(lambda n: group.run(record(n)), range(1, 31)))
    assert answers == list(range(1, 31))
    list(pool.imap(lambda n: group.execute(MARK_SENT, {"message_id": n}), range(1, 31, 2)))
    assert statuses(group) == {n: "sent" if n % 2 else "sending" for n in range(1, 31)}


def test_one_failing_write_fails_only_its_own_worker(group):
    group.run(record(7))

    def attempt(n):
        try:
            return group.run(record(n))
        except Exception as exc:  # message 7 exists: its second recording must fail alone
            return type(exc).__name__

    answers = list(eventlet.GreenPool().imap(attempt, [1, 2, 7, 3, 4]))
    assert answers[:2] == [1, 2] and answers[3:] == [3, 4] and answers[2] == "IntegrityError"
    assert sorted(statuses(group)) == [1, 2, 3, 4, 7]


def test_a_write_whose_caller_has_given_up_is_not_committed_and_spares_the_others(group):
    def late():
        deadlines.set_current(time.time() - 1)  # this worker's RPC caller gave up already
        return group.run(record(1))

    pool = eventlet.GreenPool()
    answers = list(pool.imap(lambda run: _answer(run), [late] + [lambda n=n: group.run(record(n)) for n in (2, 3)]))
    assert isinstance(answers[0], DeadlinePassed) and answers[1:] == [2, 3]
    assert statuses(group) == {2: "sending", 3: "sending"}


def _answer(run):
    try:
        return run()
    except Exception as exc:
        return exc
