"""Outages seen from the outside: a 503 means the thing was not done, and a database outage pauses
sign-ups instead of failing them. The whole system as `make run` starts it, the real broker, a
PostgreSQL cluster of the test's own (the machine's shared one is never stopped)."""
import collections
import contextlib
import os
import signal
import time
import urllib.parse

import eventlet
import pytest
import requests

from tests.conftest import wait_until
from tests.e2e.helpers import create_event, resident_name, sign_up
from tests.pg_cluster import PostgresCluster
from shared import dead_letters
from tests.system import MANAGEMENT, create_postgres_database, drop_postgres_databases, start_system

pytestmark = pytest.mark.e2e

SERVICES = ("notifications", "registration", "catalog", "gateway")
OUTAGE_SECONDS = 120


def roster_names(system, event_id):
    response = system.call("GET", f"/api/events/{event_id}/registrations", staff=True)
    assert response.status_code == 200, response.text
    return {registration["name"] for registration in response.json()}


@contextlib.contextmanager
def aino_signed_up(tmp_path):
    """(system, event): a system with a short RPC_TIMEOUT_SECONDS, Aino signed up to its event."""
    system, stop = start_system(tmp_path, services=SERVICES, RPC_TIMEOUT_SECONDS="3")
    try:
        system.wait_healthy()
        event = create_event(system)
        assert sign_up(system, event["id"], {"name": "Aino", "phone": "0401110001"}).status_code == 201
        yield system, event
    finally:
        stop()


@pytest.mark.long
def test_a_sign_up_registration_does_not_answer_in_time_is_a_503_and_is_never_made(tmp_path):
    with aino_signed_up(tmp_path) as (system, event):
        system.sms.wait_for(1)
        registration = system.processes["registration"]
        os.killpg(registration.pid, signal.SIGSTOP)  # paused, as by a long GC, swap or a stuck VM
        try:
            late = system.call("POST", f"/api/events/{event['id']}/registrations",
                               json={"name": "Maija", "phone": "0402220002"}, headers={"Idempotency-Key": "maija-1"})
        finally:
            os.killpg(registration.pid, signal.SIGCONT)
        assert late.status_code == 503 and late.json()["error"]["code"] == "service_unavailable"

        # Registration now works through what it was handed while paused; a sign-up after it is
        # answered, and its confirmation sent, only once the paused one has been dealt with.
        assert sign_up(system, event["id"], {"name": "Pekka", "phone": "0403330003"}).status_code == 201
        sent = system.sms.wait_for(2)
        assert roster_names(system, event["id"]) == {"Aino", "Pekka"}
        assert [sms["To"] for sms in sent] == ["+358401110001", "+358403330003"]

        # Trying again with the same Idempotency-Key, as the README says, makes it once.
        again = system.call("POST", f"/api/events/{event['id']}/registrations",
                            json={"name": "Maija", "phone": "0402220002"}, headers={"Idempotency-Key": "maija-1"})
        assert again.status_code == 201
        assert [sms["To"] for sms in system.sms.wait_for(3)].count("+358402220002") == 1


def waiting_requests(system, service):
    vhost = urllib.parse.quote(system.env["AMQP_URI"].rsplit("/", 1)[1], safe="")
    # "messages" is absent until the broker's first statistics of the queue
    return requests.get(f"{MANAGEMENT}/api/queues/{vhost}/rpc-{service}", timeout=10).json().get("messages")


@pytest.mark.long
def test_a_request_nobody_took_in_time_expires_in_the_broker_unread(tmp_path):
    with aino_signed_up(tmp_path) as (system, event):
        system.kill("registration")  # down: its queue stays, and holds what is sent meanwhile
        late = system.call("POST", f"/api/events/{event['id']}/registrations",
                           json={"name": "Maija", "phone": "0402220002"})
        assert late.status_code == 503
        wait_until(lambda: waiting_requests(system, "registration") == 0, timeout=30,
                   message="the request dropped by RabbitMQ")
        system.start("registration")
        system.wait_healthy()
        assert sign_up(system, event["id"], {"name": "Pekka", "phone": "0403330003"}).status_code == 201
        system.sms.wait_for(2)
        assert roster_names(system, event["id"]) == {"Aino", "Pekka"}


@pytest.mark.long
def test_a_two_minute_postgresql_outage_during_sign_ups_answers_503_and_loses_no_confirmation(tmp_path):
    with PostgresCluster() as cluster:
        urls = {f"{name.upper()}_DATABASE_URL": cluster.create_database(f"yhdessa_{name}")
                for name in ("catalog", "registration", "notifications")}
        system, stop = start_system(tmp_path, urls, DATABASE_CONNECT_TIMEOUT_SECONDS="2",
                                    HANDLER_OUTAGE_RETRY_MAX_SECONDS="5")
        try:
            event = create_event(system, capacity=100000)
            assert sign_up(system, event["id"], {"name": "Aino", "phone": "0401110001"}).status_code == 201
            answers = []  # (phone, status or the exception's name, when)
            signing_up = [True]

            def resident(client):
                number = 0
                while signing_up[0]:
                    number += 1
                    phone = f"+35840{client}{number:06d}"
                    try:
                        status = system.call("POST", f"/api/events/{event['id']}/registrations",
                                             json={"name": resident_name(f"Osallistuja {'ABCD'[client]}", number),
                                                   "phone": phone},
                                             headers={"Idempotency-Key": phone}).status_code
                    except requests.RequestException as exc:
                        status = type(exc).__name__
                    answers.append((phone, status, time.monotonic()))
                    eventlet.sleep(0.1)

            residents = eventlet.GreenPool()
            for client in range(4):
                residents.spawn(resident, client)
            wait_until(lambda: sum(status == 201 for _, status, _ in answers) >= 20, timeout=60,
                       message="sign-ups before the outage")

            cluster.stop()
            down = time.monotonic()
            wait_until(lambda: any(status == 503 and at > down for _, status, at in answers), timeout=60,
                       message="a 503 while the database is down")
            time.sleep(max(0, OUTAGE_SECONDS - (time.monotonic() - down)))  # the outage itself
            cluster.start()
            up = time.monotonic()
            wait_until(lambda: any(status == 201 and at > up for _, status, at in answers), timeout=60,
                       message="sign-ups accepted again")
            wait_until(lambda: sum(status == 201 and at > up for _, status, at in answers) >= 20, timeout=60,
                       message="sign-ups after the outage")
            signing_up[0] = False
            residents.waitall()

            statuses = collections.Counter(status for _, status, _ in answers)
            assert set(statuses) <= {201, 503}, statuses  # never a 500, never a dropped connection
            assert statuses[503] > 0
            accepted = {phone for phone, status, _ in answers if status == 201} | {"+358401110001"}
            wait_until(lambda: accepted <= {sms["To"] for sms in system.sms.all()}, timeout=240,
                       message="every accepted sign-up's confirmation")
            sent_to = collections.Counter(sms["To"] for sms in system.sms.all())
            assert max(sent_to.values()) == 1, [phone for phone, times in sent_to.items() if times > 1]
        finally:
            stop()


@pytest.mark.long
def test_confirmations_wait_out_a_notifications_database_outage_and_all_go_out_once_it_is_back(tmp_path):
    """Registration keeps taking sign-ups while notifications' own database is down for a minute,
    far longer than every handler retry (0.5 + 1 + 2 s here): nothing is dead-lettered."""
    urls = {f"{name.upper()}_DATABASE_URL": create_postgres_database(f"yhdessa_e2e_{name}")
            for name in ("catalog", "registration")}
    try:
        with PostgresCluster() as cluster:
            urls["NOTIFICATIONS_DATABASE_URL"] = cluster.create_database("yhdessa_notifications")
            system, stop = start_system(tmp_path, urls, DATABASE_CONNECT_TIMEOUT_SECONDS="2",
                                        HANDLER_OUTAGE_RETRY_MAX_SECONDS="5")
            try:
                event = create_event(system, capacity=100000)
                assert sign_up(system, event["id"], {"name": "Aino", "phone": "0401110001"}).status_code == 201
                system.sms.wait_for(1)
                cluster.stop()
                phones = [f"+3584050{number:05d}" for number in range(40)]
                for phone in phones:  # one every 1.5 s through the outage
                    answer = sign_up(system, event["id"], {"name": "Osallistuja", "phone": phone})
                    assert answer.status_code == 201, answer.text
                    time.sleep(1.5)
                assert len(system.sms.all()) == 1  # nothing could be sent meanwhile
                cluster.start()
                wait_until(lambda: set(phones) <= {sms["To"] for sms in system.sms.all()}, timeout=120,
                           message="every confirmation after the outage")
                sent_to = collections.Counter(sms["To"] for sms in system.sms.all())
                assert max(sent_to.values()) == 1
                assert dead_letters.list_dead_letters(system.env["AMQP_URI"], "notifications") == []
            finally:
                stop()
    finally:
        drop_postgres_databases(urls[name] for name in ("CATALOG_DATABASE_URL", "REGISTRATION_DATABASE_URL"))
