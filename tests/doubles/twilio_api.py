"""A local stand-in for Twilio's Messages API that the real twilio library talks to.

    python -m tests.doubles.twilio_api --port 0 --record messages.jsonl [--fail-ratio 0.5]
        [--error-for +358401234567=21211]

Every POST to /2010-04-01/Accounts/{sid}/Messages.json is checked for Basic auth and the form
fields To, From and Body, answered like Twilio does (201 with a message SID) and appended to the
record file as one JSON line, with the time it arrived. It prints its port on the first line of stdout when ready.
"""
import argparse
import base64
import itertools
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")


def make_handler(record_path, auth, fail_ratio, errors):
    lock = threading.Lock()
    counter = itertools.count()

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

        def do_POST(self):
            # the whole body is read first, whatever the answer: the connection is reused
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            match = PATH.match(self.path)
            if not match:
                return self._answer(404, {"code": 20404, "message": "not found", "status": 404})
            expected = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            if match["sid"] != auth[0] or self.headers.get("Authorization") != expected:
                return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            if not {"To", "From", "Body"} <= form.keys():
                return self._answer(400, {"code": 21604, "message": "missing field", "status": 400})
            number = next(counter)
            if fail_ratio and (number % round(1 / fail_ratio)) == 0:
                return self._answer(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            if form["To"] in errors:
                code = errors[form["To"]]
                return self._answer(400, {"code": code, "message": f"error {code}", "status": 400})
            sid = "SM" + uuid.uuid4().hex
            with lock, open(record_path, "a", encoding="utf-8") as record:
                record.write(json.dumps({"sid": sid, "received_at": time.time(), **form}, ensure_ascii=False) + "\n")
            return self._answer(201, {"sid": sid, "status": "queued", "to": form["To"], "from": form["From"],
                                      "body": form["Body"], "account_sid": auth[0], "num_segments": "1"})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    parser.add_argument("--account-sid", default="ACtest")
    parser.add_argument("--auth-token", default="secret")
    parser.add_argument("--fail-ratio", type=float, default=0.0)
    parser.add_argument("--error-for", action="append", default=[], help="NUMBER=TWILIO_CODE")
    args = parser.parse_args()
    errors = dict(item.split("=", 1) for item in args.error_for)
    errors = {number: int(code) for number, code in errors.items()}
    server = ThreadingHTTPServer(("127.0.0.1", args.port),
                                 make_handler(args.record, (args.account_sid, args.auth_token), args.fail_ratio, errors))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
