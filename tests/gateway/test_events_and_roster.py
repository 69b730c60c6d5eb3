"""Events as residents and staff see them through the gateway (the catalog's event with
registration's seat counts, drafts and the contact person for staff only), and the roster, as JSON
with each registrant's messages or as a CSV a Finnish spreadsheet opens."""
import csv
import io

from tests.gateway.conftest import EVENT_ID, KOSKETUS, event, staff

FULL, CANCELLED, UNCOUNTED = "e-full", "e-cancelled", "e-uncounted"


def test_events_carry_the_seats_and_waiting_places_registration_counts(gateway, client):
    gateway.catalog.list_events.return_value = [event(id=FULL), event(id=CANCELLED, status="cancelled"),
                                                event(id=UNCOUNTED)]
    gateway.registration.availability.return_value = {FULL: {"seats_left": 0, "waitlist_left": 3},
                                                      CANCELLED: {"seats_left": 5, "waitlist_left": 5}}
    events = client.get("/api/events").json()
    assert [(e["id"], e["seats_left"], e["waitlist_left"]) for e in events] == [
        (FULL, 0, 3), (CANCELLED, 0, 0), (UNCOUNTED, 40, 10)]  # no sign-ups counted yet: all free
    gateway.registration.availability.assert_called_once_with([FULL, CANCELLED, UNCOUNTED])


def test_residents_see_published_events_without_the_contact_person(gateway, client):
    gateway.catalog.list_events.return_value = [event()]
    [shown] = client.get("/api/events?municipality=Jyväskylä&q=puisto").json()
    assert "summary_phone" not in shown and "summary_email" not in shown
    gateway.catalog.list_events.assert_called_once_with(
        municipality="Jyväskylä", starts_from=None, starts_before=None, q="puisto",
        include_drafts=False, drafts_of=None, limit=100, offset=0)


def test_staff_see_their_organizers_drafts_and_contact_person(gateway, client):
    gateway.catalog.list_events.return_value = [event(status="draft")]
    [shown] = client.get("/api/events?limit=5", headers=staff()).json()
    assert shown["summary_phone"] == "+358401234500"
    assert (shown["seats_left"], shown["waitlist_left"]) == (0, 0)  # a draft takes no sign-ups
    assert gateway.catalog.list_events.call_args.kwargs["include_drafts"] is True
    assert gateway.catalog.list_events.call_args.kwargs["drafts_of"] == KOSKETUS


def test_one_event_is_asked_for_with_drafts_only_by_staff(gateway, client):
    gateway.catalog.get_event.side_effect = None
    gateway.catalog.get_event.return_value = event()
    assert client.get(f"/api/events/{EVENT_ID}").status_code == 200
    assert client.get(f"/api/events/{EVENT_ID}", headers=staff()).status_code == 200
    assert [c.kwargs for c in gateway.catalog.get_event.call_args_list] == [
        {"include_drafts": False, "drafts_of": None}, {"include_drafts": True, "drafts_of": KOSKETUS}]


def test_a_bad_paging_number_is_422_naming_it(gateway, client):
    response = client.get("/api/events?limit=²")
    assert response.status_code == 422 and response.json()["error"]["fields"] == {"limit": "a whole number 1–500"}
    gateway.catalog.list_events.assert_not_called()


def roster_row(**changes):
    return {"id": "r-1", "name": "Äänekosken Öljynen", "phone": "+358401000005", "email": None, "seats": 2,
            "status": "confirmed", "waitlist_position": None, "created_at": "2026-10-01T06:30:00+00:00",
            "attended": True, **changes}


def test_the_json_roster_shows_each_registrants_messages(gateway, client):
    gateway.registration.list_registrations.return_value = [roster_row(), roster_row(id="r-2")]
    gateway.notifications.messages_for_registrations.return_value = {"r-1": [{"template": "confirmed"}]}
    roster = client.get(f"/api/events/{EVENT_ID}/registrations", headers=staff()).json()
    assert [r["messages"] for r in roster] == [[{"template": "confirmed"}], []]
    gateway.notifications.messages_for_registrations.assert_called_once_with(["r-1", "r-2"])


def test_the_roster_csv_opens_in_a_finnish_spreadsheet_and_runs_no_formula(gateway, client):
    gateway.registration.list_registrations.return_value = [
        roster_row(),
        roster_row(name="Åsa Åkerman", phone=None, email="=HYPERLINK@example.fi", seats=1, status="waitlisted",
                   waitlist_position=1, attended=False)]
    response = client.get(f"/api/events/{EVENT_ID}/registrations", headers={"Accept": "text/csv", **staff()})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="ilmoittautuneet-{EVENT_ID[:8]}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte order mark Excel needs
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Nimi", "Yhteystieto", "Paikkoja", "Tila", "Jonosija", "Ilmoittautunut", "Paikalla"],
        ["Äänekosken Öljynen", "+358401000005", "2", "vahvistettu", "", "01.10.2026 09:30", "kyllä"],
        ["Åsa Åkerman", "'=HYPERLINK@example.fi", "1", "jonossa", "1", "01.10.2026 09:30", ""],
    ]
    gateway.notifications.messages_for_registrations.assert_not_called()
