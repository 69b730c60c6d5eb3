"""An organizer's webhook receiver: records every POST it gets, headers and exact body.

    python -m tests.doubles.webhook_receiver --port 0 --record posts.jsonl

Answers 204 to each POST and appends {"path", "headers", "body", "received_at"} as one JSON
line (the body as received, so a test can check the signature over the exact bytes). It prints
its port on the first line of stdout when ready."""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_handler(record_path):
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            entry = {"path": self.path, "headers": dict(self.headers.items()), "body": body.decode("utf-8"),
                     "received_at": time.time()}
            with lock, open(record_path, "a", encoding="utf-8") as record:
                record.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.send_response(204)
            self.end_headers()

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.record))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
