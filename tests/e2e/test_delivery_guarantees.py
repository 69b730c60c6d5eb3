"""Nothing lost, nothing sent twice: the whole system killed, its broker restarted, its provider
reporting back, with the real broker and database."""
import subprocess
import time

import eventlet
import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.conftest import wait_until
from tests.e2e.conftest import start_system
from tests.e2e.helpers import create_event, resident_name, sign_up
from tests.rabbitmq_node import RabbitMQNode, why_unavailable

pytestmark = pytest.mark.e2e

STATUS_PATH = "/webhooks/twilio/status"


def messages_of(system, event_id):
    roster = system.call("GET", f"/api/events/{event_id}/registrations", staff=True).json()
    return {r["phone"] or r["email"]: r["messages"] for r in roster}


def test_signed_status_callbacks_move_the_status_forward_and_unsigned_ones_change_nothing(system):
    event = create_event(system)
    assert sign_up(system, event["id"], {"name": "Maija", "phone": "0407770001"}).status_code == 201
    # picked by its number: other tests' messages may still be arriving on the shared system
    sms = wait_until(lambda: next((m for m in system.sms.all() if m["To"] == "+358407770001"), None),
                     message="Maija's confirmation was never sent")
    url = sms["StatusCallback"]
    assert url.endswith(STATUS_PATH)

    def report(status, signature=None):
        form = {"MessageSid": sms["sid"], "MessageStatus": status, "AccountSid": "ACtest"}
        signature = signature if signature is not None else RequestValidator("secret").compute_signature(url, form)
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return system.call("POST", STATUS_PATH, data=form, headers=headers)

    def status():
        [message] = messages_of(system, event["id"])["+358407770001"]
        return message["status"]

    assert report("delivered", signature="").status_code == 403
    wrong = report("delivered", signature="AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "bad_signature"
    # the double records the SMS before it answers, and notifications records `sent` after
    wait_until(lambda: status() == "sent", message="the message never showed as sent")
    assert report("delivered").status_code == 204
    assert status() == "delivered"
    assert report("sent").status_code == 204  # late and out of order
    assert status() == "delivered"


@pytest.mark.long
def test_a_sign_up_committed_just_before_registration_is_killed_is_confirmed_once_after_restart(tmp_path):
    # Notifications is not running yet, so no queue is bound for the confirmation: it waits in
    # registration's outbox, committed but unpublished, when registration is killed.
    system, stop = start_system(tmp_path, services=["registration", "catalog", "gateway"])
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                services = system.call("GET", "/health").json()["services"]
                if services["catalog"] == services["registration"] == "ok":
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "catalog and registration did not start"
            time.sleep(0.2)
        event = create_event(system)
        answer = sign_up(system, event["id"], {"name": "Maija", "phone": "0407770002"})
        assert answer.status_code == 201
        system.kill("registration")

        system.start("notifications")
        time.sleep(3)
        assert system.sms.all() == []  # nobody else could have published it

        system.start("registration")
        [sms] = system.sms.wait_for(1, timeout=30)
        assert sms["To"] == "+358407770002" and answer.json()["cancel_code"] in sms["Body"]
        time.sleep(2)
        assert len(system.sms.all()) == 1
    finally:
        stop()


@pytest.fixture
def rabbitmq_node():
    """A RabbitMQ node of this test's own, to restart: the machine's shared broker is never stopped."""
    with RabbitMQNode() as node:
        yield node


@pytest.mark.long
@pytest.mark.skipif(why_unavailable() is not None, reason=why_unavailable() or "")
def test_rabbitmq_restarting_while_100_people_sign_up_loses_and_repeats_no_confirmation(tmp_path, rabbitmq_node):
    system, stop = start_system(tmp_path, amqp_uri=rabbitmq_node.amqp_uri)
    try:
        event = create_event(system, capacity=200)
        assert sign_up(system, event["id"], {"name": "Eka", "phone": "0408880999"}).status_code == 201
        system.sms.wait_for(1)
        done = []

        def resident(n):
            # A frontend that retries until it has an answer, with the same Idempotency-Key.
            body, key = {"name": resident_name("Asukas", n), "phone": f"0408880{n:03d}"}, f"signup-{n}"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    response = sign_up(system, event["id"], body, headers={"Idempotency-Key": key})
                    if response.status_code in (200, 201):
                        done.append(n)
                        return response.json()
                except requests.RequestException:
                    pass
                eventlet.sleep(0.5)
            raise AssertionError(f"resident {n} never got an answer")

        pool = eventlet.GreenPool(10)
        residents = [pool.spawn(resident, n) for n in range(100)]
        deadline = time.monotonic() + 60
        while len(done) < 25:
            assert time.monotonic() < deadline, f"only {len(done)} sign-ups before the restart"
            eventlet.sleep(0.05)
        rabbitmq_node.restart(down_seconds=2)
        answers = [r.wait() for r in residents]
        assert len(done) == 100

        assert len({a["id"] for a in answers}) == 100
        messages = system.sms.wait_for(101, timeout=90)
        time.sleep(3)
        messages = system.sms.all()
        phones = [m["To"] for m in messages]
        assert len(phones) == 101 and len(set(phones)) == 101
    finally:
        stop()


@pytest.mark.long
def test_two_notifications_processes_under_make_run_send_each_message_once(tmp_path):
    system, stop = start_system(tmp_path, SERVICE_COPIES="notifications=2")
    try:
        launcher = system.processes["all"]
        group = subprocess.run(["pgrep", "-g", str(launcher.pid), "-f", "services.run notifications"],
                               capture_output=True, text=True).stdout.split()
        assert len(group) == 2
        event = create_event(system, capacity=40)
        for n in range(20):
            assert sign_up(system, event["id"], {"name": resident_name("Kopio", n), "phone": f"04055500{n:02d}"}).status_code == 201
        sent = system.sms.wait_for(20)
        time.sleep(1.5)  # anything sent twice would have arrived by now
        assert sorted(m["To"] for m in system.sms.all()) == sorted({m["To"] for m in sent})
        assert len(system.sms.all()) == 20
    finally:
        stop()
