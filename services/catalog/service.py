"""The catalog service: events and the staff who publish them. Entrypoints only."""
from pydantic import ValidationError

from services.catalog import model
from services.catalog.dependencies import Catalog
from shared.api import EventChange, NewEvent
from shared.entrypoints import rpc
from shared.errors import ValidationFailed, validation_failed


def _parse(schema, data):
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc)


class CatalogService:
    name = "catalog"

    catalog = Catalog()

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def list_events(self, municipality=None, starts_from=None, starts_before=None, q=None,
                    include_drafts=False, limit=100, offset=0):
        return self.catalog.list_events(
            municipality=municipality,
            starts_from=model.parse_time_filter("from", starts_from),
            starts_before=model.parse_time_filter("to", starts_before, end_of_day=True),
            q=q, include_drafts=include_drafts, limit=limit, offset=offset,
        )

    @rpc
    def get_event(self, event_id, include_drafts=False):
        return self.catalog.get_event(event_id, include_drafts=include_drafts)

    @rpc
    def create_event(self, data):
        return self.catalog.create_event(_parse(NewEvent, data))

    @rpc
    def update_event(self, event_id, data):
        return self.catalog.update_event(event_id, _parse(EventChange, data))

    @rpc
    def cancel_event(self, event_id):
        return self.catalog.cancel_event(event_id)

    @rpc
    def authenticate(self, token):
        return self.catalog.authenticate(token)
