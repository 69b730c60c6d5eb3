"""Cross-site request forgery: every form carries a token that must equal the one in the
browser's `csrf` cookie (double submit). Another site can make a browser post a form to us, but it
can neither read nor set our cookie, so it cannot know the token. The cookie is HttpOnly and
SameSite=Lax; behind https it is `Secure` with the `__Host-` prefix (no subdomain can plant it).
A post whose Origin or Sec-Fetch-Site says another site sent it is refused too, before any token
is looked at.

No server-side state and no secret: any gateway copy checks any form."""
import hmac
import secrets

from shared.errors import Forbidden

FIELD = "csrf_token"
TOKEN_BYTES = 24


def cookie_name(https):
    return "__Host-csrf" if https else "csrf"


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


class CsrfFailed(Forbidden):
    default_code = "csrf_failed"


def check(request, https, own_origin):
    """Raise CsrfFailed unless `request` (a form POST) came from our own page in this browser."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin.rstrip("/") != own_origin and origin != _request_origin(request):
        raise CsrfFailed("The form was sent from another site.")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise CsrfFailed("The form was sent from another site.")
    cookie = request.cookies.get(cookie_name(https)) or ""
    sent = request.form.get(FIELD) or ""
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise CsrfFailed("The form's security token is missing or out of date.")


def _request_origin(request):
    return f"{request.scheme}://{request.host}"
