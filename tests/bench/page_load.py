"""The load generator of `make bench`'s pages stage: its own process, as tests/bench/load.py.

    python -m tests.bench.page_load --base-url URL --event ID --kind list|sign-up --total 1000 \
        --clients 20 --first-number 7000000 --out answers.jsonl

`list`: each client reads the event list (GET /) over and over. `sign-up`: each client does what a
resident's browser does, once per person: reads the event's page (its form token and key), then
posts the sign-up form. Every answer is a JSON line: HTTP status, start and end.
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlencode, urlsplit  # noqa: E402

from tests.bench.load import phone  # noqa: E402
from tests.e2e.helpers import resident_name  # noqa: E402

HIDDEN = re.compile(r'name="(csrf_token|idempotency_key)" value="([^"]*)"')


class Browser:
    """One kept-alive connection and the cookies it was given (the form token's cookie)."""

    def __init__(self, base_url):
        address = urlsplit(base_url)
        self.host, self.port = address.hostname, address.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = {"Accept": "text/html", "Accept-Language": "fi", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return 0, ""
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text


def read_list(browser, _number):
    return browser.request("GET", "/")[0]


def sign_up(event_id):
    def one(browser, number):
        status, text = browser.request("GET", f"/events/{event_id}")
        if status != 200:
            return status
        form = dict(HIDDEN.findall(text))
        form.update(name=resident_name("Lomake", number), phone=phone(number), seats="1", language="fi")
        return browser.request("POST", f"/events/{event_id}", urlencode(form),
                               {"Content-Type": "application/x-www-form-urlencoded"})[0]
    return one


def client(base_url, step, numbers, results):
    browser = Browser(base_url)
    for number in numbers:
        started = time.time()
        status = step(browser, number)
        results.append({"number": number, "http": status, "started": started, "ended": time.time()})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--event", required=True)
    parser.add_argument("--kind", choices=("list", "sign-up"), required=True)
    parser.add_argument("--total", type=int, required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--first-number", type=int, default=7000000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    numbers = iter(range(args.first_number, args.first_number + args.total))  # shared: green threads
    step = read_list if args.kind == "list" else sign_up(args.event)
    results = []
    pool = eventlet.GreenPool(args.clients)
    for _ in range(args.clients):
        pool.spawn(client, args.base_url, step, numbers, results)
    pool.waitall()
    with open(args.out, "w") as out:
        for result in results:
            out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
