"""What `make run` says when the broker is not there."""
import os
import subprocess
import sys

import pytest

from shared.config import REPO_ROOT
from tests.system import free_port

pytestmark = pytest.mark.e2e


def test_without_rabbitmq_make_run_says_so_in_one_line_with_how_to_start_it():
    env = {**os.environ, "AMQP_URI": f"amqp://guest:secret@127.0.0.1:{free_port()}/"}
    result = subprocess.run([sys.executable, "-m", "services.run"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "RabbitMQ is not reachable" in line and "rabbitmq-server -detached" in line
    assert "secret" not in line
