"""Root conftest: eventlet must be monkey-patched before anything else is imported."""
import warnings

# Filter by message: naming eventlet's warning class would import eventlet too early.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()
