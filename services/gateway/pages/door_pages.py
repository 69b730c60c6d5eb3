"""Entrypoints only: the door page (/staff/events/{id}/door…) with check-in and walk-ins, its live feed, and the roster with its CSV.

Each does what the API's staff endpoints do, through the same services with the same staff
reference and organizer scope (GatewayService.check_in, record_walk_ins, event_activity,
list_registrations); a post does one thing and goes back to the door page (303), so a reload
repeats nothing."""

from services.gateway import access, roster
from services.gateway.pages import door_view, roster_view
from services.gateway.pages.endpoint import SCRIPT_POLICY, page
from services.gateway.pages.event_view import in_language
from services.gateway.pages.rendering import NO_STORE, static_version
from services.gateway.pages.staff_session import signed_in
from shared.errors import YhdessaError


def _problem(page_, code):
    return page_._(door_view.PROBLEMS.get(code, door_view.SOMETHING_WRONG))


class DoorPages:
    @page("GET", "/staff/events/<string:event_id>/door")
    def door_page(self, request, event_id):
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        return self._door_page(self.pages.page(request), staff, event, request.args.get("q", ""))

    @page("POST", "/staff/events/<string:event_id>/door/check-in")
    def door_check_in(self, request, event_id):
        reference = request.form.get("registration", "")
        return self._door_post(request, event_id, lambda staff: self.registration.check_in(
            reference, access.staff_reference(staff),
            attended=door_view.attended_from_form(request.form.get("attended")), organizer=access.scope(staff)),
            lambda query: door_view.door_path(event_id, query, reference))

    @page("POST", "/staff/events/<string:event_id>/door/walk-ins")
    def door_walk_ins(self, request, event_id):
        return self._door_post(request, event_id, lambda staff: self.registration.record_walk_ins(
            event_id, {"count": door_view.walk_in_count(request.form.get("count"))}, access.staff_reference(staff),
            organizer=access.scope(staff)),
            lambda query: door_view.door_path(event_id, query) + "#walk-ins")

    @page("GET", "/staff/events/<string:event_id>/activity")
    def door_activity(self, request, event_id):
        """The API's event_activity with the staff session instead of a bearer token: what the
        door page's script reads (a fetch carries the session cookie; EventSource could too, but
        could not send Last-Event-ID after a drop of our own choosing)."""
        staff = signed_in(self, request)
        self._event_for(staff, event_id)
        return self.activity.answer(request, event_id, NO_STORE)

    @page("GET", "/staff/events/<string:event_id>/roster")
    def roster_page(self, request, event_id):
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        page_ = self.pages.page(request)
        registrations = self.registration.list_registrations(event_id, organizer=access.scope(staff))
        if request.args.get("format") == "csv":
            return page_.finish(roster.csv_download(registrations, event_id), NO_STORE)
        registrations = roster.with_messages(registrations, self.notifications)
        return page_.render("roster.html", cache=NO_STORE, staff=staff, event=event,
                            title=in_language(event["title"], page_.lang),
                            registrations=[roster_view.shown(r, page_._) for r in registrations])

    def _door_post(self, request, event_id, act, back_to):
        """A door form: checked, `act(staff)` done as the API does it, then 303 to `back_to(query)`; a
        refusal (other than 403) is the door page again with its status and a plain note."""
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        query = request.form.get("q", "")
        try:
            act(staff)
        except YhdessaError as exc:
            if exc.http_status == 403:
                raise
            return self._door_page(page_, staff, event, query, status=exc.http_status,
                                   problem=_problem(page_, exc.code))
        return page_.redirect(back_to(query))

    def _door_page(self, page_, staff, event, query, status=200, problem=None):
        organizer = access.scope(staff)
        registrations = self.registration.list_registrations(event["id"], organizer=organizer)
        walk_ins = self.registration.walk_ins(event["id"], organizer=organizer)
        rows = door_view.listed(registrations, query)
        return page_.render("door.html", status=status, cache=NO_STORE, headers={"Content-Security-Policy": SCRIPT_POLICY},
                            staff=staff, event=event, title=in_language(event["title"], page_.lang),
                            counts=door_view.counts(registrations, walk_ins["total"]), rows=rows,
                            query=query.strip(), problem=problem, script_version=static_version("door.js"))
