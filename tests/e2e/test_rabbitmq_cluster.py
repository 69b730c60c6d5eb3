"""Losing a RabbitMQ node loses nothing (`make test-cluster`): the whole system as `make run` starts
it, on PostgreSQL, against a three-node cluster of the test's own (tests/rabbitmq_cluster.py; the
machine's broker is never touched) with QUEUE_TYPE=quorum and AMQP_URI listing the three nodes.

The first node (where every client connected first and every queue's leader sits) is stopped while
1,000 residents sign up, half of them through a frontend that sends an Idempotency-Key. What the
README promises, checked from the outside: every 201 is a real registration whose resident gets its
confirmation exactly once; an answer in the failover is either that or a 503 whose sign-up was made
and told once, or not made at all, and trying it again with its Idempotency-Key settles it; no
service stopped or restarted."""
import time

import eventlet
import pytest
import requests

from tests.e2e.helpers import create_event, resident_name, sign_up
from tests.rabbitmq_cluster import RabbitMQCluster
from tests.rabbitmq_node import why_unavailable
from tests.system import postgres_databases, start_system

pytestmark = [pytest.mark.e2e, pytest.mark.cluster,
              pytest.mark.skipif(why_unavailable() is not None, reason=why_unavailable() or "")]

SIGN_UPS = 1000
PER_SECOND = 40      # paced, so that most sign-ups come while the node is down
STOP_AFTER = 200     # answers before the first node is stopped
CLIENTS = 20
SERVICES = ("notifications", "registration", "catalog", "gateway")


def keyed(n):
    return n % 2 == 0


def headers(n):
    return {"Idempotency-Key": f"cluster-{n}"} if keyed(n) else {}


def phone(n):
    return f"0409{n:06d}"


def e164(n):
    return f"+358409{n:06d}"


@pytest.fixture
def cluster():
    with RabbitMQCluster() as cluster:
        yield cluster


def test_a_node_lost_while_1000_sign_up_loses_no_sign_up_and_tells_each_resident_once(tmp_path, cluster):
    with postgres_databases("yhdessa_cluster") as urls:
        system, stop = start_system(tmp_path, urls, amqp_uri=cluster.amqp_uri, QUEUE_TYPE="quorum")
        try:
            run_the_load(system, cluster)
        finally:
            stop()


def run_the_load(system, cluster):
    event = create_event(system, capacity=SIGN_UPS + 10)
    types = cluster.queue_types()
    durable = {name: kind for name, kind in types.items() if name.startswith(("rpc-", "evt-"))}
    assert durable and set(durable.values()) == {"quorum"}, types
    assert {"rpc-registration", "rpc-catalog", "rpc-notifications"} <= set(durable)
    pids = {name: system.service_pids(name) for name in SERVICES}

    answers, stopped_at = {}, []

    def resident(n):
        eventlet.sleep(max(0.0, started + n / PER_SECOND - time.monotonic()))
        try:
            response = sign_up(system, event["id"], {"name": resident_name("Asukas", n), "phone": phone(n)},
                               headers=headers(n))
        except requests.RequestException as exc:  # no answer at all: the test fails on it below
            answers[n] = (None, repr(exc), bool(stopped_at))
            return
        answers[n] = (response.status_code, response.json(), bool(stopped_at))

    started = time.monotonic()
    pool = eventlet.GreenPool(CLIENTS)
    feeder = eventlet.spawn(lambda: [pool.spawn(resident, n) for n in range(SIGN_UPS)])  # spawn waits for a free client
    deadline = time.monotonic() + 120
    while len(answers) < STOP_AFTER:
        assert time.monotonic() < deadline, f"only {len(answers)} answers before the stop"
        eventlet.sleep(0.05)
    cluster.stop_node(cluster.nodes[0])
    stopped_at.append(time.monotonic())
    feeder.wait()
    pool.waitall()
    assert len(answers) == SIGN_UPS

    codes = {n: status for n, (status, _, _) in answers.items()}
    assert set(codes.values()) <= {201, 503}, {n: answers[n] for n in codes if codes[n] not in (201, 503)}
    after_the_stop = [n for n, (status, _, later) in answers.items() if later and status == 201]
    assert len(after_the_stop) >= SIGN_UPS // 2, "most sign-ups were made with the node down"

    # Every 201 is a real registration, and its resident is told once, with the code they were given.
    accepted = {n: body for n, (status, body, _) in answers.items() if status == 201}
    roster = {entry["name"]: entry for entry in roster_of(system, event["id"])}
    for n, body in accepted.items():
        assert roster[resident_name("Asukas", n)]["id"] == body["id"]
    unsure = [n for n, status in codes.items() if status == 503]
    made = [n for n in unsure if resident_name("Asukas", n) in roster]
    assert len(roster) == len(accepted) + len(made)
    told = wait_for_messages(system, len(roster), cluster)
    assert sorted(told) == sorted(e164(n) for n in [*accepted, *made]), "each registration told exactly once"
    for n, body in accepted.items():
        assert body["cancel_code"] in told[e164(n)]

    # A 503 in the failover is tried again with its Idempotency-Key: made once, told once.
    for n in filter(keyed, unsure):
        again = sign_up(system, event["id"], {"name": resident_name("Asukas", n), "phone": phone(n)},
                        headers=headers(n))
        assert again.status_code in (200, 201), again.text
    final = {entry["name"] for entry in roster_of(system, event["id"])}
    assert {resident_name("Asukas", n) for n in range(SIGN_UPS) if keyed(n)} <= final
    told = wait_for_messages(system, len(final), cluster)
    assert len(told) == len(final)

    assert system.call("GET", "/health").status_code == 200
    assert {name: system.service_pids(name) for name in SERVICES} == pids, "no service stopped or restarted"


def roster_of(system, event_id):
    response = system.call("GET", f"/api/events/{event_id}/registrations", staff=True)
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_messages(system, count, cluster):
    """{number: text} once `count` messages have arrived and nothing more came for 3 s; a number
    told twice fails."""
    try:
        system.sms.wait_for(count, timeout=180)
    except AssertionError:
        waiting = [row for row in cluster.list_queues("messages", "consumers", "type") if row[1] != "0"]
        raise AssertionError(f"{len(system.sms.all())} of {count} messages arrived; queues holding "
                             f"messages (name, messages, consumers, type): {waiting}") from None
    time.sleep(3)  # anything sent twice would have arrived by now
    messages = system.sms.all()
    numbers = [message["To"] for message in messages]
    assert len(numbers) == len(set(numbers)), "nobody is told twice"
    return {message["To"]: message["Body"] for message in messages}
