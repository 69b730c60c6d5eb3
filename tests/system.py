"""Running the whole system outside pytest's fixtures too (the end-to-end tests and `make bench`):
every service its own process on a fresh RabbitMQ vhost, local Twilio and SMTP doubles in place of
the outside world, and throwaway PostgreSQL databases."""
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import requests
from sqlalchemy.engine import make_url

from shared.config import REPO_ROOT

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MANAGEMENT = os.environ.get("RABBIT_MANAGEMENT_URL", "http://guest:guest@127.0.0.1:15672")
STAFF_TOKEN = "e2e-staff-token-long-enough-for-the-check"  # the gateway refuses < 32 characters


def _admin_connection():
    admin = make_url(POSTGRES_ADMIN_URL)
    connection = psycopg2.connect(host=admin.host, port=admin.port, user=admin.username, dbname=admin.database)
    connection.autocommit = True
    return admin, connection


def create_postgres_database(prefix):
    """A new empty PostgreSQL database; returns its URL."""
    admin, connection = _admin_connection()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_postgres_databases(urls):
    _, connection = _admin_connection()
    with connection.cursor() as cursor:
        for url in urls:
            cursor.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    connection.close()


@contextlib.contextmanager
def postgres_databases(prefix, services=("catalog", "registration", "notifications")):
    """A fresh PostgreSQL database per service, as {"<SERVICE>_DATABASE_URL": url}; dropped
    afterwards whatever happened in between (a system that failed to start too)."""
    urls = {}
    try:
        for service in services:
            urls[f"{service.upper()}_DATABASE_URL"] = create_postgres_database(f"{prefix}_{service}")
        yield urls
    finally:
        if urls:
            drop_postgres_databases(urls.values())


# What the Twilio double (tests/doubles/twilio_api.py) accepts by default, as service settings.
TWILIO_DOUBLE = {"TWILIO_ACCOUNT_SID": "ACtest", "TWILIO_AUTH_TOKEN": "secret", "TWILIO_FROM": "+358451234567"}


def start_double(module, record, *args):
    """Start a double (tests/doubles) as its own process; returns (process, port). What it says
    on stderr (a client that hung up, when a service is killed on purpose) goes to a file beside
    its record, not into the test's or the soak's output."""
    with open(Path(record).with_suffix(".stderr"), "a") as stderr:
        process = subprocess.Popen([sys.executable, "-m", module, "--record", str(record), *args],
                                   cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    port = int(process.stdout.readline())
    return process, port


class Recorded:
    """What a double has received, read from its JSON-lines record."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.touch()

    def all(self):
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            entries = self.all()
            if len(entries) >= count:
                return entries
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.all())}: {self.all()}")


def processes_in_group(pgid):
    """{pid: command line} of every live (not zombie) process in process group `pgid`."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found[int(proc.name)] = command
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_environment():
    """What a service process needs from the machine, and nothing else: a developer's exported
    settings (a *_DATABASE_URL, an AMQP_URI, TWILIO_*) must never reach the system under test."""
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "LANG": "C.UTF-8"}
    if "HOME" in os.environ:
        env["HOME"] = os.environ["HOME"]
    return env


def make_run_command():
    """`make run` with this interpreter's virtualenv, taken as installed (no pip in a test)."""
    venv = Path(sys.executable).parent.parent
    return ["make", "--no-print-directory", "-o", str(venv / ".installed"), "run", f"VENV={venv}"]


class System:
    # Set by the end-to-end tests (tests/e2e/conftest.py): a response hook holding every answer to
    # the OpenAPI document (tests/documented.py). The benchmark and the soak leave it off.
    answer_check = None

    def __init__(self, base_url, sms, mail, env, log):
        self.base_url, self.sms, self.mail, self.env, self.log = base_url, sms, mail, env, log
        self.processes = {}
        self.http = requests.Session()
        self.http.hooks["response"].append(self._check_answer)
        # the load tests run a hundred clients at once
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=200))

    @classmethod
    def _check_answer(cls, response, *args, **kwargs):
        if cls.answer_check is not None:
            cls.answer_check(response)

    def start(self, name=None, make=False):
        """Start every service as `make run` does (name None; make=True: through make itself),
        or one service on its own."""
        command = make_run_command() if make else [sys.executable, "-m", "services.run"] + ([name] if name else [])
        key, copy = name or "all", 1
        while key in self.processes:  # another copy of a service already running
            copy += 1
            key = f"{name} #{copy}"
        # Each in a session of its own, so that stopping it reaches every process it started.
        self.processes[key] = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env,
                                                          stdout=self.log, stderr=subprocess.STDOUT,
                                                          start_new_session=True)

    def group(self, key="all"):
        """{pid: command line} of every live process in the process group that `start` made."""
        return processes_in_group(self.processes[key].pid)

    def service_pids(self, name, key="all"):
        """The pids of service `name` that `make run` (or the launcher) started."""
        return [pid for pid, command in self.group(key).items() if command.endswith(f"services.run {name}")]

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
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)  # whatever of it is still there
            except ProcessLookupError:
                pass
            process.wait()
        self.processes.clear()

    def call(self, method, path, staff=False, **kwargs):
        headers = kwargs.pop("headers", {})
        if staff:
            headers["Authorization"] = f"Bearer {STAFF_TOKEN}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)


def _stop_doubles(processes):
    for process in processes:
        process.terminate()
        process.wait()


def start_system(tmp_path, database_urls=None, services=None, amqp_uri=None, make=False, twilio_args=(),
                 **settings):
    """Start the system; `services` names the ones to start each on its own (default: all, as
    `make run` does; make=True: through `make run` itself). On the machine's RabbitMQ in a vhost
    of its own, or at `amqp_uri` (a node of the test's own, tests/rabbitmq_node.py). Returns
    (system, stop); stop() undoes whatever was started, also when the start fails. `twilio_args` are
    the Twilio double's options (an outage, late answers)."""
    vhost = None
    if amqp_uri is None:
        vhost = f"yhdessa-e2e-{uuid.uuid4().hex[:8]}"
        requests.put(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10).raise_for_status()
        amqp_uri = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    doubles = []
    try:
        sms_record, mail_record = tmp_path / "sms.jsonl", tmp_path / "mail.jsonl"
        twilio, twilio_port = start_double("tests.doubles.twilio_api", sms_record, *twilio_args)
        doubles.append(twilio)
        smtp, smtp_port = start_double("tests.doubles.smtp_server", mail_record)
        doubles.append(smtp)
        if vhost:
            requests.put(f"{MANAGEMENT}/api/permissions/{vhost}/guest",
                         json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10).raise_for_status()
    except BaseException:
        _stop_doubles(doubles)
        if vhost:
            requests.delete(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10)
        raise
    port = free_port()
    env = {
        **base_environment(), "AMQP_URI": amqp_uri, "YHDESSA_VAR_DIR": str(tmp_path / "var"),
        "GATEWAY_PORT": str(port), "PUBLIC_BASE_URL": f"https://yhdessa.example/{vhost or port}",
        "STAFF_BOOTSTRAP_TOKEN": STAFF_TOKEN,
        **TWILIO_DOUBLE,
        "TWILIO_API_URL": f"http://127.0.0.1:{twilio_port}", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING", "SMS_RATE_PER_SECOND": "0", "HANDLER_RETRY_DELAYS": "0.5,1,2",
        # the webhook receivers of the tests listen on http://127.0.0.1; a held receiver is held by
        # the test, not cut short by the time limit
        "WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_TIMEOUT_SECONDS": "30",
        # hundreds of sign-ups from 127.0.0.1 and one number reused by many tests: the limits
        # against abuse are off unless a test turns them on (tests/e2e/test_limits.py)
        "RATE_LIMITS": "off", "MESSAGES_PER_NUMBER_PER_DAY": "0", "SMS_DAILY_BUDGET": "0",
        # messages that may wait are held at night: off, so a test gives the same answer at any hour
        "QUIET_HOURS": "off",
        # one process of each service, whatever the machine's cores (make run's default); a test
        # of copies asks for them
        "SERVICE_COPIES": "1",
        **(database_urls or {}), **settings,
    }
    log = open(tmp_path / "services.log", "a")
    system = System(f"http://127.0.0.1:{port}", Recorded(sms_record), Recorded(mail_record), env, log)

    def stop():
        try:
            system.stop()
        finally:
            _stop_doubles(doubles)
            log.close()
            if vhost:
                requests.delete(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10)

    try:
        if services is None:
            system.start(make=make)
            system.wait_healthy()
        else:
            for name in services:
                system.start(name)
    except BaseException:
        stop()
        raise
    return system, stop


