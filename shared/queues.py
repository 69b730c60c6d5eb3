"""The type of the durable queues the services declare: `QUEUE_TYPE` (README, "A RabbitMQ cluster").

`classic` queues live on one broker node; `quorum` queues are replicated to every node of a
cluster (Raft) and survive the loss of a minority of them. Every durable, shared queue the services
declare takes the type: nameko's RPC queues (`rpc-<service>`), the event handlers' queues, their
retry queues and the dead letters. Queues that live and die with one connection (RPC reply
queues, the gateway's activity queues) cannot be quorum queues and stay classic.

`classic` adds no argument at all, so queues declared before this setting existed are declared
exactly as they were; a queue's type cannot change once declared (the broker answers
PRECONDITION_FAILED), see the README for switching a running deployment.
"""
from amqp.exceptions import PreconditionFailed
from kombu import Queue

from shared import broker
from shared.config import ConfigurationError

QUEUE_TYPES = ("classic", "quorum")
DEFAULT_QUEUE_TYPE = "classic"


def queue_type(value):
    """QUEUE_TYPE checked: `classic` or `quorum`, else one line saying what to set."""
    value = (value or DEFAULT_QUEUE_TYPE).strip().lower()
    if value not in QUEUE_TYPES:
        raise ConfigurationError(f"QUEUE_TYPE: {value!r} is not one of {', '.join(QUEUE_TYPES)}")
    return value


def of_config(config):
    """The queue type of a nameko container's config (a test's own config may lack it)."""
    return queue_type(config.get("QUEUE_TYPE"))


def durable_arguments(kind):
    """Arguments of a durable, shared queue of type `kind`."""
    return {"x-queue-type": "quorum"} if kind == "quorum" else {}


def dead_lettering_arguments(kind):
    """Arguments of a queue that dead-letters its messages on (a retry queue, whose TTL hands
    each message back to its handler). A quorum queue dead-letters at most once unless told
    otherwise: a message handed back while a node is lost could vanish. At least once needs the
    overflow behaviour `reject-publish` (the queue has no length limit, so it never applies)."""
    if kind == "quorum":
        return {**durable_arguments(kind), "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish"}
    return durable_arguments(kind)


def typed(queue, kind):
    """`queue` (kombu), declared as a durable queue of type `kind`: a copy with the arguments added."""
    arguments = durable_arguments(kind)
    if not arguments:
        return queue
    return Queue(queue.name, exchange=queue.exchange, routing_key=queue.routing_key, bindings=queue.bindings,
                 durable=True, exclusive=False, auto_delete=False,
                 queue_arguments={**(queue.queue_arguments or {}), **arguments})


def require_unchanged(amqp_uri, queue_name, kind):
    """Declare the durable queue `queue_name` as `kind` now, so that a broker holding it as another
    type stops the start with one line; nameko would retry that refusal forever instead, and the
    service would hang half-started."""
    with broker.connect(amqp_uri) as connection:
        try:
            connection.default_channel.queue_declare(queue=queue_name, durable=True, auto_delete=False,
                                                     arguments=durable_arguments(kind))
        except PreconditionFailed as exc:
            if "x-queue-type" not in str(exc):
                raise
            raise ConfigurationError(
                f"QUEUE_TYPE={kind}, but RabbitMQ holds {queue_name} as another type and a queue's type cannot "
                "change: set QUEUE_TYPE back, or switch as the README says (A RabbitMQ cluster)") from None
