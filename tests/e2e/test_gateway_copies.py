"""Two gateway copies on one port, started as `make run` starts them (SERVICE_COPIES=gateway=2):
both answer, a client's rate limit holds across both (counted in Redis), a staff session signed
in on one works on the other; and a second launcher on the same port is refused, not let in to
share it. Which copy answered is read from the access log's `pid` (one request at a time, each on
a new connection)."""
import json
import random
import subprocess
import sys
import uuid

import pytest
import requests

from shared.config import REPO_ROOT
from tests.conftest import wait_until
from tests.e2e.helpers import staff_token
from tests.e2e import pages
from tests.e2e.pages import token_of
from tests.e2e.test_limits import Client
from tests.system import start_system

pytestmark = pytest.mark.e2e

REDIS_URL = "redis://127.0.0.1:6379"
CODES_PER_MINUTE = 40  # enough requests that both copies take some: which one accepts is the kernel's choice
TRIES = 200  # requests at most until both copies have answered one


def redis_reachable():
    redis = pytest.importorskip("redis")
    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    if not redis_reachable():
        pytest.skip(f"no Redis at {REDIS_URL} to share the limits")
    system, stop = start_system(
        tmp_path_factory.mktemp("copies"), SERVICE_COPIES="gateway=2", LOG_LEVEL="INFO",
        RATE_LIMITS="on", RATE_LIMIT_STORAGE_URL=REDIS_URL, RATE_LIMIT_CODES=f"{CODES_PER_MINUTE}/minute")
    yield system
    stop()


def access_lines(system):
    entries = []
    with open(system.log.name, encoding="utf-8") as log:
        for line in log:
            if '"services.gateway.access"' in line:
                entries.append(json.loads(line))
    return entries


def answered_by(system, request):
    """(the answer of `request(query)`, the pid of the gateway copy that logged it). The request's
    target carries `query`, a parameter name of its own (the access log keeps names, not values),
    so its line is told from a previous request's line logged late."""
    marker = f"probe_{uuid.uuid4().hex[:12]}"
    answer = request(f"?{marker}=1")
    lines = wait_until(lambda: [e for e in access_lines(system) if marker in json.dumps(e)],
                       message="the access log line")
    assert len(lines) == 1, lines
    return answer, lines[0]["pid"]


def a_new_client(system):
    """A client from an address of its own (so no other run's counts in Redis are its), closing
    its connection after each request, so that each is accepted anew by whichever copy."""
    client = Client(system, f"127.{random.randint(1, 254)}.{random.randint(0, 254)}.{random.randint(1, 254)}")
    client.http.headers["Connection"] = "close"
    return client


def test_both_copies_answer_on_the_one_port(copies):
    gateways = set(copies.service_pids("gateway"))
    assert len(gateways) == 2
    client, answered = a_new_client(copies), set()
    for _ in range(TRIES):
        answer, pid = answered_by(copies, lambda q: client.call("GET", "/health" + q))
        assert answer.status_code == 200
        answered.add(pid)
        if answered == gateways:
            break
    assert answered == gateways


def test_a_client_over_its_limit_on_one_copy_is_over_it_on_the_other(copies):
    client, answers = a_new_client(copies), []
    for _ in range(CODES_PER_MINUTE + 1):
        answers.append(answered_by(copies, lambda q: client.call("GET", "/api/registrations/ABCD-EFGH" + q)))
    assert [a.status_code for a, _ in answers] == [404] * CODES_PER_MINUTE + [429]
    assert {pid for _, pid in answers[:CODES_PER_MINUTE]} == set(copies.service_pids("gateway"))
    # and it stays over the limit whichever copy it reaches next
    for _ in range(4):
        answer, _pid = answered_by(copies, lambda q: client.call("GET", "/api/registrations/ABCD-EFGH" + q))
        assert answer.status_code == 429


def test_a_staff_session_made_on_one_copy_works_on_the_other(copies):
    token = token_of(staff_token(copies, "Maija", "Kosketus ry"))
    browser = pages.browser()
    browser.headers["Connection"] = "close"
    pages.get(browser, copies, "/staff/sign-in")
    answer, signed_by = answered_by(copies, lambda q: pages.post(browser, copies, "/staff/sign-in" + q, {"token": token}))
    assert answer.status_code == 303 and pages.cookie(browser, pages.STAFF_COOKIE)
    other = set(copies.service_pids("gateway")) - {signed_by}
    for _ in range(TRIES):
        answer, pid = answered_by(copies, lambda q: pages.get(browser, copies, "/staff/events" + q))
        assert answer.status_code == 200, answer.status_code  # a 303 to the sign-in page: not known there
        if pid in other:
            break
    assert pid in other


def test_a_second_make_run_on_the_same_port_is_refused_not_let_in(copies):
    port = copies.base_url.rsplit(":", 1)[1]
    second = subprocess.run([sys.executable, "-m", "services.run"], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=60, env={**copies.env, "YHDESSA_VAR_DIR": copies.env["YHDESSA_VAR_DIR"] + "-2"})
    assert second.returncode != 0
    assert f"127.0.0.1:{port} is in use" in second.stderr
    assert requests.get(copies.base_url + "/health", timeout=30).status_code == 200
