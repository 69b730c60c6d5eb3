"""Staff pages' sessions: a staff member pastes their token once; the browser then holds it in a
cookie signed with SESSION_SECRET, expiring after a working day, HttpOnly, SameSite=Strict, and
`Secure` with the `__Host-` prefix behind https. Each request checks the token again through the
gateway's authenticator (a revoked token stops within its 30 s cache), so the cookie grants no more
than the token does, and no longer than WORKING_DAY_SECONDS."""
import base64
import hashlib
import hmac
import json
import logging
import secrets
import time

from nameko.extensions import DependencyProvider

from services.gateway.headers import public_address
from shared.errors import Unauthorized, YhdessaError

log = logging.getLogger(__name__)

WORKING_DAY_SECONDS = 10 * 3600
SIGN_IN_PATH = "/staff/sign-in"


class SignInNeeded(YhdessaError):
    """No session, or an expired or revoked one: a staff page answers with the sign-in page
    (pages/endpoint.py turns this into a redirect there)."""

    http_status = 401
    default_code = "sign_in_needed"


def cookie_name(https):
    return "__Host-staff" if https else "staff"


class Sessions:
    def __init__(self, secret, https, clock=time.time):
        self.secret, self.https, self.clock = secret, https, clock
        self.cookie = cookie_name(https)

    def _sign(self, payload):
        return hmac.new(self.secret, payload, hashlib.sha256).hexdigest()

    def value(self, token):
        """The cookie's value for a session of `token`, from now for a working day."""
        payload = base64.urlsafe_b64encode(json.dumps({"token": token, "until": int(self.clock())
                                                       + WORKING_DAY_SECONDS}).encode())
        return f"{payload.decode()}.{self._sign(payload)}"

    def token_of(self, request):
        """The staff token of `request`'s session, or None (none, tampered with, or expired)."""
        value = request.cookies.get(self.cookie) or ""
        payload, _, signature = value.rpartition(".")
        if not payload or not hmac.compare_digest(self._sign(payload.encode()), signature):
            return None
        try:
            session = json.loads(base64.urlsafe_b64decode(payload.encode()))
        except ValueError:
            return None
        if not isinstance(session, dict) or not isinstance(session.get("until"), int) or session["until"] < self.clock():
            return None
        return session.get("token") if isinstance(session.get("token"), str) else None

    def start(self, response, token):
        response.set_cookie(self.cookie, self.value(token), max_age=WORKING_DAY_SECONDS, httponly=True,
                            samesite="Strict", secure=self.https, path="/")
        return response

    def end(self, response):
        response.delete_cookie(self.cookie, httponly=True, samesite="Strict", secure=self.https, path="/")
        return response


class StaffSessions(DependencyProvider):
    """`self.staff_sessions`: the Sessions of this gateway (SESSION_SECRET)."""

    def setup(self):
        secret = self.container.config.get("SESSION_SECRET") or ""
        if not secret:
            log.warning("SESSION_SECRET not set: staff pages' sessions are signed with a random secret of this "
                        "process, so other gateway copies and restarts will not know them")
            secret = secrets.token_hex(32)
        _, https = public_address(self.container.config)
        self.sessions = Sessions(secret.encode(), https)

    def get_dependency(self, worker_ctx):
        return self.sessions


def signed_in(service, request):
    """The staff member whose session `request` carries, checked as a bearer token would be; else
    SignInNeeded."""
    token = service.staff_sessions.token_of(request)
    if token is None:
        raise SignInNeeded("Sign in with your staff token.")
    try:
        return service.auth.by_token(token)
    except Unauthorized:
        raise SignInNeeded("Your staff token is no longer valid: sign in again.")
