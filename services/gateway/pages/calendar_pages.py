"""Entrypoints only: calendar files (GET /events/{id}.ics, GET /events.ics)."""
from services.gateway.pages import calendar_files
from services.gateway.pages.endpoint import page


class CalendarPages:
    @page("GET", "/events/<string:event_id>.ics")
    def event_calendar(self, request, event_id):
        """One event's calendar file (drafts and unknown ids: the catalog's 404)."""
        event = self.catalog.get_event(event_id)
        return calendar_files.answer(self.pages.page(request), [event], f"tapahtuma-{event_id[:8]}.ics")

    @page("GET", "/events.ics")
    def events_calendar(self, request):
        """The events of the list's filters (municipality, day, q) as one calendar file."""
        municipality, day, q = calendar_files.filters(request)
        events = self.catalog.list_events(municipality=municipality, starts_from=day, starts_before=day, q=q,
                                          limit=calendar_files.MAX_EVENTS)
        page_ = self.pages.page(request)
        return calendar_files.answer(page_, events, "tapahtumat.ics",
                                     name=calendar_files.name(page_, municipality))
