"""Loaded first of all pytest plugins (`-p tests.green` in pyproject.toml): eventlet must patch
the standard library before anything imports ssl or socket, and installed pytest plugins
(schemathesis, anyio) import them before the root conftest.py is read."""
import warnings

# Filter by message: naming eventlet's warning class would import eventlet too early.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import os  # noqa: E402

# trio (which selenium brings) cannot be imported once eventlet has patched socket; hypothesis
# would import it through trio's "hypothesis" plugin, anyio's pytest plugin (-p no:anyio) too.
os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")
