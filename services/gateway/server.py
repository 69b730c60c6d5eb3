"""The gateway's HTTP server: nameko's WebServer with the limits a public address needs.

nameko takes a worker (one of MAX_WORKERS) per request and lets the endpoint read the body inside
it, with no timeout anywhere: a hundred clients sending headers and half a body froze the gateway.
Here each connection is handled in a green thread of its own, outside the worker pool, which
  - waits for the request line and headers at most HTTP_HEADER_TIMEOUT_SECONDS in all, and for the
    next request on a kept-alive connection at most HTTP_IDLE_TIMEOUT_SECONDS;
  - reads the whole body (at most the endpoints' 64 KiB, forms too) within
    HTTP_BODY_TIMEOUT_SECONDS, answering 413 or 408 and closing otherwise;
and only then hands the request to nameko, which takes a worker for it.
The accept loop holds at most HTTP_MAX_CONNECTIONS connections (the rest wait in the listen
backlog, HTTP_LISTEN_BACKLOG deep), backs off and goes on when the process runs out of file
descriptors (after lifting a low soft file limit), and a connection's failure never stops the
service. Its access log goes through access_log.py; its socket comes from listener.py (the
launcher's, shared by the gateway's copies, or its own).
"""
import errno
import io
import json
import logging
import resource
import socket
import time
from functools import partial

import eventlet
from eventlet import wsgi
from eventlet.semaphore import Semaphore
from nameko.web.server import HttpOnlyProtocol, WebServer
from werkzeug.routing import Map

from services.gateway.access_log import AccessLog, access_log, redact_request_line
from services.gateway.listener import listener
from shared.config import DEFAULTS, ConfigurationError, require_strong_staff_bootstrap_token

log = logging.getLogger(__name__)

# A write to a client that stopped reading gives up after this long (per write).
SEND_TIMEOUT_SECONDS = 60
# The largest request body taken: read whole before a worker is given it (http.py refuses it too).
MAX_BODY_BYTES = 64 * 1024
# Out of descriptors: wait this long before accepting again, doubling up to the maximum; say so
# in the log at most this often (under a flood it comes and goes many times a second).
ACCEPT_BACKOFF_SECONDS, ACCEPT_BACKOFF_MAX_SECONDS = 0.05, 1.0
OUT_OF_RESOURCES_WARNING_EVERY_SECONDS = 10
OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
# A client that gave up before we accepted it; nothing to do but accept the next.
ACCEPT_TRANSIENT = {errno.ECONNABORTED, errno.EAGAIN, errno.EINTR, errno.EPROTO, errno.EPERM}

def _positive_number(config, name, kind=float):
    value = str(config.get(name) or DEFAULTS[name])
    try:
        number = kind(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ConfigurationError(f"{name} must be a positive number, not {value!r}")
    return number


class Limits:
    """The server's limits, from the service's configuration (shared/config.py DEFAULTS)."""

    def __init__(self, config, max_body_bytes):
        self.max_connections = _positive_number(config, "HTTP_MAX_CONNECTIONS", int)
        self.listen_backlog = _positive_number(config, "HTTP_LISTEN_BACKLOG", int)
        self.header_timeout = _positive_number(config, "HTTP_HEADER_TIMEOUT_SECONDS")
        self.body_timeout = _positive_number(config, "HTTP_BODY_TIMEOUT_SECONDS")
        self.idle_timeout = _positive_number(config, "HTTP_IDLE_TIMEOUT_SECONDS")
        self.max_body_bytes = max_body_bytes


class _HeaderDeadline(socket.timeout):
    """Raised into a connection's thread when its request line and headers took too long;
    eventlet's server closes the connection on a socket.timeout."""


class _BodyDeadline(Exception):
    pass


def _error_bytes(status, reason, code, message):
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


class GuardedProtocol(HttpOnlyProtocol):
    """eventlet's HTTP/1.1 protocol with deadlines for headers and body, the body read whole
    before the application (and so a nameko worker) sees the request."""

    _deadline = None
    _requests = 0

    def _read_request_line(self):
        limits = self.server.limits
        if self.rfile.closed:
            self.close_connection = 1
            return ""
        try:
            if self._requests:
                # kept alive: the next request may be a while; a connection idle longer is closed
                self.connection.settimeout(limits.idle_timeout)
                if not self.rfile.peek(1):
                    return ""
            self._requests += 1
            # from here the request line and headers must be complete within the header timeout
            # (the first request's clock started when the connection was accepted)
            self._deadline = eventlet.Timeout(limits.header_timeout, _HeaderDeadline("headers too slow"))
            self.connection.settimeout(limits.header_timeout)
            return self.rfile.readline(self.server.url_length_limit)
        except (socket.timeout, ConnectionError):
            return ""

    def _end_deadline(self):
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def parse_request(self):
        try:
            parsed = super().parse_request()
        finally:
            self._end_deadline()
        self.connection.settimeout(SEND_TIMEOUT_SECONDS)
        # the request line goes to the access log and error lines: never with a code in it
        self.requestline = redact_request_line(self.requestline)
        return parsed

    def handle_one_request(self):
        try:
            super().handle_one_request()
        finally:
            self._end_deadline()

    def handle_one_response(self):
        try:
            body = self._read_body()
        except _BodyDeadline:
            self._refuse(408, "Request Timeout", "request_timeout",
                         f"The body did not arrive within {self.server.limits.body_timeout:g} s.")
            return
        except OverflowError:
            self._refuse(413, "Payload Too Large", "payload_too_large",
                         f"The body is larger than {self.server.limits.max_body_bytes} bytes.")
            return
        if body is None:  # the client went away in the middle of its body: its network's doing, not ours
            self.close_connection = 1
            access_log.info('%s "%s" incomplete_body: the client hung up before the end of its body',
                            self.get_client_address()[0], self.requestline)
            return
        self.environ["wsgi.input"] = io.BytesIO(body)
        self.environ["CONTENT_LENGTH"] = str(len(body))
        self.environ.pop("HTTP_TRANSFER_ENCODING", None)
        super().handle_one_response()

    def _read_body(self):
        """The whole body (b"" when none); OverflowError when over the cap, _BodyDeadline when
        not all there in time, None when the client closed before sending it all."""
        limits = self.server.limits
        request_input = self.environ["eventlet.input"]
        length = request_input.content_length
        chunked = request_input.chunked_input
        if not chunked and not length:
            return b""
        if length is not None and length > limits.max_body_bytes:
            raise OverflowError
        try:
            with eventlet.Timeout(limits.body_timeout, _BodyDeadline()):
                body = request_input.read(limits.max_body_bytes + 1)
        except (OSError, ValueError):  # reset, or broken chunked encoding
            return None
        if len(body) > limits.max_body_bytes:
            raise OverflowError
        if length is not None and len(body) < length:
            return None
        return body

    def _refuse(self, status, reason, code, message):
        self.close_connection = 1
        try:
            self.wfile.write(_error_bytes(status, reason, code, message))
            self.wfile.flush()
        except OSError:
            pass
        client = self.get_client_address()[0]
        access_log.info('%s "%s" %s (refused before the application)', client, self.requestline, status)


# descriptors the gateway needs besides its clients' connections (broker, logs, its own modules)
FILES_BESIDES_CONNECTIONS = 100


def _raise_file_limit(wanted):
    """Lift the process's soft file limit towards `wanted`, as far as the hard limit allows: many
    systems start processes at 1,024, right at HTTP_MAX_CONNECTIONS' default."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class GatewayServer(WebServer):
    """nameko's WebServer, limited (see the module's docstring). Every HTTP entrypoint of the
    gateway shares this one (services/gateway/http.py)."""

    def setup(self):
        require_strong_staff_bootstrap_token(self.container.config.get("STAFF_BOOTSTRAP_TOKEN"))
        self.limits = Limits(self.container.config, MAX_BODY_BYTES)
        self._slots = Semaphore(self.limits.max_connections)
        _raise_file_limit(self.limits.max_connections + FILES_BESIDES_CONNECTIONS)
        super().setup()

    def make_url_map(self):
        """The routes, catch-alls last: werkzeug takes the first of two rules on one path (`GET /`
        is a page; the fallback answers every other method there)."""
        url_map = Map()
        for provider in sorted(self._providers, key=lambda provider: getattr(provider, "catch_all", False)):
            rule = provider.get_url_rule()
            rule.endpoint = provider
            url_map.add(rule)
        return url_map

    def start(self):
        if not self._starting:
            self._starting = True
            self._sock = listener(self.bind_addr, self.limits.listen_backlog)
            self._serv = self.get_wsgi_server(self._sock, self.get_wsgi_app())
            self._gt = self.container.spawn_managed_thread(self.run)

    def get_wsgi_server(self, sock, wsgi_app, protocol=GuardedProtocol, debug=False):
        server = wsgi.Server(sock, sock.getsockname(), wsgi_app, protocol=protocol, debug=debug,
                             log=AccessLog(), keepalive=self.limits.idle_timeout,
                             socket_timeout=SEND_TIMEOUT_SECONDS)
        server.limits = self.limits
        return server

    def run(self):
        backoff, warned_at = ACCEPT_BACKOFF_SECONDS, None
        while self._is_accepting:
            self._slots.acquire()  # at the cap, new connections wait in the listen backlog
            try:
                sock, address = self._sock.accept()
            except OSError as exc:
                self._slots.release()
                if exc.errno in OUT_OF_RESOURCES:
                    now = time.monotonic()
                    if warned_at is None or now - warned_at >= OUT_OF_RESOURCES_WARNING_EVERY_SECONDS:
                        log.warning("cannot accept connections (%s, %d open): backing off",
                                    errno.errorcode[exc.errno], self.limits.max_connections - self._slots.counter)
                        warned_at = now
                    eventlet.sleep(backoff)
                    backoff = min(backoff * 2, ACCEPT_BACKOFF_MAX_SECONDS)
                    continue
                if exc.errno in ACCEPT_TRANSIENT:
                    continue
                raise
            backoff = ACCEPT_BACKOFF_SECONDS
            try:
                self.container.spawn_managed_thread(partial(self.process_request, sock, address))
            except BaseException:
                sock.close()
                self._slots.release()
                raise

    def process_request(self, sock, address):
        try:
            sock.settimeout(self.limits.header_timeout)
            # the first request's header deadline counts from here
            self._serv.process_request([address, sock, wsgi.STATE_IDLE])
        except Exception as exc:
            # One connection's trouble must not stop the gateway (nameko kills the service when a
            # thread it manages raises); no traceback: it could hold a request's path.
            log.warning("a connection ended with %s", type(exc).__name__)
        finally:
            sock.close()
            self._slots.release()
