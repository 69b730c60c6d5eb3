"""Start Yhdessä's services, the way `make run` does.

    python -m services.run            # every service, each in its own process
    python -m services.run catalog    # one service in this process
    python -m services.run ping catalog   # exit 0 when it answers over the broker

Each service's schema is migrated before it starts. If RabbitMQ cannot be reached, one line says
so and how to start it.
"""
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

if sys.argv[1:]:
    # Running a service here: patch before anything else is imported, nameko runs on green
    # threads. The launcher of all services (no arguments) stays plain, so that its signal
    # handling and its waiting for the children are the ordinary, reliable kind.
    eventlet.monkey_patch()

import errno  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402

from shared import broker, logs, queues  # noqa: E402
from shared.config import (  # noqa: E402
    DATABASE_URL_NAMES, ConfigurationError, require_strong_staff_bootstrap_token, service_config, setting)
from services import copies  # noqa: E402
from services.gateway.listener import INHERITED_FD, PortInUse, open_listener  # noqa: E402
from services.supervisor import supervise  # noqa: E402
from shared.helsinki import parse_quiet_hours  # noqa: E402

SERVICES = {
    "catalog": "services.catalog.service:CatalogService",
    "registration": "services.registration.service:RegistrationService",
    "notifications": "services.notifications.service:NotificationsService",
    "gateway": "services.gateway.service:GatewayService",
}
# Consumers first: an event published before its consumer's queue exists would be held back
# by the outbox until it does, so the order only saves a delay.
START_ORDER = ("notifications", "registration", "catalog", "gateway")


def broker_reachable(amqp_uri, timeout=3):
    """Whether any node AMQP_URI lists answers."""
    try:
        with broker.connect(amqp_uri, connect_timeout=timeout):
            return True
    except Exception:
        return False


def require_broker():
    amqp_uri = setting("AMQP_URI")
    if not broker_reachable(amqp_uri):
        print(f"RabbitMQ is not reachable at {broker.shown(amqp_uri)}: start it with `rabbitmq-server -detached`, "
              f"or set AMQP_URI.", file=sys.stderr)
        raise SystemExit(2)


def run_one(name):
    """Migrate and run one service in this process until SIGTERM or SIGINT (once or more)."""
    from shared.migrations import upgrade

    stop = _StopOnSignal()  # from here on: a stop during the start-up is honoured once started
    logs.configure(name, setting("LOG_LEVEL"))
    if name in DATABASE_URL_NAMES:
        upgrade(name, setting(DATABASE_URL_NAMES[name]))
        try:  # its RPC queue: every queue it declares has the same type
            queues.require_unchanged(setting("AMQP_URI"), f"rpc-{name}", queues.queue_type(setting("QUEUE_TYPE")))
        except ConfigurationError as exc:
            raise SystemExit(str(exc))
    module_name, class_name = SERVICES[name].split(":")
    service_class = getattr(importlib.import_module(module_name), class_name)
    logging.getLogger(__name__).info("starting %s", name)
    serve(service_class, service_config(name), stop)


class _StopOnSignal:
    """nameko's `run` stops its runner again on every SIGTERM (the second fails with
    `AssertionError: Trying to re-send() an already-triggered event` from its timer) and kills
    the workers in flight on a second Ctrl-C. Here any number of SIGTERMs and SIGINTs is one
    stop: GNU make passes its group's SIGTERM on, so a service sees the same stop twice."""

    def __init__(self):
        self.requested = False
        self.runner = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, _signum, _frame):
        if not self.requested:
            self.requested = True
            if self.runner is not None:
                self._stop()

    def started(self, runner):
        self.runner = runner
        if self.requested:
            self._stop()

    def _stop(self):
        # signal handlers run on the hub's loop and must not block: stop in a green thread
        eventlet.spawn_n(self.runner.stop)


def serve(service_class, config, stop):
    """Run one nameko service until `stop` (a _StopOnSignal) stops it."""
    from nameko.runners import ServiceRunner

    runner = ServiceRunner(config)
    runner.add_service(service_class)
    runner.start()
    stop.started(runner)
    waiting = eventlet.spawn(runner.wait)
    while True:
        try:
            waiting.wait()
            break
        except OSError as exc:  # a signal while the hub waited on a socket
            if exc.errno != errno.EINTR:
                raise
    logging.getLogger(__name__).info("stopped")


def run_all():
    """Every service as its own process (or several: services/copies.py), a crashed one restarted;
    SIGTERM or Ctrl-C stops them all (services/supervisor.py). The gateway's copies accept on one
    socket opened here (services/gateway/listener.py)."""
    from shared.migrations import upgrade

    logs.configure("launcher", setting("LOG_LEVEL"))
    for signum in (signal.SIGTERM, signal.SIGINT):  # stopped while migrating: no child yet, just leave
        signal.signal(signum, lambda *_: sys.exit(0))
    try:
        wanted = copies.wanted()
        port = open_listener(setting("GATEWAY_HOST"), int(setting("GATEWAY_PORT")), int(setting("HTTP_LISTEN_BACKLOG")))
    except (ValueError, PortInUse) as exc:
        raise SystemExit(str(exc))
    # Once, before any copy starts: two copies migrating the same database at once would race.
    for name, url_name in DATABASE_URL_NAMES.items():
        try:
            upgrade(name, setting(url_name))
        except Exception as exc:
            print(f"could not create or upgrade the {name} database ({url_name}): {exc}", file=sys.stderr)
            raise SystemExit(2)
    env = {**os.environ, **copies.shared_secrets(), INHERITED_FD: str(port.fileno())}
    commands = [(name, [sys.executable, "-m", "services.run", name], (port.fileno(),) if name == "gateway" else ())
                for name in START_ORDER for _ in range(wanted[name])]
    logging.getLogger(__name__).info("copies: %s", ", ".join(f"{name} {wanted[name]}" for name in START_ORDER))

    def started():
        print(f"Yhdessä is starting: http://{setting('GATEWAY_HOST')}:{setting('GATEWAY_PORT')}/health "
              "(Ctrl-C stops it)", flush=True)

    raise SystemExit(supervise(commands, env, started))


def ping(name, timeout=5):
    """Exit 0 when `name` answers an RPC ping over the broker (for container health checks)."""
    from nameko.standalone.rpc import ServiceRpcProxy

    try:
        with eventlet.Timeout(timeout), ServiceRpcProxy(name, {"AMQP_URI": setting("AMQP_URI")}) as service:
            service.ping()
    except (Exception, eventlet.Timeout) as exc:
        raise SystemExit(f"{name} does not answer: {exc!r}")


def main(argv):
    try:
        require_strong_staff_bootstrap_token(setting("STAFF_BOOTSTRAP_TOKEN"))
        parse_quiet_hours(setting("QUIET_HOURS"))  # a bad one stops the start, not the first night
        queues.queue_type(setting("QUEUE_TYPE"))
    except (ConfigurationError, ValueError) as exc:
        raise SystemExit(str(exc))
    require_broker()
    if argv[:1] == ["ping"] and len(argv) == 2:
        ping(argv[1])
    elif argv:
        if argv[0] not in SERVICES:
            raise SystemExit(f"unknown service {argv[0]!r}; one of {', '.join(SERVICES)}")
        run_one(argv[0])
    else:
        run_all()


if __name__ == "__main__":
    main(sys.argv[1:])
