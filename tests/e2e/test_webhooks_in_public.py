"""Organizers' webhooks in front of the public, through the HTTP API of the running system: they
cannot be pointed inside our network, a slow receiver delays only itself, a huge answer is not
read, the signatures follow the Standard Webhooks scheme and a replay is detectable.

The session's system allows private addresses (WEBHOOK_ALLOW_PRIVATE=true: its receivers listen on
http://127.0.0.1); the subscribing rules are tested on a system of their own with the default."""
import datetime as dt
import json
import time
from unittest import mock

import pytest
import standardwebhooks
from standardwebhooks.webhooks import WebhookVerificationError

from tests.conftest import wait_until
from tests.e2e.helpers import event_body, sign_up, staff_token
from tests.system import Recorded, start_double, start_system

pytestmark = pytest.mark.e2e


def own_event(system, headers):
    body = event_body()
    del body["organizer"]  # an organizer's staff need not name it
    response = system.call("POST", "/api/events", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def receiver(tmp_path, *options):
    record = tmp_path / f"webhook-{time.monotonic_ns()}.jsonl"
    process, port = start_double("tests.doubles.webhook_receiver", record, *options)
    return process, port, Recorded(record)


def subscribe(system, headers, port, path="/"):
    made = system.call("POST", "/api/webhooks", json={"url": f"http://127.0.0.1:{port}{path}"}, headers=headers)
    assert made.status_code == 201, made.text
    return made.json()


def subscription(system, headers, webhook_id):
    [mine] = [w for w in system.call("GET", "/api/webhooks", headers=headers).json() if w["id"] == webhook_id]
    return mine


def stop(*processes):
    for process in processes:
        process.terminate()
        process.wait()


@pytest.fixture(scope="module")
def strict_system(tmp_path_factory):
    """The system with the production default: public https receivers only."""
    system, stop_system = start_system(tmp_path_factory.mktemp("strict"), WEBHOOK_ALLOW_PRIVATE="false")
    yield system
    stop_system()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "https://127.0.0.1/hook", "https://localhost:15672/api", "https://[::1]/",
    "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/", "https://192.168.1.1/", "https://100.64.0.1/", "https://[fd00::1]/",
    "https://[fe80::1]/", "https://224.0.0.1/", "http://93.184.216.34/hook",
])
def test_a_webhook_to_our_own_network_or_over_plain_http_is_refused_at_subscribing(strict_system, url):
    before = strict_system.call("GET", "/api/webhooks", staff=True).json()
    refused = strict_system.call("POST", "/api/webhooks", json={"url": url, "organizer": "Kosketus ry"}, staff=True)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "validation_error" and list(error["fields"]) == ["url"]
    # the same answer whether the name does not resolve or resolves inside: it maps nothing
    assert "127.0.0.1" not in refused.text and "resolve" not in refused.text
    assert strict_system.call("GET", "/api/webhooks", staff=True).json() == before


def test_a_slow_receiver_delays_only_its_own_organizers_webhooks(system, tmp_path):
    slow_staff = staff_token(system, "Hidas", "Hidas ry")
    quick_staff = staff_token(system, "Nopea", "Nopea ry")
    released = tmp_path / "released"
    slow, slow_port, slow_posts = receiver(tmp_path, "--hold", str(released))
    quick, quick_port, quick_posts = receiver(tmp_path)
    try:
        subscribe(system, slow_staff, slow_port)
        subscribe(system, quick_staff, quick_port)
        slow_event, quick_event = own_event(system, slow_staff), own_event(system, quick_staff)
        for n in range(3):
            sign_up(system, slow_event["id"], {"name": f"Hidas {'ABC'[n]}", "email": f"hidas{n}@example.fi"})
        slow_posts.wait_for(1)  # the slow receiver holds its first POST (the time limit is 30 s)

        sign_up(system, quick_event["id"], {"name": "Nopea", "email": "nopea@example.fi"})
        [quick_post] = quick_posts.wait_for(1)
        assert json.loads(quick_post["body"])["name"] == "Nopea"
        assert not released.exists() and len(slow_posts.all()) == 1  # still held: one POST in flight
        released.touch()
        posted = slow_posts.wait_for(3)
        # the slow subscription's POSTs in the order of the sign-ups, each once
        assert [json.loads(p["body"])["name"] for p in posted] == ["Hidas A", "Hidas B", "Hidas C"]
    finally:
        released.touch()
        stop(slow, quick)


def test_a_huge_answer_is_not_read(system, tmp_path):
    staff = staff_token(system, "Suuri", "Suuri vastaus ry")
    process, port, record = receiver(tmp_path, "--answer-megabytes", "300")
    try:
        webhook = subscribe(system, staff, port)
        sign_up(system, own_event(system, staff)["id"], {"name": "Aino", "email": "aino@example.fi"})
        [_, answered] = record.wait_for(2, timeout=60)
        wait_until(lambda: subscription(system, staff, webhook["id"])["deliveries"]["delivered"] == 1,
                   message="the POST to count as delivered")
    finally:
        stop(process)
    assert answered["answer_bytes"] == 300 * 1024 * 1024
    # what the kernel's buffers took before the connection was dropped, not 300 MB
    assert answered["answer_bytes_sent"] < 20 * 1024 * 1024, answered


def test_signatures_verify_by_the_standard_webhooks_scheme_and_a_replay_is_refused(system, tmp_path):
    staff = staff_token(system, "Allekirjoittaja", "Allekirjoitus ry")
    process, port, posts = receiver(tmp_path)
    try:
        webhook = subscribe(system, staff, port, "/yhdessa")
        assert webhook["secret"].startswith("whsec_")
        sign_up(system, own_event(system, staff)["id"], {"name": "Äijälä", "email": "aijala@example.fi"})
        [post] = posts.wait_for(1)
    finally:
        stop(process)
    receiver_check = standardwebhooks.Webhook(webhook["secret"])
    payload = receiver_check.verify(post["body"], post["headers"])  # raises when it does not verify
    assert payload["name"] == "Äijälä" and post["headers"]["webhook-id"] == payload["id"]
    # the legacy header, for one release
    assert post["headers"]["X-Yhdessa-Signature"].startswith("sha256=")

    # a captured POST with its timestamp moved on does not verify ...
    refreshed = {**post["headers"], "webhook-timestamp": str(int(post["headers"]["webhook-timestamp"]) + 1)}
    with pytest.raises(WebhookVerificationError):
        receiver_check.verify(post["body"], refreshed)
    # ... nor does one with a changed body, nor the same POST played ten minutes later
    with pytest.raises(WebhookVerificationError):
        receiver_check.verify(post["body"].replace("Äijälä", "Mallory"), post["headers"])
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=10)
    with mock.patch("standardwebhooks.webhooks.datetime", wraps=dt.datetime) as clock:
        clock.now.return_value = later
        with pytest.raises(WebhookVerificationError, match="too old"):
            receiver_check.verify(post["body"], post["headers"])
