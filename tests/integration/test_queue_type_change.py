"""A queue's type cannot change: a service started with QUEUE_TYPE=quorum against a broker that
holds its queues as classic ones stops at once with one line, instead of hanging half-started
while nameko retries the broker's refusal forever. Real broker (this test's vhost)."""
import subprocess
import sys

from kombu import Connection, Exchange, Queue

from shared.config import REPO_ROOT
from tests.system import base_environment


def test_a_service_whose_queue_is_of_another_type_stops_with_one_line(rabbit_config, tmp_path):
    with Connection(rabbit_config["AMQP_URI"]) as connection:  # as a classic deployment left it
        Queue("rpc-catalog", exchange=Exchange("nameko-rpc", type="topic", durable=True),
              routing_key="catalog.*", durable=True)(connection.default_channel).declare()
    started = subprocess.run([sys.executable, "-m", "services.run", "catalog"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=120, env={**base_environment(), "AMQP_URI": rabbit_config["AMQP_URI"],
                                                          "QUEUE_TYPE": "quorum", "YHDESSA_VAR_DIR": str(tmp_path)})
    assert started.returncode == 1
    assert started.stderr.strip().splitlines()[-1] == (
        "QUEUE_TYPE=quorum, but RabbitMQ holds rpc-catalog as another type and a queue's type cannot change: "
        "set QUEUE_TYPE back, or switch as the README says (A RabbitMQ cluster)")
