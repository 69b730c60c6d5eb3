"""The residents' web pages, served by the gateway at the API's address (the API stays under /api).

Server-rendered with Jinja2, no JavaScript needed; fi/sv/en by gettext catalogs (locale/, English
msgids); every form guarded against cross-site posting (csrf.py). Pages call the same services
and the same request models as the API: no rule is written twice.

    endpoint.py   PageEndpoint: errors answered as a page in the reader's language, page headers
    rendering.py  the Pages dependency: templates, language, cookies, the CSRF check
    language.py   which language a request is read in (?lang=, cookie, Accept-Language, fi)
    csrf.py       double-submit tokens for forms
    *_pages.py    entrypoints only (GatewayService inherits them): events and sign-up, your
                  registration, calendar files, statements, static files
"""
