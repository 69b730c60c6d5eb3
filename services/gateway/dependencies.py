"""The gateway's dependencies: the other services over RPC (with a time limit), sign-ups gathered
into batches, staff auth, providers' webhooks handed over as they came.

Every call carries its deadline and gives up with 503 after RPC_TIMEOUT_SECONDS (shared/rpc.py)."""
import hmac
import time

from nameko.exceptions import deserialize
from nameko.extensions import DependencyProvider

from services.gateway.rate_limits import Limits
from shared.batching import Batcher
from shared.errors import Unauthorized
from shared.rpc import RpcProxy, TimedProxy, timeout_of

AUTH_CACHE_SECONDS = 30


class SignUps(RpcProxy):
    """Sign-ups to the registration service. Those arriving while earlier ones are on their way
    travel together as one `register_batch` call (see batching.py); each caller still gets its
    own answer or error, and gives up after the same time limit as any RPC. A batch carries the
    earliest deadline of its callers: none of them has given up when registration commits it."""

    def __init__(self, timeout=None):
        super().__init__("registration")
        self.given_timeout = timeout

    def setup(self):
        super().setup()
        self.timeout = timeout_of(self.container, self.given_timeout)
        self.batcher = Batcher(self._send_batch, spawn=self.container.spawn_managed_thread)

    def start(self):
        self.batcher.start()

    def stop(self):
        self.batcher.stop()

    def kill(self):
        self.batcher.stop()

    def _send_batch(self, worker_ctx, sign_ups):
        registration = TimedProxy(super().get_dependency(worker_ctx), "registration", self.timeout)
        gives_up_at = min(sign_up["gives_up_at"] for sign_up in sign_ups)
        sign_ups = [{key: value for key, value in sign_up.items() if key != "gives_up_at"} for sign_up in sign_ups]
        return [deserialize(answer["error"]) if "error" in answer else answer
                for answer in registration.register_batch(sign_ups, gives_up_at=gives_up_at)]

    def get_dependency(self, worker_ctx):
        return _SignUpDesk(self.batcher, worker_ctx, self.timeout)


class _SignUpDesk:
    def __init__(self, batcher, worker_ctx, timeout):
        self.batcher, self.worker_ctx, self.timeout = batcher, worker_ctx, timeout

    def register(self, event_id, data, idempotency_key=None, assisted_by=None, client_ref=None):
        """As registration's `register`: {"registration", "repeat_of"}, or its error raised.
        `client_ref`: the keyed hash of the sign-up's address (None for staff-assisted ones)."""
        return self.batcher.submit(self.worker_ctx, {
            "event_id": event_id, "data": data, "idempotency_key": idempotency_key, "assisted_by": assisted_by,
            "client_ref": client_ref,
            "gives_up_at": time.time() + self.timeout,
        }, self.timeout)


class StaffAuth(RpcProxy):
    """Who is calling: `Authorization: Bearer <token>` checked against STAFF_BOOTSTRAP_TOKEN or
    the catalog's staff tokens (answers cached briefly, so a revoked token stops within 30 s). A
    wrong token counts against its address as a guessed code does (RATE_LIMIT_CODES)."""

    def __init__(self):
        super().__init__("catalog")
        self.cache = {}

    def get_dependency(self, worker_ctx):
        return _Authenticator(TimedProxy(super().get_dependency(worker_ctx), "catalog",
                                          timeout_of(self.container, None)),
                              self.container.config.get("STAFF_BOOTSTRAP_TOKEN") or "", self.cache,
                              count_guess=self._count_guess)

    def _count_guess(self, request):
        for dependency in self.container.dependencies:
            if isinstance(dependency, RateLimits):
                dependency.limits.code_use(request)


class _Authenticator:
    def __init__(self, catalog, bootstrap_token, cache, count_guess=None):
        self.catalog, self.bootstrap_token, self.cache = catalog, bootstrap_token, cache
        self.count_guess = count_guess  # called with the request of a wrong token: 429 past the limit

    def staff(self, request):
        """The staff member behind the request, or None when it carries no token."""
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Use Authorization: Bearer <token>.")
        try:
            return self.by_token(token)
        except Unauthorized:
            if self.count_guess is not None:  # only wrong tokens count: staff are never slowed
                self.count_guess(request)
            raise

    def by_token(self, token):
        """The staff member `token` belongs to; Unauthorized when it is unknown or revoked (the
        staff pages' sessions hold a token too)."""
        if self.bootstrap_token and hmac.compare_digest(token.encode(), self.bootstrap_token.encode()):
            return {"id": "bootstrap", "name": "bootstrap", "organizer": None, "admin": True,
                    "phone": None, "email": None}
        cached = self.cache.get(token)
        if cached and cached[0] > time.monotonic():
            staff = cached[1]
        else:
            staff = self.catalog.authenticate(token)
            if staff is not None:  # only good tokens are cached, so guessing cannot fill memory
                if len(self.cache) > 1000:
                    self.cache.clear()
                self.cache[token] = (time.monotonic() + AUTH_CACHE_SECONDS, staff)
        if staff is None:
            raise Unauthorized("Unknown or revoked token.")
        return staff

    def require_staff(self, request):
        staff = self.staff(request)
        if staff is None:
            raise Unauthorized("This needs a staff token: Authorization: Bearer <token>.")
        return staff


class ProviderWebhooks(DependencyProvider):
    """A provider's webhook as the provider posted it, for notifications to check and read (the
    gateway knows no provider's fields or signatures): the public URL it was posted to
    (PUBLIC_BASE_URL and the path: what providers sign), its headers and its form."""

    # Our own callers' credentials never travel with it: no provider signs with them.
    NOT_HANDED_OVER = {"authorization", "cookie"}

    def setup(self):
        self.public_base_url = self.container.config["PUBLIC_BASE_URL"].rstrip("/")

    def get_dependency(self, worker_ctx):
        return self

    def as_posted(self, request):
        """{"url", "headers", "form"} of `request`."""
        return {"url": self.public_base_url + request.full_path.rstrip("?"),
                "headers": {name: value for name, value in request.headers.items()
                            if name.lower() not in self.NOT_HANDED_OVER},
                "form": request.form.to_dict()}


class RateLimits(DependencyProvider):
    """Limits per client address (rate_limits.py), over the storage every gateway copy shares."""

    def setup(self):
        self.limits = Limits(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.limits
