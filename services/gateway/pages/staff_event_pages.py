"""Entrypoints only: the organizer's events (/staff/events…): list, create, edit, publish, cancel.

Scoped as the API: `signed_in` gives the staff member, `_event_for` the event they may reach (404
unknown or another's draft, 403 another organizer's), and the catalog gets `access.scope(staff)`
exactly as GatewayService's create_event / update_event / cancel_event give it."""
from urllib.parse import quote

from services.gateway import access
from services.gateway.pages import event_form, event_form_errors, staff_event_view, staff_series_view
from services.gateway.pages.endpoint import page
from services.gateway.pages.rendering import NO_STORE
from services.gateway.pages.staff_session import signed_in
from shared.errors import NotFound, ValidationFailed, YhdessaError

CONFIRMED = "yes"
# what the event page says after a POST redirected to it
DONE = ("created", "saved", "published", "cancelled")


def _event_path(event_id):
    return f"/staff/events/{quote(event_id, safe='')}"


class StaffEventPages:
    @page("GET", "/staff/events")
    def staff_events(self, request):
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        organizer = access.scope(staff)
        earlier = request.args.get("when") == "earlier"
        starts_from, starts_before = staff_event_view.earlier_window() if earlier else (None, None)
        events = self.catalog.list_events(starts_from=starts_from, starts_before=starts_before, include_drafts=True,
                                          drafts_of=organizer, limit=staff_event_view.LIST_LIMIT)
        events = staff_series_view.one_per_series(staff_event_view.reachable(self._with_availability(events), organizer))
        if earlier:  # the most recent first, and only those already over
            events = [e for e in reversed(events) if staff_event_view.is_over(e)]
        return page_.render("staff_events.html", cache=NO_STORE, staff=staff, earlier=earlier,
                            admin=organizer is None,
                            events=[staff_event_view.listed(event, page_.lang) for event in events])

    @page("GET", "/staff/events/new")
    def new_event_page(self, request):
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        return self._event_form(page_, staff, None, event_form.blank())

    @page("POST", "/staff/events/new")
    def create_event_from_form(self, request):
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        values = event_form.sent(request.form)
        admin = access.scope(staff) is None
        body, bad = event_form.new_event(values, admin, publish=request.form.get("action") == "publish")
        if bad:
            return self._event_form(page_, staff, None, values, event_form_errors.for_fields(bad, page_._), 422)
        try:
            body = access.check_organizer_field(staff, body)  # as the API's create_event
            event = self.catalog.create_event(body, organizer=access.scope(staff))
        except YhdessaError as exc:
            return self._refused(page_, staff, None, values, exc)
        return page_.redirect(f"{_event_path(event['id'])}?done=created")

    @page("GET", "/staff/events/<string:event_id>")
    def staff_event(self, request, event_id):
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        event = self._event_for(staff, event_id)
        done = request.args.get("done")
        return self._staff_event_page(page_, staff, event, done=done if done in DONE else None)

    @page("GET", "/staff/events/<string:event_id>/edit")
    def edit_event_page(self, request, event_id):
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        event = self._event_for(staff, event_id)
        values = event_form.of_event(event)
        return self._event_form(page_, staff, event, values, drawn=values)

    @page("POST", "/staff/events/<string:event_id>/edit")
    def edit_event(self, request, event_id):
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        values, shown = event_form.sent(request.form), event_form.drawn(request.form, event)
        change, bad = event_form.changes(values, shown, admin=access.scope(staff) is None)
        if bad:
            return self._event_form(page_, staff, event, values, event_form_errors.for_fields(bad, page_._), 422,
                                    drawn=shown)
        if change:  # nothing changed: nothing sent, nobody told
            try:
                if "organizer" in change:
                    access.check_organizer_field(staff, change)  # as the API's update_event
                self.catalog.update_event(event_id, change, organizer=access.scope(staff))
            except YhdessaError as exc:
                return self._refused(page_, staff, event, values, exc, drawn=shown)
        return page_.redirect(f"{_event_path(event_id)}?done=saved")

    @page("POST", "/staff/events/<string:event_id>/publish")
    def publish_event(self, request, event_id):
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        if event["status"] == "draft":
            try:
                self.catalog.update_event(event_id, {"status": "published"}, organizer=access.scope(staff))
            except YhdessaError as exc:
                if exc.http_status in (403, 404):
                    raise
                # the draft lacks what publishing needs (a free SMS code, a start not yet past)
                return self._staff_event_page(page_, staff, event, status=exc.http_status, problem=_problem(exc, page_))
        return page_.redirect(f"{_event_path(event_id)}?done=published")

    @page("GET", "/staff/events/<string:event_id>/cancel")
    def cancel_event_page(self, request, event_id):
        """The confirmation step: nothing is cancelled by following a link."""
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        event = self._event_for(staff, event_id)
        if event["status"] == "cancelled":
            return page_.redirect(_event_path(event_id))
        counts = self._counts(staff, event)
        return page_.render("staff_event_cancel.html", cache=NO_STORE, staff=staff,
                            event=staff_event_view.shown(event, page_.lang), counts=counts)

    @page("POST", "/staff/events/<string:event_id>/cancel")
    def cancel_event_confirmed(self, request, event_id):
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        if request.form.get("confirm") != CONFIRMED:
            return page_.redirect(f"{_event_path(event_id)}/cancel")
        if event["status"] != "cancelled":  # twice is harmless, and tells nobody twice (the catalog's rule too)
            self.catalog.cancel_event(event_id, organizer=access.scope(staff))
        return page_.redirect(f"{_event_path(event_id)}?done=cancelled")

    # --- drawing ---------------------------------------------------------------------------

    def _counts(self, staff, event):
        """The event's counts; a draft has none (registration hears of an event when published)."""
        if event["status"] == "draft":
            return None
        organizer = access.scope(staff)
        try:
            roster = self.registration.list_registrations(event["id"], organizer=organizer)
            walk_ins = self.registration.walk_ins(event["id"], organizer=organizer)
        except NotFound:  # published a moment ago: the news is still on its way to registration
            roster, walk_ins = [], {"total": 0}
        return staff_event_view.counts(roster, walk_ins)

    def _staff_event_page(self, page_, staff, event, status=200, done=None, problem=None):
        event = self._with_availability([event])[0]
        return page_.render("staff_event.html", status=status, cache=NO_STORE, staff=staff,
                            event=staff_event_view.shown(event, page_.lang), counts=self._counts(staff, event),
                            done=done, problem=problem, admin=access.scope(staff) is None)

    def _event_form(self, page_, staff, event, values, errors=None, status=200, drawn=None):
        return page_.render("event_form.html", status=status, cache=NO_STORE, staff=staff, values=values,
                            drawn=event_form.as_json(drawn) if drawn else None,
                            event=staff_event_view.shown(event, page_.lang) if event else None,
                            errors=errors or {}, admin=access.scope(staff) is None,
                            languages_named=event_form.LANGUAGES)

    def _refused(self, page_, staff, event, values, exc, drawn=None):
        """The form again with the catalog's refusal beside its fields (or at the top)."""
        if exc.http_status in (403, 404) and exc.code != "other_organizer":
            raise exc
        errors = event_form_errors.for_fields(exc.fields, page_._)
        if exc.code not in ("validation_error", "sms_code_taken") or not errors:
            errors = {"form": event_form_errors.for_code(exc.code, page_._), **errors}
        status = 422 if isinstance(exc, ValidationFailed) else exc.http_status
        return self._event_form(page_, staff, event, values, errors, status, drawn=drawn)


def _problem(exc, page_):
    """What stopped publishing, in words: the first of the catalog's reasons, or its code's text."""
    errors = event_form_errors.for_fields(exc.fields, page_._) if exc.fields else {}
    return next(iter(errors.values()), None) or event_form_errors.for_code(exc.code, page_._)
