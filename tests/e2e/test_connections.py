"""A slow, half-sent, oversized or flooding client cannot freeze the gateway, and its access log
never shows a cancel code (issue 12, items 2, 6 and 10). Through raw sockets against the running
system on 127.0.0.1, every loop bounded."""
import json
import resource
import select
import socket
import subprocess
import sys
import time

import pytest

from shared.config import REPO_ROOT
from tests.conftest import wait_until
from tests.e2e.helpers import create_event, sign_up
from tests.system import start_system

# the connection limits take half a minute of waiting: make test-long runs them (CI too)
pytestmark = [pytest.mark.e2e, pytest.mark.long]

GATEWAY_WORKERS = 10
BODY_TIMEOUT = 4
HEADER_TIMEOUT = 4
IDLE_TIMEOUT = 3


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """The system with a small gateway (10 workers), short header and body timeouts, and the
    access log on."""
    system, stop = start_system(
        tmp_path_factory.mktemp("connections"), MAX_WORKERS=f"gateway={GATEWAY_WORKERS}", LOG_LEVEL="INFO",
        HTTP_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT), HTTP_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT),
        HTTP_IDLE_TIMEOUT_SECONDS=str(IDLE_TIMEOUT))
    yield system
    stop()


@pytest.fixture(scope="module")
def event(gateway):
    return create_event(gateway, capacity=500)


def address(system):
    host, port = system.base_url.removeprefix("http://").split(":")
    return host, int(port)


def connect(system, timeout=30):
    return socket.create_connection(address(system), timeout=timeout)


def half_sent_sign_up(system, event_id):
    """Headers and half of a sign-up's body, then nothing."""
    body = json.dumps({"name": "Hidas", "phone": "0401234567"}).encode()
    sock = connect(system)
    sock.sendall(f"POST /api/events/{event_id}/registrations HTTP/1.1\r\nHost: x\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                 + body[:len(body) // 2])
    return sock


def read_answer(sock):
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_half_sent_requests_take_no_worker_from_anyone_else(gateway, event):
    stalled = [half_sent_sign_up(gateway, event["id"]) for _ in range(2 * GATEWAY_WORKERS)]
    try:
        # every one of them is in: the gateway has its headers and half its body
        assert gateway.call("GET", "/health").status_code == 200
        response = sign_up(gateway, event["id"], {"name": "Maija", "phone": "0401234501"})
        assert response.status_code == 201, response.text
        # the stalled ones are answered 408 once their body is overdue, and closed
        answers = [read_answer(sock) for sock in stalled]
        assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), answers[:3]
        assert json.loads(answers[0].split(b"\r\n\r\n", 1)[1])["error"]["code"] == "request_timeout"
    finally:
        for sock in stalled:
            sock.close()
    roster = gateway.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
    assert [r["name"] for r in roster] == ["Maija"]  # none of the half-sent ones signed up


def test_a_client_that_never_finishes_its_headers_is_closed(gateway):
    sock = connect(gateway)
    closed = False
    try:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        for _ in range(HEADER_TIMEOUT * 6):  # a header line every half second, for 3 header timeouts
            try:
                sock.sendall(b"X-Slow: 1\r\n")
                if select.select([sock], [], [], 0.5)[0]:
                    closed = sock.recv(1024) == b""
                    break
            except OSError:
                closed = True
                break
    finally:
        sock.close()
    assert closed, "a trickle of header lines kept the connection open"


def test_a_kept_alive_connection_left_idle_is_closed(gateway):
    idle = connect(gateway, timeout=IDLE_TIMEOUT * 4)
    try:
        idle.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += idle.recv(1)
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        assert b"connection: close" not in head.lower()  # kept alive for a next request
        body = b""
        while len(body) < length:
            body += idle.recv(length - len(body))
        assert read_answer(idle) == b""  # ... that never comes: closed after the idle timeout
    finally:
        idle.close()


def test_a_body_over_64_kib_is_refused_before_it_is_read(gateway):
    sock = connect(gateway)
    try:
        # 300 MB announced, not one byte of it sent: the answer comes without waiting for it
        sock.sendall(b"POST /webhooks/twilio/status HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 300000000\r\n\r\n")
        answer = read_answer(sock)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "payload_too_large"


def test_a_chunked_body_over_64_kib_is_refused(gateway):
    sock = connect(gateway)
    try:
        sock.sendall(b"POST /webhooks/twilio/status HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 8192
        try:
            for _ in range(10):  # 80 KiB
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # it may close as soon as it has seen enough
        answer = read_answer(sock)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 413 ")


def listen_backlog(system):
    """The listening socket's accept queue length, as `ss` shows it (Send-Q of a LISTEN line)."""
    shown = subprocess.run(["ss", "-ltnH", f"sport = :{address(system)[1]}"], capture_output=True, text=True,
                           check=True).stdout.split()
    return int(shown[2])


def test_a_burst_of_300_connections_gets_no_reset(gateway):
    # the accept queue takes the whole burst even while the gateway is too busy to accept
    # (a full queue drops connections: a reset or a second's wait for each)
    assert listen_backlog(gateway) >= 300
    sockets, failures = [], []
    try:
        for _ in range(300):  # all connects in flight at once, before the gateway accepts any
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(address(gateway))
            sockets.append(sock)
        for sock in sockets:
            sock.setblocking(True)
            sock.settimeout(60)
            try:
                sock.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if not read_answer(sock).startswith(b"HTTP/1.1 200"):
                    failures.append("no 200")
            except OSError as exc:
                failures.append(repr(exc))
    finally:
        for sock in sockets:
            sock.close()
    assert failures == []


def test_the_access_log_never_shows_a_cancel_code(gateway, event):
    answer = sign_up(gateway, event["id"], {"name": "Koodi", "phone": "0401234502"}).json()
    code = answer["cancel_code"]
    bare = code.replace("-", "")
    assert gateway.call("GET", f"/api/registrations/{code.lower()}").status_code == 200
    assert gateway.call("GET", f"/api/registrations/{bare}?as=Koodi").status_code == 200
    sock = connect(gateway)  # a raw request: requests would undo the %72 (an r)
    try:
        sock.sendall(f"DELETE /api/%72egistrations/{bare} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        assert read_answer(sock).split(b" ")[1] in (b"200", b"204")
    finally:
        sock.close()
    access = wait_until(lambda: [line for line in open(gateway.log.name) if "services.gateway.access" in line
                                 and "egistrations/" in line and '"POST ' not in line][-3:] or None,
                        message="the access log lines")
    assert len(access) == 3
    log = open(gateway.log.name).read()
    assert code not in log and bare not in log and code.lower() not in log
    assert "Koodi" not in log  # a query string's values are not written either


def test_out_of_file_descriptors_the_gateway_backs_off_and_serves_again(tmp_path):
    system, stop = start_system(tmp_path, services=["catalog", "registration", "notifications"])
    limit = 100

    def few_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    system.processes["gateway"] = subprocess.Popen(
        [sys.executable, "-m", "services.run", "gateway"], cwd=REPO_ROOT, env=system.env, stdout=system.log,
        stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=few_descriptors)
    flood = []
    try:
        system.wait_healthy()
        for _ in range(2 * limit):  # more than it may have open: accept() meets EMFILE
            flood.append(connect(system))
        wait_until(lambda: "backing off" in open(system.log.name).read(), message="the gateway to run out")
        for sock in flood:
            sock.close()
        flood.clear()
        assert system.call("GET", "/health").status_code == 200
        event = create_event(system)
        assert sign_up(system, event["id"], {"name": "Maija", "phone": "0401234503"}).status_code == 201
        assert system.processes["gateway"].poll() is None
    finally:
        for sock in flood:
            sock.close()
        stop()


def test_at_the_connection_cap_a_new_client_waits_and_is_served_when_others_close(tmp_path):
    # a header timeout longer than the test: only closing the held connections frees slots
    system, stop = start_system(tmp_path, HTTP_MAX_CONNECTIONS="20", HTTP_HEADER_TIMEOUT_SECONDS="60")
    held = []
    try:
        held = [connect(system) for _ in range(20)]  # connected, silent: each holds a slot
        late = connect(system)
        late.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert select.select([late], [], [], 1)[0] == []  # waiting in the backlog, not refused
        for sock in held:
            sock.close()
        late.settimeout(30)
        assert read_answer(late).startswith(b"HTTP/1.1 200")
        late.close()
    finally:
        for sock in held:
            sock.close()
        stop()


def test_the_gateway_lifts_a_low_soft_file_limit_to_hold_its_connections(tmp_path):
    system, stop = start_system(tmp_path, services=[])

    def low_soft_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 4096))

    gateway = subprocess.Popen([sys.executable, "-m", "services.run", "gateway"], cwd=REPO_ROOT, env=system.env,
                               stdout=system.log, stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=low_soft_limit)
    system.processes["gateway"] = gateway
    try:
        wait_until(lambda: _answers(system), message="the gateway to listen")
        soft, hard = resource.prlimit(gateway.pid, resource.RLIMIT_NOFILE)
        assert (soft, hard) == (1000 + 100, 4096)  # HTTP_MAX_CONNECTIONS and the rest it needs
    finally:
        stop()


def _answers(system):
    try:
        connect(system, timeout=1).close()
        return True
    except OSError:
        return False
