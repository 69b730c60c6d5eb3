"""The Pages dependency: renders a template in the reader's language into a Response, with the
language switch, the form token and the cookies that go with them.

Templates are in templates/, texts in English wrapped in `_()` / `{% trans %}`, their Finnish and
Swedish in locale/<lang>/LC_MESSAGES/*.po (one catalog per group of pages, merged when loaded;
tests/unit/test_page_texts.py fails on a text with no translation)."""
import functools
import hashlib
import io
import pathlib
from urllib.parse import urlencode

import jinja2
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from services.gateway.headers import public_address
from services.gateway.pages import csrf, language
from shared.helsinki import event_time, local

HERE = pathlib.Path(__file__).parent
TEMPLATES = HERE / "templates"
LOCALE = HERE / "locale"
STATIC = HERE / "static"
HTML = "text/html"
# a page holding a form token or a person's registration is for this browser only
PRIVATE = "private, no-cache"
NO_STORE = "no-store"


@functools.lru_cache(maxsize=None)
def translations(lang):
    """The merged catalogs of `lang` (English is the msgids themselves)."""
    merged = None
    for po_file in sorted((LOCALE / lang / "LC_MESSAGES").glob("*.po")) if lang != "en" else ():
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        loaded = Translations(compiled)
        merged = loaded if merged is None else merged.merge(loaded)
    return merged or NullTranslations()


@functools.lru_cache(maxsize=None)
def environment(lang):
    """The Jinja2 environment of `lang`: one per language, so no request swaps another's texts."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters["event_time"] = lambda event: event_time(event["starts_at"], event["ends_at"], lang)
    env.filters["local"] = local
    env.globals.update(lang=lang, languages=language.LANGUAGES, language_names=language.NAMES)
    return env


@functools.lru_cache(maxsize=None)
def static_version(name):
    """A short hash of a static file: its address changes when it does, so it may be cached for good."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def gettext(lang, message, **values):
    """A text of Python code (not a template) in `lang`; `values` filled in as templates do."""
    translated = translations(lang).gettext(message)
    return translated % values if values else translated


class Page:
    """What an entrypoint uses to answer with a page (one per worker: it knows the request)."""

    def __init__(self, request, base_url, https):
        self.request = request
        self.base_url = base_url
        self.https = https
        self.lang = language.of_request(request)
        self.csrf_cookie = request.cookies.get(csrf.cookie_name(https))
        self.new_csrf = None if self.csrf_cookie else csrf.new_token()

    def _(self, message, **values):
        return gettext(self.lang, message, **values)

    stylesheet_version = property(lambda self: static_version("yhdessa.css"))

    @property
    def csrf_token(self):
        return self.csrf_cookie or self.new_csrf

    def check_form(self):
        """A form POST from our own page in this browser, or CsrfFailed (a 403 page); call it
        before anything else reads or does anything."""
        csrf.check(self.request, self.https, _origin(self.base_url))

    def switch_url(self, lang):
        """This page's address in `lang` (its other query parameters kept)."""
        args = [(key, value) for key, value in self.request.args.items(multi=True) if key != "lang"]
        return self.request.path + "?" + urlencode(args + [("lang", lang)])

    def render(self, template, status=200, cache=PRIVATE, headers=None, **context):
        """`template` rendered as the answer."""
        html = environment(self.lang).get_template(template).render(
            page=self, csrf_field=csrf.FIELD, csrf_token=self.csrf_token, base_url=self.base_url, **context)
        response = Response(html, status=status, mimetype=HTML, headers=headers)
        return self.finish(response, cache)

    def finish(self, response, cache=PRIVATE):
        """Cookies and headers every page answer carries."""
        response.headers["Cache-Control"] = cache
        response.headers["Content-Language"] = self.lang
        response.vary.update(("Accept-Language", "Cookie"))
        if self.new_csrf:
            response.set_cookie(csrf.cookie_name(self.https), self.new_csrf, httponly=True, samesite="Lax",
                                secure=self.https, path="/")
        if language.asked(self.request):
            response.set_cookie(language.COOKIE, self.lang, max_age=language.COOKIE_MAX_AGE_SECONDS,
                                samesite="Lax", secure=self.https, path="/")
        return response

    def redirect(self, location, status=303):
        return self.finish(Response(status=status, headers={"Location": location}), NO_STORE)


def _origin(url):
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/')[0]}"


class Pages(DependencyProvider):
    """`self.pages.page(request)`: a Page for the request being answered."""

    def setup(self):
        self.base_url, self.https = public_address(self.container.config)

    def get_dependency(self, worker_ctx):
        return self

    def page(self, request):
        return Page(request, self.base_url, self.https)
