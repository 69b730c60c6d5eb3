"""Fixtures for the whole suite.

Mocking policy: what a service owns is real in its tests: its database (SQLite, and PostgreSQL
where concurrency matters), the RabbitMQ broker (a fresh vhost per test, from nameko's
`rabbit_config`), HTTP and SMTP conversations. What lies outside the service under test is
replaced by a double that speaks the real protocol: a local HTTP server playing Twilio's Messages
API (the real twilio library posts to it), a real SMTP server (aiosmtpd). Nothing of our own is
mocked, with one exception: tests/gateway tests the gateway alone, the services it calls replaced by
mocks specced from the real ones (nameko's replace_dependencies; its conftest says what stays real).
"""
import time
import uuid

import pytest

from shared.config import service_config
from shared.migrations import upgrade
from tests.system import (
    TWILIO_DOUBLE,
    Recorded,
    create_postgres_database,
    drop_postgres_databases,
    start_double,
    start_system,
)

# --- databases ---------------------------------------------------------------------------------

@pytest.fixture
def postgres_database():
    """A factory of fresh, empty PostgreSQL databases, dropped after the test."""
    created = []

    def make():
        url = create_postgres_database("yhdessa_test")
        created.append(url)
        return url

    try:
        yield make
    finally:
        drop_postgres_databases(created)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, postgres_database):
    """A factory of empty database URLs, on SQLite (the default) and on PostgreSQL."""
    if request.param == "sqlite":
        return lambda name="db": f"sqlite:///{tmp_path}/{name}-{uuid.uuid4().hex[:6]}.db"
    return lambda name="db": postgres_database()


@pytest.fixture
def migrated(database_url):
    """A factory: a migrated database for a service -> its URL."""
    def make(service_name):
        url = database_url(service_name)
        upgrade(service_name, url)
        return url
    return make


# --- the whole system ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def system(tmp_path_factory):
    """The system on its embedded default, SQLite, as `make run` starts it: one for the whole run,
    shared by the end-to-end tests (tests/e2e) and the browser tests (tests/browser), so that it
    starts once. The pages' feedback address is set so the statements can be seen to show it."""
    system, stop = start_system(tmp_path_factory.mktemp("system"),
                                ACCESSIBILITY_FEEDBACK_EMAIL="saavutettavuus@yhdessa.example")
    try:
        yield system
    finally:
        stop()


# --- doubles of what lies outside ------------------------------------------------------------

@pytest.fixture
def twilio_double(tmp_path):
    """Start a Twilio Messages API double; returns a function of its options -> (settings, record)."""
    processes = []

    def start(*args):
        record = tmp_path / f"sms-{len(processes)}.jsonl"
        process, port = start_double("tests.doubles.twilio_api", record, *args)
        processes.append(process)
        settings = {**TWILIO_DOUBLE, "TWILIO_API_URL": f"http://127.0.0.1:{port}"}
        return settings, Recorded(record)

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            process.wait()


@pytest.fixture
def smtp_double(tmp_path):
    record = tmp_path / "mail.jsonl"
    process, port = start_double("tests.doubles.smtp_server", record)
    try:
        yield {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)}, Recorded(record)
    finally:
        process.terminate()
        process.wait()


# --- services ------------------------------------------------------------------------------

@pytest.fixture
def config_for(rabbit_config):
    """The nameko config of a service in this test's vhost, with overrides. No quiet hours unless
    a test asks for them (as tests/system.py): otherwise what may wait (reminders, fan-outs) waits
    until 08:00 whenever the suite runs after 21:00 Helsinki time."""
    def make(service_name, **overrides):
        return service_config(service_name, {"AMQP_URI": rabbit_config["AMQP_URI"], "QUIET_HOURS": "off",
                                             **overrides})
    return make


def wait_until(predicate, timeout=15, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")
