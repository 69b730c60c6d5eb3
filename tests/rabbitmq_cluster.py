"""A three-node RabbitMQ cluster of a test's own, for proving that losing a node loses nothing:
each node a `RabbitMQNode` (tests/rabbitmq_node.py: its own ports, node name, files; the machine's
broker on 5672 is never touched), the second and third joined to the first.

    with RabbitMQCluster() as cluster:
        start_system(tmp_path, amqp_uri=cluster.amqp_uri, QUEUE_TYPE="quorum")
        cluster.stop_node(cluster.nodes[0])

The recipe is STACK-NOTES' (checked with RabbitMQ 3.10): `stop_app`, `join_cluster`, `start_app`.
Every node is stopped and its files removed on the way out, whatever happened.
"""
import subprocess
from concurrent.futures import ThreadPoolExecutor

from tests.rabbitmq_node import RabbitMQNode


class RabbitMQCluster:
    def __init__(self, size=3):
        self.nodes = [RabbitMQNode() for _ in range(size)]
        # kombu's failover syntax: every client connects to the first node that answers
        self.amqp_uri = ";".join(node.amqp_uri for node in self.nodes)

    def start(self):
        with ThreadPoolExecutor(len(self.nodes)) as pool:  # each node takes seconds to boot
            list(pool.map(RabbitMQNode.start, self.nodes))
        first = self.nodes[0]
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.name)
            node.ctl("start_app")
            node.ctl("await_startup", "--timeout", "120", timeout=150)
        return self

    def stop_node(self, node):
        """Stop one node (its Erlang VM), as a machine shut down would: its connections close."""
        node.ctl("stop", timeout=120)
        # a pid file left behind would make the final clean-up signal a pid that may be reused
        (node.home / "node.pid").unlink(missing_ok=True)

    def list_queues(self, *fields, node=None):
        """[[name, *fields]] of every queue, as the cluster lists them (asked of `node`, else the last)."""
        node = node or self.nodes[-1]
        listed = subprocess.run(["rabbitmqctl", "-q", "-n", node.name, "list_queues", "name", *fields,
                                 "--no-table-headers"], check=True, capture_output=True, text=True, timeout=60,
                                env=node._env()).stdout
        return [line.split("\t") for line in listed.splitlines() if "\t" in line]

    def queue_types(self):
        """{queue name: type}."""
        return {name: kind for name, kind in self.list_queues("type")}

    def stop(self):
        for node in reversed(self.nodes):
            node.stop()

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_):
        self.stop()
