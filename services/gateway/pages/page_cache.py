"""Short-lived copies of what the event pages read, so that the list and an event's page cost
the catalog and registration a call only every few seconds, however many residents look.

What a resident can see because of it: an event changed by staff, or just published, shows its
old self (or is still missing) for up to EVENT_SECONDS; the seats left may be up to
EVENT_SECONDS old. No one is ever let in wrongly by it: a sign-up is decided by registration
alone, on the counts it holds at that moment. One copy per gateway process (not shared between
copies, nor worth sharing at this length)."""
import copy
import time

from nameko.extensions import DependencyProvider

EVENT_SECONDS = 3
MUNICIPALITIES_SECONDS = 60
MAX_ENTRIES = 2000  # words typed into the search make keys without end: a full cache starts over


class ShortCache:
    """key -> (expires, value). `get` answers a deep copy, so a page may change what it got."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.entries = {}

    def get(self, key, load, seconds=EVENT_SECONDS):
        now = self.clock()
        hit = self.entries.get(key)
        if hit is None or hit[0] <= now:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            hit = self.entries[key] = (now + seconds, load())
        return copy.deepcopy(hit[1])


class PageCache(DependencyProvider):
    """`self.page_cache`: the process's ShortCache (errors are never kept: load raises again)."""

    def setup(self):
        self.cache = ShortCache()

    def get_dependency(self, worker_ctx):
        return self.cache
