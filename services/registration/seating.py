"""Seats and the waiting list, in plain Python.

Rules:
- A sign-up is confirmed when its whole group fits in the seats left; otherwise it joins the
  waiting list when the whole group fits in the list's places left (counted in seats); otherwise
  the event is full.
- When seats free up, the waiting list is walked in the order people joined it, and every group
  that fits in the seats now free is promoted. A group that does not fit keeps its place and does
  not hold back smaller groups behind it, so nobody waits while a seat that fits them is free.
  A group is never split.
- Lowering the capacity below the seats taken bumps nobody; it only stops new confirmations.
"""
from dataclasses import dataclass

from shared.errors import Conflict

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"
# holding a seat or a place on the waiting list
ACTIVE = (CONFIRMED, WAITLISTED)


@dataclass(frozen=True)
class Counts:
    capacity: int
    waitlist_capacity: int
    seats_taken: int
    waitlist_taken: int

    @property
    def seats_left(self):
        return max(self.capacity - self.seats_taken, 0)

    @property
    def waitlist_left(self):
        return max(self.waitlist_capacity - self.waitlist_taken, 0)

    @classmethod
    def of(cls, event):
        """The counts of an event's row."""
        return cls(event["capacity"], event["waitlist_capacity"], event["seats_taken"], event["waitlist_taken"])


def placement(counts, seats):
    """CONFIRMED or WAITLISTED for a group of `seats`; Conflict `event_full` when neither fits."""
    if seats <= counts.seats_left:
        return CONFIRMED
    if seats <= counts.waitlist_left:
        return WAITLISTED
    raise Conflict("The event is full.", code="event_full")


def promotions(seats_left, waiting):
    """The ids to promote, given `waiting` as (id, seats) in the order they joined the list."""
    promoted = []
    for registration_id, seats in waiting:
        if seats <= seats_left:
            promoted.append(registration_id)
            seats_left -= seats
    return promoted
