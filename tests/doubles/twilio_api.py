"""A local stand-in for Twilio's Messages API that the real twilio library talks to.

    python -m tests.doubles.twilio_api --port 0 --record messages.jsonl [--fail-ratio 0.5]
        [--error-for +358401234567=21211] [--fail-all-for 120] [--answer-after 3]

Every POST to /2010-04-01/Accounts/{sid}/Messages.json is checked for Basic auth and the form
fields To, Body and a sender (From, or MessagingServiceSid: a Messaging Service's pool), answered
like Twilio does (201 with a message SID, `accepted` when the service is to pick the number; 400 with
Twilio's code 21604, 21602 or 21603 when one is missing) and appended to the record file as one
JSON line, as posted, with the time it arrived. GET on the same path lists the messages
accepted so far like Twilio's list endpoint: newest first, filtered by `To`, `From`, `DateSent`,
`DateSent<`, `DateSent>` (the `DateSent>=YYYY-MM-DD` of the URL), in pages of `PageSize` with
`next_page_uri`. It prints its port on the first line of stdout when ready.

Outages, to prove retries and reconciliation:
- `--fail-all-for S`: every POST answers 500 (20500) for S seconds after start, then
  `--fail-ratio` applies (every 1/ratio-th POST fails).
- `--answer-after S`: a POST is accepted and recorded at once (the SMS is on its way) but
  answered only S seconds later, as a Twilio whose answers are stuck in the network would.
"""
import argparse
import base64
import datetime
import email.utils
import itertools
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")
DEFAULT_PAGE_SIZE = 50


def _sent_date(value):
    """A `DateSent` filter value: YYYY-MM-DD, or a whole ISO time as the twilio library writes it."""
    return datetime.date.fromisoformat(value[:10])


def matches(message, query):
    """Whether one accepted message passes the list filters of `query` ({name: value})."""
    day = datetime.datetime.fromtimestamp(message["received_at"], datetime.timezone.utc).date()
    checks = {
        "To": lambda v: message["To"] == v,
        "From": lambda v: message.get("From") == v,
        "DateSent": lambda v: day == _sent_date(v),
        "DateSent<": lambda v: day <= _sent_date(v),  # `DateSent<=` in the URL
        "DateSent>": lambda v: day >= _sent_date(v),  # `DateSent>=` in the URL
    }
    return all(check(query[name]) for name, check in checks.items() if name in query)


def resource(message, account_sid):
    """A message as Twilio's API shows it."""
    when = email.utils.formatdate(message["received_at"], usegmt=True)
    return {"sid": message["sid"], "account_sid": account_sid, "to": message["To"], "from": message.get("From"),
            "messaging_service_sid": message.get("MessagingServiceSid"), "body": message["Body"],
            "status": "sent", "num_segments": "1", "direction": "outbound-api",
            "date_created": when, "date_updated": when, "date_sent": when, "error_code": None,
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{message['sid']}.json"}


# What Twilio answers a Messages API request that lacks a required field (its error codes).
MISSING = (
    (("To",), 21604, "A 'To' phone number is required."),
    (("Body",), 21602, "Message body is required."),
    (("From", "MessagingServiceSid"), 21603,
     "A 'From' or 'MessagingServiceSid' parameter is required to send a message"),
)


def refusal(form):
    """Twilio's 400 body for a form that lacks a required field, or None."""
    for names, code, message in MISSING:
        if not any(form.get(name) for name in names):
            return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    "status": 400}
    return None


def make_handler(record_path, auth, fail_ratio, errors, fail_all_until=0.0, answer_after=0.0):
    lock = threading.Lock()
    counter = itertools.count()
    accepted = []  # what the list endpoint shows, oldest first

    class Handler(BaseHTTPRequestHandler):
        # Like Twilio's API, keep the connection open between requests (HTTP/1.0 would make the
        # client pay a new TCP connection per message, which it does not in production).
        protocol_version = "HTTP/1.1"
        # Headers and body are two writes: without this, Nagle holds the body back until the
        # client's delayed ACK (40 ms a message on a kept-alive connection).
        disable_nagle_algorithm = True

        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self):
            match = PATH.match(urlsplit(self.path).path)
            if not match:
                self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                return False
            expected = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            if match["sid"] != auth[0] or self.headers.get("Authorization") != expected:
                self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return False
            return True

        def do_GET(self):
            if not self._authorised():
                return
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            page_size = min(int(query.get("PageSize", DEFAULT_PAGE_SIZE)), 1000)
            page = int(query.get("Page", 0))
            with lock:
                found = [m for m in reversed(accepted) if matches(m, query)]
            items = found[page * page_size:(page + 1) * page_size]
            base = f"/2010-04-01/Accounts/{auth[0]}/Messages.json"
            filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

            def uri(number):
                return f"{base}?{urlencode({**filters, 'PageSize': page_size, 'Page': number})}"

            more = (page + 1) * page_size < len(found)
            self._answer(200, {
                "messages": [resource(m, auth[0]) for m in items],
                "first_page_uri": uri(0), "next_page_uri": uri(page + 1) if more else None,
                "previous_page_uri": uri(page - 1) if page else None, "page": page, "page_size": page_size,
                "start": page * page_size, "end": page * page_size + max(len(items) - 1, 0), "uri": uri(page),
            })

        def do_POST(self):
            # the whole body is read first, whatever the answer: the connection is reused
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if not self._authorised():
                return
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            refused = refusal(form)
            if refused:
                return self._answer(400, refused)
            number = next(counter)
            if time.time() < fail_all_until or (fail_ratio and (number % round(1 / fail_ratio)) == 0):
                return self._answer(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            if form["To"] in errors:
                code = errors[form["To"]]
                return self._answer(400, {"code": code, "message": f"error {code}", "status": 400})
            sid = "SM" + uuid.uuid4().hex
            message = {"sid": sid, "received_at": time.time(), **form}
            with lock, open(record_path, "a", encoding="utf-8") as record:
                record.write(json.dumps(message, ensure_ascii=False) + "\n")
                accepted.append(message)
            if answer_after:
                time.sleep(answer_after)
            # through a Messaging Service alone, Twilio answers before it has picked the number
            status = "queued" if form.get("From") else "accepted"
            return self._answer(201, {**resource(message, auth[0]), "status": status, "date_sent": None})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    parser.add_argument("--account-sid", default="ACtest")
    parser.add_argument("--auth-token", default="secret")
    parser.add_argument("--fail-ratio", type=float, default=0.0)
    parser.add_argument("--error-for", action="append", default=[], help="NUMBER=TWILIO_CODE")
    parser.add_argument("--fail-all-for", type=float, default=0.0, help="seconds of 500s after start")
    parser.add_argument("--answer-after", type=float, default=0.0, help="seconds between accepting and answering")
    args = parser.parse_args()
    errors = dict(item.split("=", 1) for item in args.error_for)
    errors = {number: int(code) for number, code in errors.items()}
    handler = make_handler(args.record, (args.account_sid, args.auth_token), args.fail_ratio, errors,
                           time.time() + args.fail_all_for, args.answer_after)
    # Twilio takes a burst of new connections; socketserver's listen backlog of 5 drops them
    # (a batch's sends open up to 50 at once), which a client sees as an answer lost.
    ThreadingHTTPServer.request_queue_size = 1024
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
