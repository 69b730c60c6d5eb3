"""The gateway's gathering of concurrent sign-ups into batches: each caller gets its own answer,
a lone call is not held back, and a caller who gave up is never sent."""
import eventlet
import pytest
from eventlet.event import Event

from shared.batching import Batcher
from shared.errors import Conflict, ServiceUnavailable


class Registration:
    """Stands in for the registration service: records each batch, answers when let go."""

    def __init__(self):
        self.batches = []
        self.go = Event()
        self.go.send()  # answers at once unless held

    def hold(self):
        self.go = Event()

    def send_batch(self, context, items):
        self.batches.append(list(items))
        self.go.wait()
        return [Conflict("Full.", code="event_full") if item.startswith("full") else f"ok {item}" for item in items]


@pytest.fixture
def registration():
    return Registration()


@pytest.fixture
def batcher(registration):
    batcher = Batcher(registration.send_batch, max_batch=5, max_in_flight=1)
    batcher.start()
    yield batcher
    batcher.stop()


def submit_all(batcher, items, timeout=5):
    threads = [eventlet.spawn(batcher.submit, "ctx", item, timeout) for item in items]
    eventlet.sleep(0)
    return threads


def test_a_lone_sign_up_goes_at_once(batcher, registration):
    assert batcher.submit("ctx", "a", 5) == "ok a"
    assert registration.batches == [["a"]]


def test_sign_ups_arriving_while_a_batch_is_out_go_together_and_each_gets_its_own_answer(batcher, registration):
    registration.hold()
    first = submit_all(batcher, ["a"])
    eventlet.sleep(0.01)
    waiting = submit_all(batcher, ["b", "full c", "d", "e"])
    eventlet.sleep(0.01)
    assert registration.batches == [["a"]]  # the rest wait for the slot
    registration.go.send()
    assert first[0].wait() == "ok a"
    assert waiting[0].wait() == "ok b"
    with pytest.raises(Conflict) as refused:
        waiting[1].wait()
    assert refused.value.code == "event_full"
    assert [thread.wait() for thread in waiting[2:]] == ["ok d", "ok e"]
    assert registration.batches == [["a"], ["b", "full c", "d", "e"]]


def test_a_batch_is_never_larger_than_its_limit(batcher, registration):
    registration.hold()
    threads = submit_all(batcher, [str(n) for n in range(12)])
    eventlet.sleep(0.01)
    registration.go.send()
    assert [thread.wait() for thread in threads] == [f"ok {n}" for n in range(12)]
    assert [len(batch) for batch in registration.batches] == [5, 5, 2]


def test_when_the_whole_batch_fails_every_caller_hears_it():
    def broken(context, items):
        raise ServiceUnavailable("The registration service did not answer in time.")

    batcher = Batcher(broken)
    batcher.start()
    try:
        threads = submit_all(batcher, ["a", "b", "c"])
        for thread in threads:
            with pytest.raises(ServiceUnavailable):
                thread.wait()
    finally:
        batcher.stop()


def test_a_caller_who_gave_up_waiting_is_never_sent(batcher, registration):
    registration.hold()
    submit_all(batcher, ["a"])
    eventlet.sleep(0.01)
    with pytest.raises(ServiceUnavailable):
        batcher.submit("ctx", "impatient", 0.05)
    later = submit_all(batcher, ["b"])
    registration.go.send()
    assert later[0].wait() == "ok b"
    assert ["impatient"] not in registration.batches and all("impatient" not in b for b in registration.batches)
