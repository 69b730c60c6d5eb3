"""Connections to RabbitMQ for the code that opens its own (nameko opens the rest).

`AMQP_URI` may name one node or a cluster's nodes separated by `;`
(`amqp://u:p@node1:5672/v;amqp://u:p@node2:5672/v`, kombu's failover syntax). A connection goes to
the first listed node that answers; once one is lost, the next connection tries them in turn again,
so a stopped node costs a refused connection, not an outage.
"""
from kombu import Connection


def nodes(amqp_uri):
    """The node URLs `amqp_uri` lists."""
    return [node.strip() for node in amqp_uri.split(";") if node.strip()]


def connect(amqp_uri, **options):
    """An open kombu Connection to the first node of `amqp_uri` that answers, each tried in turn
    (the first one twice); raises kombu's OperationalError when none does. `options` go to
    kombu's Connection (connect_timeout, heartbeat...)."""
    connection = Connection(amqp_uri, **options)
    try:
        # kombu moves to the next listed node after each failure, without a pause inside a round
        connection.ensure_connection(max_retries=len(nodes(amqp_uri)), interval_start=1, interval_step=1,
                                     interval_max=1)
    except BaseException:
        connection.release()
        raise
    return connection


def shown(amqp_uri):
    """`amqp_uri` for a message: every node, passwords hidden."""
    return ";".join(Connection(node).as_uri() for node in nodes(amqp_uri))
