"""Headers on every answer of the gateway: security headers, and CORS for the public endpoints.

CORS opens only what a resident's browser needs on another origin's frontend (the event list and
detail, signing up, their own registration), to the origins listed in CORS_ORIGINS, without
credentials; Authorization is not among the allowed request headers, so staff calls are never
CORS-open.
"""

# Request headers a cross-origin frontend may send (Authorization is not one: staff only).
CORS_REQUEST_HEADERS = "Content-Type, Idempotency-Key"
# Answer headers it may read, beyond the simple ones.
CORS_EXPOSED_HEADERS = "Retry-After"
PREFLIGHT_MAX_AGE_SECONDS = "600"
HSTS = "max-age=31536000"
# JSON, CSV and event streams load nothing and are framed by no one.
NON_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def public_address(config):
    """(PUBLIC_BASE_URL without a trailing slash, whether it is https): what links, cookies and
    HSTS follow, read the same way by every part of the gateway."""
    base_url = str(config.get("PUBLIC_BASE_URL", "")).rstrip("/")
    return base_url, base_url.lower().startswith("https://")


class HeaderPolicy:
    """The headers to add, from the gateway's configuration."""

    def __init__(self, config):
        _, self.https = public_address(config)
        self.cors_origins = allowed_origins(config.get("CORS_ORIGINS", ""))

    def secure(self, response):
        """Security headers, unless the answer set its own (a web page sets its own policy)."""
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype != "text/html":
            headers.setdefault("Content-Security-Policy", NON_HTML_POLICY)
        else:
            headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        if self.https:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    def origin_allowed(self, request):
        origin = request.headers.get("Origin")
        return origin if origin and origin in self.cors_origins else None

    def open_to_origin(self, request, response):
        """An answer of a public endpoint: readable by an allowed origin's frontend."""
        if not self.cors_origins:
            return response
        response.vary.add("Origin")
        origin = self.origin_allowed(request)
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        return response

    def preflight(self, request, response, public_methods):
        """The answer to a CORS preflight (OPTIONS with Access-Control-Request-Method): allowed
        only for an allowed origin asking for a public endpoint's method."""
        if not self.cors_origins:
            return response
        response.vary.add("Origin")
        origin = self.origin_allowed(request)
        wanted = request.headers.get("Access-Control-Request-Method", "").upper()
        if origin and wanted in public_methods:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = ", ".join(sorted(public_methods))
            response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_SECONDS
        return response


def allowed_origins(setting_value):
    """The origins of CORS_ORIGINS ("https://a.example, https://b.example"), as browsers send
    them in Origin: scheme://host[:port], no trailing slash."""
    return {origin.strip().rstrip("/") for origin in str(setting_value or "").split(",") if origin.strip()}
