"""Loaded first of all pytest plugins (`-p tests.green` in pyproject.toml): eventlet must patch
the standard library before anything imports ssl or socket, and installed pytest plugins
(schemathesis, anyio) import them before the root conftest.py is read."""
import warnings

# Filter by message: naming eventlet's warning class would import eventlet too early.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()
