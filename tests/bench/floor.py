"""The framework's own floor: CPU per empty nameko RPC call and per empty event, measured on
this machine in the same run as the system, so the bench can say how much of a sign-up's CPU
is our work and how much the stack's.

    python -m tests.bench.floor serve AMQP_URI          # an echo service (run by the bench)
    python -m tests.bench.floor call AMQP_URI COUNT CLIENTS
    python -m tests.bench.floor dispatch AMQP_URI COUNT
"""
import sys

if __name__ == "__main__":
    import eventlet

    eventlet.monkey_patch()

import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import requests  # noqa: E402

from shared.config import REPO_ROOT  # noqa: E402
from tests.system import MANAGEMENT  # noqa: E402


def _cpu_of(pids):
    """{pid: CPU seconds so far} of those of `pids` still running (a test's own RabbitMQ node
    may come and go during the run: only processes there before and after are compared)."""
    import os
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def _used_since(before, after):
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def _broker_pids():
    out = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def measure(count=3000, clients=50, amqp_base="amqp://guest:guest@127.0.0.1:5672/"):
    """{"rpc_ms": {...}, "event_ms": {...}}: CPU milliseconds per empty RPC call (caller, callee,
    broker) and per empty event (dispatcher, handler, broker), and calls per second."""
    vhost = f"yhdessa-bench-floor-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10).raise_for_status()
    requests.put(f"{MANAGEMENT}/api/permissions/{vhost}/guest",
                 json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10).raise_for_status()
    uri = amqp_base + vhost
    server = subprocess.Popen([sys.executable, "-m", "tests.bench.floor", "serve", uri], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        server.stdout.readline()  # ready
        results = {}
        for kind, args in (("rpc", ["call", uri, str(count), str(clients)]), ("event", ["dispatch", uri, str(count)])):
            broker = _broker_pids()
            before = _cpu_of([server.pid]), _cpu_of(broker)
            started = time.perf_counter()
            driver = subprocess.run([sys.executable, "-m", "tests.bench.floor", *args], cwd=REPO_ROOT,
                                    capture_output=True, text=True, check=True)
            if kind == "event":  # wait for the handler to have taken them all
                server_line = server.stdout.readline()
                assert server_line.strip() == str(count), server_line
            elapsed = time.perf_counter() - started
            driver_cpu = float(driver.stdout.split()[-1])
            served, brokered = _used_since(before[0], _cpu_of([server.pid])), _used_since(before[1], _cpu_of(broker))
            results[kind] = {"per_second": count / elapsed,
                             "ms": {"sender": driver_cpu * 1000 / count, "receiver": served * 1000 / count,
                                    "rabbitmq": brokered * 1000 / count}}
        return results
    finally:
        server.terminate()
        server.wait()
        requests.delete(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10)


def _serve(uri):
    from nameko.containers import ServiceContainer
    from nameko.events import event_handler
    from nameko.rpc import rpc

    handled = [0]
    target = [None]

    class Echo:
        name = "floor"

        @rpc
        def echo(self, value):
            return value

        @event_handler("floor_source", "nothing_happened")
        def heard(self, payload):
            handled[0] += 1
            if handled[0] == target[0]:
                print(handled[0], flush=True)
                handled[0] = 0

        @rpc
        def expect(self, count):
            target[0] = count

    container = ServiceContainer(Echo, {"AMQP_URI": uri, "max_workers": 10})
    container.start()
    print("ready", flush=True)
    container.wait()


def _call(uri, count, clients):
    import resource

    from eventlet import GreenPool
    from nameko.standalone.rpc import ClusterRpcProxy

    # a standalone proxy is not for concurrent use: one per client, as the gateway's workers have
    proxies = [ClusterRpcProxy({"AMQP_URI": uri}) for _ in range(clients)]
    clusters = [proxy.start() for proxy in proxies]
    for cluster in clusters:
        cluster.floor.echo("warm")

    def client(cluster):
        for _ in range(count // clients):
            cluster.floor.echo({"x": "y" * 200})

    start = resource.getrusage(resource.RUSAGE_SELF)
    pool = GreenPool(clients)
    list(pool.imap(client, clusters))
    end = resource.getrusage(resource.RUSAGE_SELF)
    for proxy in proxies:
        proxy.stop()
    print((end.ru_utime + end.ru_stime) - (start.ru_utime + start.ru_stime))


def _dispatch(uri, count):
    import resource

    from nameko.standalone.events import event_dispatcher
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": uri}) as cluster:
        cluster.floor.expect(count)
    dispatch = event_dispatcher({"AMQP_URI": uri})
    start = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(count):
        dispatch("floor_source", "nothing_happened", {"x": "y" * 200})
    end = resource.getrusage(resource.RUSAGE_SELF)
    print((end.ru_utime + end.ru_stime) - (start.ru_utime + start.ru_stime))


if __name__ == "__main__":
    command, uri, *rest = sys.argv[1:]
    {"serve": lambda: _serve(uri), "call": lambda: _call(uri, int(rest[0]), int(rest[1])),
     "dispatch": lambda: _dispatch(uri, int(rest[0]))}[command]()
