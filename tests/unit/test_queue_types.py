"""QUEUE_TYPE: which arguments the services' durable queues are declared with, and a bad value
stopping the start in one line."""
import subprocess
import sys

import pytest

from shared import queues
from shared.config import REPO_ROOT, ConfigurationError, service_config
from shared.handlers import dead_letter_queue, retry_queue
from tests.system import base_environment


def test_classic_declares_the_queues_exactly_as_before_the_setting_existed():
    # an argument a running deployment's queues lack would be refused with PRECONDITION_FAILED
    assert dead_letter_queue("notifications", "classic").queue_arguments == {}
    assert retry_queue("evt-x--notifications.on_x", 1000, "classic").queue_arguments == {
        "x-message-ttl": 1000, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "evt-x--notifications.on_x"}


def test_quorum_makes_every_durable_queue_a_quorum_queue():
    assert dead_letter_queue("notifications", "quorum").queue_arguments == {"x-queue-type": "quorum"}
    assert dead_letter_queue("notifications", "quorum").durable


def test_a_quorum_retry_queue_hands_its_messages_back_at_least_once():
    arguments = retry_queue("evt-x--notifications.on_x", 5000, "quorum").queue_arguments
    assert arguments == {"x-message-ttl": 5000, "x-dead-letter-exchange": "",
                         "x-dead-letter-routing-key": "evt-x--notifications.on_x", "x-queue-type": "quorum",
                         "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


def test_the_services_rpc_and_event_handler_queues_take_the_type_of_their_config():
    from nameko.containers import ServiceContainer

    from services.notifications.service import NotificationsService
    from shared.entrypoints import Rpc
    from shared.handlers import RetryingEventHandler

    for kind, arguments in (("quorum", {"x-queue-type": "quorum"}), ("classic", {})):
        config = service_config("notifications", {"AMQP_URI": "amqp://guest:guest@127.0.0.1:1/", "QUEUE_TYPE": kind})
        container = ServiceContainer(NotificationsService, config)
        for extension in container.extensions:
            extension.setup()
        handlers = [e for e in container.entrypoints if isinstance(e, RetryingEventHandler)]
        [rpc_queue] = {e.rpc_consumer.queue.name: e.rpc_consumer.queue for e in container.entrypoints
                       if isinstance(e, Rpc)}.values()
        assert handlers and all((h.queue.queue_arguments or {}) == arguments and h.queue.durable for h in handlers)
        assert rpc_queue.name == "rpc-notifications" and (rpc_queue.queue_arguments or {}) == arguments


def test_reply_queues_stay_classic_and_go_with_their_node():
    from nameko.containers import ServiceContainer

    from services.gateway.service import GatewayService
    from shared.rpc import ReplyListener

    config = service_config("gateway", {"AMQP_URI": "amqp://guest:guest@127.0.0.1:1/", "QUEUE_TYPE": "quorum"})
    container = ServiceContainer(GatewayService, config)
    for extension in container.extensions:
        extension.setup()
    [listener] = [e for e in container.extensions if isinstance(e, ReplyListener)]
    assert not listener.queue.durable and "x-queue-type" not in listener.queue.queue_arguments


@pytest.mark.parametrize("value", ["quorom", "stream", "mirrored"])
def test_a_bad_queue_type_is_one_line_naming_the_setting(value):
    with pytest.raises(ConfigurationError, match=f"QUEUE_TYPE: '{value}' is not one of classic, quorum"):
        queues.queue_type(value)
    assert queues.queue_type(" Quorum ") == "quorum" and queues.queue_type("") == "classic"


def test_a_bad_queue_type_stops_the_start_before_anything_runs():
    started = subprocess.run([sys.executable, "-m", "services.run"], cwd=REPO_ROOT, capture_output=True, text=True,
                             env={**base_environment(), "QUEUE_TYPE": "quorom"}, timeout=60)
    assert started.returncode == 1
    assert started.stderr.strip().splitlines()[-1] == "QUEUE_TYPE: 'quorom' is not one of classic, quorum"
