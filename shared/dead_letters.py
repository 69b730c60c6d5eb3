"""Messages a service's handlers gave up on, after every retry: list them and replay them.

    python -m shared.dead_letters list notifications
    python -m shared.dead_letters replay notifications <dead id>
    python -m shared.dead_letters replay notifications --all

Replaying puts a message back on the queue of the handler that failed, with its attempts reset.
"""
import argparse
import json
import sys

from kombu import Connection

from shared.config import setting
from shared.handlers import (
    ATTEMPTS,
    DEAD_ID,
    DEFAULT_EXCHANGE,
    ERROR,
    ORIGINAL_QUEUE,
    dead_letter_queue,
)


def _messages(channel, service_name):
    queue = dead_letter_queue(service_name)(channel)
    queue.declare()
    while (message := queue.get(no_ack=False)) is not None:
        yield message


def list_dead_letters(amqp_uri, service_name):
    """Every dead letter of a service, left where it is."""
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        found = [{"id": m.headers.get(DEAD_ID), "queue": m.headers.get(ORIGINAL_QUEUE),
                  "attempts": m.headers.get(ATTEMPTS), "error": m.headers.get(ERROR), "payload": m.payload}
                 for m in _messages(channel, service_name)]
        channel.close()  # closing without acking puts them all back
    return found


def replay(amqp_uri, service_name, dead_id=None):
    """Put dead letters (one by id, or all) back on their handler's queue; returns how many."""
    replayed = 0
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        producer = connection.Producer(channel)
        for message in list(_messages(channel, service_name)):
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
    amqp_uri = setting("AMQP_URI")
    if args.command == "list":
        print(json.dumps(list_dead_letters(amqp_uri, args.service), indent=2, ensure_ascii=False))
    else:
        count = replay(amqp_uri, args.service, None if args.all else args.dead_id)
        print(f"replayed {count}")
        if not count:
            sys.exit(1)


if __name__ == "__main__":
    main()
