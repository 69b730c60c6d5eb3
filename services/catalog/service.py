"""The catalog service: events and the staff who publish them. Entrypoints only."""
from services.catalog.dependencies import Catalog
from shared.api import EventChange, NewEvent, NewSeries, SeriesChange, parse_body
from shared.entrypoints import rpc
from shared.helsinki import parse_time_filter


class CatalogService:
    name = "catalog"

    catalog = Catalog()

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def list_events(self, municipality=None, starts_from=None, starts_before=None, q=None,
                    include_drafts=False, limit=100, offset=0, drafts_of=None):
        return self.catalog.list_events(
            municipality=municipality,
            starts_from=parse_time_filter("from", starts_from),
            starts_before=parse_time_filter("to", starts_before, end_of_day=True),
            q=q, include_drafts=include_drafts, limit=limit, offset=offset, drafts_of=drafts_of,
        )

    @rpc
    def get_event(self, event_id, include_drafts=False, drafts_of=None):
        return self.catalog.get_event(event_id, include_drafts=include_drafts, drafts_of=drafts_of)

    # `organizer` is the calling staff member's scope: their organizer, or None for an admin. It
    # has no default, so a caller that forgets it fails instead of acting as an admin.

    @rpc
    def create_event(self, data, organizer):
        return self.catalog.create_event(parse_body(NewEvent, data), organizer)

    @rpc
    def update_event(self, event_id, data, organizer):
        return self.catalog.update_event(event_id, parse_body(EventChange, data), organizer)

    @rpc
    def cancel_event(self, event_id, organizer):
        return self.catalog.cancel_event(event_id, organizer)

    # --- series: weekly groups, each session an event ----------------------------------------

    @rpc
    def create_series(self, data, organizer):
        return self.catalog.create_series(parse_body(NewSeries, data), organizer)

    @rpc
    def get_series(self, series_id, include_drafts=False, drafts_of=None):
        return self.catalog.get_series(series_id, include_drafts=include_drafts, drafts_of=drafts_of)

    @rpc
    def change_series(self, series_id, data, organizer):
        return self.catalog.change_series(series_id, parse_body(SeriesChange, data), organizer)

    @rpc
    def list_series(self, organizer):
        """Every series of `organizer` (None: an admin's view, every organizer's), drafts too."""
        return self.catalog.list_series(organizer)

    @rpc
    def authenticate(self, token):
        return self.catalog.authenticate(token)
