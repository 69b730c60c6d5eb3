"""Gathering concurrent calls into one: while a batch is on its way, the calls that arrive wait
together and go as the next batch; alone, a call goes at once. Under a rush a sign-up then costs
one RPC per batch instead of one each (an RPC is ~2–3 ms of CPU across gateway, broker and
callee), and a message one transaction per group instead of one each (`GroupCommit`).
"""
import collections
import logging

import eventlet
from eventlet.event import Event
from eventlet.semaphore import Semaphore

from shared import deadlines
from shared.errors import DatabaseUnavailable, ServiceUnavailable

log = logging.getLogger(__name__)


class _Waiting:
    __slots__ = ("context", "item", "answer", "abandoned")

    def __init__(self, context, item):
        self.context, self.item = context, item
        self.answer = Event()
        self.abandoned = False


class Batcher:
    """`submit(context, item)` returns the item's result (or raises its error) once
    `send_batch(context, items)` has carried it; `send_batch` returns one result per item, an
    exception instance standing for that item's error. The context is the first waiting caller's
    (the gateway passes its worker context, which an RPC's headers come from)."""

    def __init__(self, send_batch, max_batch=50, max_in_flight=2, spawn=eventlet.spawn):
        self.send_batch = send_batch
        self.max_batch = max_batch
        self._spawn = spawn
        self._waiting = collections.deque()
        self._slots = Semaphore(max_in_flight)
        self._arrived = Event()
        self._thread = None

    def start(self):
        self._thread = self._spawn(self._dispatch)  # spawn takes a callable without arguments

    def stop(self):
        if self._thread is not None:
            self._thread.kill()
            self._thread = None

    def submit(self, context, item, timeout=None):
        """`timeout` None: wait as long as it takes."""
        waiting = _Waiting(context, item)
        self._waiting.append(waiting)
        if not self._arrived.ready():
            self._arrived.send(True)
        with eventlet.Timeout(timeout, False):
            waiting.answer.wait()
        if not waiting.answer.ready():
            # Not sent yet: it never will be, so nothing was done. Already sent: the service did
            # not answer in time either way.
            waiting.abandoned = True
            raise ServiceUnavailable("The service did not answer in time.")
        answer = waiting.answer.wait()
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def _dispatch(self):
        while True:
            if not self._waiting:
                self._arrived.wait()
                self._arrived = Event()
                continue
            self._slots.acquire()
            batch = []
            while self._waiting and len(batch) < self.max_batch:
                waiting = self._waiting.popleft()
                if not waiting.abandoned:
                    batch.append(waiting)
            if batch:
                self._spawn(lambda batch=batch: self._send(batch))
            else:
                self._slots.release()

    def _send(self, batch):
        try:
            answers = self.send_batch(batch[0].context, [waiting.item for waiting in batch])
            if len(answers) != len(batch):
                raise RuntimeError(f"{len(answers)} answers for a batch of {len(batch)}")
        except Exception as exc:  # the whole batch failed (service down, timed out): each caller hears it
            answers = [exc] * len(batch)
        finally:
            self._slots.release()
        for waiting, answer in zip(batch, answers):
            waiting.answer.send(answer)


class GroupCommit:
    """Units of database work (callables of a session) from concurrent workers, committed together:
    one transaction, one commit for all that arrive while the previous group is committing. Each
    caller gets its own unit's result or error. If any unit fails, the group's transaction is
    rolled back and every unit is taken again in its own, so one cannot fail the others: units must
    only touch the database. A unit keeps its caller's deadline (shared/deadlines.py): a group
    commits only while none of its callers has given up, a unit alone by its own. Before `start`
    (as in tests of a store alone) each unit runs at once."""

    def __init__(self, database, max_group=50, spawn=eventlet.spawn):
        self.database = database
        # SQLite takes one writer at a time anyway
        self._batcher = Batcher(self._commit, max_batch=max_group, max_in_flight=1 if database.sqlite else 2,
                                spawn=spawn)
        self._started = False

    def start(self):
        self._batcher.start()
        self._started = True

    def stop(self):
        self._batcher.stop()
        self._started = False

    def run(self, unit):
        if not self._started:
            with self.database.transaction() as session:
                return unit(session)
        # the unit runs in the batcher's greenthread: its caller's deadline goes with it
        return self._batcher.submit(None, (deadlines.current(), unit))

    def run_all(self, units):
        """One caller's units, committed together in one transaction now (in the caller's
        greenthread, not waiting for a group): a list of each unit's result, or an exception
        instance standing for its error. As in a group, if any unit fails each is taken again
        in its own transaction, so one cannot fail the others; the database being away fails
        them all (shared/batch_handlers.py: a batch of messages recorded at once)."""
        deadline = deadlines.current()
        try:
            return self._commit(None, [(deadline, unit) for unit in units])
        finally:
            deadlines.set_current(deadline)

    def execute(self, statement, params):
        """One statement as a unit. A group's units of the same statement object run as one
        executemany (one round trip on PostgreSQL), after the group's other units: give only
        statements that no other unit of the moment depends on."""
        self.run(_Statement(statement, params))

    def _commit(self, _context, items):
        units = [unit for _, unit in items]
        if len(items) > 1:
            given = [deadline for deadline, _ in items if deadline is not None]
            deadlines.set_current(min(given) if given else None)  # the group commits before anyone gives up
            try:
                with self.database.transaction() as session:
                    return _run_together(session, units)
            except DatabaseUnavailable as exc:  # the database is away: one by one would fail alike, slowly
                return [exc] * len(units)
            except Exception:
                log.info("a group of %d units failed together; taking them one by one", len(units), exc_info=True)
        answers = []
        for deadline, unit in items:
            deadlines.set_current(deadline)
            try:
                with self.database.transaction() as session:
                    answers.append(unit(session))
            except Exception as exc:
                answers.append(exc)
        return answers


class _Statement:
    __slots__ = ("statement", "params")

    def __init__(self, statement, params):
        self.statement, self.params = statement, params

    def __call__(self, session):
        session.execute(self.statement, self.params)


def _run_together(session, units):
    answers = [None if isinstance(unit, _Statement) else unit(session) for unit in units]
    same = {}
    for unit in units:
        if isinstance(unit, _Statement):
            same.setdefault(id(unit.statement), (unit.statement, []))[1].append(unit.params)
    for statement, params in same.values():
        session.execute(statement, params)
    return answers
