"""Event handlers that take their queue's messages in batches: one worker, one handler call for up
to `max_batch` messages, so a rush costs one worker and (for notifications) one transaction per
batch instead of one per message. Same queues as `RetryingEventHandler` (durable on the broker,
named after the method), same guarantees per message:

- Gathering waits for nothing: a message goes to a worker at once when a batch slot of its queue
  is free (two batches of a queue at a time); while both are busy, the messages arriving wait
  together and go as the next batch. So batches grow only when there is a backlog.
- The handler gets the batch's payloads and returns one outcome per payload: an exception instance
  (that message failed: retried after a delay or dead-lettered on its own, exactly as
  `RetryingEventHandler` does, `DatabaseUnavailable` not counting as an attempt), a callable (work
  to do once the message is acked, such as sending what was recorded), or anything else (done).
  A handler that raises fails each message of the batch the same way.
- Messages are acked only after the handler returned, i.e. after its transaction committed: a
  process that dies before that has acked none of the batch, and the broker delivers it all again
  (idempotent consumers, shared/inbox.py, make that harmless).
- The callables run after the acks, side by side; the batch keeps its slot until they are done. So
  a queue holds at most two batches between taking them and finishing their work (with 50 a batch,
  the 100 messages notifications' 100 workers held one each before), and its prefetch is three
  batches: two at work, one gathering.
"""
import collections
import logging
from functools import partial

import eventlet
from eventlet.event import Event
from eventlet.semaphore import Semaphore
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import QueueConsumer

from shared.handlers import RetryingEventHandler

log = logging.getLogger(__name__)

MAX_BATCH = 50
# batches of one queue at work at once: one is recorded while the other's messages go out
BATCHES_IN_FLIGHT = 2


class BatchQueueConsumer(QueueConsumer):
    """nameko's queue consumer for batch handlers (a connection of its own): each queue's prefetch
    sized to its batches, and a delivered message handed to its handler at once, without the
    greenthread nameko spawns per message."""

    @property
    def prefetch_count(self):
        # one channel for all the queues: the last basic.qos before consuming holds for every
        # consumer, so they share one value
        return max((provider.prefetch_count for provider in self._providers), default=MAX_BATCH)

    def handle_message(self, provider, body, message):
        provider.handle_message(body, message)


class BatchEventHandler(RetryingEventHandler):
    queue_consumer = BatchQueueConsumer()

    def __init__(self, source_service, event_type, max_batch=MAX_BATCH, **kwargs):
        super().__init__(source_service, event_type, **kwargs)
        self.max_batch = max_batch

    @property
    def prefetch_count(self):
        return self.max_batch * (BATCHES_IN_FLIGHT + 1)

    def setup(self):
        super().setup()
        self._waiting = collections.deque()
        self._arrived = Event()
        self._slots = Semaphore(BATCHES_IN_FLIGHT)
        self._dispatcher = None

    def start(self):
        self._dispatcher = self.container.spawn_managed_thread(self._dispatch, identifier=f"{self.method_name} batches")

    def stop(self):
        super().stop()  # the broker delivers no more
        if self._dispatcher is not None:
            self._dispatcher.kill()
            self._dispatcher = None
        while self._waiting:  # taken but never given to a worker: back to the queue at once
            _, message = self._waiting.popleft()
            self.queue_consumer.requeue_message(message)

    def handle_message(self, body, message):
        """A delivered message (in the consumer's greenthread): it waits for the next batch."""
        self._waiting.append((body, message))
        if not self._arrived.ready():
            self._arrived.send(True)

    def _dispatch(self):
        while True:
            self._slots.acquire()
            while not self._waiting:
                self._arrived.wait()
                self._arrived = Event()
            # everything already delivered joins: no waiting for more
            batch = [self._waiting.popleft() for _ in range(min(len(self._waiting), self.max_batch))]
            messages = [message for _, message in batch]
            try:
                self.container.spawn_worker(self, ([body for body, _ in batch],), {},
                                            context_data=self.unpack_message_headers(messages[0]),
                                            handle_result=partial(self._settle, messages))
            except ContainerBeingKilled:
                for message in messages:
                    self.queue_consumer.requeue_message(message)
                self._slots.release()

    def _settle(self, messages, worker_ctx, result=None, exc_info=None):
        """After the handler: each message acked or set aside by its own outcome, then the work
        that follows the acks; then the batch's slot is free."""
        try:
            if exc_info is None and (not isinstance(result, list) or len(result) != len(messages)):
                error = RuntimeError(f"a batch handler returned {result!r} for {len(messages)} messages")
                exc_info = (RuntimeError, error, None)
            then = []
            for index, message in enumerate(messages):
                outcome = None if exc_info is not None else result[index]
                if exc_info is not None:
                    self._store_failure(message, exc_info)
                elif isinstance(outcome, BaseException):
                    log.warning("handler %s failed on one message of a batch", self.method_name,
                                exc_info=(type(outcome), outcome, outcome.__traceback__))
                    self._store_failure(message, (type(outcome), outcome, outcome.__traceback__))
                else:
                    self.queue_consumer.ack_message(message)
                    if callable(outcome):
                        then.append(outcome)
            _follow_up(then, self.method_name)
        finally:
            self._slots.release()
        return result, exc_info


def _follow_up(then, method_name):
    threads = [eventlet.spawn(_logged, work, method_name) for work in then]
    try:
        for thread in threads:
            thread.wait()
    except BaseException:  # the worker is killed (the service stops hard): so is its work
        for thread in threads:
            thread.kill()
        raise


def _logged(work, method_name):
    try:
        work()
    except Exception:
        # the message is acked; its work must leave nothing half done that a timer does not take up
        log.exception("work after handler %s acked its messages failed", method_name)


batch_event_handler = BatchEventHandler.decorator
