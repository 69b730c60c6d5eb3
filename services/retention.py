"""Run the retention job now, on every service's database (the services also run it hourly).

    python -m services.retention              # as the services would, now
    python -m services.retention --now 2027-01-31T00:00:00+02:00

Names, phone numbers and emails of registrations and of the messages sent about them are blanked
RETENTION_DAYS after the event ends (an enrolment's after its series' last session; residents' texts
to us after they arrive), and the services' dead letters about such events are dropped.
Rows, statuses and attendance stay, so statistics do not change. `--now` runs it as if it were
that moment (to see what a date would anonymise)."""
import argparse
import datetime
import json

from services.notifications.storage import NotificationStore
from services.registration.storage import RegistrationStore
from shared import dead_letters, queues
from shared.config import setting
from shared.database import Database, utcnow
from shared.migrations import upgrade


def main(argv=None):
    parser = argparse.ArgumentParser(prog="retention", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--now", type=datetime.datetime.fromisoformat, default=None,
                        help="ISO 8601 time with offset (default: now)")
    args = parser.parse_args(argv)
    now = args.now or utcnow()
    if now.tzinfo is None:
        parser.error("--now needs an offset, e.g. 2027-01-31T00:00:00+02:00")
    days = int(setting("RETENTION_DAYS"))
    done = {"retention_days": days, "as_of": now.isoformat()}
    for name, store_class in (("registration", RegistrationStore), ("notifications", NotificationStore)):
        url = setting(f"{name.upper()}_DATABASE_URL")
        upgrade(name, url)
        database = Database(url)
        try:
            store = store_class(database)
            done[name] = store.anonymise_ended(days, now=now)
            if name == "notifications":  # residents' texts to us, as the service's hourly job does
                done["notifications_texts"] = store.inbound.forget_received(days, now=now)
            done[f"{name}_dead_letters"] = len(dead_letters.forget(setting("AMQP_URI"), name, (
                dead_letters.retention_and_erasure(days, now, getattr(store, "is_erased", None))),
                queues.queue_type(setting("QUEUE_TYPE"))))
        finally:
            database.dispose()
    print(json.dumps(done))


if __name__ == "__main__":
    main()
