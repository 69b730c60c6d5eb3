"""The compose deployment's RabbitMQ users (docker/rabbitmq/definitions.json, rendered by its
entrypoint) are enough for every service and no more: the whole path works with each service
logged in as itself, and one service cannot take another's calls. On a RabbitMQ node of the
test's own (the machine's shared node is never touched), loaded with the definitions at boot as
the compose container loads them. Needs root and rabbitmq-server (STACK-NOTES)."""
import os
import subprocess
import sys
import tempfile
import uuid

import pytest
from kombu import Connection, Exchange, Queue
from amqp.exceptions import AccessRefused

from shared.config import REPO_ROOT
from tests.e2e.helpers import ActivityStream, create_event, sign_up
from tests.rabbitmq_node import RabbitMQNode, why_unavailable
from tests.system import (
    STAFF_TOKEN,
    TWILIO_DOUBLE,
    Recorded,
    System,
    base_environment,
    free_port,
    start_double,
)

pytestmark = [pytest.mark.e2e, pytest.mark.long, pytest.mark.skipif(
    why_unavailable() is not None or os.geteuid() != 0, reason="needs root and rabbitmq-server")]

SERVICES = ("notifications", "registration", "catalog", "gateway")
ENTRYPOINT = REPO_ROOT / "docker" / "rabbitmq" / "entrypoint.sh"


@pytest.fixture(scope="module")
def broker():
    """(AMQP port, {user: password}) of a fresh RabbitMQ node holding only the definitions."""
    passwords = {name: uuid.uuid4().hex for name in ("admin", *SERVICES)}
    node = RabbitMQNode()
    node.config = f"load_definitions = {node.home}/definitions.json\n"
    with tempfile.TemporaryDirectory() as bin_folder:
        with open(os.path.join(bin_folder, "docker-entrypoint.sh"), "w") as fake:  # the image's, not needed here
            fake.write("#!/bin/sh\ntrue\n")
        os.chmod(os.path.join(bin_folder, "docker-entrypoint.sh"), 0o755)
        subprocess.run(["sh", str(ENTRYPOINT)], check=True, env={
            "PATH": f"{bin_folder}:/usr/bin:/bin",
            "YHDESSA_DEFINITIONS_TEMPLATE": str(REPO_ROOT / "docker/rabbitmq/definitions.json"),
            "YHDESSA_DEFINITIONS": f"{node.home}/definitions.json",
            **{f"RABBITMQ_{name.upper()}_PASSWORD": password for name, password in passwords.items()}})
    with node:
        yield node.port, passwords


def amqp_uri(broker, user):
    port, passwords = broker
    return f"amqp://{user}:{passwords[user]}@127.0.0.1:{port}/yhdessa"


@pytest.fixture
def system(broker, tmp_path):
    """Every service as its own process, each logged in to the broker as itself."""
    sms_record = tmp_path / "sms.jsonl"
    twilio, twilio_port = start_double("tests.doubles.twilio_api", sms_record)
    port = free_port()
    env = {**base_environment(), "YHDESSA_VAR_DIR": str(tmp_path / "var"), "GATEWAY_PORT": str(port),
           "STAFF_BOOTSTRAP_TOKEN": STAFF_TOKEN, **TWILIO_DOUBLE,
           "TWILIO_API_URL": f"http://127.0.0.1:{twilio_port}",
           "LOG_LEVEL": "WARNING", "SMS_RATE_PER_SECOND": "0"}
    log = open(tmp_path / "services.log", "a")
    system = System(f"http://127.0.0.1:{port}", Recorded(sms_record), Recorded(tmp_path / "mail.jsonl"), env, log)
    for name in SERVICES:
        system.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "services.run", name], cwd=REPO_ROOT,
            env={**env, "AMQP_URI": amqp_uri(broker, name)},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        system.wait_healthy()
        yield system
    finally:
        system.stop()
        twilio.terminate()
        twilio.wait()
        log.close()


def test_every_service_does_its_work_logged_in_as_itself(system, broker):
    staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    event = create_event(system)
    stream = ActivityStream(system, event["id"], staff)  # the gateway's own queue on registration's events
    try:
        answer = sign_up(system, event["id"], {"name": "Maija", "phone": "0401234567"})
        assert answer.status_code == 201, answer.text
        assert "Maija" in system.sms.wait_for(1)[0]["Body"]
        stream.wait_for(lambda item: item["event"] == "registration_confirmed")
        assert system.call("DELETE", f"/api/registrations/{answer.json()['cancel_code']}").status_code == 200
        system.sms.wait_for(2)
    finally:
        stream.close()
    # the containers' health check, as catalog's own user
    pinged = subprocess.run([sys.executable, "-m", "services.run", "ping", "catalog"], cwd=REPO_ROOT,
                            env={**system.env, "AMQP_URI": amqp_uri(broker, "catalog")}, capture_output=True, text=True)
    assert pinged.returncode == 0, pinged.stderr
    assert "ACCESS_REFUSED" not in open(system.log.name).read()


@pytest.mark.parametrize("user, queue", [
    ("catalog", "rpc-registration"), ("gateway", "rpc-notifications"),
    ("notifications", "evt-catalog-event_published--registration.on_event_published")])
def test_a_service_cannot_take_anothers_messages(broker, user, queue):
    with Connection(amqp_uri(broker, user), connect_timeout=10) as connection:
        with pytest.raises(AccessRefused):
            Queue(queue, Exchange("nameko-rpc", type="topic"), routing_key="#")(connection.channel()).declare()
