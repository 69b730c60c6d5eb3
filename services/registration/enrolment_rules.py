"""The rules of enrolling in a series (a weekly group), in plain Python: which sessions an
enrolment covers, what its status is, which session "the next" is, and how often its enrolled came.

An enrolment covers every session not yet started that takes sign-ups when the person enrols,
each seated or waiting by that session's own rules (seating.py). A session called off is left
out; so is one the person already holds a registration of their own for (they have their seat).
"""
from services.registration import rules
from services.registration.seating import ACTIVE, CANCELLED, WAITLISTED
from shared.errors import Conflict, YhdessaError


def sessions_to_enrol(sessions, now):
    """The sessions (event rows, in session order) an enrolment at `now` covers; when none, the
    refusal of the first session not yet started (closed, not open yet, cancelled), raised."""
    covered, refusal = [], None
    for event in sessions:
        if rules.has_started(event, now):
            continue
        try:
            rules.check_open(event, now)
        except YhdessaError as exc:
            refusal = refusal or exc
            continue
        covered.append(event)
    if not covered:
        raise refusal or Conflict("Registration has closed.", code="registration_closed")
    return covered


def enrolment_status(enrolment, places):
    """What an enrolment is, in one word: `cancelled` once cancelled, else the status of its first
    session still active and not over (`places`: (status, ended) per session in order), else of its
    last session."""
    if enrolment["status"] == CANCELLED:
        return CANCELLED
    for status, ended in places:
        if status in ACTIVE and not ended:
            return status
    return places[-1][0] if places else CANCELLED


def first_status(statuses):
    """`enrolment_confirmed`'s status: confirmed when the first session has a seat, else waitlisted."""
    return statuses[0] if statuses and statuses[0] != CANCELLED else WAITLISTED


def came(attended_per_enrolment):
    """{"0": n, "1": n, …}: how many enrolments came how many times, from each enrolment's count of
    sessions attended (no names: it survives retention). Every count from 0 to the highest present."""
    counts = list(attended_per_enrolment)
    histogram = {str(times): 0 for times in range(max(counts, default=0) + 1)}
    for times in counts:
        histogram[str(times)] += 1
    return histogram


def next_session(rows_and_events, now):
    """Of an enrolment's (registration, event) pairs, the active one whose session starts soonest
    and has not started (None: nothing left to cancel)."""
    to_come = [(row, event) for row, event in rows_and_events
               if row["status"] in ACTIVE and not rules.has_started(event, now)]
    return min(to_come, key=lambda pair: pair[1]["starts_at"], default=None)
