"""The seat and waiting-list rules, as plain Python, including properties over random histories."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.registration.seating import (
    CONFIRMED,
    WAITLISTED,
    Counts,
    placement,
    promotions,
)
from shared.errors import Conflict


def test_sign_up_is_confirmed_while_its_whole_group_fits():
    assert placement(Counts(10, 0, 7, 0), 3) == CONFIRMED


def test_group_that_does_not_fit_joins_the_waiting_list():
    assert placement(Counts(10, 5, 8, 0), 3) == WAITLISTED


def test_sign_up_is_refused_when_neither_seats_nor_waiting_list_fit():
    with pytest.raises(Conflict) as refused:
        placement(Counts(10, 2, 10, 1), 2)
    assert refused.value.code == "event_full"


def test_lowered_capacity_bumps_nobody_but_shows_no_seats_left():
    assert Counts(5, 0, 8, 0).seats_left == 0


def test_waitlisted_are_promoted_first_come_first_served():
    assert promotions(2, [("a", 1), ("b", 1), ("c", 1)]) == ["a", "b"]


def test_big_group_that_does_not_fit_does_not_block_smaller_ones_behind_it():
    assert promotions(2, [("family", 4), ("pair", 2)]) == ["pair"]


def test_a_group_is_never_split():
    assert promotions(3, [("family", 4)]) == []


class Event:
    """An in-memory event driven by the same rules the registration service applies."""

    def __init__(self, capacity, waitlist_capacity):
        self.capacity, self.waitlist_capacity = capacity, waitlist_capacity
        self.confirmed, self.waiting = {}, []  # id -> seats; [(id, seats)] in order of joining
        self.next_id = 0

    def counts(self):
        return Counts(self.capacity, self.waitlist_capacity, sum(self.confirmed.values()),
                      sum(seats for _, seats in self.waiting))

    def sign_up(self, seats):
        try:
            status = placement(self.counts(), seats)
        except Conflict:
            return
        self.next_id += 1
        if status == CONFIRMED:
            self.confirmed[self.next_id] = seats
        else:
            self.waiting.append((self.next_id, seats))

    def promote(self):
        chosen = promotions(self.counts().seats_left, self.waiting)
        for registration_id, seats in list(self.waiting):
            if registration_id in chosen:
                self.confirmed[registration_id] = seats
        self.waiting = [w for w in self.waiting if w[0] not in chosen]

    def cancel(self, index):
        everyone = list(self.confirmed) + [w[0] for w in self.waiting]
        if not everyone:
            return
        victim = everyone[index % len(everyone)]
        self.confirmed.pop(victim, None)
        self.waiting = [w for w in self.waiting if w[0] != victim]
        self.promote()

    def set_capacity(self, capacity):
        self.capacity = capacity
        self.promote()


actions = st.lists(
    st.one_of(
        st.tuples(st.just("sign_up"), st.integers(1, 5)),
        st.tuples(st.just("cancel"), st.integers(0, 1000)),
        st.tuples(st.just("set_capacity"), st.integers(0, 30)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(capacity=st.integers(0, 20), waitlist_capacity=st.integers(0, 10), history=actions)
def test_seat_rules_hold_over_any_history(capacity, waitlist_capacity, history):
    event = Event(capacity, waitlist_capacity)
    for action, argument in history:
        seats_before = event.counts().seats_taken
        getattr(event, action)(argument)
        counts = event.counts()
        # Seats taken never exceed capacity; capacity lowered below them bumps nobody, and then
        # nobody new gets a seat until enough have left.
        assert counts.seats_taken <= event.capacity or counts.seats_taken <= seats_before
        # The waiting list never exceeds its capacity.
        assert counts.waitlist_taken <= event.waitlist_capacity
        # Nobody waits while a seat that fits them is free.
        assert all(seats > counts.seats_left for _, seats in event.waiting)
