"""Event handlers that never drop a message they failed on.

nameko acks a message whose handler raised. Ours instead republish it to a delay queue whose TTL
dead-letters it back onto the handler's own queue (1 s, 5 s, 30 s, 2 min, 10 min by default:
`HANDLER_RETRY_DELAYS`), and after the last retry move it to the service's dead-letter queue,
`<service>.dead-letters`, with the error. A message that breaks its contract goes there at once. `python -m shared.dead_letters` lists and replays them.
Only once the message is safely republished is the original acked; if that fails too (the broker
went away), it is requeued instead.

A failure because the service's database is away (`DatabaseUnavailable`, shared/database.py) is not
the message's fault: it does not count as an attempt, and the message is retried after the same
delays, capped at `HANDLER_OUTAGE_RETRY_MAX_SECONDS`, for as long as the outage lasts, then handled
as usual once the database is back.
"""
import datetime
import logging
import traceback
import uuid

from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from pydantic import ValidationError

from shared import queues
from shared.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DEFAULT_DELAYS = "1,5,30,120,600"
ATTEMPTS = "x-yhdessa-attempts"
ERROR = "x-yhdessa-error"
ORIGINAL_QUEUE = "x-yhdessa-queue"
DEAD_ID = "x-yhdessa-dead-id"
DEAD_AT = "x-yhdessa-dead-at"
OUTAGE_RETRIES = "x-yhdessa-outage-retries"
DEFAULT_OUTAGE_RETRY_MAX_SECONDS = 60
DEFAULT_EXCHANGE = Exchange("", type="direct")
# A message that breaks its contract fails the same way every time: no point retrying it.
NOT_RETRIED = (ValidationError,)


def dead_letter_queue(service_name, queue_type=queues.DEFAULT_QUEUE_TYPE):
    return Queue(f"{service_name}.dead-letters", exchange=DEFAULT_EXCHANGE, routing_key=f"{service_name}.dead-letters",
                 durable=True, queue_arguments=queues.durable_arguments(queue_type))


def retry_queue(queue_name, delay_ms, queue_type=queues.DEFAULT_QUEUE_TYPE):
    return Queue(f"{queue_name}.retry-{delay_ms}ms", exchange=DEFAULT_EXCHANGE, routing_key=f"{queue_name}.retry-{delay_ms}ms",
                 durable=True, queue_arguments={"x-message-ttl": delay_ms, "x-dead-letter-exchange": "",
                                                "x-dead-letter-routing-key": queue_name,
                                                **queues.dead_lettering_arguments(queue_type)})


class RetryingEventHandler(EventHandler):
    def setup(self):
        super().setup()
        config = self.container.config
        self.queue_type = queues.of_config(config)
        self.queue = queues.typed(self.queue, self.queue_type)  # before the queue consumer declares it
        self.delays_ms = [int(float(s) * 1000) for s in config.get("HANDLER_RETRY_DELAYS", DEFAULT_DELAYS).split(",") if s]
        cap_ms = int(float(config.get("HANDLER_OUTAGE_RETRY_MAX_SECONDS", DEFAULT_OUTAGE_RETRY_MAX_SECONDS)) * 1000)
        # a few distinct delays, so the retry queues stay few
        self.outage_delays_ms = sorted({min(delay, cap_ms) for delay in self.delays_ms} | {cap_ms})
        self.publisher = Publisher(config["AMQP_URI"], serializer="json", use_confirms=True)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None:
            self._store_failure(message, exc_info)
            return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _store_failure(self, message, exc_info):
        headers = dict(message.headers or {})
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()[:2000]
        headers.pop("x-death", None)
        if issubclass(exc_info[0], DatabaseUnavailable):
            outages = int(headers.get(OUTAGE_RETRIES, 0)) + 1
            delay_ms = self.outage_delays_ms[min(outages, len(self.outage_delays_ms)) - 1]
            headers.update({OUTAGE_RETRIES: outages, ORIGINAL_QUEUE: self.queue.name})
            log.warning("handler %s: database unavailable (%d tries so far), retrying in %d ms",
                        self.method_name, outages, delay_ms)
            self._set_aside(message, retry_queue(self.queue.name, delay_ms, self.queue_type), headers)
            return
        headers.pop(OUTAGE_RETRIES, None)  # the database answered: a new outage starts its delays afresh
        attempts = int(headers.get(ATTEMPTS, 0)) + 1
        headers.update({ATTEMPTS: attempts, ERROR: error, ORIGINAL_QUEUE: self.queue.name})
        if attempts <= len(self.delays_ms) and not issubclass(exc_info[0], NOT_RETRIED):
            target = retry_queue(self.queue.name, self.delays_ms[attempts - 1], self.queue_type)
            log.warning("handler %s failed (attempt %d), retrying in %d ms: %s",
                        self.method_name, attempts, self.delays_ms[attempts - 1], error)
        else:
            target = dead_letter_queue(self.container.service_name, self.queue_type)
            headers[DEAD_ID] = str(uuid.uuid4())
            headers[DEAD_AT] = datetime.datetime.now(datetime.timezone.utc).isoformat()
            log.error("handler %s failed %d times; moved to %s: %s", self.method_name, attempts, target.name, error)
        self._set_aside(message, target, headers)

    def _set_aside(self, message, target, headers):
        try:
            self.publisher.publish(message.payload, exchange=DEFAULT_EXCHANGE, routing_key=target.name,
                                   headers=headers, declare=[target])
        except Exception:
            log.exception("could not set the failed message aside; requeueing it")
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


event_handler = RetryingEventHandler.decorator


def handlers_for(kinds, hear, decorator=None):
    """A class decorator: an event handler `on_<kind>` for each of `kinds` (shared/kinds.py), each
    calling the method named `hear` with (kind, payload); with `decorator`
    (shared/batch_handlers.py's `batch_event_handler`), with (kind, payloads) in batches.

    nameko gives each handler a queue of its own, named after the method:
    `evt-<source>-<type>--<service>.on_<type>`. Queues are durable on the broker, so these are the
    names the hand-written handlers had, and they must not change: a rename strands the messages
    waiting in the old queue."""
    def decorate(cls):
        for kind in kinds:
            method_name = f"on_{kind.name}"
            if method_name in vars(cls):
                raise TypeError(f"{cls.__name__}.{method_name} is written by hand and generated from {kind.name}")
            setattr(cls, method_name, _handler(cls, method_name, kind, hear, decorator or event_handler))
        return cls
    return decorate


def _handler(cls, method_name, kind, hear, decorator):
    def handle(self, payload):
        return getattr(self, hear)(kind, payload)
    handle.__name__, handle.__qualname__ = method_name, f"{cls.__qualname__}.{method_name}"
    handle.__doc__ = kind.about
    return decorator(kind.source, kind.name)(handle)
