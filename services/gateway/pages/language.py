"""Which language a page is read in: `?lang=fi|sv|en` (then remembered in a cookie), else the
cookie, else the browser's Accept-Language, else Finnish."""

LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"
COOKIE = "lang"
COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600
# each language's name in itself: the switch shows these
NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def asked(request):
    """The language asked for with ?lang=, or None."""
    value = (request.args.get("lang") or "").strip().lower()
    return value if value in LANGUAGES else None


def of_request(request):
    """The language `request` is answered in."""
    chosen = asked(request) or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    # "sv-FI" and "en-GB" count as sv and en
    return request.accept_languages.best_match(LANGUAGES) or _by_prefix(request) or DEFAULT


def _by_prefix(request):
    for value, _quality in request.accept_languages:
        prefix = value.split("-")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return None
