"""Structured (JSON line) logs that never contain a full phone number, an email address, or a
registrant's cancel code or link token, at the level an operator should act on: a client's mistake
at INFO without a traceback, our own fault at ERROR with one."""
import json
import logging
import re
import sys

# +358401234567, +358 40 123 4567, 040 123 4567, 0401234567; not dates, times or durations
PHONE = re.compile(r"(?<![\w.:/-])(?:\+\d|0)\d(?:[ ]?\d){5,13}(?![\w.:/-])")
EMAIL = re.compile(r"([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+)")
# what follows these in a path opens someone's registration: a cancel code or link token (or, for
# staff, a registration id), in any case and however many slashes, as the router matches it
CODE_IN_PATH = re.compile(r"(?i)(/(?:registrations|r)/+)[^/?#\s\"]+")


def mask_phone(phone):
    """+358401234567 -> +358*******67: enough to tell two numbers apart in a log, no more."""
    if not phone:
        return phone
    return phone[:4] + "*" * max(len(phone) - 6, 0) + phone[-2:]


def mask_email(email):
    """maija.meikalainen@example.fi -> m***@example.fi"""
    if not email or "@" not in email:
        return email
    local, domain = email.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_codes(text):
    """/api/registrations/K7MX4PRA/erase -> /api/registrations/***/erase"""
    return CODE_IN_PATH.sub(r"\1***", text)


def redact(text):
    """Mask anything that looks like a phone number, an email address or a registration path's code."""
    text = mask_codes(text)
    text = EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return PHONE.sub(lambda m: mask_phone(m.group(0).replace(" ", "").replace("-", "")), text)


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,  # which copy of a service (SERVICE_COPIES) said it
            "msg": redact(record.getMessage()),
        }
        for key in ("service", "event_type", "event_id", "notification_id", "registration_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(service_name, level="INFO"):
    """JSON logs to stderr for one service process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_ServiceName(service_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    containers = logging.getLogger("nameko.containers")
    if not any(isinstance(f, ExpectedErrors) for f in containers.filters):
        containers.addFilter(ExpectedErrors())


class ExpectedErrors(logging.Filter):
    """nameko logs every exception an entrypoint declares as expected (our YhdessaError: a 404, a
    422, a full event) as a WARNING with its full traceback, so each client mistake looked like a
    fault. Such a record becomes one INFO line without traceback; a 5xx one (a service that did
    not answer in time) stays a WARNING, still without traceback: it is a known state, not a bug."""

    def filter(self, record):
        if not (isinstance(record.msg, str) and record.msg.startswith("(expected) error handling worker")):
            return True
        error = record.exc_info[1] if record.exc_info else None
        status = getattr(error, "http_status", 400)
        record.levelno = logging.INFO if status < 500 else logging.WARNING
        record.levelname = logging.getLevelName(record.levelno)
        record.exc_info, record.exc_text = None, None
        record.msg, record.args = "%s answered %s %s: %s", (
            _entrypoint_of(record), status, getattr(error, "code", type(error).__name__), error_message(error))
        return logging.getLogger(record.name).isEnabledFor(record.levelno)


def _entrypoint_of(record):
    worker_ctx = record.args[0] if isinstance(record.args, tuple) and record.args else None
    entrypoint = getattr(worker_ctx, "entrypoint", None)
    return f"{getattr(worker_ctx, 'service_name', '?')}.{getattr(entrypoint, 'method_name', '?')}"


def error_message(error):
    return getattr(error, "message", None) or str(error)


class _ServiceName(logging.Filter):
    def __init__(self, service_name):
        super().__init__()
        self.service_name = service_name

    def filter(self, record):
        record.service = self.service_name
        return True
