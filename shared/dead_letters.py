"""Messages a service's handlers gave up on, after every retry: list them, replay them, forget them.

    python -m shared.dead_letters list notifications
    python -m shared.dead_letters replay notifications <dead id>
    python -m shared.dead_letters replay notifications --all

Replaying puts a message back on the queue of the handler that failed, with its attempts reset.
Listing masks personal data as the logs do (names, phone numbers, emails, cancel codes).

Dead letters hold names, numbers and cancel codes like the tables do, so they are forgotten like
them: retention drops those whose event ended RETENTION_DAYS ago (or, naming no event, that were
set aside that long ago), and an erasure drops those of the erased registration (the hourly
retention sweep catches any it missed: a letter being listed at that moment is out of reach). Dropped, not
blanked: a message with nobody to send it to has nothing left worth replaying.
"""
import argparse
import datetime
import json
import logging
import sys

from nameko.extensions import DependencyProvider

from shared import broker, queues
from shared.config import setting
from shared.handlers import (
    ATTEMPTS,
    DEAD_AT,
    DEAD_ID,
    DEFAULT_EXCHANGE,
    ERROR,
    ORIGINAL_QUEUE,
    dead_letter_queue,
)
from shared.logs import mask_email, mask_phone, redact

log = logging.getLogger(__name__)

# Fields of our events that name or reach a person, and how a listing shows them.
_MASKS = {
    "phone": mask_phone, "summary_phone": mask_phone, "email": mask_email, "summary_email": mask_email,
    "name": lambda name: name[:1] + "***" if isinstance(name, str) and name else name,
    "assisted_by": lambda name: name[:1] + "***" if isinstance(name, str) and name else name,
    "cancel_code": lambda code: "***" if code else code,
    "contact_key": lambda key: "***" if key else key,
}


def masked(value):
    """`value` (a payload, a header) with personal data masked: known fields by name, and any
    phone number or email address in other text as the logs mask them."""
    if isinstance(value, dict):
        return {key: (_MASKS[key](item) if key in _MASKS and isinstance(item, str) else masked(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    return value


def _messages(channel, service_name, queue_type):
    queue = dead_letter_queue(service_name, queue_type)(channel)
    queue.declare()
    while (message := queue.get(no_ack=False)) is not None:
        yield message


def list_dead_letters(amqp_uri, service_name, queue_type=queues.DEFAULT_QUEUE_TYPE):
    """Every dead letter of a service, left where it is, personal data masked."""
    with broker.connect(amqp_uri) as connection:
        channel = connection.channel()
        found = [{"id": m.headers.get(DEAD_ID), "queue": m.headers.get(ORIGINAL_QUEUE),
                  "attempts": m.headers.get(ATTEMPTS), "dead_at": m.headers.get(DEAD_AT),
                  "error": masked(m.headers.get(ERROR)), "payload": masked(m.payload)}
                 for m in _messages(channel, service_name, queue_type)]
        channel.close()  # closing without acking puts them all back
    return found


def forget(amqp_uri, service_name, forgotten, queue_type=queues.DEFAULT_QUEUE_TYPE):
    """Drop the dead letters for which `forgotten(payload, headers)` is true; returns their ids."""
    dropped = []
    with broker.connect(amqp_uri) as connection:
        channel = connection.channel()
        for message in list(_messages(channel, service_name, queue_type)):
            if forgotten(message.payload, message.headers):
                message.ack()
                dropped.append(message.headers.get(DEAD_ID))
        channel.close()  # the others go back
    if dropped:
        log.info("forgot %d dead letters of %s: %s", len(dropped), service_name, ", ".join(map(str, dropped)))
    return dropped


def _data(payload):
    data = payload.get("data") if isinstance(payload, dict) else None
    return data if isinstance(data, dict) else {}


def _time(text):
    try:
        moment = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def past_retention(retention_days, now):
    """`forget`'s test for retention: the event ended, or (naming none) the letter was set aside,
    more than `retention_days` before `now`."""
    limit = now - datetime.timedelta(days=retention_days)

    def forgotten(payload, headers):
        data = _data(payload)
        event = data.get("event") if isinstance(data.get("event"), dict) else data
        ended = _time(event.get("ends_at")) or _time(headers.get(DEAD_AT))
        return ended is not None and ended < limit
    return forgotten


def retention_and_erasure(retention_days, now=None, is_erased=None):
    """`forget`'s test for the hourly job: past retention, or (with `is_erased`) erased."""
    past = past_retention(retention_days, now or datetime.datetime.now(datetime.timezone.utc))

    def forgotten(payload, headers):
        if past(payload, headers):
            return True
        registration_id = _data(payload).get("registration_id")
        return bool(is_erased and isinstance(registration_id, str) and is_erased(registration_id))
    return forgotten


def of_registration(registration_id):
    """`forget`'s test for an erasure: the letter is about that registration."""
    return lambda payload, _headers: _data(payload).get("registration_id") == registration_id


class DeadLetters(DependencyProvider):
    """The service's own dead letters, for its retention and erasure: `forget_ended(days)`,
    `forget_registration(id)`."""

    def get_dependency(self, worker_ctx):
        config = self.container.config
        return _ServiceDeadLetters(config["AMQP_URI"], self.container.service_name, queues.of_config(config))


class _ServiceDeadLetters:
    def __init__(self, amqp_uri, service_name, queue_type):
        self.amqp_uri, self.service_name, self.queue_type = amqp_uri, service_name, queue_type

    def forget_ended(self, retention_days, now=None, is_erased=None):
        """Retention; `is_erased(registration_id)` also drops letters of erased registrations that
        an erasure missed (a letter someone was listing at that moment is out of reach)."""
        return forget(self.amqp_uri, self.service_name, retention_and_erasure(retention_days, now, is_erased),
                      self.queue_type)

    def forget_registration(self, registration_id):
        return forget(self.amqp_uri, self.service_name, of_registration(registration_id), self.queue_type)


def replay(amqp_uri, service_name, dead_id=None, queue_type=queues.DEFAULT_QUEUE_TYPE):
    """Put dead letters (one by id, or all) back on their handler's queue; returns how many."""
    replayed = 0
    with broker.connect(amqp_uri) as connection:
        channel = connection.channel()
        producer = connection.Producer(channel)
        for message in list(_messages(channel, service_name, queue_type)):
            if dead_id is not None and message.headers.get(DEAD_ID) != dead_id:
                continue
            headers = {k: v for k, v in message.headers.items() if k not in (ATTEMPTS, ERROR, DEAD_ID, "x-death")}
            producer.publish(message.body, exchange=DEFAULT_EXCHANGE, routing_key=message.headers[ORIGINAL_QUEUE],
                             headers=headers, content_type=message.content_type,
                             content_encoding=message.content_encoding, delivery_mode=2)
            message.ack()
            replayed += 1
        channel.close()
    return replayed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="dead_letters", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list")
    listing.add_argument("service")
    replaying = commands.add_parser("replay")
    replaying.add_argument("service")
    which = replaying.add_mutually_exclusive_group(required=True)
    which.add_argument("dead_id", nargs="?")
    which.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    amqp_uri, queue_type = setting("AMQP_URI"), queues.queue_type(setting("QUEUE_TYPE"))
    if args.command == "list":
        print(json.dumps(list_dead_letters(amqp_uri, args.service, queue_type), indent=2, ensure_ascii=False))
    else:
        count = replay(amqp_uri, args.service, None if args.all else args.dead_id, queue_type)
        print(f"replayed {count}")
        if not count:
            sys.exit(1)


if __name__ == "__main__":
    main()
