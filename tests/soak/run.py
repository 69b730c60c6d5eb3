"""`make soak`: a steady 100 sign-ups per second for SOAK_MINUTES (60 by default) against the
system as `make run` starts it (the launcher and its service processes) on PostgreSQL, with two
faults in the middle: at a third of the time the RabbitMQ node restarts (a node of the soak's own,
tests/rabbitmq_node.py: the machine's shared broker is never touched), at two thirds
notifications is SIGKILLed (the launcher starts it again).

At the end it checks what a resident would notice and prints one table (the same figures go to
var/soak/latest.json and var/soak/<when>/):
- nothing lost: every accepted sign-up (201) has its confirmation at the Twilio double;
- nothing twice: no number got two messages;
- memory flat: each service process's resident memory, sampled over the run, has no growth
  trend past warm-up.
Exit status 0 when all three hold.

    python -m tests.soak.run [--minutes 60] [--rate 100] [--clients 60]
"""
import argparse
import collections
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

from shared.config import REPO_ROOT, VAR_DIR
from tests.bench.run import percentile, warm_up
from tests.e2e.helpers import create_event
from tests.rabbitmq_node import RabbitMQNode, why_unavailable
from tests.soak import memory
from tests.system import postgres_databases, start_system

SERVICES = ("notifications", "registration", "catalog", "gateway")
FIRST_NUMBER = 2000000
EVENT_CAPACITY = 100000  # the most an event may have (shared/api.py)


def soak(system, node, workdir, minutes, rate, clients):
    seconds = minutes * 60
    total = int(seconds * rate)
    events = [create_event(system, capacity=EVENT_CAPACITY) for _ in range(total // EVENT_CAPACITY + 1)]
    for n, event in enumerate(events):
        warm_up(system, event["id"], n)
    system.sms.wait_for(len(events), timeout=60)
    sms_before = len(system.sms.all())

    answers_path = workdir / "answers.jsonl"
    load = subprocess.Popen([sys.executable, "-m", "tests.bench.load", "--base-url", system.base_url,
                             "--events", ",".join(e["id"] for e in events), "--total", str(total),
                             "--clients", str(clients), "--first-number", str(FIRST_NUMBER),
                             "--rate", str(rate), "--out", str(answers_path)], cwd=REPO_ROOT)
    began = time.monotonic()
    faults = [(seconds / 3, "RabbitMQ restart", lambda: node.restart(down_seconds=5)),
              (2 * seconds / 3, "notifications SIGKILL", lambda: kill_notifications(system))]
    every = max(5.0, seconds / 120)
    samples, done_faults, next_sample = [], [], 0.0
    while load.poll() is None:
        now = time.monotonic() - began
        if faults and now >= faults[0][0]:
            at, name, fault = faults.pop(0)
            print(f"{now:7.0f} s  {name}", flush=True)
            fault()
            done_faults.append({"fault": name, "at_s": round(now, 1), "took_s": round(time.monotonic() - began - now, 1)})
        if now >= next_sample:
            samples.append(memory.sample(system, SERVICES, began))
            next_sample = now + every
        time.sleep(0.5)
    if load.returncode != 0:
        raise RuntimeError(f"the load generator failed ({load.returncode})")
    load_seconds = time.monotonic() - began

    answers = [json.loads(line) for line in answers_path.read_text().splitlines()]
    accepted = [a for a in answers if a["http"] == 201]
    accepted_numbers = {a["phone"] for a in accepted}
    deadline = time.monotonic() + 300
    # until every accepted sign-up is told (not a count of messages: a 503 that was done anyway is
    # told too, and would end the wait before a late one arrived, e.g. one re-sent after a kill)
    while not accepted_numbers <= {m["To"] for m in system.sms.all()[sms_before:]} and time.monotonic() < deadline:
        samples.append(memory.sample(system, SERVICES, began))
        time.sleep(2)
    time.sleep(5)  # anything sent twice would have arrived by now
    samples.append(memory.sample(system, SERVICES, began))
    messages = system.sms.all()[sms_before:]
    per_number = collections.Counter(m["To"] for m in messages)
    latencies = [(a["ended"] - a["started"]) * 1000 for a in answers]
    trends = memory.trends(samples)
    return {
        "minutes": minutes, "rate_asked": rate, "clients": clients, "faults": done_faults,
        "sign_ups": len(answers), "load_seconds": round(load_seconds, 1),
        "sign_ups_per_second": round(len(answers) / load_seconds, 1),
        "answers": dict(collections.Counter(str(a["http"]) for a in answers)),
        "http_ms": {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "max": max(latencies)},
        "accepted": len(accepted), "messages": len(messages),
        "lost": sorted(accepted_numbers - set(per_number)),
        "twice": sorted(number for number, count in per_number.items() if count > 1),
        "not_accepted_but_told": sorted(set(per_number) - accepted_numbers),
        "memory": trends, "memory_flat": {key: memory.flat(t) for key, t in trends.items()},
        "memory_samples": samples,
    }


def kill_notifications(system):
    for pid in system.service_pids("notifications"):
        os.kill(pid, signal.SIGKILL)


def report(results):
    rows = [
        ("Steady load", f"{results['sign_ups']} sign-ups in {results['load_seconds']:.0f} s "
                        f"({results['sign_ups_per_second']:.0f}/s, asked {results['rate_asked']:.0f}/s)"),
        ("  answers", ", ".join(f"{k}: {v}" for k, v in sorted(results["answers"].items()))),
        ("  HTTP latency p50 / p99 / max", "{p50:.0f} / {p99:.0f} / {max:.0f} ms".format(**results["http_ms"])),
        ("  faults", ", ".join(f"{f['fault']} at {f['at_s']:.0f} s" for f in results["faults"])),
        ("Nothing lost", ("ok" if not results["lost"] else f"WRONG: {len(results['lost'])} accepted, never told")
         + f" ({results['messages']} messages for {results['accepted']} accepted)"),
        ("Nothing twice", "ok" if not results["twice"] else f"WRONG: {len(results['twice'])} told twice"),
    ]
    if results["not_accepted_but_told"]:
        rows.append(("  told without a 201", f"{len(results['not_accepted_but_told'])} (an error answer that was done anyway)"))
    rows.append(("Memory past warm-up", "start → end MB, trend" + ("" if all(results["memory_flat"].values()) else "  GROWING")))
    for key, trend in sorted(results["memory"].items()):
        rows.append((f"  {key}", f"{trend['after_warm_up_mb']:.0f} → {trend['end_mb']:.0f} MB, "
                                 f"{trend['trend_mb_per_hour']:+.1f} MB/h "
                                 f"({'flat' if results['memory_flat'][key] else 'GROWING'})"))
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        print(f"{label:<{width}}{value}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 60)))
    parser.add_argument("--rate", type=float, default=100.0, help="sign-ups per second")
    parser.add_argument("--clients", type=int, default=60, help="concurrent HTTP clients of the load generator")
    args = parser.parse_args(argv)
    unavailable = why_unavailable()
    if unavailable:
        raise SystemExit(f"make soak {unavailable}")

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    workdir = VAR_DIR / "soak" / stamp
    workdir.mkdir(parents=True)
    print(f"soak: {args.rate:.0f} sign-ups/s for {args.minutes:g} min; logs in {workdir}", flush=True)
    with RabbitMQNode() as node, postgres_databases("yhdessa_soak") as urls:
        system, stop = start_system(workdir, urls, amqp_uri=node.amqp_uri, RATE_LIMITS="off")
        try:
            results = soak(system, node, workdir, args.minutes, args.rate, args.clients)
        finally:
            stop()
    results["when"] = stamp
    print()
    report(results)
    for path in (workdir / "results.json", VAR_DIR / "soak" / "latest.json"):
        path.write_text(json.dumps(results, indent=2))
    print(f"\nfigures: {VAR_DIR / 'soak' / 'latest.json'}")
    held = not results["lost"] and not results["twice"] and all(results["memory_flat"].values())
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
