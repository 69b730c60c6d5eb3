"""The live activity of events, for staff screens: Server-Sent Events fed from the bus.

Every gateway process hears every registration and attendance event (a broadcast queue of its
own) and hands each to the streams open for that event in this process. The last few items of
each event are kept, so a phone that lost its connection for a moment resumes with
`Last-Event-ID` and misses nothing in between."""
import collections
import json
import time

from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider

from shared.activity import activity

KEEP_PER_EVENT = 200
KEEP_EVENTS = 1000
# Kept items name people: none is kept in memory longer than a working day.
KEEP_SECONDS = 12 * 3600
KEEP_ALIVE_SECONDS = 15
# A stream that falls this far behind is closed (its client reconnects and resumes).
MAX_BEHIND = 1000


def sse(item):
    return f"id: {item['id']}\nevent: {item['type']}\ndata: {json.dumps(item, ensure_ascii=False)}\n\n".encode()


class Activity:
    def __init__(self):
        self.recent = collections.OrderedDict()  # event id -> deque of items, least recently used first
        self.listeners = collections.defaultdict(set)

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

    def stream(self, event_id, last_event_id=None):
        """The SSE byte stream of one event: what came after `last_event_id` (if still kept),
        then each new item as it happens, with a comment line every 15 s to keep proxies open."""
        queue = LightQueue()
        self.listeners[event_id].add(queue)
        try:
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


class ActivityHub(DependencyProvider):
    def setup(self):
        self.activity = Activity()

    def get_dependency(self, worker_ctx):
        return self.activity
