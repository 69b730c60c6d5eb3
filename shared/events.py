"""The envelope of every event on the bus.

Every event is an envelope `{"event_id", "type", "version", "occurred_at", "data"}`, published on
the nameko exchange `<source>.events` with its type as routing key. The kinds, their sources and
their data contracts are in shared/kinds.py. Consumers validate with `parse_envelope` and ignore
fields they do not know.
"""
import datetime
import uuid

from pydantic import AwareDatetime

from shared.contracts import Contract
from shared.kinds import ACTIVITY_TYPES, DATA_CONTRACTS  # noqa: F401 (read from here too)

VERSION = 1


class Envelope(Contract):
    event_id: uuid.UUID
    type: str
    version: int
    occurred_at: AwareDatetime
    data: dict


def make_envelope(event_type, data):
    """A new envelope for `data`, checked against the contract of `event_type`."""
    contract = DATA_CONTRACTS.get(event_type)
    if contract is not None:
        data = contract.model_validate(data).model_dump(mode="json")
    return {
        "event_id": str(uuid.uuid4()),
        "type": event_type,
        "version": VERSION,
        "occurred_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "data": data,
    }


def parse_envelope(payload, expected_type):
    """(envelope, data model) of an incoming event; raises pydantic.ValidationError if malformed."""
    envelope = Envelope.model_validate(payload)
    if envelope.type != expected_type:
        raise ValueError(f"expected {expected_type}, got {envelope.type}")
    return envelope, DATA_CONTRACTS[expected_type].model_validate(envelope.data)
