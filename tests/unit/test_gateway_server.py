"""The gateway server's pieces that need no network: the access log's redaction of codes and
query values, and settings that refuse to start a service."""
import subprocess
import sys

import pytest

from services.gateway.access_log import redact_request_line
from services.gateway.server import Limits
from shared.config import DEFAULTS, REPO_ROOT, ConfigurationError, require_strong_staff_bootstrap_token


@pytest.mark.parametrize("line, shown", [
    ("GET /api/registrations/K7MX4PRA HTTP/1.1", "GET /api/registrations/*** HTTP/1.1"),
    ("DELETE /api/registrations/k7mx-4pra HTTP/1.1", "DELETE /api/registrations/*** HTTP/1.1"),
    ("POST /api/registrations/K7MX4PRA/erase HTTP/1.1", "POST /api/registrations/***/erase HTTP/1.1"),
    ("POST /api/registrations/K7MX4PRA/check-in HTTP/1.1", "POST /api/registrations/***/check-in HTTP/1.1"),
    # as the router sees it: percent-decoded, any case, doubled slashes
    ("GET /api/%72egistrations/K7MX4PRA HTTP/1.1", "GET /api/registrations/*** HTTP/1.1"),
    ("GET /API/REGISTRATIONS//K7MX4PRA HTTP/1.1", "GET /API/REGISTRATIONS//*** HTTP/1.1"),
    ("GET /r/K7MX4PRA HTTP/1.1", "GET /r/*** HTTP/1.1"),
    ("GET /r/K7MX4PRA?lang=sv HTTP/1.1", "GET /r/***?lang=… HTTP/1.1"),
    ("GET /api/events?q=Maija&municipality=Jyv%C3%A4skyl%C3%A4 HTTP/1.1",
     "GET /api/events?q=…&municipality=… HTTP/1.1"),
    ("GET /api/events?K7MX4PRA&x%20y=1&limit=5 HTTP/1.1", "GET /api/events?…&…&limit=… HTTP/1.1"),
    # what carries no code stays as it is
    ("GET /api/events/3bdf84ce/registrations HTTP/1.1", "GET /api/events/3bdf84ce/registrations HTTP/1.1"),
    ("GET /health HTTP/1.1", "GET /health HTTP/1.1"),
])
def test_the_access_log_shows_no_code_and_no_query_value(line, shown):
    assert redact_request_line(line) == shown


def test_the_server_limits_have_defaults_and_refuse_nonsense():
    limits = Limits({}, 65536)
    assert (limits.max_connections, limits.listen_backlog) == (int(DEFAULTS["HTTP_MAX_CONNECTIONS"]),
                                                               int(DEFAULTS["HTTP_LISTEN_BACKLOG"]))
    with pytest.raises(ConfigurationError, match="HTTP_BODY_TIMEOUT_SECONDS"):
        Limits({"HTTP_BODY_TIMEOUT_SECONDS": "0"}, 65536)
    with pytest.raises(ConfigurationError, match="HTTP_MAX_CONNECTIONS"):
        Limits({"HTTP_MAX_CONNECTIONS": "lots"}, 65536)


def test_a_short_bootstrap_token_is_refused_and_none_or_a_long_one_accepted():
    for short in ("change-me", "x" * 31):
        with pytest.raises(ConfigurationError, match="STAFF_BOOTSTRAP_TOKEN"):
            require_strong_staff_bootstrap_token(short)
    require_strong_staff_bootstrap_token("")
    require_strong_staff_bootstrap_token("x" * 32)


def test_a_service_will_not_start_with_a_short_bootstrap_token_and_says_so_in_one_line():
    started = subprocess.run([sys.executable, "-m", "services.run", "gateway"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "STAFF_BOOTSTRAP_TOKEN": "change-me",
                                                         "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"})
    assert started.returncode != 0
    lines = started.stderr.strip().splitlines()
    assert lines[-1].startswith("STAFF_BOOTSTRAP_TOKEN is shorter than 32 characters") and len(lines) == 1, lines
