"""Pages through HTTP, as a browser without JavaScript uses them: a cookie-keeping session, a page
read into its parts, a form posted with its token, and a staff member signed in with their token
(POST /staff/sign-in). The page tests of tests/e2e share these.

The test system's PUBLIC_BASE_URL is https, so its cookies are `Secure` and `__Host-` prefixed and
`requests` will not send them back over the plain http a test speaks: `browser()` keeps each one
as the browser behind the https proxy would (and forgets one the answer deletes)."""
import html.parser
import http.cookies

import requests
from requests.cookies import remove_cookie_by_name

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
STAFF_COOKIE, CSRF_COOKIE = "__Host-staff", "__Host-csrf"


class Page(html.parser.HTMLParser):
    """The parts of a page a test looks at: elements by id (attributes and text), links, inputs."""

    VOID = {"input", "br", "meta", "link", "img", "hr"}

    def __init__(self, text):
        super().__init__()
        self.ids, self.links, self.inputs, self.lang = {}, [], {}, None
        self._open = []  # [(tag, id)] of elements being read
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a":
            self.links.append(attrs.get("href"))
        if tag in ("input", "select", "button", "textarea"):
            self.inputs.setdefault(attrs.get("name"), []).append(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = {"tag": tag, "attrs": attrs, "text": ""}
        if tag not in self.VOID:
            self._open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.ids[element_id]["text"] += data

    def text(self, element_id):
        return " ".join(self.ids[element_id]["text"].split())

    def value(self, name):
        return self.inputs[name][0].get("value")

    def errors(self):
        """The ids of the fields shown with an error beside them ("capacity" for #capacity-error)."""
        return sorted(element_id[:-len("-error")] for element_id in self.ids if element_id.endswith("-error"))


def browser(accept_language="fi"):
    """A browser: keeps cookies, the Secure ones too (see above)."""
    session = requests.Session()
    session.headers.update({**BROWSER, "Accept-Language": accept_language})

    def keep_cookies(response, *args, **kwargs):
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in http.cookies.SimpleCookie(header).items():
                remove_cookie_by_name(session.cookies, name, domain="")
                if morsel["max-age"] != "0" and "1970" not in morsel["expires"]:
                    session.cookies.set(name, morsel.value)
    session.hooks["response"].append(keep_cookies)
    return session


def cookie(session, name):
    """The value of the browser's cookie `name` as it sends it back, or None."""
    return next((c.value for c in session.cookies if c.name == name and not c.secure), None)


def get(session, system, path, **kwargs):
    return session.get(system.base_url + path, timeout=30, allow_redirects=kwargs.pop("allow_redirects", False),
                       **kwargs)


def form_token(text):
    """The form token a page (an answer's text) drew in its form: its `csrf_token` input."""
    return Page(text).value("csrf_token")


def post(session, system, path, data=None, page=None, **kwargs):
    """A form POST with a form token: the one `page` (a Page) drew, as a browser sends it, else the one
    the browser holds (a page must have been loaded first)."""
    token = page.value("csrf_token") if page is not None else cookie(session, CSRF_COOKIE)
    form = {"csrf_token": token, **(data or {})}
    return session.post(system.base_url + path, data=form, timeout=30,
                        allow_redirects=kwargs.pop("allow_redirects", False), **kwargs)


def token_of(headers):
    """The token of a staff Authorization header (tests/e2e/helpers.staff_token's answer)."""
    return headers["Authorization"].removeprefix("Bearer ")


def signed_in(system, token, accept_language="fi"):
    """A browser signed in to the staff pages with `token`."""
    session = browser(accept_language)
    get(session, system, "/staff/sign-in")
    answer = post(session, system, "/staff/sign-in", {"token": token})
    assert answer.status_code == 303, answer.text
    assert cookie(session, STAFF_COOKIE)
    return session
