"""The launcher behind `make run`: every service as a child process, a crashed one restarted with
a backoff, and a stop that stops them all.

Stopping: the first SIGTERM or SIGINT starts the shutdown, each child gets one SIGTERM (nameko
finishes the workers in flight and hands unacknowledged messages back to RabbitMQ), and whatever
is still running after STOP_GRACE_SECONDS is killed. Further signals change nothing: GNU make
passes a SIGTERM sent to its process group on to the launcher, so the launcher and every child
see the same stop twice, and the second must not knock the launcher out of its wait-then-kill.

The children stay in the launcher's process group (a supervisor's `kill -TERM -<pgid>` reaches
them all) and ask the kernel for a SIGTERM should the launcher die without stopping them.
"""
import ctypes
import logging
import signal
import subprocess
import time

log = logging.getLogger("services.run")

# Below the 20 s a supervisor (docker: 10 s by default, systemd: 90 s) usually allows; a nameko
# worker still busy after this is killed and its message redelivered.
STOP_GRACE_SECONDS = 15
# After a crash: wait 1, 2, 4 … up to 60 s before the next start; a child that ran for a minute
# counts as healthy again.
FIRST_BACKOFF_SECONDS = 1
MAX_BACKOFF_SECONDS = 60
HEALTHY_AFTER_SECONDS = 60

_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child, before exec: SIGTERM when the launcher goes away, even by SIGKILL."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the process group still reaches them
        pass


class Child:
    """One service process the launcher keeps running."""

    def __init__(self, name, command, env, pass_fds=()):
        self.name, self.command, self.env, self.pass_fds = name, command, env, pass_fds
        self.process = None
        self.started = 0.0
        self.backoff = FIRST_BACKOFF_SECONDS
        self.restart_at = None

    def start(self):
        self.process = subprocess.Popen(self.command, env=self.env, pass_fds=self.pass_fds, preexec_fn=_die_with_parent)
        self.started = time.monotonic()
        self.restart_at = None

    def running(self):
        return self.process is not None and self.process.poll() is None

    def check(self, now):
        """Notice an exit and plan the restart; start again when its backoff is over."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                log.warning("restarting %s", self.name)
                self.start()
            return
        code = self.process.poll()
        if code is None:
            return
        if now - self.started >= HEALTHY_AFTER_SECONDS:
            self.backoff = FIRST_BACKOFF_SECONDS
        log.error("%s (pid %s) exited with code %s; restarting it in %s s",
                  self.name, self.process.pid, code, self.backoff)
        self.restart_at = now + self.backoff
        self.backoff = min(self.backoff * 2, MAX_BACKOFF_SECONDS)


class Supervisor:
    def __init__(self, children):
        self.children = children
        self.stop_signal = None

    def _on_signal(self, signum, _frame):
        if self.stop_signal is None:
            self.stop_signal = signum
        # A repeated stop (make passing the group's SIGTERM on, a second Ctrl-C) is the same stop.

    def run(self, on_started=lambda: None):
        """Start the children and keep them running until SIGTERM or SIGINT; then stop them all."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for child in self.children:
                if self.stop_signal is None:
                    child.start()
            on_started()
            while self.stop_signal is None:
                now = time.monotonic()
                for child in self.children:
                    if self.stop_signal is None:
                        child.check(now)
                time.sleep(0.2)
            log.info("stopping (%s)", signal.Signals(self.stop_signal).name)
        finally:
            self.stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def stop_all(self):
        running = [c for c in self.children if c.running()]
        for child in running:
            try:
                child.process.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in running:
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                log.error("%s (pid %s) did not stop within %s s: killed",
                          child.name, child.process.pid, STOP_GRACE_SECONDS)
                child.process.kill()
                child.process.wait()
        log.info("stopped")


def supervise(commands, env, on_started=lambda: None):
    """Run `commands` ([(name, argv)] or [(name, argv, descriptors to hand down)]) until a stop
    signal; returns the exit status for the launcher."""
    supervisor = Supervisor([Child(name, argv, env, *fds) for name, argv, *fds in commands])
    supervisor.run(on_started)
    return 0
