"""PageEndpoint: the gateway's HTTP entrypoint for web pages. What goes wrong is answered as a
page in the reader's language (templates/error.html), with the status the API would give (a staff
page without a session: a redirect to the sign-in page) and the
headers pages carry: a Content-Security-Policy that lets a page load only our own stylesheet
and images, post forms only to us, and be framed by no one."""
from urllib.parse import urlencode

from services.gateway.headers import public_address
from services.gateway.http import JsonEndpoint
from services.gateway.pages.rendering import Page
from services.gateway.pages.staff_session import SIGN_IN_PATH, SignInNeeded
from shared.errors import YhdessaError

# No script at all on the residents' pages; staff pages that need one widen script-src for themselves.
PAGE_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")
# A staff page with a script of ours (static/*.js, never inline) that reads our own addresses.
SCRIPT_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class PageEndpoint(JsonEndpoint):
    """A web page (no OpenAPI operation): errors become pages, page headers added."""

    def setup(self):
        super().setup()
        self.base_url, self.https = public_address(self.container.config)

    def answer(self, request):
        response = super().answer(request)
        error = getattr(response, "yhdessa_error", None)
        if isinstance(error, SignInNeeded):
            response = Page(request, self.base_url, self.https).redirect(
                f"{SIGN_IN_PATH}?{urlencode({'next': request.full_path.rstrip('?')})}")
        elif error is not None:
            response = error_page(Page(request, self.base_url, self.https), error, response.headers)
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        return response


def error_page(page, error, original_headers=None):
    """`error` (a YhdessaError, or anything for a 500) as a page."""
    if not isinstance(error, YhdessaError):
        status, code = 500, "internal_error"
    else:
        status, code = error.http_status, error.code
    headers = {name: value for name, value in (original_headers or {}).items()
               if name in ("Retry-After", "Allow")}
    headers["Content-Security-Policy"] = PAGE_POLICY
    return page.render("error.html", status=status, cache="no-store", headers=headers, status_code=status,
                       code=code, staff_frame=page.request.path.startswith("/staff/"), staff=None)


page = PageEndpoint.decorator
