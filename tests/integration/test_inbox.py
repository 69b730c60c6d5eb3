"""The inbox of processed event ids: a redelivery is recognised, and old ids are forgotten."""
import datetime as dt

from sqlalchemy import MetaData

from shared.database import Database
from shared.events import Envelope, make_envelope
from shared.inbox import first_delivery, processed_events_table, prune_processed


def test_an_event_is_processed_once_and_its_id_forgotten_after_a_while(database_url):
    metadata = MetaData()
    table = processed_events_table(metadata)
    database = Database(database_url("inbox"))
    metadata.create_all(database.engine)
    envelope = Envelope.model_validate(make_envelope("event_published_test", {}))
    with database.transaction() as session:
        assert first_delivery(session, table, envelope)
    with database.transaction() as session:
        assert not first_delivery(session, table, envelope)
    assert prune_processed(database, table) == 0  # remembered for a month
    assert prune_processed(database, table, keep=dt.timedelta(0)) == 1
    database.dispose()
