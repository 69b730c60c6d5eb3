"""Demo events shaped after real ones, dated in the future: `make seed`.

Written straight into the catalog's own database, together with their `event_published` events in
its outbox, so they reach registration as soon as the catalog service runs (or at once, if it is
running). Seeding twice adds nothing new.
"""
import datetime as dt

from sqlalchemy import select

from services.catalog.storage import CatalogStore
from services.catalog.tables import events
from shared.api import NewEvent
from shared.config import setting
from shared.database import Database
from shared.errors import Conflict
from shared.helsinki import HELSINKI
from shared.migrations import upgrade

def next_date(month, day, today):
    """The next `day`.`month`. that is still ahead."""
    candidate = dt.date(today.year, month, day)
    return candidate if candidate > today else dt.date(today.year + 1, month, day)


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), HELSINKI)


def demo_events(today):
    """The demo events; the peer group's SMS codes are made on publishing, the others chosen."""
    kosketus = next_date(10, 10, today)
    homeless_night = next_date(10, 17, today)
    lecture = today + dt.timedelta(days=21)
    peer_group = next_date(9, 5, today) if next_date(9, 5, today) - today < dt.timedelta(days=60) else today + dt.timedelta(days=7)
    demo = [
        {"title": {"fi": "Kosketus – verkostotapaaminen: köyhyys", "sv": "Kosketus – nätverksträff: fattigdom",
                   "en": "Kosketus network meeting: poverty"},
         "description": {"fi": "Järjestöjen ja kunnan työntekijöiden verkostotapaaminen. Teemana köyhyys."},
         "municipality": "Jyväskylä", "place": "Jyväskylän kaupungintalo", "address": "Vapaudenkatu 32",
         "starts_at": at(kosketus, 9), "ends_at": at(kosketus, 12), "capacity": 60, "waitlist_capacity": 15,
         "max_group_size": 3, "organizer": "Keski-Suomen järjestöverkosto", "sms_code": f"KO{kosketus.day}"},
        {"title": {"fi": "Valtakunnallinen Asunnottomien Yö", "sv": "De bostadslösas natt",
                   "en": "National Homeless Night"},
         "description": {"fi": "Yhdessä puistossa: lämmintä ruokaa, musiikkia ja keskustelua. Kaikki ovat tervetulleita."},
         "municipality": "Jyväskylä", "place": "Tourujoen puisto", "address": "Tourujoen puisto, Jyväskylä",
         "starts_at": at(homeless_night, 18), "ends_at": at(homeless_night, 22), "capacity": 200,
         "waitlist_capacity": 0, "max_group_size": 5, "organizer": "Asunnottomien Yö -työryhmä",
         "sms_code": f"AY{homeless_night.day}"},
        {"title": {"fi": "Luento: Mistä onnellisuus syntyy?", "sv": "Föreläsning: Var kommer lyckan ifrån?",
                   "en": "Lecture: where does happiness come from?"},
         "description": {"fi": "Avoin yleisöluento onnellisuudesta ja yhteisöllisyydestä."},
         "municipality": "Äänekoski", "place": "Äänekosken kaupunginkirjasto", "address": "Torikatu 1",
         "starts_at": at(lecture, 17, 30), "ends_at": at(lecture, 19), "capacity": 80, "waitlist_capacity": 20,
         "max_group_size": 4, "organizer": "Äänekosken kaupunki", "sms_code": "ONNI"},
    ]
    for week in range(4):
        day = peer_group + dt.timedelta(weeks=week)
        demo.append(
            {"title": {"fi": f"Nuorten vertaisryhmä ({week + 1}/4)", "en": f"Youth peer group ({week + 1}/4)",
                       "sv": f"Kamratgrupp för unga ({week + 1}/4)"},
             "description": {"fi": "Viikoittainen vertaisryhmä maahan muuttaneille nuorille.",
                             "en": "A weekly peer group for young people who have moved to Finland."},
             "municipality": "Jyväskylä", "place": "Nuorisotila Veturi", "address": "Asemakatu 7",
             "starts_at": at(day, 17), "ends_at": at(day, 19), "capacity": 15, "waitlist_capacity": 5,
             "max_group_size": 2, "organizer": "Monikulttuurinen nuorisotyö"})
    return demo


def main():
    url = setting("CATALOG_DATABASE_URL")
    upgrade("catalog", url)
    database = Database(url)
    store = CatalogStore(database)
    added = 0
    for fields in demo_events(dt.datetime.now(HELSINKI).date()):
        with database.transaction() as session:
            exists = session.execute(select(events.c.id).where(
                events.c.starts_at == fields["starts_at"], events.c.place == fields["place"])).first()
        if exists:
            continue
        try:
            event = store.create_event(NewEvent.model_validate(fields), organizer=None)  # as an admin
        except Conflict:  # its SMS code is some other event's: one is made instead
            event = store.create_event(NewEvent.model_validate({**fields, "sms_code": None}), organizer=None)
        added += 1
        print(f"added {event['starts_at'][:16]}  {event['municipality']:<10} {event['sms_code']:<6} {event['title']['fi']}")
    print(f"{added} demo events added" + ("" if added else " (they were there already)"))


if __name__ == "__main__":
    main()
