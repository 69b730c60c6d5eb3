"""The load generator of `make bench`: its own process, so that it does not share an interpreter
with what it measures.

    python -m tests.bench.load --base-url URL --events ID,ID --total 10000 --clients 50 \
        --first-number 1000000 --out answers.jsonl

Each client keeps one HTTP connection and signs up the next person until `total` are done (as
fast as it can, or with `--rate N` at a steady N sign-ups per second across all clients, as `make
soak` does). Every answer is written as a JSON line: number, phone, HTTP status, registration
status, start and end.
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from tests.e2e.helpers import resident_name  # noqa: E402


def phone(number):
    return f"040{number:07d}"


def client(base_url, events, numbers, results, pace=None):
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    for number in numbers:
        if pace:
            pace(number)
        event_id = events[number % len(events)]
        body = json.dumps({"name": resident_name("Asukas", number), "phone": phone(number)})
        started = time.time()
        try:
            connection.request("POST", f"/api/events/{event_id}/registrations", body,
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = json.loads(response.read() or b"{}")
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
            status, answer = 0, {"error": repr(exc)}
        results.append({"number": number, "phone": "+358" + phone(number)[1:], "event_id": event_id,
                        "http": status, "status": answer.get("status"), "started": started, "ended": time.time()})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--total", type=int, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--first-number", type=int, default=1000000)
    parser.add_argument("--rate", type=float, help="sign-ups per second, steady (default: as fast as possible)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    numbers = iter(range(args.first_number, args.first_number + args.total))
    shared = _Locked(numbers)
    results = []
    pace = None
    if args.rate:
        began = time.time()

        def pace(number):
            """Wait for this sign-up's moment on a steady timetable (late ones go at once)."""
            eventlet.sleep(max(0.0, began + (number - args.first_number) / args.rate - time.time()))
    pool = eventlet.GreenPool(args.clients)
    for _ in range(args.clients):
        pool.spawn(client, args.base_url, args.events.split(","), shared, results, pace)
    pool.waitall()
    with open(args.out, "w") as out:
        for result in results:
            out.write(json.dumps(result) + "\n")


class _Locked:
    """One sequence of numbers shared by every client (green threads: no real lock needed)."""

    def __init__(self, numbers):
        self.numbers = numbers

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.numbers)


if __name__ == "__main__":
    main()
