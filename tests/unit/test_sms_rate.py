"""A process's share of the SMS rate (sms_rate.SlotBook) in plain Python: slots booked a block at a
time, handed out once each, never one already past."""
import datetime as dt

from services.notifications.sms_rate import SlotBook, block_size

T0 = dt.datetime(2026, 10, 17, 12, 0, tzinfo=dt.timezone.utc)


class SharedRow:
    """The send_rate row as NotificationStore.book_slots moves it: the next free slot, or now."""

    def __init__(self, interval_seconds):
        self.interval = dt.timedelta(seconds=interval_seconds)
        self.next_at, self.bookings = T0, 0

    def book(self, now):
        def book(count):
            self.bookings += 1
            first = max(self.next_at, now())
            self.next_at = first + count * self.interval
            return first
        return book


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


def test_a_block_is_a_tenth_of_a_seconds_worth_of_the_rate_and_at_least_one_slot():
    assert block_size(1 / 500) == 50
    assert block_size(1 / 10) == 1
    assert block_size(1.0) == 1


def test_a_busy_process_books_once_per_block_and_each_slot_goes_once():
    row, clock = SharedRow(0.002), Clock()
    book = SlotBook(0.002, now=clock)
    slots = [book.take(row.book(clock)) for _ in range(500)]
    assert row.bookings == 10
    assert slots == [T0 + n * dt.timedelta(seconds=0.002) for n in range(500)]


def test_two_processes_never_share_a_slot():
    row, clock = SharedRow(0.01), Clock()
    first, second = SlotBook(0.01, now=clock), SlotBook(0.01, now=clock)
    slots = []
    for n in range(60):
        slots.append((first if n % 3 else second).take(row.book(clock)))
    assert len(set(slots)) == 60
    ordered = sorted(slots)
    assert all(b - a >= dt.timedelta(seconds=0.01) for a, b in zip(ordered, ordered[1:]))


def test_a_slot_that_has_passed_is_skipped_rather_than_used_late():
    row, clock = SharedRow(0.01), Clock()
    book = SlotBook(0.01, now=clock)
    assert book.take(row.book(clock)) == T0
    clock.now = T0 + dt.timedelta(seconds=0.035)  # three slots of the block went by unused
    assert book.take(row.book(clock)) == T0 + dt.timedelta(seconds=0.04)
    clock.now = T0 + dt.timedelta(seconds=1)  # the whole block went by: a new one from now
    assert book.take(row.book(clock)) == clock.now
    assert row.bookings == 2
