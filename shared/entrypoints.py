"""nameko's RPC entrypoint, as the services use it.

- Our own errors are answers, not failures: they travel back to the caller intact and are logged
  as expected rather than as crashes.
- The service's RPC queue (`rpc-<service>`) is declared with QUEUE_TYPE (shared/queues.py).
- A request RabbitMQ delivers a second time is refused unread (503 `service_unavailable`): its
  first delivery was cut off with the connection (a broker node lost, the service killed), maybe
  after the work was done and before the answer went out, so doing it again could sign someone
  up twice or send a message twice. The caller learns it may have been done, and a sign-up tried
  again with its Idempotency-Key is answered with what was done.
"""
import logging

from nameko import rpc as nameko_rpc

from shared import queues
from shared.errors import MaybeDone, YhdessaError

log = logging.getLogger(__name__)


class RpcConsumer(nameko_rpc.RpcConsumer):
    def setup(self):
        super().setup()
        self.queue = queues.typed(self.queue, queues.of_config(self.container.config))


class Rpc(nameko_rpc.Rpc):
    rpc_consumer = RpcConsumer()

    def handle_message(self, body, message):
        if message.delivery_info.get("redelivered"):
            # raised here, nameko's consumer answers it as this call's error and acks the request
            log.warning("refused %s: delivered again after a lost connection; it may have been done",
                        self.method_name)
            raise MaybeDone(f"The {self.container.service_name} service was cut off from the broker while "
                            "handling this; it may have been done and is not done twice. Try again (with "
                            "the same Idempotency-Key, a sign-up that was made is answered, not made again).")
        super().handle_message(body, message)


def rpc(method):
    return Rpc.decorator(expected_exceptions=(YhdessaError,))(method)
