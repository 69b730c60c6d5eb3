"""Driving Debian's Chromium through Selenium for the pages' browser tests, and what they check
with it: axe-core's WCAG 2.1 A/AA rules, horizontal scrolling at 320 px and at 200 % zoom,
full-page screenshots, and the keyboard (focus order, focus visible).

Playwright is not used: its sync API hangs under eventlet's monkey-patching, which every test
process has (tests/green.py). Selenium speaks plain HTTP to chromedriver and works under it.

Two browsers: one with JavaScript off, as a resident's old phone may be (the whole path runs in
it), and one with JavaScript on, only because axe-core is a script (with JavaScript off
execute_async_script never returns). Our pages have no script, so both see the same DOM."""
import base64
import contextlib
import os
import time
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from shared.config import REPO_ROOT

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW, WIDE = 320, 1280
PAGE_LOAD_SECONDS = 20
# what a keyboard can land on: every one must show where the focus is
FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])"


def missing_tools():
    """One line saying what to run when the browser, its driver or axe-core is not here, else None."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        return ("The pages' browser tests need Chromium: run `make preflight` "
                "(or `sudo apt-get install chromium chromium-driver`)")
    if not AXE.exists():
        return "The pages' browser tests need axe-core: run `npm ci` (or `make preflight`)"
    return None


def start_chromium(javascript):
    """A headless Chromium; with `javascript` False no page may run a script."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={WIDE},900"):
        options.add_argument(argument)
    # a phone set to Finnish (the pages' default anyway; the switch is tested by its links)
    prefs = {"intl.accept_languages": "fi-FI,fi"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
    driver.set_script_timeout(PAGE_LOAD_SECONDS)
    return driver


@contextlib.contextmanager
def chromium(base_url, javascript):
    """A Browser on a Chromium of its own (start_chromium), quit when the block ends."""
    driver = start_chromium(javascript=javascript)
    try:
        yield Browser(driver, base_url, javascript)
    finally:
        driver.quit()


class Browser:
    """A driver and the system's address: what a resident does, in a test's words."""

    def __init__(self, driver, base_url, javascript):
        self.driver, self.base_url, self.javascript = driver, base_url, javascript

    def forget(self):
        """A fresh cookie jar (no language chosen, no form token): as a new visitor."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    def open(self, path):
        self.driver.get(self.base_url + path)
        return self

    @property
    def path(self):
        return urlsplit(self.driver.current_url).path

    @property
    def url(self):
        """The current address without the system's base (path, query and fragment)."""
        return self.driver.current_url[len(self.base_url):]

    @property
    def lang(self):
        return self.one("html").get_attribute("lang")

    def one(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css="main"):
        return self.one(css).text

    def follow(self, css):
        """Click the link (or button) `css` and wait for the next page."""
        self._and_wait(self.one(css).click)
        return self

    def fill(self, name, value):
        field = self.one(f"[name='{name}']")
        field.clear()
        field.send_keys(str(value))
        return self

    def choose(self, name, value):
        self.one(f"input[name='{name}'][value='{value}']").click()
        return self

    def submit(self, form_css="form"):
        """Press the form's submit button and wait for the answer."""
        self._and_wait(self.one(f"{form_css} [type=submit]").click)
        return self

    def _and_wait(self, action):
        old = self.one("html")
        action()
        # the old page's root goes stale once the new one is there (the same check for GET and POST)
        WebDriverWait(self.driver, PAGE_LOAD_SECONDS).until(lambda d: _stale(old))


def _stale(element):
    try:
        element.tag_name
        return False
    except Exception:
        return True


# --- axe-core -------------------------------------------------------------------------------------

def axe_violations(browser, path=None):
    """axe-core's WCAG 2.1 A and AA violations on `path` (loaded first) or on the page shown, as
    readable lines: rule, impact, what it asks, and the elements (CSS selectors) that break it."""
    if not browser.javascript:
        raise AssertionError("axe-core is a script: run it in the browser with JavaScript on")
    if path is not None:
        browser.open(path)
    driver = browser.driver
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    try:
        violations = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
            ".then(r => done(r.violations), e => done([{id: 'axe-error', impact: String(e), help: '', nodes: []}]));",
            WCAG_21_AA)
    except TimeoutException as error:
        raise AssertionError(f"axe-core did not finish on {browser.url}") from error
    return [f"{browser.url}: {v['id']} ({v['impact']}): {v['help']} — "
            + ", ".join(" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                        for node in v["nodes"][:5])
            for v in violations]


# --- widths, zoom and screenshots --------------------------------------------------------------------

def _viewport(driver, width, scale=1, height=900):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False})


def _reset_viewport(driver):
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def horizontal_overflow(browser, width, scale=1):
    """How many CSS pixels the page shown is wider than a `width`-pixel window (0: no sideways
    scrolling). `scale` 2 at 640 px is a 1280 px screen at 200 % zoom."""
    driver = browser.driver
    _viewport(driver, width, scale)
    try:
        return driver.execute_script(
            "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth")
    finally:
        _reset_viewport(driver)


def reflow_problems(browser):
    """The page shown scrolls sideways at 320 px, or at 200 % zoom: lines saying so."""
    problems = []
    for width, scale, what in ((NARROW, 1, "320 px wide"), (640, 2, "200 % zoom")):
        extra = horizontal_overflow(browser, width, scale)
        if extra > 0:
            problems.append(f"{browser.url}: scrolls sideways by {extra} px at {what}")
    return problems


def screenshot(browser, name, width):
    """The whole page shown, `width` CSS pixels wide and as tall as it is, written to
    var/screenshots/<name>-<width>.png; returns the path."""
    driver = browser.driver
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _viewport(driver, width)
    try:
        height = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": max(1, int(height)), "scale": 1}})
    finally:
        _reset_viewport(driver)
    path = SCREENSHOTS / f"{name}-{width}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def look_at(browser, name):
    """Everything checked on the page shown, without loading it again: axe-core's violations,
    sideways scrolling at 320 px and 200 % zoom, and its screenshots at 320 and 1280 px.
    Returns the problems as lines (none: fine)."""
    problems = axe_violations(browser) + reflow_problems(browser)
    for width in (NARROW, WIDE):
        screenshot(browser, name, width)
    return problems


# --- the keyboard -----------------------------------------------------------------------------------

class Keyboard:
    """Tab, Shift+Tab, Enter, Space and typing, sent to whatever has the focus (no mouse), each
    focus stop checked: a visible control, its focus shown."""

    def __init__(self, browser):
        self.browser = browser
        self.driver = browser.driver

    def _press(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def tab(self):
        self._press(Keys.TAB)
        return self.focused()

    def shift_tab(self):
        ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        return self.focused()

    def type(self, text):
        self._press(text)

    def enter(self, wait=False):
        """Enter on the focused control; `wait`: it leads to another page."""
        self._keys_maybe_waiting(Keys.ENTER, wait)

    def space(self, wait=False):
        self._keys_maybe_waiting(Keys.SPACE, wait)

    def _keys_maybe_waiting(self, key, wait):
        if wait:
            self.browser._and_wait(lambda: self._press(key))
        else:
            self._press(key)

    def focused(self):
        """The element with the focus, checked to be a control a sighted keyboard user can see."""
        element = self.driver.switch_to.active_element
        problem = focus_problem(self.driver, element)
        assert problem is None, f"{self.browser.url}: {problem}"
        return element

    def tab_to(self, css, limit=60):
        """Tab until the element `css` has the focus; returns the elements passed on the way."""
        target = self.browser.one(css)
        passed = []
        for _ in range(limit):
            element = self.tab()
            if element == target:
                return passed
            passed.append(element)
        raise AssertionError(f"{self.browser.url}: {css} never got the focus in {limit} presses of Tab")

    def focus_order(self, limit=80):
        """Tab from the top of the page through every control: the elements in the order the
        focus visited them (each checked by focused())."""
        self.driver.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
        order = []
        for _ in range(limit):
            element = self.tab()
            if order and element == order[0]:
                return order
            if element.tag_name == "body":  # past the last control: the focus left the page
                return order
            order.append(element)
        return order


def focus_problem(driver, element):
    """Why `element`, having the focus, is not a visible, focus-showing control; None if it is."""
    tag = element.tag_name
    described = f"<{tag}> {element.get_attribute('outerHTML')[:120]!r}"
    if tag == "body":
        return None  # focus left the page (before the first or after the last control)
    if not element.is_displayed():
        return f"the focus is on something hidden: {described}"
    rect = element.rect
    inner_width = driver.execute_script("return window.innerWidth")
    if rect["width"] < 1 or rect["height"] < 1 or rect["x"] + rect["width"] <= 0 or rect["x"] >= inner_width:
        return f"the focus is on something off screen: {described} at {rect}"
    outline = element.value_of_css_property("outline-style")
    if outline in ("none", "") and element.value_of_css_property("box-shadow") in ("none", ""):
        return f"the focus is not shown (outline none): {described}"
    return None


def dom_focus_order(browser):
    """The controls of the page in the order they stand in it, as Tab should visit them: a group
    of radio buttons is one stop (its checked button, else its first)."""
    order, groups = [], {}
    for element in browser.all(FOCUSABLE):
        if not (element.is_displayed() or "skip" in (element.get_attribute("class") or "")):
            continue
        if element.get_attribute("type") == "radio":
            name = element.get_attribute("name")
            if name in groups:
                if element.is_selected():
                    order[groups[name]] = element
                continue
            groups[name] = len(order)
        order.append(element)
    return order


def described(elements):
    """Elements as short readable lines (for an assertion's message)."""
    return [f"<{e.tag_name}> {(e.get_attribute('id') or e.get_attribute('name') or e.get_attribute('href') or '')}"
            f" {e.text[:30]!r}" for e in elements]


def wait_for(predicate, timeout=20, message="condition"):
    """Poll `predicate` until it returns something true (no fixed sleeps). An element the page's
    own script replaced while `predicate` read it (the door page swaps rows in) is read again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = predicate()
        except (StaleElementReferenceException, NoSuchElementException):
            result = None
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")

