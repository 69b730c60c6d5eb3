"""The SMS rate (SMS_RATE_PER_SECOND) that every notifications process shares, at the cost of one
transaction per block of send slots instead of one per SMS.

The `send_rate` table says when the next slot is free. A process books a block of consecutive slots
with one transaction and one row lock (storage.NotificationStore.book_slots) and hands them to its
workers in memory (`SlotBook`). A slot is booked once, by one process, and an SMS goes no earlier
than its slot: so all processes together never hand over more than the rate, however their blocks
interleave. A block is a short window's worth (BLOCK_SECONDS; one slot when the rate is slower),
so a busy process books ten times a second whatever the rate, and a slot already past when a worker
asks is skipped, never used late: unused slots are lost, never bunched up."""
import collections
import datetime

from eventlet.semaphore import Semaphore

from shared.database import utcnow

# How much of the rate one booking takes: small, so that a process holding slots it does not use
# keeps the others waiting at most this long.
BLOCK_SECONDS = 0.1


def block_size(interval_seconds, block_seconds=BLOCK_SECONDS):
    """Slots a process books at a time: a window's worth, at least one."""
    return max(1, int(block_seconds / interval_seconds + 1e-9))


class SlotBook:
    """One process's slots of the shared rate, `interval_seconds` apart. `take(book)` gives the next
    slot not yet past, booking a block through `book(count) -> first slot` when none is left."""

    def __init__(self, interval_seconds, block_seconds=BLOCK_SECONDS, now=utcnow):
        self.interval = datetime.timedelta(seconds=interval_seconds)
        self.size = block_size(interval_seconds, block_seconds)
        self._now = now
        self._slots = collections.deque()
        # one booking at a time per process: the workers that arrive meanwhile share its block
        self._lock = Semaphore(1)

    def take(self, book):
        """The next free slot (an aware datetime) of this process; it is this caller's alone."""
        with self._lock:
            now = self._now()
            while self._slots and self._slots[0] < now:
                self._slots.popleft()
            if not self._slots:
                first = book(self.size)
                self._slots.extend(first + i * self.interval for i in range(self.size))
            return self._slots.popleft()
