"""The organizer's event pages through HTTP, as a browser without JavaScript uses them: signing in
and out with a staff token, the list of the organizer's events, making an event with every field
(a draft, and one published at once), changing only what changed, bad input answered beside its
field with nothing made, publishing a draft, cancelling with a confirmation step (each registrant
told once), and another organizer's staff seeing and changing none of it."""
import datetime as dt
import time
import uuid
from urllib.parse import quote

import pytest

from tests.e2e.helpers import event_start, sign_up, staff_token
from tests.e2e.pages import STAFF_COOKIE, Page, browser, cookie, get, post, signed_in, token_of
from tests.system import STAFF_TOKEN

pytestmark = pytest.mark.e2e

ORGANIZER = "Jyväskylän Katulähetys ry"
OTHER = "Petäjäveden 4H-yhdistys"


@pytest.fixture(scope="module")
def own(system):
    return staff_token(system, "Sanna / Katulähetys", ORGANIZER)


@pytest.fixture(scope="module")
def other(system):
    return staff_token(system, "Pekka / 4H", OTHER)


@pytest.fixture(scope="module")
def office(system, own):
    """The organizer's office, signed in once for the module's tests."""
    return signed_in(system, token_of(own))


def a_word():
    return uuid.uuid4().hex[:8]


def form(**fields):
    """A new event's form as staff fill in only what is required."""
    starts = event_start(15)
    return {"title_fi": "Yöpäivystys", "municipality": "Jyväskylä", "place": "Kortepohjan nuorisotila",
            "starts_date": starts.date().isoformat(), "starts_time": "18:00",
            "ends_date": starts.date().isoformat(), "ends_time": "22:00", "capacity": "20",
            "waitlist_capacity": "0", "max_group_size": "5", "reminder": "usual", **fields}


def made(answer):
    """The event id a form's redirect leads to."""
    assert answer.status_code == 303, answer.text
    location = answer.headers["Location"]
    assert location.startswith("/staff/events/") and "?done=" in location, location
    return location.split("/")[3].split("?")[0]


def api_event(system, event_id, headers):
    answer = system.call("GET", f"/api/events/{event_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def templates_sent(system, event_id, headers):
    """{name: [message templates]} of the event's roster, oldest first."""
    roster = system.call("GET", f"/api/events/{event_id}/registrations", headers=headers).json()
    return {r["name"]: [m["template"] for m in r["messages"]] for r in roster}


def wait_for_templates(system, event_id, headers, template, names, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        sent = templates_sent(system, event_id, headers)
        if all(template in sent.get(name, []) for name in names) or time.monotonic() > deadline:
            return sent
        time.sleep(0.1)


def as_drawn(page):
    """The form's values as the page drew them (what a browser sends when nothing is touched)."""
    values = {}
    for name, fields in page.inputs.items():
        if not name or fields[0].get("type") == "submit":
            continue
        if fields[0].get("type") == "radio":
            values[name] = next(f["value"] for f in fields if "checked" in f)
        elif page.ids.get(name, {}).get("tag") == "textarea":
            values[name] = page.ids[name]["text"]
        else:
            values[name] = fields[0].get("value") or ""
    return values


def letters(word):
    """A made-up name part in letters only (a name holds no digits)."""
    return "".join("abcdefghijklmnop"[int(c, 16)] for c in word).capitalize()


def signed_up(system, event_id, names):
    for name in names:
        answer = sign_up(system, event_id, {"name": name, "email": f"{uuid.uuid4().hex[:10]}@example.fi"})
        assert answer.status_code == 201, answer.text


# --- signing in and out ---------------------------------------------------------------------------

def test_signing_in_with_a_token_and_out_again(system, own):
    session = browser()
    to_events = get(session, system, "/staff/events")
    assert to_events.status_code == 303
    assert to_events.headers["Location"] == f"/staff/sign-in?next={quote('/staff/events', safe='')}"

    sign_in_page = Page(get(session, system, to_events.headers["Location"]).text)
    assert sign_in_page.value("next") == "/staff/events"
    wrong = post(session, system, "/staff/sign-in", {"token": "yst_not-a-token", "next": "/staff/events"})
    assert wrong.status_code == 422 and Page(wrong.text).errors() == ["token"]
    assert cookie(session, STAFF_COOKIE) is None

    right = post(session, system, "/staff/sign-in", {"token": token_of(own), "next": "/staff/events"})
    assert right.status_code == 303 and right.headers["Location"] == "/staff/events"
    events = get(session, system, "/staff/events")
    assert events.status_code == 200 and events.headers["Cache-Control"] == "no-store"
    assert "Sanna / Katulähetys" in events.text and "/staff/events/new" in Page(events.text).links

    good = cookie(session, STAFF_COOKIE)
    session.cookies.set(STAFF_COOKIE, good[:-1] + ("0" if good[-1] != "0" else "1"))  # tampered with
    assert get(session, system, "/staff/events").status_code == 303
    session.cookies.set(STAFF_COOKIE, good)
    assert get(session, system, "/staff/events").status_code == 200

    out = post(session, system, "/staff/sign-out")
    assert out.status_code == 303 and cookie(session, STAFF_COOKIE) is None
    assert get(session, system, "/staff/events").headers["Location"].startswith("/staff/sign-in")


# --- making events ----------------------------------------------------------------------------------

def test_a_draft_and_an_event_with_every_field_made_through_the_form(system, own, office):
    word = a_word()
    get(office, system, "/staff/events/new")
    draft_id = made(post(office, system, "/staff/events/new", form(title_fi=f"Luonnos {word}", action="draft")))
    draft = api_event(system, draft_id, own)
    assert (draft["status"], draft["organizer"], draft["title"]) == ("draft", ORGANIZER, {"fi": f"Luonnos {word}"})
    assert draft["capacity"] == 20 and draft["reminders"] is True and draft["sms_code"] is None
    assert local_time(draft["starts_at"]) == f"{event_start(15).date().isoformat()} 18:00"
    page = get(office, system, f"/staff/events/{draft_id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Luonnos" in page.text and "/staff/events/" + draft_id + "/publish" in page.text

    day = event_start(16).date()
    code = f"YO{word[:4]}".upper()
    every = form(title_fi=f"Asunnottomien yö {word}", title_sv=f"De bostadslösas natt {word}",
                 title_en=f"Homeless Night {word}", description_fi="Lämmintä ruokaa.\n\nTervetuloa!",
                 description_sv="Varm mat.", description_en="Warm food.", municipality="Jyväskylä",
                 place="Tourujoen puisto", address="Tourulantie 1", starts_date=day.isoformat(), starts_time="17:30",
                 ends_date=(day + dt.timedelta(days=1)).isoformat(), ends_time="02:00", capacity="40",
                 waitlist_capacity="10", max_group_size="3", opens_date=event_start(2).date().isoformat(),
                 opens_time="09:00", closes_date=f"{day.day}.{day.month}.{day.year}", closes_time="12.00",
                 sms_code=code.lower(), reminder="at", reminder_date=day.isoformat(), reminder_time="10:00",
                 summary_phone="040 555 1234", summary_email="Sanna@Example.fi", action="publish")
    event_id = made(post(office, system, "/staff/events/new", every))
    event = api_event(system, event_id, own)
    assert event["status"] == "published" and event["organizer"] == ORGANIZER
    assert event["title"] == {"fi": f"Asunnottomien yö {word}", "sv": f"De bostadslösas natt {word}",
                              "en": f"Homeless Night {word}"}
    assert event["description"] == {"fi": "Lämmintä ruokaa.\n\nTervetuloa!", "sv": "Varm mat.", "en": "Warm food."}
    assert (event["municipality"], event["place"], event["address"]) == ("Jyväskylä", "Tourujoen puisto",
                                                                        "Tourulantie 1")
    assert local_time(event["starts_at"]) == f"{day.isoformat()} 17:30"
    assert local_time(event["ends_at"]) == f"{(day + dt.timedelta(days=1)).isoformat()} 02:00"
    assert local_time(event["registration_opens_at"]) == f"{event_start(2).date().isoformat()} 09:00"
    assert local_time(event["registration_closes_at"]) == f"{day.isoformat()} 12:00"
    assert local_time(event["reminder_at"]) == f"{day.isoformat()} 10:00" and event["reminders"] is True
    assert (event["capacity"], event["waitlist_capacity"], event["max_group_size"]) == (40, 10, 3)
    assert event["sms_code"] == code
    assert (event["summary_phone"], event["summary_email"]) == ("+358405551234", "Sanna@example.fi")

    page = Page(get(office, system, f"/staff/events/{event_id}?done=created").text)
    assert page.text("sms-code") == code and page.text("done")
    for path in ("door", "roster", "message", "edit", "cancel"):
        assert f"/staff/events/{event_id}/{path}" in page.links
    assert page.text("count-coming") == "0"

    listed = Page(get(office, system, "/staff/events").text).links
    assert listed.index(f"/staff/events/{draft_id}") < listed.index(f"/staff/events/{event_id}")  # soonest first

    no_reminders = made(post(office, system, "/staff/events/new", form(title_fi=f"Hiljainen {word}", reminder="none",
                                                                       action="draft")))
    assert api_event(system, no_reminders, own)["reminders"] is False


def local_time(iso):
    return dt.datetime.fromisoformat(iso).astimezone(event_start().tzinfo).strftime("%Y-%m-%d %H:%M")


def test_bad_input_is_answered_beside_its_field_and_nothing_is_made(system, own, office):
    word = a_word()
    get(office, system, "/staff/events/new")
    unreadable = post(office, system, "/staff/events/new",
                      form(title_fi=f"Virhe {word}", capacity="kymmenen", starts_time="kuusi", action="publish"))
    assert unreadable.status_code == 422
    page = Page(unreadable.text)
    assert page.errors() == ["capacity", "starts_date"]
    assert page.value("capacity") == "kymmenen" and page.value("title_fi") == f"Virhe {word}"  # kept as typed

    refused = post(office, system, "/staff/events/new",
                   form(title_fi="", place=f"Paikka {word}", sms_code="!", summary_email="ei", action="publish"))
    assert refused.status_code == 422
    page = Page(refused.text)
    assert page.errors() == ["sms_code", "summary_email", "title_fi"]
    assert "title_fi-error" in page.ids["title_fi"]["attrs"]["aria-describedby"]
    assert "error-summary" in page.ids
    contradicting = post(office, system, "/staff/events/new",
                         form(title_fi=f"Virhe {word}", ends_time="17:00", opens_date=event_start(3).date().isoformat(),
                              opens_time="12:00", closes_date=event_start(2).date().isoformat(), closes_time="12:00"))
    assert contradicting.status_code == 422 and Page(contradicting.text).errors() == ["closes_date", "ends_date"]

    taken = system.call("POST", "/api/events", headers=own, json={
        "title": {"fi": f"Koodi {word}"}, "municipality": "Jyväskylä", "place": "Paikka", "capacity": 5,
        "starts_at": event_start(15).isoformat(), "ends_at": (event_start(15) + dt.timedelta(hours=1)).isoformat(),
        "sms_code": f"K{word[:5]}"}).json()
    clash = post(office, system, "/staff/events/new",
                 form(title_fi=f"Virhe {word}", sms_code=taken["sms_code"], action="publish"))
    assert clash.status_code == 409 and Page(clash.text).errors() == ["sms_code"]

    found = system.call("GET", "/api/events", params={"q": word}, headers=own).json()
    assert [event["id"] for event in found] == [taken["id"]]


# --- changing, publishing and cancelling ------------------------------------------------------------

def test_an_edit_changes_only_what_changed_and_each_registrant_hears_once(system, own, office):
    word = a_word()
    get(office, system, "/staff/events/new")
    event_id = made(post(office, system, "/staff/events/new",
                         form(title_fi=f"Siirtyvä {word}", title_sv=f"Flyttas {word}", action="publish")))
    names = [f"Aino {letters(word)}", f"Eino {letters(word)}"]
    signed_up(system, event_id, names)
    before = api_event(system, event_id, own)

    shown = Page(get(office, system, f"/staff/events/{event_id}/edit").text)
    values = as_drawn(shown)
    # meanwhile a colleague adds seats through the API: the form, sending only what it changed, keeps them
    assert system.call("PATCH", f"/api/events/{event_id}", json={"capacity": 33}, headers=own).status_code == 200
    values["place"] = "Kortepohjan koulu"  # the place moves, nothing else
    saved = post(office, system, f"/staff/events/{event_id}/edit", values)
    assert saved.status_code == 303 and saved.headers["Location"] == f"/staff/events/{event_id}?done=saved"
    after = api_event(system, event_id, own)
    assert {key for key in after if after[key] != before[key]} == {"place", "capacity", "seats_left"}
    assert after["capacity"] == 33

    sent = wait_for_templates(system, event_id, own, "event_changed", names)
    assert all(sent[name].count("event_changed") == 1 for name in names), sent

    unchanged = post(office, system, f"/staff/events/{event_id}/edit", {**values, "place": "Kortepohjan koulu"})
    assert unchanged.status_code == 303 and api_event(system, event_id, own) == after
    cleared = post(office, system, f"/staff/events/{event_id}/edit",
                   {**values, "place": "Kortepohjan koulu", "title_sv": "", "capacity": ""})
    assert cleared.status_code == 422 and Page(cleared.text).errors() == ["capacity"]
    assert api_event(system, event_id, own)["title"] == {"fi": f"Siirtyvä {word}", "sv": f"Flyttas {word}"}
    no_swedish = post(office, system, f"/staff/events/{event_id}/edit",
                      {**values, "place": "Kortepohjan koulu", "title_sv": ""})
    assert no_swedish.status_code == 303 and api_event(system, event_id, own)["title"] == {"fi": f"Siirtyvä {word}"}


def test_a_draft_is_published_and_a_cancellation_is_confirmed_and_told_once(system, own, office):
    word = a_word()
    get(office, system, "/staff/events/new")
    event_id = made(post(office, system, "/staff/events/new", form(title_fi=f"Julkaistava {word}", action="draft")))
    published = post(office, system, f"/staff/events/{event_id}/publish")
    assert published.status_code == 303 and published.headers["Location"].endswith("?done=published")
    event = api_event(system, event_id, own)
    assert event["status"] == "published" and event["sms_code"]

    names = [f"Ville {letters(word)}", f"Kaisa {letters(word)}"]
    signed_up(system, event_id, names)
    confirm = get(office, system, f"/staff/events/{event_id}/cancel")
    assert confirm.status_code == 200 and confirm.headers["Cache-Control"] == "no-store"
    assert "tulossa 2, jonossa 0" in Page(confirm.text).text("main")
    assert api_event(system, event_id, own)["status"] == "published"

    unconfirmed = post(office, system, f"/staff/events/{event_id}/cancel")
    assert unconfirmed.status_code == 303 and api_event(system, event_id, own)["status"] == "published"
    cancelled = post(office, system, f"/staff/events/{event_id}/cancel", {"confirm": "yes"})
    assert cancelled.status_code == 303 and cancelled.headers["Location"].endswith("?done=cancelled")
    assert api_event(system, event_id, own)["status"] == "cancelled"
    again = post(office, system, f"/staff/events/{event_id}/cancel", {"confirm": "yes"})
    assert again.status_code == 303

    sent = wait_for_templates(system, event_id, own, "event_cancelled", names)
    assert all(sent[name].count("event_cancelled") == 1 for name in names), sent
    page = Page(get(office, system, f"/staff/events/{event_id}").text)
    assert f"/staff/events/{event_id}/cancel" not in page.links and f"/staff/events/{event_id}/edit" not in page.links


# --- another organizer ---------------------------------------------------------------------------------

def test_another_organizers_staff_see_and_change_none_of_it(system, own, office, other):
    word = a_word()
    get(office, system, "/staff/events/new")
    event_id = made(post(office, system, "/staff/events/new", form(title_fi=f"Oma {word}", action="publish")))
    draft_id = made(post(office, system, "/staff/events/new", form(title_fi=f"Oma luonnos {word}", action="draft")))
    before = {eid: api_event(system, eid, own) for eid in (event_id, draft_id)}

    stranger = signed_in(system, token_of(other))
    listed = get(stranger, system, "/staff/events")
    assert listed.status_code == 200 and word not in listed.text
    for path in ("", "/edit", "/cancel"):
        assert get(stranger, system, f"/staff/events/{event_id}{path}").status_code == 403, path
        assert get(stranger, system, f"/staff/events/{draft_id}{path}").status_code == 404, path
    for path, data in (("/edit", form(title_fi="Kaapattu")), ("/publish", {}), ("/cancel", {"confirm": "yes"})):
        assert post(stranger, system, f"/staff/events/{event_id}{path}", data).status_code == 403, path
        assert post(stranger, system, f"/staff/events/{draft_id}{path}", data).status_code == 404, path
    assert post(stranger, system, "/staff/events/new", form(title_fi=f"Vieras {word}", organizer=ORGANIZER,
                                                            action="publish")).status_code == 303
    mine = system.call("GET", "/api/events", params={"q": word}, headers=own).json()
    assert {e["organizer"] for e in mine if e["title"]["fi"] == f"Vieras {word}"} == {OTHER}  # organizer ignored
    assert {eid: api_event(system, eid, own) for eid in (event_id, draft_id)} == before

    admin = signed_in(system, STAFF_TOKEN)  # an admin sees every organizer's events, drafts too, each named
    everyone = Page(get(admin, system, "/staff/events").text)
    assert {f"/staff/events/{event_id}", f"/staff/events/{draft_id}"} <= set(everyone.links)
    assert f"Järjestäjä: {ORGANIZER}" in everyone.text("main") and f"Järjestäjä: {OTHER}" in everyone.text("main")
