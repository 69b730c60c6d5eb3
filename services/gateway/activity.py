"""The live activity of events, for staff screens: Server-Sent Events fed from the bus.

A gateway process consumes registration's activity events only while somebody watches: the first
stream opened starts a consumer on a queue of this process's own (exclusive, gone with it), and a
minute after the last stream closed it stops, so sign-ups cost nothing extra when no screen is
open. Each item goes to the streams open for its event in this process. The last items of each
event are kept, so a phone that lost its connection for a moment resumes with `Last-Event-ID`
and misses nothing in between."""
import collections
import json
import logging
import socket
import time
import uuid

import eventlet
from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from kombu import Queue, binding
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from shared import broker
from shared.activity import activity
from shared.events import ACTIVITY_TYPES
from shared.outbox import event_exchange

log = logging.getLogger(__name__)

KEEP_PER_EVENT = 200
KEEP_EVENTS = 1000
# Kept items name people: none is kept in memory longer than a working day.
KEEP_SECONDS = 12 * 3600
KEEP_ALIVE_SECONDS = 15
# A stream that falls this far behind is closed (its client reconnects and resumes).
MAX_BEHIND = 1000
# How long the consumer stays after the last stream closed (a phone reconnecting finds it there).
IDLE_SECONDS = 60


def sse(item):
    return f"id: {item['id']}\nevent: {item['type']}\ndata: {json.dumps(item, ensure_ascii=False)}\n\n".encode()


class Activity:
    def __init__(self, feed=None):
        self.recent = collections.OrderedDict()  # event id -> deque of (when, item), least recently used first
        self.listeners = collections.defaultdict(set)
        self.feed = feed
        self.last_listener_left = time.monotonic()

    def publish(self, envelope):
        item = activity(envelope)
        if item is None:
            return
        event_id = item["event"]["id"]
        recent = self.recent.get(event_id) or collections.deque(maxlen=KEEP_PER_EVENT)
        if any(kept["id"] == item["id"] for _, kept in recent):
            return  # a redelivered event
        recent.append((time.monotonic(), item))
        while recent and recent[0][0] < time.monotonic() - KEEP_SECONDS:
            recent.popleft()
        self.recent[event_id] = recent
        self.recent.move_to_end(event_id)
        while len(self.recent) > KEEP_EVENTS:
            self.recent.popitem(last=False)
        for queue in list(self.listeners.get(event_id, ())):
            if queue.qsize() >= MAX_BEHIND:
                queue.put(None)
            else:
                queue.put(item)

    def idle(self):
        """Nobody has watched for IDLE_SECONDS."""
        return not self.listeners and time.monotonic() - self.last_listener_left > IDLE_SECONDS

    def answer(self, request, event_id, cache_control):
        """The Server-Sent Events answer of `event_id`'s activity, resumed after the request's
        Last-Event-ID: the API's stream and the door page's are this one."""
        # eventlet's server otherwise holds writes back until 4 KiB have gathered
        request.environ["eventlet.minimum_write_chunk_size"] = 0
        return Response(self.stream(event_id, request.headers.get("Last-Event-ID")), mimetype="text/event-stream",
                        headers={"Cache-Control": cache_control, "X-Accel-Buffering": "no"})

    def stream(self, event_id, last_event_id=None):
        """The SSE byte stream of one event: what came after `last_event_id` (if still kept),
        then each new item as it happens, with a comment line every 15 s to keep proxies open."""
        queue = LightQueue()
        self.listeners[event_id].add(queue)
        try:
            if self.feed is not None:
                self.feed.ensure_running()  # bound before the stream answers: nothing after it is missed
            yield b"retry: 3000\n: connected\n\n"
            too_old = time.monotonic() - KEEP_SECONDS
            kept = [item for at, item in self.recent.get(event_id, ()) if at >= too_old]
            ids = [item["id"] for item in kept]
            if last_event_id in ids:
                for item in kept[ids.index(last_event_id) + 1:]:
                    yield sse(item)
            while True:
                try:
                    item = queue.get(timeout=KEEP_ALIVE_SECONDS)
                except Empty:
                    yield b": keep-alive\n\n"
                    continue
                if item is None:
                    return
                yield sse(item)
        finally:
            self.listeners[event_id].discard(queue)
            if not self.listeners[event_id]:
                del self.listeners[event_id]
            self.last_listener_left = time.monotonic()


class ActivityFeed:
    """Registration's activity events from the broker, into `Activity.publish`, while wanted."""

    def __init__(self, amqp_uri, activity_hub, spawn):
        self.amqp_uri, self.hub, self.spawn = amqp_uri, activity_hub, spawn
        self.thread, self.bound = None, Event()

    def ensure_running(self, timeout=10):
        if self.thread is None:
            self.bound = Event()
            self.thread = self.spawn(self._run)
        if not self.bound.ready():
            with eventlet.Timeout(timeout, False):
                self.bound.wait()

    def stop(self):
        if self.thread is not None:
            self.thread.kill()
            self.thread = None

    def _on_message(self, body, message):
        self.hub.publish(body)

    def _run(self):
        exchange = event_exchange("registration")
        queue = Queue(f"gateway.activity-{uuid.uuid4().hex}", exchange=exchange,
                      bindings=[binding(exchange, routing_key=t) for t in ACTIVITY_TYPES],
                      exclusive=True, auto_delete=True, durable=False)
        try:
            while not self.hub.idle():
                try:
                    with broker.connect(self.amqp_uri) as connection, \
                            connection.Consumer(queue, callbacks=[self._on_message], accept=["json"], no_ack=True):
                        if not self.bound.ready():
                            self.bound.send(True)
                        while not self.hub.idle():
                            try:
                                connection.drain_events(timeout=1)
                            except socket.timeout:
                                pass
                except Exception:  # the broker went away: streams stay open, the feed comes back
                    log.warning("activity feed lost the broker; reconnecting", exc_info=True)
                    eventlet.sleep(1)
        finally:
            self.thread = None


class ActivityHub(DependencyProvider):
    def setup(self):
        self.activity = Activity()
        self.activity.feed = ActivityFeed(self.container.config["AMQP_URI"], self.activity,
                                          self.container.spawn_managed_thread)

    def stop(self):
        self.activity.feed.stop()

    def kill(self):
        self.activity.feed.stop()

    def get_dependency(self, worker_ctx):
        return self.activity
