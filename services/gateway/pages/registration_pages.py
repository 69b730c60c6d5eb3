"""Entrypoints only: your registration (GET /r, GET /r/{code}), cancelling and erasing it with a confirmation step.

`code` is the short cancel code or the link token of the emails; registration's own RPCs (the
same the API's /api/registrations/{code} calls) read, cancel and erase, and each use is counted
against the caller's address as the API counts it. Every answer here is `no-store`.

A code may be an enrolment's (a weekly group's, every session at once): these addresses then show
the enrolment, "cancel" cancels every session to come and "erase" erases it (SeriesPages' helpers;
not coming to one session is SeriesPages' own address)."""
from urllib.parse import quote

from services.gateway.pages import holder_view
from services.gateway.pages.endpoint import page
from services.gateway.pages.rendering import NO_STORE
from shared.errors import NotFound

CONFIRMED = "yes"
# marks what _held found as an enrolment (its keys are registration's to choose)
ENROLMENT = "_enrolment"


class RegistrationPages:
    @page("GET", "/r")
    def lookup_page(self, request):
        """The "type your code" form; sent, it goes to the registration's own page."""
        page_ = self.pages.page(request)
        if "code" not in request.args:
            return page_.render("lookup.html", cache=NO_STORE, errors={}, code="")
        path = holder_view.code_path(request.args["code"])
        if path is None:
            return page_.render("lookup.html", status=422, cache=NO_STORE, code="",
                                errors={"code": page_._("Type the code you got in the text message or email.")})
        return page_.redirect(path)

    @page("GET", "/r/<string:code>")
    def registration_page(self, request, code):
        page_ = self.pages.page(request)
        registration = self._held(page_, request, code)
        if not isinstance(registration, dict):
            return registration
        if _is_enrolment(registration):
            return self._enrolment_page(page_, "enrolment.html", code, registration)
        return self._registration_page(page_, "registration.html", code, registration)

    @page("GET", "/r/<string:code>/cancel")
    def cancel_page(self, request, code):
        """The confirmation step: nothing is cancelled by following a link."""
        page_ = self.pages.page(request)
        registration = self._held(page_, request, code)
        if not isinstance(registration, dict):
            return registration
        if _is_enrolment(registration):
            return self._enrolment_page(page_, "enrolment_cancel.html", code, registration)
        return self._registration_page(page_, "cancel.html", code, registration)

    @page("POST", "/r/<string:code>/cancel")
    def cancel_confirmed(self, request, code):
        page_ = self.pages.page(request)
        page_.check_form()
        if request.form.get("confirm") != CONFIRMED:
            return page_.redirect(f"/r/{quote(code, safe='')}/cancel")
        registration = self._held(page_, request, code)
        if not isinstance(registration, dict):
            return registration
        if _is_enrolment(registration):
            return self._enrolment_cancel(page_, code, registration)
        was_active = holder_view.active(registration)
        if was_active:  # cancelling twice is harmless, but only the first cancels and sends a message
            registration = self.registration.cancel(code)
        return self._registration_page(page_, "cancelled.html", code, registration, was_active=was_active)

    @page("GET", "/r/<string:code>/erase")
    def erase_page(self, request, code):
        """The confirmation step: it says what goes; nothing is erased by following a link."""
        page_ = self.pages.page(request)
        registration = self._held(page_, request, code)
        if not isinstance(registration, dict):
            return registration
        if _is_enrolment(registration):
            return self._enrolment_page(page_, "enrolment_erase.html", code, registration)
        return self._registration_page(page_, "erase.html", code, registration)

    @page("POST", "/r/<string:code>/erase")
    def erase_confirmed(self, request, code):
        page_ = self.pages.page(request)
        page_.check_form()
        if request.form.get("confirm") != CONFIRMED:
            return page_.redirect(f"/r/{quote(code, safe='')}/erase")
        self.limits.code_use(request)
        try:
            self.registration.erase(code)
        except NotFound:
            try:
                self.registration.erase_enrolment(code)
            except NotFound:
                return _not_found(page_, code)
        return page_.render("erased.html", cache=NO_STORE)

    def _held(self, page_, request, code):
        """The registration or enrolment `code` opens (_is_enrolment tells which), or the "no such
        code" page to answer with instead. One use of a code, however many look-ups."""
        self.limits.code_use(request)
        try:
            return self.registration.get_registration(code)
        except NotFound:
            pass
        try:
            return {**self.registration.get_enrolment(code), ENROLMENT: True}
        except NotFound:
            return _not_found(page_, code)

    @staticmethod
    def _registration_page(page_, template, code, registration, **context):
        view = holder_view.shown(registration)
        return page_.render(template, cache=NO_STORE, code=code, registration=view, event=view["event"],
                            title=holder_view.title(view["event"], page_.lang), **context)


def _is_enrolment(held):
    return bool(held.get(ENROLMENT))


def _not_found(page_, code):
    """404: the form again, with the code as typed, to check it."""
    return page_.render("lookup.html", status=404, cache=NO_STORE, errors={}, code=code, not_found=True)
