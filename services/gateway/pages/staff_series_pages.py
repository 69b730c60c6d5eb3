"""Entrypoints: staff's pages of a weekly group (a series): creating it, its sessions, and its
statistics per session and in total.

Scoped as the API (series_api.py): the catalog gets `access.scope(staff)`; another organizer's series
answers 403 (its draft 404). A session is moved, cancelled or checked in on its own event pages."""
from urllib.parse import quote

from services.gateway import access
from services.gateway.pages import series_form, staff_series_view
from services.gateway.pages.endpoint import page
from services.gateway.pages.event_form_errors import for_code
from services.gateway.pages.rendering import NO_STORE
from services.gateway.pages.staff_session import signed_in
from shared.errors import NotFound, ValidationFailed, YhdessaError

DONE = ("created", "published")


def _series_path(series_id):
    return f"/staff/series/{quote(series_id, safe='')}"


class StaffSeriesPages:
    @page("GET", "/staff/series/new")
    def new_series_page(self, request):
        staff = signed_in(self, request)
        return self._series_form(self.pages.page(request), staff, series_form.blank())

    @page("POST", "/staff/series/new")
    def create_series_from_form(self, request):
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        values = series_form.sent(request.form)
        body, bad = series_form.new_series(values, access.scope(staff) is None,
                                           publish=request.form.get("action") == "publish")
        if bad:
            return self._series_form(page_, staff, values, series_form.for_fields(bad, page_._), 422)
        try:
            body = access.check_organizer_field(staff, body)  # as the API's create_series
            made = self.catalog.create_series(body, organizer=access.scope(staff))
        except YhdessaError as exc:
            if exc.http_status in (403, 404) and exc.code != "other_organizer":
                raise
            errors = series_form.for_fields(exc.fields, page_._)
            if exc.code not in ("validation_error", "sms_code_taken") or not errors:
                errors = {"form": for_code(exc.code, page_._), **errors}
            return self._series_form(page_, staff, values, errors,
                                     422 if isinstance(exc, ValidationFailed) else exc.http_status)
        return page_.redirect(f"{_series_path(made['id'])}?done=created")

    @page("GET", "/staff/series/<string:series_id>")
    def staff_series(self, request, series_id):
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        found = self._series_with_seats(self._series_for(staff, series_id))
        done = request.args.get("done")
        return page_.render("staff_series.html", cache=NO_STORE, staff=staff, admin=access.scope(staff) is None,
                            series=staff_series_view.shown(found, page_.lang), done=done if done in DONE else None,
                            stats=self._series_stats(staff, found))

    def _series_stats(self, staff, series):
        """Who came to each session and how often people came (registration's counts, without
        names); None for a draft, which registration has not heard of."""
        if series["status"] == "draft":
            return None
        try:
            return staff_series_view.stats(self.registration.series_stats(series["id"], organizer=access.scope(staff)))
        except NotFound:
            return None

    @page("POST", "/staff/series/<string:series_id>/publish")
    def publish_series(self, request, series_id):
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        if self._series_for(staff, series_id)["status"] == "draft":
            self.catalog.change_series(series_id, {"status": "published"}, organizer=access.scope(staff))
        return page_.redirect(f"{_series_path(series_id)}?done=published")

    def _series_form(self, page_, staff, values, errors=None, status=200):
        return page_.render("staff_series_form.html", status=status, cache=NO_STORE, staff=staff, values=values,
                            errors=errors or {}, admin=access.scope(staff) is None)
