"""Calling another service over RPC with a time limit and a deadline.

Every call carries its deadline (shared/deadlines.py): the callee refuses work, and rolls back a
transaction, once the caller has given up on it, so "did not answer in time" means the work was not
done; the request message expires in RabbitMQ at the same moment. The gateway calls every service
this way; notifications calls registration this way for residents' texts.

The caller's reply queue is transient: nameko declares it durable, and a durable queue whose node
is lost cannot be declared again anywhere else until that node is back (404 "home node ... is down"),
so a caller whose broker node was lost could never hear an answer again. A transient one goes
with its node, and the caller declares it afresh on the node it reconnects to."""
import time

import eventlet
from kombu import Queue
from kombu.exceptions import OperationalError
from nameko import rpc as nameko_rpc
from nameko.exceptions import UnknownService
from nameko.rpc import MethodProxy

from shared import deadlines
from shared.errors import ServiceUnavailable

RPC_TIMEOUT_SECONDS = 15


class CallWithDeadline(MethodProxy):
    """nameko's RPC call, with the callee's deadline as a header (nameko turns `nameko.<key>`
    headers into the callee's worker context data) and an AMQP expiration at that deadline."""

    def __init__(self, service_proxy, method, deadline):
        super().__init__(service_proxy.worker_ctx, service_proxy.service_name, method, service_proxy.reply_listener,
                         expiration=max(deadline - time.time(), 0.001), **service_proxy.options)
        self.deadline = deadline

    def get_message_headers(self, worker_ctx):
        headers = super().get_message_headers(worker_ctx)
        headers[self._get_header_name(deadlines.CONTEXT_KEY)] = self.deadline
        return headers


class TimedProxy:
    def __init__(self, proxy, service_name, timeout):
        self._proxy, self._service_name, self._timeout = proxy, service_name, timeout

    def __getattr__(self, method):
        def call(*args, timeout=None, gives_up_at=None, **kwargs):
            """`gives_up_at` (epoch seconds) instead of `timeout`: a deadline set earlier."""
            if gives_up_at is None:
                gives_up_at = time.time() + (timeout or self._timeout)
            remote = CallWithDeadline(self._proxy, method, deadlines.for_callee(gives_up_at))
            try:
                with eventlet.Timeout(max(gives_up_at - time.time(), 0)):
                    return remote(*args, **kwargs)
            except eventlet.Timeout:
                raise ServiceUnavailable(f"The {self._service_name} service did not answer in time; "
                                         f"nothing was done.")
            except UnknownService:
                # no queue for it on the broker: never started here (a new deployment, a new vhost)
                raise ServiceUnavailable(f"The {self._service_name} service is not running just now; "
                                         f"nothing was done.")
            except (OperationalError, ConnectionError):
                # the broker is away (a restart): the request never left, so nothing was done
                raise ServiceUnavailable(f"The {self._service_name} service cannot be reached just now; "
                                         f"nothing was done.")

        return call


class ReplyListener(nameko_rpc.ReplyListener):
    def setup(self):
        super().setup()
        queue = self.queue  # read by the queue consumer only when it starts consuming
        self.queue = Queue(queue.name, exchange=queue.exchange, routing_key=queue.routing_key,
                           queue_arguments=queue.queue_arguments, durable=False)


class RpcProxy(nameko_rpc.RpcProxy):
    """nameko's RPC proxy, its answers coming to a transient reply queue (above)."""
    rpc_reply_listener = ReplyListener()


def timeout_of(container, given):
    return given if given is not None else float(container.config.get("RPC_TIMEOUT_SECONDS", RPC_TIMEOUT_SECONDS))


class Service(RpcProxy):
    """An RPC proxy whose calls give up after a time limit (RPC_TIMEOUT_SECONDS) with 503,
    instead of hanging while the other service is down."""

    def __init__(self, target_service, timeout=None, **options):
        super().__init__(target_service, **options)
        self.given_timeout = timeout

    def setup(self):
        super().setup()
        self.timeout = timeout_of(self.container, self.given_timeout)

    def get_dependency(self, worker_ctx):
        return TimedProxy(super().get_dependency(worker_ctx), self.target_service, self.timeout)
