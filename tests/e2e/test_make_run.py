"""`make run` itself: what it says when the broker is not there, that a stop stops everything
however it is sent, and that a crashed service is started again instead of taking the rest down."""
import json
import os
import signal
import subprocess
import sys

import eventlet
import pytest
import requests

from shared.config import REPO_ROOT
from tests.conftest import wait_until
from tests.e2e.helpers import create_event, resident_name, sign_up
from tests.system import base_environment, free_port, processes_in_group, start_system

pytestmark = pytest.mark.e2e

SERVICES = ("notifications", "registration", "catalog", "gateway")


def test_without_rabbitmq_make_run_says_so_in_one_line_with_how_to_start_it():
    env = {**base_environment(), "AMQP_URI": f"amqp://guest:secret@127.0.0.1:{free_port()}/"}
    result = subprocess.run([sys.executable, "-m", "services.run"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "RabbitMQ is not reachable" in line and "rabbitmq-server -detached" in line
    assert "secret" not in line


def log_entries(system):
    entries = []
    for line in open(system.log.name, encoding="utf-8"):
        try:
            entries.append(json.loads(line))
        except ValueError:
            pass  # make's own lines
    return entries


def launcher_said(system, text):
    return any(e.get("service") == "launcher" and text in e["msg"] for e in log_entries(system))


@pytest.fixture
def make_run(tmp_path):
    system, stop = start_system(tmp_path, make=True, LOG_LEVEL="INFO")
    try:
        yield system
    finally:
        stop()


@pytest.mark.parametrize("to, signum, times", [
    # the usual stop (Ctrl-C in a terminal) in make test; the other seven ways in make test-long
    pytest.param(to, signum, times, id=f"{to}-{signum.name}-{'once' if times == 1 else 'twice'}",
                 marks=() if (to, signum, times) == ("process-group", signal.SIGINT, 1) else pytest.mark.long)
    for to in ("process-group", "launcher") for signum in (signal.SIGTERM, signal.SIGINT) for times in (1, 2)])
def test_a_stop_signal_to_make_run_stops_every_service_cleanly_and_leaves_no_process(make_run, to, signum, times):
    system = make_run
    make = system.processes["all"]
    group = system.group()
    [launcher] = [pid for pid, command in group.items() if command.endswith("-m services.run")]
    assert sorted(name for name in SERVICES for _ in system.service_pids(name)) == sorted(SERVICES)

    def send():
        if to == "process-group":  # what a supervisor, `timeout`, systemd or CI sends
            os.killpg(make.pid, signum)
        else:
            os.kill(launcher, signum)

    send()
    if times == 2:
        # the launcher has taken the first as its stop before the second comes (two signals
        # sent at once would be merged into one by the kernel)
        wait_until(lambda: launcher_said(system, "stopping"), message="the launcher to start stopping")
        send()
    wait_until(lambda: make.poll() is not None and not processes_in_group(make.pid), timeout=20,
               message=f"every process of make run to end; left: {processes_in_group(make.pid)}")

    log = open(system.log.name, encoding="utf-8").read()
    assert "Traceback" not in log and "AssertionError" not in log
    entries = log_entries(system)
    stopped = sorted(e["service"] for e in entries if e["msg"] == "stopped" and e.get("service") != "launcher")
    assert stopped == sorted(SERVICES), "each service stops on its own, none is killed"
    assert not any(e["level"] == "ERROR" for e in entries), [e for e in entries if e["level"] == "ERROR"]


def test_a_crashed_service_is_started_again_and_the_others_keep_running(make_run):
    system = make_run
    [notifications] = system.service_pids("notifications")
    others = {name: system.service_pids(name) for name in ("registration", "catalog", "gateway")}
    os.kill(notifications, signal.SIGKILL)

    [restarted] = wait_until(lambda: [p for p in system.service_pids("notifications") if p != notifications],
                             timeout=30, message="notifications to be started again")
    assert launcher_said(system, "notifications") and launcher_said(system, "restarting it in 1 s")
    assert {name: system.service_pids(name) for name in others} == others
    event = create_event(system)
    assert sign_up(system, event["id"], {"name": "Maija", "phone": "0407771234"}).status_code == 201
    [sms] = system.sms.wait_for(1, timeout=30)
    assert sms["To"] == "+358407771234"
    assert system.service_pids("notifications") == [restarted]


def test_services_stop_by_themselves_when_the_launcher_is_killed(make_run):
    system = make_run
    make = system.processes["all"]
    [launcher] = [pid for pid, command in system.group().items() if command.endswith("-m services.run")]
    os.kill(launcher, signal.SIGKILL)  # no chance to stop its children: the kernel tells them
    wait_until(lambda: make.poll() is not None and not processes_in_group(make.pid), timeout=20,
               message=f"the services to stop; left: {processes_in_group(make.pid)}")
    stopped = sorted(e["service"] for e in log_entries(system) if e["msg"] == "stopped")
    assert stopped == sorted(SERVICES)


@pytest.mark.long
def test_sign_ups_in_flight_at_a_stop_are_each_confirmed_once_after_the_next_start(tmp_path):
    # SMS at 5 per second: when the stop comes, notifications has workers waiting for their slot
    # (they finish) and may have messages it has not taken yet (they go back to RabbitMQ).
    system, stop = start_system(tmp_path, make=True, SMS_RATE_PER_SECOND="5", LOG_LEVEL="INFO")
    try:
        event = create_event(system, capacity=100)
        assert sign_up(system, event["id"], {"name": "Eka", "phone": "0407760999"}).status_code == 201
        accepted = ["+358407760999"]

        def resident(n):
            try:
                answer = sign_up(system, event["id"], {"name": resident_name("Asukas", n), "phone": f"0407760{n:03d}"})
            except requests.RequestException:
                return  # the gateway went away under it: no answer, no promise
            if answer.status_code == 201:
                accepted.append(f"+358407760{n:03d}")

        pool = eventlet.GreenPool(10)
        for n in range(40):
            pool.spawn(resident, n)
        wait_until(lambda: len(accepted) >= 15, timeout=30, message="sign-ups before the stop")
        make = system.processes.pop("all")
        os.killpg(make.pid, signal.SIGTERM)
        pool.waitall()
        wait_until(lambda: make.poll() is not None and not processes_in_group(make.pid), timeout=20,
                   message="make run to stop")

        system.start(make=True)
        system.wait_healthy()
        system.sms.wait_for(len(accepted), timeout=60)
        eventlet.sleep(2)  # anything sent twice would have arrived by now
        told = [m["To"] for m in system.sms.all()]
        assert len(told) == len(set(told)), "nobody is told twice"
        assert set(accepted) <= set(told), "every accepted sign-up is confirmed"
        assert "Traceback" not in open(system.log.name, encoding="utf-8").read()
    finally:
        stop()
