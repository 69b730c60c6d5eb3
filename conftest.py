"""Root conftest: eventlet is monkey-patched before anything else is imported, by tests/green.py,
which pyproject.toml loads as the first pytest plugin."""
import tests.green  # noqa: F401  (also when pytest runs without the project's addopts)
