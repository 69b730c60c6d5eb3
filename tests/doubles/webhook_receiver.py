"""An organizer's webhook receiver: records every POST it gets, headers and exact body.

    python -m tests.doubles.webhook_receiver --port 0 --record posts.jsonl [--hold FILE]
        [--answer-megabytes N] [--status CODE] [--tls-cert PEM --tls-key PEM]

Appends {"path", "headers", "body", "received_at"} as one JSON line per POST as soon as it is read
(the body as received, so a test can check the signature over the exact bytes), then answers:
- by default 204;
- `--hold FILE`: not before FILE exists (a receiver that is slow for as long as a test wants);
- `--answer-megabytes N`: 200 with a body of N MB streamed in 64 KiB pieces, and when the client
  stops reading, a line {"answer_bytes_sent": …} telling how much of it went out;
- `--status CODE`: that status, with a Location header for a 3xx.
`--tls-cert/--tls-key` serve https. It prints its port on the first line of stdout when ready."""
import argparse
import json
import os
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PIECE = b"x" * 65536


def make_handler(record_path, hold=None, answer_megabytes=0, status=204):
    lock = threading.Lock()

    def record(entry):
        with lock, open(record_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            record({"path": self.path, "headers": dict(self.headers.items()), "body": body.decode("utf-8"),
                    "received_at": time.time()})
            while hold and not os.path.exists(hold):
                time.sleep(0.05)
            if answer_megabytes:
                self.answer_a_lot(answer_megabytes * 1024 * 1024)
                return
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/followed")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def answer_a_lot(self, size):
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            sent = 0
            try:
                while sent < size:
                    self.wfile.write(PIECE)
                    sent += len(PIECE)
            except OSError:  # the client closed the connection
                pass
            finally:
                record({"answer_bytes_sent": sent, "answer_bytes": size})
                self.close_connection = True

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    parser.add_argument("--hold")
    parser.add_argument("--answer-megabytes", type=int, default=0)
    parser.add_argument("--status", type=int, default=204)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port),
                                 make_handler(args.record, args.hold, args.answer_megabytes, args.status))
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
