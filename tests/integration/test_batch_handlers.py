"""Batch consumption (shared/batch_handlers.py) keeps every message's own fate: a backlog goes in
batches while the broker keeps what the process cannot take yet, a message that fails is retried
or dead-lettered alone, a batch is acked only once handled (a process killed before that gets it
all again), and an outage of the database costs no attempts. Real broker, real nameko containers;
the last test the real notifications service with its database and a Twilio double."""
import urllib.parse

import eventlet
import pytest
import requests
from eventlet.event import Event
from nameko.standalone.events import event_dispatcher
from sqlalchemy import select

from services.notifications.service import NotificationsService
from services.notifications.tables import notifications
from shared import dead_letters
from shared.batch_handlers import BATCHES_IN_FLIGHT, batch_event_handler
from shared.database import Database
from shared.errors import DatabaseUnavailable
from shared.events import make_envelope
from tests.conftest import wait_until
from tests.integration.test_notifications_service import registration_data
from tests.system import MANAGEMENT

BATCH = 5
QUEUE = "evt-registration-registration_confirmed--batched.on_confirmed"
batches = []  # the ids each handler call got, in order
done = []  # the ids handled without failing
gate = {"open": Event(), "held": 0, "fail": set(), "outages": 0}


class BatchedConsumer:
    """A consumer taking up to five messages a call: the first calls are held until the test
    opens the gate (so a backlog gathers), ids in `fail` always fail, and the first `outages`
    calls find the database away."""

    name = "batched"

    @batch_event_handler("registration", "registration_confirmed", max_batch=BATCH)
    def on_confirmed(self, payloads):
        ids = [payload["event_id"] for payload in payloads]
        batches.append(ids)
        if len(batches) <= gate["held"]:
            gate["open"].wait()
        if gate["outages"] >= len(batches):
            raise DatabaseUnavailable("the database is not reachable")
        done.extend(i for i in ids if i not in gate["fail"])
        return [RuntimeError(f"{i} is wrong") if i in gate["fail"] else None for i in ids]


@pytest.fixture
def batched(container_factory, config_for):
    batches.clear()
    done.clear()
    gate.update(open=Event(), held=0, fail=set(), outages=0)
    config = config_for("batched", HANDLER_RETRY_DELAYS="0.1,0.2", HANDLER_OUTAGE_RETRY_MAX_SECONDS="0.2")
    dispatch = event_dispatcher(config)

    def start():
        container = container_factory(BatchedConsumer, config)
        container.start()
        return container
    return config, start, lambda event_id: dispatch("registration", "registration_confirmed", {"event_id": event_id})


def hold_both_slots(dispatch):
    """Two messages, each a batch of its own, held in the handler: what comes next waits."""
    gate["held"] = BATCHES_IN_FLIGHT
    for n in range(BATCHES_IN_FLIGHT):
        dispatch(f"hold-{n}")  # one at a time: two arriving together would be one batch
        wait_until(lambda: len(batches) == n + 1, message=f"slot {n + 1} taken")


def handled(ids):
    return sorted(i for i in done if i in ids)


def queue_counts(config):
    vhost = urllib.parse.quote(config["AMQP_URI"].rsplit("/", 1)[1], safe="")
    queue = requests.get(f"{MANAGEMENT}/api/queues/{vhost}/{QUEUE}", timeout=10).json()
    return queue.get("messages_unacknowledged"), queue.get("messages_ready")


def test_a_backlog_goes_in_batches_and_the_broker_keeps_what_the_process_cannot_take_yet(batched):
    config, start, dispatch = batched
    start()
    hold_both_slots(dispatch)
    backlog = [f"m-{n:02d}" for n in range(40)]
    for event_id in backlog:
        dispatch(event_id)
    # prefetch is three batches: the two held and one gathering; the rest stays on the broker
    prefetch = BATCH * (BATCHES_IN_FLIGHT + 1)
    wait_until(lambda: queue_counts(config) == (prefetch, 40 + BATCHES_IN_FLIGHT - prefetch),
               message=f"{prefetch} taken, the rest ready on the broker")
    gate["open"].send(True)
    wait_until(lambda: handled(backlog) == backlog, message="the whole backlog handled")
    assert handled(backlog) == backlog  # each once
    later = batches[BATCHES_IN_FLIGHT:]
    assert max(len(batch) for batch in later) == BATCH and all(len(batch) <= BATCH for batch in later)


def test_a_message_failing_in_a_batch_is_retried_and_dead_lettered_alone(batched):
    config, start, dispatch = batched
    start()
    hold_both_slots(dispatch)
    gate["fail"] = {"bad"}
    together = ["good-1", "good-2", "bad", "good-3", "good-4"]
    for event_id in together:
        dispatch(event_id)
    wait_until(lambda: queue_counts(config)[0] == BATCHES_IN_FLIGHT + len(together), message="all five taken")
    gate["open"].send(True)
    [letter] = wait_until(lambda: dead_letters.list_dead_letters(config["AMQP_URI"], "batched"), message="dead letter")
    assert batches[BATCHES_IN_FLIGHT] == together  # they were one batch
    assert letter["payload"]["event_id"] == "bad" and letter["attempts"] == 3 and "bad is wrong" in letter["error"]
    assert batches[BATCHES_IN_FLIGHT + 1:] == [["bad"], ["bad"]]  # the retries: the good ones were acked
    assert handled(together) == ["good-1", "good-2", "good-3", "good-4"]


def test_a_batch_killed_before_it_was_handled_comes_again_whole(batched):
    config, start, dispatch = batched
    first = start()
    hold_both_slots(dispatch)
    taken = [f"m-{n}" for n in range(BATCH)]
    for event_id in taken:
        dispatch(event_id)
    wait_until(lambda: queue_counts(config)[0] == BATCHES_IN_FLIGHT + BATCH, message="the batch taken")
    first.kill()  # SIGKILL-like: nothing acked, nothing handled after this
    assert done == []
    batches.clear()
    gate.update(held=0)
    start()
    every = sorted(taken + [f"hold-{n}" for n in range(BATCHES_IN_FLIGHT)])
    wait_until(lambda: sorted(done) == every, message="the batch delivered again")


def test_a_database_outage_fails_a_whole_batch_without_counting_attempts(batched):
    config, start, dispatch = batched
    start()
    gate["outages"] = 8  # more failed tries than retries allowed
    ids = [f"m-{n}" for n in range(8)]
    for event_id in ids:
        dispatch(event_id)
    wait_until(lambda: sorted(done) == ids, message="handled once the database is back")
    assert len(batches) > 8  # the outage's tries
    eventlet.sleep(0.5)
    assert sorted(done) == ids
    assert dead_letters.list_dead_letters(config["AMQP_URI"], "batched") == []


def test_notifications_sends_a_backlogs_confirmations_once_each_and_sets_a_broken_one_aside(
        container_factory, config_for, migrated, twilio_double):
    twilio, sms = twilio_double()
    config = config_for("notifications", DATABASE_URL=migrated("notifications"), SMS_RATE_PER_SECOND="0",
                        HANDLER_RETRY_DELAYS="5", **twilio)
    first = container_factory(NotificationsService, config)
    first.start()
    first.stop()  # its queues stay on the broker: a backlog gathers in them
    dispatch = event_dispatcher(config)
    phones = [f"+3584012300{n:02d}" for n in range(30)]
    for n, phone in enumerate(phones):
        envelope = make_envelope("registration_confirmed", registration_data(registration_id=f"r-{n}", phone=phone))
        if n == 17:
            envelope["data"]["seats"] = "many"  # breaks its contract
        dispatch("registration", "registration_confirmed", envelope)
    container_factory(NotificationsService, config).start()
    sent = sms.wait_for(29)
    [letter] = wait_until(lambda: dead_letters.list_dead_letters(config["AMQP_URI"], "notifications"),
                          message="the broken one set aside")
    assert letter["payload"]["data"]["registration_id"] == "r-17" and letter["attempts"] == 1
    eventlet.sleep(1)  # anything sent twice would have arrived by now
    assert sorted(m["To"] for m in sms.all()) == sorted(phones[:17] + phones[18:]) == sorted(m["To"] for m in sent)
    database = Database(config["DATABASE_URL"])
    with database.transaction() as session:
        statuses = session.execute(select(notifications.c.status)).scalars().all()
    database.dispose()
    assert len(statuses) == 29 and set(statuses) == {"sent"}
