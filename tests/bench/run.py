"""`make bench`: how fast sign-ups and notifications flow, against what the machine allows.

Starts every service as its own process on PostgreSQL with an unthrottled Twilio double, drives it
over HTTP from a separate load-generating process, and prints one table (the same figures go to
var/bench/latest.json):

1. opening rush: concurrent clients sign up for a handful of events: sign-ups per second, HTTP
   latency, and the time from each 201 to its confirmation reaching the Twilio double; the counts
   are checked (nobody over capacity, one message per accepted sign-up);
2. event cancelled: one event's registrants all told: time to the last message, messages/s;
3. the residents' web pages: the event list read, and sign-ups through the event page's form (the
   page read for its form token, then the form posted), pages per second, each by itself;
4. peak resident memory of each service process;
5. the machine's limits measured in the same run (RabbitMQ confirmed persistent messages,
   PostgreSQL single-row commits) and each figure's ratio to them, and the stack's own floor:
   the CPU an empty nameko RPC call and an empty event cost, before any of our code runs.

    python -m tests.bench.run [--quick] [--sign-ups 10000] [--clients 50] [--cancelled 5000] [--copies gateway=2]
                              [--page-reads 3000] [--form-sign-ups 1000] [--sms-rate N]

The system runs with the project's defaults (shared/config.py) but for the limits against abuse;
`--sms-rate` sets SMS_RATE_PER_SECOND to see what a rate of our own does.
"""
import argparse
import collections
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from shared.config import DEFAULTS, REPO_ROOT, VAR_DIR
from tests.bench import floor, raw
from tests.e2e.helpers import create_event
from tests.system import create_postgres_database, drop_postgres_databases, start_system

SERVICES = ("notifications", "registration", "catalog", "gateway")
EVENTS = 5


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def drive(system, workdir, name, event_ids, total, clients, first_number):
    out = workdir / f"{name}.jsonl"
    subprocess.run([sys.executable, "-m", "tests.bench.load", "--base-url", system.base_url,
                    "--events", ",".join(event_ids), "--total", str(total), "--clients", str(clients),
                    "--first-number", str(first_number), "--out", str(out)], cwd=REPO_ROOT, check=True)
    return [json.loads(line) for line in out.read_text().splitlines()]


def warm_up(system, event_id, number):
    """One sign-up, retried until registration knows the just-published event."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = system.call("POST", f"/api/events/{event_id}/registrations",
                               json={"name": "Lämmittely", "phone": f"050{number:07d}"})
        if response.status_code == 201:
            return
        time.sleep(0.05)
    raise RuntimeError("registration never learnt of the event")


def cpu_seconds():
    """CPU time used so far by each part of the system on this machine: our services, RabbitMQ,
    PostgreSQL, and the doubles and load generator that stand in for the outside world."""
    parts = {"services.run ": None, "beam.smp": "rabbitmq", "postgres": "postgresql",
             "tests.doubles": "doubles", "tests.bench.load": "load generator"}
    used = collections.Counter()
    ticks = os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for pattern, name in parts.items():
            if pattern in command:
                used[name or command.split()[-1]] += (int(fields[11]) + int(fields[12])) / ticks
                break
    return used


def opening_rush(system, workdir, total, clients):
    capacity = (total * 19 // 20) // EVENTS - 20  # most get a seat, some the waiting list, some are refused
    events = [create_event(system, capacity=capacity, waitlist_capacity=20) for _ in range(EVENTS)]
    sms_before = len(system.sms.all())
    for n, event in enumerate(events):
        warm_up(system, event["id"], n)
    system.sms.wait_for(sms_before + EVENTS, timeout=60)
    sms_before += EVENTS

    cpu_before = cpu_seconds()
    answers = drive(system, workdir, "rush", [e["id"] for e in events], total, clients, 1000000)
    took = max(a["ended"] for a in answers) - min(a["started"] for a in answers)
    statuses = collections.Counter(a["http"] for a in answers)
    accepted = [a for a in answers if a["http"] == 201]
    latencies = [(a["ended"] - a["started"]) * 1000 for a in answers]

    messages = system.sms.wait_for(sms_before + len(accepted), timeout=600)[sms_before:]
    time.sleep(2)
    cpu_used = cpu_seconds() - cpu_before
    messages = system.sms.all()[sms_before:]
    arrived = {}
    for message in messages:
        arrived.setdefault(message["To"], message["received_at"])
    to_confirmation = [(arrived[a["phone"]] - a["ended"]) * 1000 for a in accepted if a["phone"] in arrived]
    times = sorted(m["received_at"] for m in messages)

    over_capacity = 0
    for event in events:
        roster = system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
        seats = sum(r["seats"] for r in roster if r["status"] == "confirmed")
        over_capacity += max(0, seats - event["capacity"])
    return {
        "sign_ups": total, "clients": clients, "seconds": took, "sign_ups_per_second": total / took,
        "answers": dict(statuses), "accepted": len(accepted),
        "http_ms": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99)},
        "to_confirmation_ms": {"p50": percentile(to_confirmation, 50), "p99": percentile(to_confirmation, 99)},
        "messages": len(messages), "messages_per_accepted": len(messages) / max(len(accepted), 1),
        "sms_per_second": sms_pace(times),
        "seats_over_capacity": over_capacity,
        # CPU per sign-up, each confirmation sent included; the load generator's own
        # process ended before the second reading, so it is not counted.
        "cpu_ms_per_sign_up": {name: seconds * 1000 / total for name, seconds in cpu_used.most_common()},
        "checks_pass": over_capacity == 0 and len(messages) == len(accepted) == len(set(arrived)),
    }


def sms_pace(times):
    """How fast SMS reached the Twilio double: on average from the first to the last, and in the
    busiest second (what SMS_RATE_PER_SECOND bounds)."""
    if len(times) < 2:
        return {"mean": float("nan"), "busiest_second": len(times)}
    busiest, start = 0, 0
    for end, arrived in enumerate(times):
        while arrived - times[start] >= 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    return {"mean": (len(times) - 1) / (times[-1] - times[0]), "busiest_second": busiest}


def event_cancelled(system, workdir, registrants, clients):
    event = create_event(system, capacity=registrants)
    before = len(system.sms.all())
    warm_up(system, event["id"], 99)
    drive(system, workdir, "cancel-setup", [event["id"]], registrants - 1, clients, 5000000)
    system.sms.wait_for(before + registrants, timeout=900)
    before = len(system.sms.all())
    cpu_before = cpu_seconds()
    started = time.time()
    assert system.call("POST", f"/api/events/{event['id']}/cancel", staff=True).status_code == 200
    told = system.sms.wait_for(before + registrants, timeout=900)[before:]
    last = max(m["received_at"] for m in told)
    cpu_used = cpu_seconds() - cpu_before
    return {"registrants": registrants, "seconds": last - started, "messages_per_second": registrants / (last - started),
            "messages": len(told), "each_told_once": len({m["To"] for m in told}) == registrants == len(told),
            "cpu_ms_per_message": {name: seconds * 1000 / registrants for name, seconds in cpu_used.most_common()}}


def drive_pages(system, workdir, kind, event_id, total, clients, first_number):
    out = workdir / f"pages-{kind}.jsonl"
    subprocess.run([sys.executable, "-m", "tests.bench.page_load", "--base-url", system.base_url, "--event", event_id,
                    "--kind", kind, "--total", str(total), "--clients", str(clients),
                    "--first-number", str(first_number), "--out", str(out)], cwd=REPO_ROOT, check=True)
    return [json.loads(line) for line in out.read_text().splitlines()]


def web_pages(system, workdir, reads, sign_ups, clients):
    """The list read `reads` times, then `sign_ups` residents signing up through the form, on the
    running system; the roster must hold exactly the 201s."""
    event = create_event(system, capacity=sign_ups + 10)
    warm_up(system, event["id"], 98)
    figures = {}
    for kind, total, first_number in (("list", reads, 0), ("sign-up", sign_ups, 7000000)):
        answers = drive_pages(system, workdir, kind, event["id"], total, clients, first_number)
        took = max(a["ended"] for a in answers) - min(a["started"] for a in answers)
        latencies = [(a["ended"] - a["started"]) * 1000 for a in answers]
        figures[kind] = {"total": total, "seconds": took, "per_second": total / took,
                         "answers": dict(collections.Counter(a["http"] for a in answers)),
                         "ms": {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}}
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", staff=True).json()
    figures["sign-up"]["checks_pass"] = len(roster) - 1 == figures["sign-up"]["answers"].get(201, -1) == sign_ups
    return {"clients": clients, **figures}


def peak_memory_mb(system):
    """{service: peak resident MB of its largest copy}."""
    peaks = {}
    for name in SERVICES:
        for pid in system.service_pids(name):
            status = Path(f"/proc/{pid}/status").read_text()
            kilobytes = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
            peaks[name] = max(peaks.get(name, 0), kilobytes / 1024)
    return peaks


# issue 18's goals: sign-ups a second end to end at 50 clients, cancellation messages a second
GOAL_SIGN_UPS, GOAL_MESSAGES = 1000, 1000
CORES = os.cpu_count() or 1
# what stands in for the outside world is not ours to spend
OUTSIDE = ("doubles", "load generator")


def against_goal(cpu_ms, goal, what):
    """(value, note): the most `what` a second this machine's cores allow at the measured CPU cost
    of one (ours, RabbitMQ's and PostgreSQL's), and how far that is from `goal`."""
    used = sum(ms for name, ms in cpu_ms.items() if name not in OUTSIDE)
    ceiling = CORES * 1000 / used if used else float("inf")
    budget = CORES * 1000 / goal
    verdict = ("in reach" if ceiling >= goal else
               f"out of reach by {goal / ceiling:.1f}x: {goal} a second needs <= {budget:.1f} ms, {used:.1f} used")
    return f"at most {ceiling:.0f} {what}/s on {CORES} cores", verdict


def report(results):
    rush, cancel, memory, limits = results["opening_rush"], results["event_cancelled"], results["memory_mb"], results["limits"]
    pages = results["web_pages"]
    rows = [
        ("Copies", ", ".join(f"{k} {v}" for k, v in results["copies"].items()), "(SERVICE_COPIES)"),
        ("Opening rush", f"{rush['sign_ups']} sign-ups, {rush['clients']} clients", ""),
        ("  sign-ups per second", f"{rush['sign_ups_per_second']:.0f}",
         f"{rush['sign_ups_per_second'] / limits['postgresql_commits_per_second']:.1%} of PostgreSQL commits/s"),
        ("  HTTP latency p50 / p95 / p99", "{p50:.0f} / {p95:.0f} / {p99:.0f} ms".format(**rush["http_ms"]), ""),
        ("  201 to SMS at Twilio p50 / p99", "{p50:.0f} / {p99:.0f} ms".format(**rush["to_confirmation_ms"]), ""),
        ("  SMS at Twilio per second, mean / busiest second",
         "{mean:.0f} / {busiest_second}".format(**rush["sms_per_second"]),
         f"SMS_RATE_PER_SECOND {results['sms_rate']:g}" if results["sms_rate"] else "SMS_RATE_PER_SECOND 0 (none)"),
        ("  answers", ", ".join(f"{k}: {v}" for k, v in sorted(rush["answers"].items())), ""),
        ("  counts", "ok" if rush["checks_pass"] else "WRONG",
         f"{rush['messages']} messages for {rush['accepted']} accepted, {rush['seats_over_capacity']} seats over"),
        ("  CPU per sign-up", ", ".join(f"{k} {v:.1f}" for k, v in rush["cpu_ms_per_sign_up"].items()) + " ms",
         f"({CORES} cores: the sum bounds the rate)"),
        ("  against the goal", *against_goal(rush["cpu_ms_per_sign_up"], GOAL_SIGN_UPS, "sign-ups")),
        ("Event cancelled", f"{cancel['registrants']} registrants", ""),
        ("  until the last is told", f"{cancel['seconds']:.1f} s", ""),
        ("  messages per second", f"{cancel['messages_per_second']:.0f}",
         f"{cancel['messages_per_second'] / limits['rabbitmq_published_per_second']:.1%} of RabbitMQ confirmed publishes/s"),
        ("  each told once", "ok" if cancel["each_told_once"] else "WRONG", ""),
        ("  CPU per message", ", ".join(f"{k} {v:.1f}" for k, v in cancel["cpu_ms_per_message"].items()) + " ms", ""),
        ("  against the goal", *against_goal(cancel["cpu_ms_per_message"], GOAL_MESSAGES, "messages")),
        ("Web pages", f"{pages['clients']} clients", ""),
        ("  event list, pages per second", f"{pages['list']['per_second']:.0f}",
         "p50 / p99 {p50:.0f} / {p99:.0f} ms".format(**pages["list"]["ms"])),
        ("  sign-ups through the form per second", f"{pages['sign-up']['per_second']:.0f}",
         "page and post; p50 / p99 {p50:.0f} / {p99:.0f} ms".format(**pages["sign-up"]["ms"])),
        ("  answers", "list " + ", ".join(f"{k}: {v}" for k, v in sorted(pages["list"]["answers"].items())) +
         "; form " + ", ".join(f"{k}: {v}" for k, v in sorted(pages["sign-up"]["answers"].items())),
         "ok" if pages["sign-up"]["checks_pass"] else "WRONG: the roster does not hold the 201s"),
        ("Peak memory", ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items()), ""),
        ("Limits of this machine", "", ""),
        ("  RabbitMQ persistent + confirms", f"{limits['rabbitmq_published_per_second']:.0f}/s published, "
                                             f"{limits['rabbitmq_consumed_per_second']:.0f}/s consumed", ""),
        ("  PostgreSQL single-row commits", f"{limits['postgresql_commits_per_second']:.0f}/s", ""),
    ]
    for kind, label in (("rpc", "  empty nameko RPC call, CPU"), ("event", "  empty nameko event, CPU")):
        cost = results["floor"][kind]["ms"]
        rows.append((label, f"{sum(cost.values()):.2f} ms", ", ".join(f"{k} {v:.2f}" for k, v in cost.items())))
    width = max(len(r[0]) for r in rows) + 2
    value_width = max(len(r[1]) for r in rows) + 2
    for label, value, note in rows:
        print(f"{label:<{width}}{value:<{value_width}}{note}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: well under a minute")
    parser.add_argument("--sign-ups", type=int)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cancelled", type=int)
    parser.add_argument("--page-reads", type=int, help="event list reads (web pages stage)")
    parser.add_argument("--form-sign-ups", type=int, help="sign-ups through the event page's form")
    parser.add_argument("--copies", default="",
                        help="SERVICE_COPIES for this run (e.g. gateway=2,notifications=2); "
                             "default: make run's, from the core count")
    parser.add_argument("--notifications-copies", type=int,
                        help="short for --copies notifications=N")
    parser.add_argument("--sms-rate", type=float, default=float(DEFAULTS["SMS_RATE_PER_SECOND"]),
                        help="SMS_RATE_PER_SECOND (default: the project's default)")
    args = parser.parse_args(argv)
    sign_ups = args.sign_ups or (1000 if args.quick else 10000)
    cancelled = args.cancelled or (300 if args.quick else 5000)
    raw_count = 2000 if args.quick else 10000
    page_reads = args.page_reads or (300 if args.quick else 3000)
    form_sign_ups = args.form_sign_ups or (100 if args.quick else 1000)

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    workdir = VAR_DIR / "bench" / stamp
    workdir.mkdir(parents=True)
    urls = {f"{s.upper()}_DATABASE_URL": create_postgres_database(f"yhdessa_bench_{s}")
            for s in ("catalog", "registration", "notifications")}
    raw_database = create_postgres_database("yhdessa_bench_raw")
    asked = args.copies or (f"notifications={args.notifications_copies}" if args.notifications_copies else "")
    # a load from one address, many sign-ups: the limits against abuse off (README, Security)
    settings = dict(SMS_RATE_PER_SECOND=f"{args.sms_rate:g}", RATE_LIMITS="off", MESSAGES_PER_NUMBER_PER_DAY="0",
                    SMS_DAILY_BUDGET="0", SERVICE_COPIES=asked)
    # started as make run starts it: the launcher, its copies (services/copies.py) on one port
    system, stop = start_system(workdir, urls, **settings)
    try:
        results = {"when": stamp, "quick": args.quick, "sms_rate": args.sms_rate,
                   "copies": {name: len(system.service_pids(name)) for name in SERVICES}}
        print("copies: " + ", ".join(f"{k} {v}" for k, v in results["copies"].items()), flush=True)
        print(f"opening rush: {sign_ups} sign-ups from {args.clients} clients …", flush=True)
        results["opening_rush"] = opening_rush(system, workdir, sign_ups, args.clients)
        print(f"event cancelled: {cancelled} registrants …", flush=True)
        results["event_cancelled"] = event_cancelled(system, workdir, cancelled, args.clients)
        print(f"web pages: {page_reads} list reads, {form_sign_ups} sign-ups through the form …", flush=True)
        results["web_pages"] = web_pages(system, workdir, page_reads, form_sign_ups, min(args.clients, 20))
        results["memory_mb"] = peak_memory_mb(system)
    finally:
        stop()
    print("the machine's limits …", flush=True)
    published, consumed = raw.rabbitmq(raw_count)
    results["limits"] = {"rabbitmq_published_per_second": published, "rabbitmq_consumed_per_second": consumed,
                         "postgresql_commits_per_second": raw.postgresql(raw_database, raw_count)}
    results["floor"] = floor.measure(raw_count)
    drop_postgres_databases(list(urls.values()) + [raw_database])
    print()
    report(results)
    for path in (workdir / "results.json", VAR_DIR / "bench" / "latest.json"):
        path.write_text(json.dumps(results, indent=2))
    print(f"\nfigures: {VAR_DIR / 'bench' / 'latest.json'}")


if __name__ == "__main__":
    main()
