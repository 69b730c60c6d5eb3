"""What the on-call person reads: a client's mistake is one INFO line without a traceback, a
client hanging up mid-body is not an error, and nothing of either shows at WARNING or above."""
import json
import socket
from urllib.parse import urlsplit

import pytest

from tests.conftest import wait_until
from tests.e2e.helpers import create_event, sign_up
from tests.system import start_system

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    """A system of this module's own, logging at INFO, so that every level can be read."""
    system, stop = start_system(tmp_path_factory.mktemp("logs"), LOG_LEVEL="INFO")
    try:
        yield system
    finally:
        stop()


def entries(system):
    lines = open(system.log.name, encoding="utf-8").read().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def written_during(system, action):
    before = len(entries(system))
    action()
    return lambda: entries(system)[before:]


def test_client_mistakes_are_logged_once_at_info_without_a_traceback(system):
    event = create_event(system)
    assert sign_up(system, event["id"], {"name": "Maija", "phone": "0407775555"}).status_code == 201

    def mistakes():
        assert sign_up(system, event["id"], {"name": "Maija", "phone": "123"}).status_code == 422
        assert system.call("GET", "/api/registrations/NOPE-NOPE").status_code == 404
        assert system.call("POST", "/api/events", json={"title": "x"}).status_code == 401

    new = written_during(system, mistakes)
    said = {status: lambda status=status: [e for e in new() if f"answered {status} " in e["msg"]]
            for status in (422, 404, 401)}
    wait_until(lambda: all(lines() for lines in said.values()), message="the mistakes to be logged")
    for lines in said.values():
        for line in lines():  # by the gateway, and by the service that refused it
            assert line["level"] == "INFO" and "exc" not in line, line
    assert not [e for e in new() if e["level"] in ("WARNING", "ERROR", "CRITICAL")]
    assert "Traceback" not in json.dumps(new())


def test_a_client_hanging_up_in_the_middle_of_its_body_is_not_an_error(system):
    event = create_event(system)
    address = urlsplit(system.base_url)

    def hang_up():
        with socket.create_connection((address.hostname, address.port)) as connection:
            connection.sendall(f"POST /api/events/{event['id']}/registrations HTTP/1.1\r\n"
                               f"Host: {address.netloc}\r\nContent-Type: application/json\r\n"
                               "Content-Length: 1000\r\n\r\n{\"name\": \"Mai".encode())
            connection.shutdown(socket.SHUT_WR)

    new = written_during(system, hang_up)
    wait_until(lambda: any("incomplete_body" in e["msg"] for e in new()), message="the hang-up to be logged")
    assert event["id"] in json.dumps(new())  # the access log line
    [line] = [e for e in new() if "incomplete_body" in e["msg"]]
    assert line["level"] == "INFO" and "exc" not in line
    assert not [e for e in new() if e["level"] in ("WARNING", "ERROR", "CRITICAL")]
