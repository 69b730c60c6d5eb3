"""Entrypoints only: signing staff in and out of the staff pages (/staff/…)."""
from services.gateway.pages.endpoint import page
from services.gateway.pages.rendering import NO_STORE
from services.gateway.pages.staff_session import SIGN_IN_PATH
from shared.errors import Unauthorized

HOME = "/staff/events"


def _safe_next(value):
    """Where to go after signing in: a staff page of ours, never another site (`//evil.example`)."""
    value = value or ""
    return value if value.startswith("/staff/") and not value.startswith("//") and "\\" not in value else HOME


class StaffPages:
    @page("GET", "/staff")
    def staff_home(self, request):
        return self.pages.page(request).redirect(HOME)

    @page("GET", SIGN_IN_PATH)
    def sign_in_page(self, request):
        page_ = self.pages.page(request)
        return page_.render("sign_in.html", cache=NO_STORE, errors={}, next=_safe_next(request.args.get("next")),
                            signed_out="signed_out" in request.args)

    @page("POST", SIGN_IN_PATH)
    def sign_in(self, request):
        page_ = self.pages.page(request)
        page_.check_form()
        self.limits.code_use(request)  # a wrong token is a guess, counted as a guessed code is
        token = (request.form.get("token") or "").strip()
        try:
            self.auth.by_token(token) if token else None
        except Unauthorized:
            token = None
        if not token:
            return page_.render("sign_in.html", status=422, cache=NO_STORE, next=_safe_next(request.form.get("next")),
                                signed_out=False,
                                errors={"token": page_._("That token is not known or no longer valid. Check it, "
                                                         "or ask your organizer for a new one.")})
        return self.staff_sessions.start(page_.redirect(_safe_next(request.form.get("next"))), token)

    @page("POST", "/staff/sign-out")
    def sign_out(self, request):
        page_ = self.pages.page(request)
        page_.check_form()
        return self.staff_sessions.end(page_.redirect(f"{SIGN_IN_PATH}?signed_out=1"))
