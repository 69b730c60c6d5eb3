"""Deadlines that travel with an RPC, so that a caller's 503 means the work was not done.

The gateway gives up on a call after its time limit and answers 503. For that answer to be true the
callee must not do the work later: the caller sends the moment it gives up (less a margin for the
answer's way back) as a header of the request, nameko hands it to the callee's worker context, and
the callee's database transactions refuse to begin or to COMMIT once it has passed (the
transaction is rolled back). The request message also carries an AMQP expiration, so RabbitMQ drops
it unread if nobody took it in time.

The deadline of the worker at hand lives in a context variable: each nameko worker is a greenthread
of its own, with a context of its own, so one worker's deadline never leaks into another's.
"""
import contextvars
import time

from shared.errors import DeadlinePassed

#: the key in nameko's worker context data (sent as the AMQP header `nameko.<key>`)
CONTEXT_KEY = "yhdessa_deadline"
#: how much earlier than the caller gives up the callee must have committed: the answer still has
#: to travel back through the broker before the caller's own timer fires
MARGIN_SECONDS = 1.0

_deadline = contextvars.ContextVar("yhdessa_deadline", default=None)


def for_callee(gives_up_at, now=None):
    """The deadline to send to a callee when the caller gives up at `gives_up_at` (epoch seconds):
    a margin earlier, at most a quarter of the time left (short time limits keep most of theirs)."""
    left_then = max(gives_up_at - (time.time() if now is None else now), 0)
    return gives_up_at - min(MARGIN_SECONDS, left_then / 4)


def set_current(deadline):
    """The deadline (epoch seconds, or None for none) of the work this greenthread is doing."""
    _deadline.set(None if deadline is None else float(deadline))


def current():
    return _deadline.get()


def left(now=None):
    """Seconds left before the current deadline; None when there is none."""
    deadline = _deadline.get()
    if deadline is None:
        return None
    return deadline - (time.time() if now is None else now)


def check():
    """Raise DeadlinePassed when the current work's caller has already given up."""
    remaining = left()
    if remaining is not None and remaining <= 0:
        raise DeadlinePassed("The caller gave up waiting before this could be done; nothing was done. "
                             "Try again (with the same Idempotency-Key, it is safe).")
