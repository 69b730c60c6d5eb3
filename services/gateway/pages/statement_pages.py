"""Entrypoints only: the accessibility statement (GET /saavutettavuus) and the privacy notice (GET /tietosuoja).

The figures in them (the feedback address, RETENTION_DAYS) come from the configuration."""
from nameko.dependency_providers import Config

from services.gateway.pages.endpoint import page

# The same for every reader of a language, but a first answer may set the form-token cookie, which
# no shared cache may hand to others: the browser alone keeps them, for an hour.
CACHE = "private, max-age=3600"
# The day this statement was written, as Finns write a date (the same in every language here):
# the browser tests (tests/browser) check the pages in every build; change it when the statement
# is reviewed again.
ASSESSED_ON = "28.11.2026"


def feedback_email(config):
    """Where readers send accessibility and privacy feedback: ACCESSIBILITY_FEEDBACK_EMAIL, else
    ADMIN_EMAIL, else None (the pages then point to the event's organizer)."""
    for name in ("ACCESSIBILITY_FEEDBACK_EMAIL", "ADMIN_EMAIL"):
        address = (config.get(name) or "").strip()
        if address:
            return address
    return None


class StatementPages:
    config = Config()

    @page("GET", "/saavutettavuus")
    def accessibility_statement(self, request):
        page = self.pages.page(request)
        return page.render("accessibility.html", cache=CACHE, feedback_email=feedback_email(self.config),
                           assessed_on=ASSESSED_ON)

    @page("GET", "/tietosuoja")
    def privacy_notice(self, request):
        page = self.pages.page(request)
        return page.render("privacy.html", cache=CACHE, feedback_email=feedback_email(self.config),
                           retention_days=int(self.config["RETENTION_DAYS"]))
