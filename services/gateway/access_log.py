"""The gateway's access log: one line per request, never with a cancel code or a query's values
(issue 12: codes and personal data stay out of logs). services/gateway/server.py writes it."""
import logging
import re
import urllib.parse

from shared.logs import mask_codes

access_log = logging.getLogger("services.gateway.access")

# a query's parameter names stay (they tell what was asked); anything else in it does not
_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,30}")


def redact_target(target):
    """A request target fit for a log: codes after /registrations/ and /r/ masked (on the decoded
    path, as the router reads it) and every query value replaced by `…` (a query may carry a name
    or a number)."""
    path, question, query = target.partition("?")
    path = mask_codes(urllib.parse.unquote(path, encoding="latin-1"))
    if not question:
        return path
    return path + "?" + "&".join(_redact_parameter(part) for part in query.split("&"))


def _redact_parameter(part):
    name, equals, _ = part.partition("=")
    return f"{name}=…" if equals and _PARAMETER_NAME.fullmatch(name) else "…"


def redact_request_line(line):
    """`GET /api/registrations/K7MX4PRA HTTP/1.1` -> `GET /api/registrations/*** HTTP/1.1`"""
    parts = line.split(" ")
    if len(parts) >= 2:
        parts[1] = redact_target(parts[1])
    return " ".join(parts)


class AccessLog:
    """eventlet's server log, as the access log: lines already carry redacted request lines."""

    def info(self, message, *args, **kwargs):
        access_log.info(message, *args)

    def debug(self, message, *args, **kwargs):
        access_log.debug(message, *args)

    def error(self, message, *args, **kwargs):
        access_log.error(message, *args)

    def exception(self, message, *args, **kwargs):
        access_log.exception(message, *args)

    warning = error
