"""A RabbitMQ node of a test's own, on ports of its own, for tests that stop or restart the broker:
the machine's shared node (5672) is never touched.

    with RabbitMQNode() as node:
        start_system(tmp_path, amqp_uri=node.amqp_uri)
        node.restart()

The recipe is STACK-NOTES' (checked with RabbitMQ 3.10): the machine's rabbitmq.conf pins the
listener to 5672, so the node gets a config file of its own, its own mnesia, log and plugin files
in a folder the `rabbitmq` user owns, and a node name and distribution port of its own. No
management plugin: the system runs in the node's default vhost.
"""
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from tests.system import free_port


def why_unavailable():
    """Why a node of our own cannot be started here, or None when it can."""
    if shutil.which("rabbitmq-server") is None or shutil.which("rabbitmqctl") is None:
        return "needs rabbitmq-server installed (a node of the test's own is started on other ports)"
    return None


class RabbitMQNode:
    """`config`: more lines for the node's rabbitmq.conf (e.g. `load_definitions = <file>`, a
    file the test puts in `home` before the node starts)."""

    def __init__(self, config=""):
        self.config = config
        self.port, self.dist_port = free_port(), free_port()
        self.name = f"yhdessa-{uuid.uuid4().hex[:8]}@localhost"
        self.amqp_uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        self.home = Path(tempfile.mkdtemp(prefix="yhdessa-rabbit-"))

    def _env(self):
        config, plugins = self.home / "rabbitmq.conf", self.home / "enabled_plugins"
        return {**os.environ, "RABBITMQ_NODENAME": self.name, "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port), "RABBITMQ_CONFIG_FILE": str(config),
                "RABBITMQ_MNESIA_BASE": str(self.home / "mnesia"), "RABBITMQ_LOG_BASE": str(self.home / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins), "RABBITMQ_PID_FILE": str(self.home / "node.pid")}

    def ctl(self, *args, timeout=120):
        subprocess.run(["rabbitmqctl", "-q", "-n", self.name, *args], check=True, capture_output=True,
                       timeout=timeout, env=self._env())

    def start(self):
        (self.home / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n{self.config}")
        (self.home / "enabled_plugins").write_text("[].\n")
        for folder in ("mnesia", "log"):
            (self.home / folder).mkdir(exist_ok=True)
        if os.geteuid() == 0:  # the server drops to the rabbitmq user, which must own its files
            user = pwd.getpwnam("rabbitmq")
            for path in [self.home, *self.home.rglob("*")]:
                os.chown(path, user.pw_uid, user.pw_gid)
        subprocess.run(["rabbitmq-server", "-detached"], check=True, capture_output=True, timeout=60, env=self._env())
        # `wait` (not await_startup, which fails while the node is not yet known to epmd)
        self.ctl("wait", str(self.home / "node.pid"), "--timeout", "120", timeout=150)
        return self

    def restart(self, down_seconds=0):
        """Stop the broker application (every connection drops) and start it again."""
        import time

        self.ctl("stop_app")
        time.sleep(down_seconds)
        self.ctl("start_app")
        self.ctl("await_startup", "--timeout", "120", timeout=150)

    def stop(self):
        try:
            self.ctl("stop", timeout=120)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pid_file = self.home / "node.pid"
            if pid_file.exists():
                try:
                    os.kill(int(pid_file.read_text().strip()), 9)
                except (ValueError, ProcessLookupError):
                    pass
        finally:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_):
        self.stop()
