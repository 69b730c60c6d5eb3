"""The outbox relay with the real broker: an event committed is published, once it can be
routed, even when the process died between the commit and the publish."""
import json

import pytest
from kombu import Connection, Queue
from sqlalchemy import MetaData, select

from shared.database import Database
from shared.outbox import (
    OutboxRelay,
    add_event,
    event_exchange,
    outbox_table,
    prune_published,
)
from tests.conftest import wait_until


@pytest.fixture
def outbox(database_url):
    metadata = MetaData()
    table = outbox_table(metadata)
    database = Database(database_url("outbox"))
    metadata.create_all(database.engine)
    yield database, table
    database.dispose()


def bind_queue(amqp_uri, name="test-consumer"):
    queue = Queue(name, exchange=event_exchange("registration"), routing_key="registration_confirmed", durable=True)
    with Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()
    return queue


def received(amqp_uri, queue):
    bodies = []
    with Connection(amqp_uri) as connection:
        bound = queue(connection.default_channel)
        while (message := bound.get(no_ack=True)) is not None:
            bodies.append(json.loads(message.body))
    return bodies


def commit_event(database, table, registration_id, event_type="registration_confirmed"):
    with database.transaction() as session:
        return add_event(session, table, event_type, {
            "registration_id": registration_id, "status": "confirmed", "phone": "+358401234567",
            "channel": "sms", "seats": 1, "cancel_code": "K7MX-4PRA",
            "event": {"id": "e", "title": {"fi": "Kosketus"}, "municipality": "Jyväskylä", "place": "Talo",
                      "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z"}})


def test_an_event_committed_while_no_relay_ran_is_published_when_one_starts(outbox, rabbit_config):
    database, table = outbox
    queue = bind_queue(rabbit_config["AMQP_URI"])
    # The process "died" after this commit: no relay was running to publish it.
    envelope = commit_event(database, table, "r-1")
    relay = OutboxRelay(database, table, rabbit_config["AMQP_URI"], "registration")
    relay.start()
    try:
        bodies = wait_until(lambda: received(rabbit_config["AMQP_URI"], queue), message="published event")

        def marked():  # the relay marks the row after the broker has confirmed it: a moment later
            with database.transaction() as session:
                return session.execute(select(table.c.published_at)).scalar() is not None

        wait_until(marked, message="the published event was never marked")
    finally:
        relay.stop()
    assert [b["event_id"] for b in bodies] == [envelope["event_id"]]


def test_an_event_no_queue_is_bound_for_yet_is_kept_until_one_is(outbox, rabbit_config):
    database, table = outbox
    relay = OutboxRelay(database, table, rabbit_config["AMQP_URI"], "registration")
    envelope = commit_event(database, table, "r-1")
    assert relay.flush() == 0  # unroutable: the broker would have dropped it
    with database.transaction() as session:
        row = session.execute(select(table)).mappings().one()
    assert row["published_at"] is None and row["last_error"] == "unroutable"
    queue = bind_queue(rabbit_config["AMQP_URI"])
    assert relay.flush() == 1
    assert [b["event_id"] for b in received(rabbit_config["AMQP_URI"], queue)] == [envelope["event_id"]]
    assert relay.flush() == 0  # and never again


def test_events_are_published_in_the_order_they_were_committed(outbox, rabbit_config):
    database, table = outbox
    queue = bind_queue(rabbit_config["AMQP_URI"])
    ids = [commit_event(database, table, f"r-{n}")["event_id"] for n in range(20)]
    OutboxRelay(database, table, rabbit_config["AMQP_URI"], "registration").flush()
    assert [b["event_id"] for b in received(rabbit_config["AMQP_URI"], queue)] == ids


def test_published_events_are_pruned_after_a_while_and_unpublished_ones_never(outbox, rabbit_config):
    import datetime as dt
    database, table = outbox
    relay = OutboxRelay(database, table, rabbit_config["AMQP_URI"], "registration")
    bind_queue(rabbit_config["AMQP_URI"])
    commit_event(database, table, "published")
    relay.flush()
    commit_event(database, table, "waiting")  # not yet published
    assert prune_published(database, table) == 0  # kept a week
    assert prune_published(database, table, keep=dt.timedelta(0)) == 1
    with database.transaction() as session:
        [row] = session.execute(select(table.c.published_at)).all()
    assert row.published_at is None


def test_in_one_batch_only_the_events_nobody_listens_for_are_kept_back(outbox, rabbit_config):
    """The relay publishes a batch and awaits the broker's confirms together: the events no queue
    is bound for must still be told apart from the rest, and kept."""
    database, table = outbox
    queue = bind_queue(rabbit_config["AMQP_URI"])  # registration_confirmed only
    ids = []
    for n in range(10):
        if n % 3 == 0:
            commit_event(database, table, f"w-{n}", "registration_waitlisted")
        else:
            ids.append(commit_event(database, table, f"r-{n}")["event_id"])
    assert OutboxRelay(database, table, rabbit_config["AMQP_URI"], "registration").flush() == len(ids)
    assert [b["event_id"] for b in received(rabbit_config["AMQP_URI"], queue)] == ids
    with database.transaction() as session:
        waiting = session.execute(select(table.c.event_type, table.c.last_error)
                                  .where(table.c.published_at.is_(None))).all()
    assert [tuple(row) for row in waiting] == [("registration_waitlisted", "unroutable")] * 4
