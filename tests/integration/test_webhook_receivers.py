"""The webhook client and dispatcher against real receivers (tests/doubles/webhook_receiver.py over
https with certificates of a test CA) and notifications' real database. Only the resolver is ours:
it stands for a DNS server an attacker controls, answering one address when we check and another
when we connect (DNS rebinding)."""
import json
import socket

import pytest
import trustme
import urllib3

from services.notifications.providers.errors import TransientDeliveryError
from services.notifications.providers.webhook import WebhookClient
from services.notifications.storage import NotificationStore
from services.notifications.webhook_delivery import Dispatcher
from shared.database import Database
from tests.integration.helpers import catalog_event, envelope
from tests.system import Recorded, free_port, start_double

NAME = "hooks.example.org"


class Resolver:
    """getaddrinfo as a DNS server we control: every name resolves to `address`."""

    def __init__(self, address):
        self.address = address

    def __call__(self, host, port, proto=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, proto, "", (self.address, port))]


@pytest.fixture(scope="module")
def ca():
    # TLS under eventlet breaks (RecursionError in ssl.SSLContext) when `ssl` was imported before
    # the root conftest monkey-patched: a pytest plugin that imports it (schemathesis) does that
    try:
        urllib3.util.ssl_.create_urllib3_context()
    except RecursionError:
        pytest.fail("ssl was imported before eventlet.monkey_patch() by a pytest plugin: "
                    "run with -p no:schemathesis -p no:anyio")
    return trustme.CA()


@pytest.fixture
def start_receiver(ca, tmp_path):
    """An https receiver whose certificate names `name` (not its address); returns (port, posts)."""
    processes = []

    def start(name=NAME, *options):
        cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
        leaf = ca.issue_cert(name)
        leaf.cert_chain_pems[0].write_to_path(str(cert))
        leaf.private_key_pem.write_to_path(str(key))
        record = tmp_path / f"posts-{len(processes)}.jsonl"
        process, port = start_double("tests.doubles.webhook_receiver", record, "--tls-cert", str(cert),
                                     "--tls-key", str(key), *options)
        processes.append(process)
        return port, Recorded(record)

    yield start
    for process in processes:
        process.terminate()
        process.wait()


@pytest.fixture
def ca_bundle(ca, tmp_path):
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def client(ca_bundle, resolver, allow_private=False, timeout=10):
    return WebhookClient(timeout, allow_private=allow_private, getaddrinfo=resolver, ca_certs=ca_bundle)


@pytest.fixture
def messages(migrated):
    database = Database(migrated("notifications"))
    yield NotificationStore(database)
    database.dispose()


def queue_a_sign_up(messages, organizer="Kosketus ry"):
    snapshot = {k: v for k, v in catalog_event(organizer=organizer).items()
                if k in ("id", "title", "municipality", "place", "address", "starts_at", "ends_at", "organizer")}
    env, data = envelope("registration_confirmed", {
        "registration_id": "r1", "status": "confirmed", "name": "Aino", "phone": "+358401000011",
        "channel": "sms", "seats": 1, "cancel_code": "K7MX-4PRA", "event": snapshot})
    messages.record(env, data, None, {"id": str(env.event_id), "name": "Aino"})


def test_a_name_that_resolves_to_loopback_when_we_connect_is_not_connected_to(messages, start_receiver, ca_bundle):
    port, posts = start_receiver()
    dns = Resolver("93.184.216.34")  # public when the organizer subscribes
    url = f"https://{NAME}:{port}/yhdessa"
    strict = client(ca_bundle, dns)
    webhook = messages.webhooks.subscribe("Kosketus ry", strict.check_url(url), "staff-1")
    queue_a_sign_up(messages)

    dns.address = "127.0.0.1"  # and our own machine when we connect
    Dispatcher(strict, lambda work: work(), max_attempts=5, retry_base_seconds=0).tick(messages.webhooks)
    assert posts.all() == []
    [shown] = messages.webhooks.subscriptions("Kosketus ry")
    assert shown["deliveries"]["pending"] == 1 and shown["last_error"] == "not delivered"

    # the receiver was there all along: allowed private addresses, the same POST reaches it
    relaxed = client(ca_bundle, dns, allow_private=True)
    Dispatcher(relaxed, lambda work: work(), max_attempts=5, retry_base_seconds=0).tick(messages.webhooks)
    [post] = posts.wait_for(1)
    assert json.loads(post["body"])["name"] == "Aino" and shown["id"] == webhook["id"]


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host_and_certificate_name(
        start_receiver, ca_bundle):
    port, posts = start_receiver()
    relaxed = client(ca_bundle, Resolver("127.0.0.1"), allow_private=True)
    relaxed.post(f"https://{NAME}:{port}/in?org=7", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "e-1", b'{"id": "e-1"}')
    [post] = posts.all()
    assert post["path"] == "/in?org=7" and post["headers"]["Host"] == f"{NAME}:{port}"
    assert post["headers"]["webhook-id"] == "e-1" and post["body"] == '{"id": "e-1"}'

    # a receiver whose certificate is for another name is not believed
    other_port, other_posts = start_receiver("other.example.org")
    with pytest.raises(TransientDeliveryError) as refused:
        relaxed.post(f"https://{NAME}:{other_port}/in", "whsec_x", "e-2", b"{}")
    assert str(refused.value) == "not delivered" and other_posts.all() == []


def test_a_redirect_is_not_followed_and_only_an_https_receivers_answer_shows(start_receiver, ca_bundle, tmp_path):
    port, posts = start_receiver(NAME, "--status", "302")
    relaxed = client(ca_bundle, Resolver("127.0.0.1"), allow_private=True)
    with pytest.raises(TransientDeliveryError) as moved:
        relaxed.post(f"https://{NAME}:{port}/in", "whsec_x", "e-1", b"{}")
    assert str(moved.value) == "not delivered: answered 302"
    assert [p["path"] for p in posts.all()] == ["/in"]  # never "/followed"

    # over plain http (local tests only), a port nobody listens on and one answering 403 look alike
    record = tmp_path / "http.jsonl"
    process, http_port = start_double("tests.doubles.webhook_receiver", record, "--status", "403")
    try:
        errors = []
        for url in (f"http://127.0.0.1:{free_port()}/", f"http://127.0.0.1:{http_port}/"):
            with pytest.raises(TransientDeliveryError) as failed:
                relaxed.post(url, "whsec_x", "e-1", b"{}")
            errors.append(str(failed.value))
        assert errors == ["not delivered", "not delivered"] and len(Recorded(record).all()) == 1
    finally:
        process.terminate()
        process.wait()


def test_a_huge_answer_is_not_read_and_a_receiver_that_never_answers_is_given_up_on(start_receiver, ca_bundle,
                                                                                  tmp_path):
    port, record = start_receiver(NAME, "--answer-megabytes", "300")
    relaxed = client(ca_bundle, Resolver("127.0.0.1"), allow_private=True)
    relaxed.post(f"https://{NAME}:{port}/", "whsec_x", "e-1", b"{}")  # 200: delivered
    [_, answered] = record.wait_for(2)
    assert answered["answer_bytes_sent"] < 20 * 1024 * 1024, answered

    held_port, _ = start_receiver(NAME, "--hold", str(tmp_path / "never"))
    impatient = client(ca_bundle, Resolver("127.0.0.1"), allow_private=True, timeout=0.5)
    with pytest.raises(TransientDeliveryError) as late:
        impatient.post(f"https://{NAME}:{held_port}/", "whsec_x", "e-1", b"{}")
    assert str(late.value) == "not delivered" and late.value.code == "timeout"
