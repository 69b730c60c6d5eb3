"""The whole system as `make run` starts it: every service its own process, talking over a fresh
RabbitMQ vhost, with local Twilio and SMTP doubles in place of the outside world."""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
from pathlib import Path

from shared.config import REPO_ROOT
from tests.conftest import POSTGRES_ADMIN_URL, Recorded, _start_double

MANAGEMENT = os.environ.get("RABBIT_MANAGEMENT_URL", "http://guest:guest@127.0.0.1:15672")
STAFF_TOKEN = "e2e-staff-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class System:
    def __init__(self, base_url, sms, mail, env, log):
        self.base_url, self.sms, self.mail, self.env, self.log = base_url, sms, mail, env, log
        self.processes = {}
        self.http = requests.Session()
        # the load tests run a hundred clients at once
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=200))

    def start(self, name=None):
        """Start every service as `make run` does (name None), or one service on its own."""
        command = [sys.executable, "-m", "services.run"] + ([name] if name else [])
        self.processes[name or "all"] = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env,
                                                          stdout=self.log, stderr=subprocess.STDOUT)

    def kill(self, name):
        """SIGKILL: no clean shutdown, nothing flushed."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def wait_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.call("GET", "/health").status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if any(p.poll() is not None for p in self.processes.values()):
                break
            time.sleep(0.2)
        raise RuntimeError(f"the system did not become healthy:\n{Path(self.log.name).read_text()[-5000:]}")

    def stop(self):
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def call(self, method, path, staff=False, **kwargs):
        headers = kwargs.pop("headers", {})
        if staff:
            headers["Authorization"] = f"Bearer {STAFF_TOKEN}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)


def start_system(tmp_path, database_urls=None, services=None, **settings):
    """Start the system; `services` names the ones to start each on its own (default: all, as
    `make run` does). Returns (system, stop)."""
    vhost = f"yhdessa-e2e-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10).raise_for_status()
    requests.put(f"{MANAGEMENT}/api/permissions/{vhost}/guest",
                 json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10).raise_for_status()
    sms_record, mail_record = tmp_path / "sms.jsonl", tmp_path / "mail.jsonl"
    twilio, twilio_port = _start_double("tests.doubles.twilio_api", sms_record)
    smtp, smtp_port = _start_double("tests.doubles.smtp_server", mail_record)
    port = free_port()
    env = {
        **os.environ, "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{vhost}", "YHDESSA_VAR_DIR": str(tmp_path / "var"),
        "GATEWAY_PORT": str(port), "PUBLIC_BASE_URL": f"https://yhdessa.example/{vhost}",
        "STAFF_BOOTSTRAP_TOKEN": STAFF_TOKEN,
        "TWILIO_ACCOUNT_SID": "ACtest", "TWILIO_AUTH_TOKEN": "secret", "TWILIO_FROM": "+358451234567",
        "TWILIO_API_URL": f"http://127.0.0.1:{twilio_port}", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING", "SMS_RATE_PER_SECOND": "0", "HANDLER_RETRY_DELAYS": "0.5,1,2",
        **(database_urls or {}), **settings,
    }
    log = open(tmp_path / "services.log", "a")
    system = System(f"http://127.0.0.1:{port}", Recorded(sms_record), Recorded(mail_record), env, log)

    def stop():
        system.stop()
        for double in (twilio, smtp):
            double.terminate()
            double.wait()
        log.close()
        requests.delete(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10)

    try:
        if services is None:
            system.start()
            system.wait_healthy()
        else:
            for name in services:
                system.start(name)
    except BaseException:
        stop()
        raise
    return system, stop


@pytest.fixture(scope="session")
def system(tmp_path_factory):
    """The system on its embedded default, SQLite."""
    system, stop = start_system(tmp_path_factory.mktemp("system"))
    yield system
    stop()


@pytest.fixture(scope="session")
def postgres_system(tmp_path_factory):
    """The system on PostgreSQL, as in production."""
    import psycopg2
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES_ADMIN_URL)
    names = {service: f"yhdessa_e2e_{service}_{uuid.uuid4().hex[:8]}" for service in ("catalog", "registration", "notifications")}
    connection = psycopg2.connect(host=admin.host, port=admin.port, user=admin.username, dbname=admin.database)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for name in names.values():
            cursor.execute(f'CREATE DATABASE "{name}"')
    urls = {f"{service.upper()}_DATABASE_URL": admin.set(database=name).render_as_string(hide_password=False)
            for service, name in names.items()}
    system, stop = start_system(tmp_path_factory.mktemp("pg-system"), urls)
    yield system
    stop()
    with connection.cursor() as cursor:
        for name in names.values():
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()
