"""The pages in a real browser: Debian's Chromium driven by Selenium against the one end-to-end
system of the run (`system`, tests/conftest.py).

Two browsers for the whole session (each costs about half a second to start): `browser` with
JavaScript off, in which residents' paths are walked, and `checker` with JavaScript on, which
runs axe-core (tests/browser/browser.py says why two). Each test starts with empty cookie jars in
both, as a new visitor. Where Chromium or axe-core is missing the tests fail, with the one line
to run: a skipped accessibility proof would pass unnoticed in CI."""
import pytest

from tests.browser.browser import chromium, missing_tools


@pytest.fixture(scope="session")
def _tools():
    missing = missing_tools()
    if missing:
        pytest.fail(missing, pytrace=False)


@pytest.fixture(scope="session")
def _browser(_tools, system):
    with chromium(system.base_url, javascript=False) as browser:
        yield browser


@pytest.fixture(scope="session")
def _checker(_tools, system):
    with chromium(system.base_url, javascript=True) as checker:
        yield checker


@pytest.fixture
def browser(_browser):
    """Chromium with JavaScript off, as a new visitor."""
    _browser.forget()
    return _browser


@pytest.fixture
def checker(_checker):
    """Chromium with JavaScript on (for axe-core), as a new visitor."""
    _checker.forget()
    return _checker
