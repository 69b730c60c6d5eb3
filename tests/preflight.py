"""Before `make test`: are the servers the suite needs there? Start what is installed but not
running, enable RabbitMQ's management plugin (the suite makes a vhost per test through it), and
where that cannot be done from here, say in one line what to run.

    python -m tests.preflight        # exit 0: ready; exit 2: one line on stderr per missing server

It also installs what the pages' browser tests drive (Debian's chromium and chromedriver, axe-core
from npm) when it can.

Only the machine's own servers at their usual local addresses are started or changed; servers
named elsewhere (TEST_POSTGRES_URL, RABBIT_MANAGEMENT_URL) are only checked.
"""
import glob
import shutil
import subprocess
import sys
import time
from urllib.parse import urlsplit

import psycopg2
import requests
from kombu import Connection
from sqlalchemy.engine import make_url

from tests.system import MANAGEMENT, POSTGRES_ADMIN_URL

AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"  # where nameko's rabbit_config fixture looks
LOCAL = ("127.0.0.1", "localhost")
WAIT_SECONDS = 90


def _run(*command):
    """Run a command that changes a local server; True when it worked."""
    if shutil.which(command[0]) is None:
        return False
    try:
        return subprocess.run(command, capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _wait(check, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(1)
    return False


def postgres_ready():
    url = make_url(POSTGRES_ADMIN_URL)
    try:
        psycopg2.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, connect_timeout=3).close()
        return True
    except psycopg2.Error:
        return False


def rabbitmq_ready():
    try:
        with Connection(AMQP_URI, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
        return True
    except Exception:
        return False


def management_ready():
    try:
        return requests.get(f"{MANAGEMENT}/api/overview", timeout=3).status_code == 200
    except requests.RequestException:
        return False


def ensure_postgres():
    if postgres_ready():
        return None
    url = make_url(POSTGRES_ADMIN_URL)
    clusters = sorted(glob.glob("/etc/postgresql/*/main"))
    if url.host in LOCAL and (url.port or 5432) == 5432 and clusters:
        version = clusters[-1].split("/")[-2]
        print(f"preflight: starting PostgreSQL {version}", file=sys.stderr)
        if _run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start") and _wait(postgres_ready):
            return None
        return (f"PostgreSQL is not running at {url.host}:{url.port or 5432}: run "
                f"`sudo pg_ctlcluster {version} main start` (or set TEST_POSTGRES_URL)")
    return (f"PostgreSQL is not reachable at {url.render_as_string(hide_password=True)}: start it "
            "(`sudo pg_ctlcluster <version> main start`) or set TEST_POSTGRES_URL")


def ensure_rabbitmq():
    if not rabbitmq_ready():
        if shutil.which("rabbitmq-server") is None:
            return "RabbitMQ is not installed: run `sudo apt-get install rabbitmq-server` (or your system's equivalent)"
        print("preflight: starting RabbitMQ", file=sys.stderr)
        if not (_run("rabbitmq-server", "-detached") and _wait(rabbitmq_ready)):
            return "RabbitMQ is not running on 127.0.0.1:5672: run `sudo rabbitmq-server -detached`"
    if management_ready():
        return None
    if urlsplit(MANAGEMENT).port not in (None, 15672):
        address = urlsplit(MANAGEMENT)
        return (f"RabbitMQ's management API does not answer at {address.hostname}:{address.port}: "
                "enable it there, or set RABBIT_MANAGEMENT_URL")
    print("preflight: enabling RabbitMQ's management plugin", file=sys.stderr)
    if _run("rabbitmq-plugins", "-q", "enable", "rabbitmq_management") and _wait(management_ready):
        return None
    return "RabbitMQ's management plugin is off: run `sudo rabbitmq-plugins enable rabbitmq_management`"


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
AXE = "node_modules/axe-core/axe.min.js"


def ensure_browser():
    """Debian's chromium and chromedriver for the pages' browser tests, and axe-core from npm
    (package.json): installed when this can (root with apt; npm)."""
    import os
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    if missing and shutil.which("apt-get") and os.geteuid() == 0:
        print("preflight: installing chromium and chromium-driver (the pages' browser tests)", file=sys.stderr)
        _run("apt-get", "install", "-y", "-q", "chromium", "chromium-driver")
        missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    if missing:
        return "The pages' browser tests need Chromium: run `sudo apt-get install chromium chromium-driver`"
    if not shutil.which("nginx") and shutil.which("apt-get") and os.geteuid() == 0:
        # tests/e2e/test_proxy.py runs the compose nginx config with it (skipped without)
        print("preflight: installing nginx-light (the reverse proxy tests)", file=sys.stderr)
        _run("apt-get", "install", "-y", "-q", "nginx-light")
    if not os.path.exists(AXE):
        if shutil.which("npm"):
            print("preflight: npm ci (axe-core for the pages' browser tests)", file=sys.stderr)
            _run("npm", "ci", "--silent", "--no-audit", "--no-fund")
        if not os.path.exists(AXE):
            return "The pages' browser tests need axe-core: run `sudo apt-get install npm && npm ci`"
    return None


def main():
    problems = [problem for problem in (ensure_postgres(), ensure_rabbitmq(), ensure_browser()) if problem]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
