"""The compose deployment's reverse proxy (docker/nginx/nginx.conf), run with the machine's nginx in
front of the running gateway on 127.0.0.1: it sets X-Forwarded-For itself, refuses big bodies,
holds slow ones back from the gateway, limits connections per address, and logs no codes.
Skipped where nginx is not installed (`apt-get install nginx-light`)."""
import json
import shutil
import socket
import subprocess
import types

import pytest
import requests

from shared.config import REPO_ROOT
from tests.conftest import wait_until
from tests.e2e.helpers import ActivityStream, create_event, sign_up
from tests.system import STAFF_TOKEN, free_port, start_system

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")]

NGINX_CONF = REPO_ROOT / "docker" / "nginx" / "nginx.conf"
PER_ADDRESS = 20  # limit_conn per_address in nginx.conf


def local_config(text, folder, listen_port, gateway_port):
    """The compose config, moved onto this machine: loopback ports, files in `folder`."""
    replaced = {
        "listen 8080;": f"listen 127.0.0.1:{listen_port};",
        "server gateway:8000;": f"server 127.0.0.1:{gateway_port};",
        "/tmp/": f"{folder}/",
        "access_log /dev/stdout redacted;": f"access_log {folder}/access.log redacted;",
    }
    for old, new in replaced.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """(system, proxy address, nginx access log path): nginx as configured for compose, in front
    of the system's gateway."""
    folder = tmp_path_factory.mktemp("proxy")
    system, stop = start_system(folder, LOG_LEVEL="INFO")
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(local_config(NGINX_CONF.read_text(), folder, port, system.base_url.rsplit(":", 1)[1]))
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: _answers(port), message="nginx to listen")
        yield system, ("127.0.0.1", port), folder / "access.log"
    finally:
        nginx.terminate()
        nginx.wait()
        stop()


def _answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def request(address, raw, timeout=30, source="127.0.0.1"):
    with socket.create_connection(address, timeout=timeout, source_address=(source, 0)) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_config_is_valid_nginx(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(local_config(NGINX_CONF.read_text(), tmp_path, free_port(), free_port()))
    checked = subprocess.run(["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_gateway_hears_the_proxys_x_forwarded_for_not_the_clients(proxied):
    system, address, _ = proxied
    answer = request(address, b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                              b"X-Forwarded-For: 203.0.113.66\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200")
    # eventlet's access line starts with X-Forwarded-For and the peer: the proxy replaced the forgery
    wait_until(lambda: '"GET /api/openapi.json' in open(system.log.name).read(), message="the gateway's access line")
    log = open(system.log.name).read()
    assert "203.0.113.66" not in log and "127.0.0.1,127.0.0.1" in log


def test_a_big_body_is_refused_at_the_proxy(proxied):
    _, address, _ = proxied
    answer = request(address, b"POST /webhooks/twilio/status HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: x\r\n"
                              b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 300000000\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413")


def test_connections_from_one_address_are_limited_and_the_gateway_still_serves(proxied):
    system, address, _ = proxied
    event = create_event(system)
    # registration knows the event once a sign-up goes through (it hears of it over the bus)
    assert sign_up(system, event["id"], {"name": "Ensimmäinen", "phone": "0401234506"}).status_code == 201
    body = json.dumps({"name": "Hidas", "phone": "0401234567"}).encode()
    stalled = []
    try:
        for _ in range(PER_ADDRESS):  # headers and half a body each: the proxy waits for the rest
            sock = socket.create_connection(address, timeout=30)
            sock.sendall(f"POST /api/events/{event['id']}/registrations HTTP/1.1\r\nHost: x\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                         + body[:10])
            stalled.append(sock)
        over = wait_until(lambda: (answer := request(address, b"GET /health HTTP/1.1\r\nHost: x\r\n"
                                                              b"Connection: close\r\n\r\n")).startswith(b"HTTP/1.1 429")
                          and answer, message="the per-address limit")
        assert over.startswith(b"HTTP/1.1 429")
        # another address is not held back, and the gateway had none of the stalled requests
        sign_up_body = json.dumps({"name": "Maija", "phone": "0401234504"}).encode()
        answer = request(address, f"POST /api/events/{event['id']}/registrations HTTP/1.1\r\nHost: x\r\n"
                                  f"Content-Type: application/json\r\nContent-Length: {len(sign_up_body)}\r\n"
                                  "Connection: close\r\n\r\n".encode() + sign_up_body, source="127.0.0.2")
        assert answer.startswith(b"HTTP/1.1 201"), answer
    finally:
        for sock in stalled:
            sock.close()
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
    assert sorted(r["name"] for r in roster) == ["Ensimmäinen", "Maija"]


def test_the_proxys_access_log_shows_no_cancel_code(proxied):
    system, address, access_log = proxied
    event = create_event(system)
    code = sign_up(system, event["id"], {"name": "Koodi", "phone": "0401234505"}).json()["cancel_code"]
    bare = code.replace("-", "")
    for target in (f"/api/registrations/{code}", f"/api/%72egistrations/{bare}?name=Koodi"):
        request(address, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    lines = wait_until(lambda: [line for line in open(access_log) if "egistrations/" in line][-2:] or None,
                       message="the proxy's access lines")
    assert len(lines) == 2 and all("/api/registrations/... " in line.replace("\"", " ") for line in lines), lines
    text = open(access_log).read()
    assert code not in text and bare not in text and "Koodi" not in text


def test_the_live_activity_stream_works_through_the_proxy(proxied):
    system, address, _ = proxied
    event = create_event(system)
    through_proxy = types.SimpleNamespace(http=requests.Session(), base_url=f"http://{address[0]}:{address[1]}")
    stream = ActivityStream(through_proxy, event["id"], {"Authorization": f"Bearer {STAFF_TOKEN}"})
    try:
        assert sign_up(system, event["id"], {"name": "Virta", "phone": "0401234507"}).status_code == 201
        # the item arrives while the stream is still open (the gateway also says X-Accel-Buffering: no)
        assert stream.wait_for(lambda item: item["event"] == "registration_confirmed")["data"]["name"] == "Virta"
    finally:
        stream.close()
        through_proxy.http.close()
