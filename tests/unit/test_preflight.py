"""`make test`'s preflight: where it cannot start what the tests need, one line says what to run,
and servers named elsewhere than the machine's usual addresses are left alone."""
import subprocess
import sys

from shared.config import REPO_ROOT
from tests.system import base_environment, free_port


def test_servers_that_are_not_there_are_each_named_in_one_line_with_what_to_do():
    env = {**base_environment(),
           "TEST_POSTGRES_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/postgres",
           "RABBIT_MANAGEMENT_URL": f"http://guest:secret@127.0.0.1:{free_port()}"}
    result = subprocess.run([sys.executable, "-m", "tests.preflight"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    postgres, management = result.stderr.strip().splitlines()
    assert postgres.startswith("PostgreSQL is not reachable") and "TEST_POSTGRES_URL" in postgres
    assert management.startswith("RabbitMQ's management API does not answer") and "secret" not in management
