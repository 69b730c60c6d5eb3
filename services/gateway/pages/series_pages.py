"""Entrypoints: residents' pages of a weekly group (a series): the series and its enrolment form
(GET|POST /series/{id}), and not coming to one session of an enrolment
(GET|POST /r/{code}/sessions/{event_id}/cancel). /r/{code} itself, "cancel all" and "erase" of an
enrolment are RegistrationPages' addresses, which draw an enrolment with the helpers here.

The form is the event page's (sign_up_form, form_errors, the CSRF token, an Idempotency-Key from a
hidden field) and goes the enrolment API's path: the same rate limits, registration's `enrol`."""
from urllib.parse import quote

from services.gateway import access
from services.gateway.pages import form_errors, series_view, sign_up_form
from services.gateway.pages.endpoint import page
from services.gateway.pages.event_view import sms_number
from services.gateway.pages.rendering import NO_STORE
from shared.errors import NotFound, YhdessaError

CONFIRMED = "yes"


class SeriesPages:
    @page("GET", "/series/<string:series_id>")
    def series_page(self, request, series_id):
        page_ = self.pages.page(request)
        return self._series_page(page_, self._series(series_id), sign_up_form.values({}, page_.lang),
                                 sign_up_form.new_idempotency_key())

    @page("POST", "/series/<string:series_id>")
    def series_sign_up(self, request, series_id):
        page_ = self.pages.page(request)
        page_.check_form()
        series = self._series(series_id)
        key = sign_up_form.idempotency_key(request.form)
        again = lambda errors, status: self._series_page(  # noqa: E731
            page_, series, sign_up_form.values(request.form, page_.lang), key or sign_up_form.new_idempotency_key(),
            errors, status)
        body, bad = sign_up_form.body(request.form)
        if bad:
            return again(form_errors.for_fields(bad, page_._), 422)
        try:
            answer = self._enrolled(request, series_id, body, key)
        except YhdessaError as exc:
            return sign_up_form.refused(exc, again, page_._)
        # someone already enrolled gets an answer like this one, with a code that opens nothing
        channel, address = sign_up_form.confirmation_goes_to(body)
        enrolment = answer["enrolment"]
        return page_.render("enrolled.html", status=201 if answer["repeat_of"] is None else 200, cache=NO_STORE,
                            series=series_view.shown(series, page_.lang), enrolment=enrolment,
                            sessions=series_view.sessions_of(enrolment.get("sessions") or [], series, page_.lang),
                            channel=channel, address=address)

    @page("GET", "/r/<string:code>/sessions/<string:event_id>/cancel")
    def session_cancel_page(self, request, code, event_id):
        """The confirmation step: nothing is cancelled by following a link."""
        page_ = self.pages.page(request)
        self.limits.code_use(request)
        view, series = self._enrolment_view(page_, code)
        session = series_view.session_in(view, event_id)
        if session is None:
            raise NotFound("The enrolment has no such session.", code="session_not_found")
        return self._enrolment_render(page_, "session_cancel.html", code, view, series, session=session)

    @page("POST", "/r/<string:code>/sessions/<string:event_id>/cancel")
    def session_cancel_confirmed(self, request, code, event_id):
        page_ = self.pages.page(request)
        page_.check_form()
        if request.form.get("confirm") != CONFIRMED:
            return page_.redirect(f"/r/{quote(code, safe='')}/sessions/{quote(event_id, safe='')}/cancel")
        self.limits.code_use(request)
        view, series = self._enrolment_view(page_, code)
        session = series_view.session_in(view, event_id)
        if session is None:
            raise NotFound("The enrolment has no such session.", code="session_not_found")
        was_active = session["can_cancel"]
        if was_active:  # twice is harmless, but only the first cancels and sends a message
            self.registration.cancel_session(code, event_id)
            view, series = self._enrolment_view(page_, code)
            session = series_view.session_in(view, event_id)
        return self._enrolment_render(page_, "session_cancelled.html", code, view, series, session=session,
                                      was_active=was_active)

    # --- what RegistrationPages' /r/{code} pages call for an enrolment's code -----------------

    def _enrolment_page(self, page_, template, code, enrolment, **context):
        series = self._series_of(enrolment["series_id"])
        view = series_view.enrolment_shown(enrolment, series, page_.lang)
        return self._enrolment_render(page_, template, code, view, series, **context)

    def _enrolment_cancel(self, page_, code, enrolment):
        """Cancel every session still to come (the enrolment's "cancel all")."""
        was_active = series_view.active(enrolment)
        if was_active:
            enrolment = self.registration.cancel_enrolment(code)
        return self._enrolment_page(page_, "enrolment_cancelled.html", code, enrolment, was_active=was_active)

    def _enrolment_view(self, page_, code):
        enrolment = self.registration.get_enrolment(code)  # NotFound: the error page's 404
        series = self._series_of(enrolment["series_id"])
        return series_view.enrolment_shown(enrolment, series, page_.lang), series

    @staticmethod
    def _enrolment_render(page_, template, code, view, series, **context):
        return page_.render(template, cache=NO_STORE, code=code, enrolment=view,
                            series=series_view.shown(series, page_.lang), **context)

    # --- reads -------------------------------------------------------------------------------

    def _series_page(self, page_, series, values, key, errors=None, status=200):
        return page_.render("series.html", status=status, series=series_view.shown(series, page_.lang),
                            sign_up_state=series_view.sign_up_state(series, series.get("sessions") or []),
                            values=values, idempotency_key=key, errors=errors or {},
                            sms_number=sms_number(self.event_pages_config))

    def _series(self, series_id):
        """The published (or cancelled) series with each session's seats, kept as the event
        pages keep theirs (page_cache); a draft or unknown id: 404."""
        return self.page_cache.get(("series", series_id), lambda: self._series_of(series_id))

    def _series_of(self, series_id):
        """The series as it is now (a moved session's new time), each session with its seats
        (SeriesApi's _series_with_seats), without the contact person's details."""
        found = self.catalog.get_series(series_id, include_drafts=False, drafts_of=None)
        return access.visible(None, self._series_with_seats(found))

    def _enrolled(self, request, series_id, body, key):
        """Exactly the enrolment API's path (POST /api/series/{id}/registrations) without a staff
        token: counted against the address as a sign-up, then registration's `enrol`."""
        return self.limits.admitted(request, series_id, body, None, lambda client_ref: self.registration.enrol(
            series_id, body, idempotency_key=key, assisted_by=None, client_ref=client_ref))
