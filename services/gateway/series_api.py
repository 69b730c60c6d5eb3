"""Entrypoints: the HTTP API of weekly groups (series of sessions) — staff creating and changing a
series (catalog owns it). GatewayService inherits them."""
from services.gateway import access
from services.gateway.http import http, json_body, json_response
from services.gateway.openapi import Answer
from shared.answers import Series, SeriesWithSeats
from shared.api import NewSeries, SeriesChange


class SeriesApi:
    """Needs the gateway's `catalog`, `auth` and `_with_availability`."""

    @http("POST", "/api/series", staff=True, body=NewSeries, errors=(409,),
          summary="Create a series (a weekly group): each session an event of its own, published unless status "
                  "is draft; 1-60 sessions (409 sms_code_taken)",
          answers={201: Answer("created, with its sessions", Series)})
    def create_series(self, request):
        staff = self.auth.require_staff(request)
        body = access.check_organizer_field(staff, json_body(request))
        return json_response(self.catalog.create_series(body, organizer=access.scope(staff)), status=201)

    @http("GET", "/api/series/<string:series_id>", cors=True, errors=(401, 403),
          summary="One series with its sessions, each with seats_left and waitlist_left (staff: drafts too)",
          answers={200: Answer("the series", SeriesWithSeats)})
    def get_series(self, request, series_id):
        staff = self.auth.staff(request)
        found = self.catalog.get_series(series_id, include_drafts=staff is not None,
                                        drafts_of=access.scope(staff) if staff else None)
        return json_response(access.visible(staff, self._series_with_seats(found)))

    @http("PATCH", "/api/series/<string:series_id>", staff=True, body=SeriesChange, errors=(409,),
          summary="Change a series and every session not yet started (each session's own event_updated); "
                  "status published publishes a draft. A session's place or time: PATCH /api/events/{id}",
          answers={200: Answer("changed", Series)})
    def change_series(self, request, series_id):
        staff = self.auth.require_staff(request)
        body = json_body(request)
        self._series_for(staff, series_id)
        access.check_organizer_change(staff, body)
        return json_response(self.catalog.change_series(series_id, body, organizer=access.scope(staff)))

    def _series_for(self, staff, series_id):
        """The series, when `staff` may reach it: 404 if missing (or another organizer's draft),
        403 if another organizer's."""
        found = self.catalog.get_series(series_id, include_drafts=True, drafts_of=access.scope(staff))
        access.check_event(staff, found)
        return found

    def _series_with_seats(self, found):
        """The series with each session's seats and waiting places left, as registration counts them."""
        sessions = [{**session, "capacity": found["capacity"], "waitlist_capacity": found["waitlist_capacity"]}
                    for session in found["sessions"]]
        counted = {s["id"]: s for s in self._with_availability(sessions)}
        return {**found, "sessions": [{**session, "seats_left": counted[session["id"]]["seats_left"],
                                       "waitlist_left": counted[session["id"]]["waitlist_left"]}
                                      for session in found["sessions"]]}
