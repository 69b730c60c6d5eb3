"""A real SMTP server (aiosmtpd) that records every message it receives.

    python -m tests.doubles.smtp_server --port 0 --record mail.jsonl

Each message is appended to the record file as one JSON line: envelope sender and recipients,
subject, the plain-text and HTML parts decoded, and each attachment (filename, content type with
its parameters, content as text). It prints its port when ready.
"""
import argparse
import json
import socket
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        entry = {
            "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "from": message["From"], "to": message["To"], "subject": message["Subject"],
            "message_id": message["Message-ID"],
            "text": text.get_content() if text else None, "html": html.get_content() if html else None,
            "attachments": [{"filename": part.get_filename(), "content_type": part["Content-Type"],
                             "content": part.get_payload(decode=True).decode("utf-8", "replace")}
                            for part in message.iter_attachments()],
        }
        with open(self.path, "a", encoding="utf-8") as record:
            record.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    args = parser.parse_args()
    port = args.port or free_port()
    controller = Controller(Recorder(args.record), hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
