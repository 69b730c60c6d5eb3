"""Staff's webhook and statistics pages against the whole system: subscribing a receiver through
the page (the secret shown once, a check-in reaching the receiver signed with it), unsubscribing
after a confirmation step, a bad address refused beside its field, another organizer seeing none
of it; the statistics page's table, chart and CSV holding the API's own numbers."""
import csv
import datetime as dt
import html
import io
import re
import uuid

import pytest
import standardwebhooks

from tests.conftest import wait_until
from tests.e2e.helpers import event_body, sign_up, staff_token
from tests.e2e.pages import Page, browser, get, post, signed_in, token_of
from tests.system import STAFF_TOKEN, Recorded, start_double

pytestmark = pytest.mark.e2e


class Staff:
    """A staff member on the pages: a signed-in browser, and the same token for the API."""

    def __init__(self, system, headers):
        self.system, self.headers = system, headers
        self.session = signed_in(system, token_of(headers))

    def get(self, path, **kwargs):
        return get(self.session, self.system, path, **kwargs)

    def post(self, path, data, form=None):
        """POST `data` with the form token of the page `form` (fetched from `path` if not given)."""
        form = form if form is not None else self.get(path)
        return post(self.session, self.system, path, data, page=Page(form.text))

    def api(self, method, path, **kwargs):
        return self.system.call(method, path, headers=self.headers, **kwargs)


def unique(prefix):
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def organizer():
    return unique("Raporttiyhdistys")


@pytest.fixture(scope="module")
def staff(system, organizer):
    return Staff(system, staff_token(system, "Raili / raportit", organizer))


@pytest.fixture(scope="module")
def other(system):
    return Staff(system, staff_token(system, "Olli / muut", unique("Toinen yhdistys")))


def receiver(tmp_path):
    record = tmp_path / "webhook.jsonl"
    process, port = start_double("tests.doubles.webhook_receiver", record, "--port", "0")
    return process, port, Recorded(record)


def own_event(staff, days=20, **changes):
    body = {**event_body(**changes)}
    del body["organizer"]  # an organizer's staff need not name it
    starts = dt.datetime.fromisoformat(body["starts_at"]) + dt.timedelta(days=days - 20)
    body.update(starts_at=starts.isoformat(), ends_at=(starts + dt.timedelta(hours=3)).isoformat())
    made = staff.api("POST", "/api/events", json=body)
    assert made.status_code == 201, made.text
    return made.json()


def field_error(page, name):
    found = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else None


def subscribed_urls(staff):
    return [w["url"] for w in staff.api("GET", "/api/webhooks").json()]


# --- webhooks ----------------------------------------------------------------------------------------

def test_a_webhook_subscribed_on_the_page_shows_its_secret_once_and_a_check_in_reaches_it_signed(
        system, staff, other, tmp_path):
    process, port, posts = receiver(tmp_path)
    url = f"http://127.0.0.1:{port}/yhdessa"
    try:
        made = staff.post("/staff/webhooks", {"url": url})
        assert made.status_code == 201, made.text
        assert made.headers["Cache-Control"] == "no-store"
        secret = re.search(r'<p class="secret" id="secret">\s*(whsec_[^<\s]+)\s*</p>', made.text).group(1)
        assert "Kopioi se nyt: sitä ei näytetä uudelleen." in made.text  # said plainly, in Finnish by default

        listed = staff.get("/staff/webhooks")
        assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
        assert html.escape(url) in listed.text and secret not in listed.text and "whsec_" not in listed.text
        assert secret not in str(staff.session.cookies.get_dict())

        event = own_event(staff)
        registration = sign_up(system, event["id"], {"name": "Veikko Väisänen", "phone": "0401000911"}).json()
        assert staff.api("POST", f"/api/registrations/{registration['cancel_code']}/check-in").status_code == 200
        received = wait_until(lambda: [p for p in posts.all() if '"attendance_marked"' in p["body"]],
                              message="the check-in at the receiver")
        standardwebhooks.Webhook(secret).verify(received[0]["body"], received[0]["headers"])  # raises if not signed

        # unsubscribing: a confirmation step, nothing done by following the link
        [mine] = [w for w in staff.api("GET", "/api/webhooks").json() if w["url"] == url]
        confirm = staff.get(f"/staff/webhooks/{mine['id']}/unsubscribe")
        assert confirm.status_code == 200 and html.escape(url) in confirm.text
        assert url in subscribed_urls(staff)
        not_confirmed = staff.post(f"/staff/webhooks/{mine['id']}/unsubscribe", {}, form=confirm)
        assert not_confirmed.status_code == 303 and url in subscribed_urls(staff)
        # another organizer's staff reach neither the step nor the act
        assert other.get(f"/staff/webhooks/{mine['id']}/unsubscribe").status_code == 404
        assert other.post(f"/staff/webhooks/{mine['id']}/unsubscribe", {"confirm": "yes"},
                          form=other.get("/staff/webhooks")).status_code == 403
        done = staff.post(f"/staff/webhooks/{mine['id']}/unsubscribe", {"confirm": "yes"}, form=confirm)
        assert done.status_code == 303 and done.headers["Location"] == "/staff/webhooks?unsubscribed=1"
        assert url not in subscribed_urls(staff)
        after = staff.get(done.headers["Location"])
        assert html.escape(url) not in after.text and "Tilaus on poistettu" in after.text
    finally:
        process.terminate()
        process.wait()


def test_a_bad_address_is_said_beside_the_field_and_nothing_is_subscribed(staff):
    before = subscribed_urls(staff)
    for typed, said in (("ftp://example.org/x", "Kirjoita koko osoite alkaen https://"),
                        ("https://raili:salasana@example.org/x", "Jätä käyttäjätunnus ja salasana pois")):
        refused = staff.post("/staff/webhooks", {"url": typed})
        assert refused.status_code == 422, refused.text
        assert said in field_error(refused.text, "url")
        assert 'aria-invalid="true"' in refused.text and 'href="#url"' in refused.text  # the summary links to it
        assert f'value="{html.escape(typed)}"' in refused.text  # kept to correct
        assert "whsec_" not in refused.text
    assert subscribed_urls(staff) == before


def test_another_organizer_sees_none_of_anothers_webhooks(staff, other):
    url = f"http://127.0.0.1:9/{uuid.uuid4().hex}"
    assert staff.post("/staff/webhooks", {"url": url}).status_code == 201
    assert html.escape(url) in staff.get("/staff/webhooks").text
    assert html.escape(url) not in other.get("/staff/webhooks").text
    [mine] = [w for w in staff.api("GET", "/api/webhooks").json() if w["url"] == url]
    staff.api("DELETE", f"/api/webhooks/{mine['id']}")


def test_an_admin_names_the_organizer_of_a_webhook_and_chooses_whose_statistics(system, staff, organizer, counted):
    admin = Staff(system, {"Authorization": f"Bearer {STAFF_TOKEN}"})
    url = f"http://127.0.0.1:9/{uuid.uuid4().hex}"
    unnamed = admin.post("/staff/webhooks", {"url": url})
    assert unnamed.status_code == 422 and field_error(unnamed.text, "organizer")
    named = admin.post("/staff/webhooks", {"url": url, "organizer": organizer})
    assert named.status_code == 201 and "whsec_" in named.text
    assert url in subscribed_urls(staff)  # it is that organizer's
    [made] = [w for w in staff.api("GET", "/api/webhooks").json() if w["url"] == url]
    staff.api("DELETE", f"/api/webhooks/{made['id']}")

    period, answer = counted
    everyone = admin.get("/staff/stats", params=period).text
    assert f'<option value="{html.escape(organizer)}">' in everyone  # theirs among all organizers
    theirs = admin.get("/staff/stats", params={**period, "organizer": organizer})
    assert table_cells(theirs.text)["total"]["sign_ups"] == answer["totals"]["sign_ups"]
    in_town = admin.get("/staff/stats", params={**period, "organizer": organizer, "municipality": "jyväskylä"})
    assert table_cells(in_town.text)["total"]["sign_ups"] == answer["totals"]["sign_ups"]  # any case, as the API


def test_the_pages_need_a_session_and_a_form_token(system, staff):
    anonymous = browser()
    for path in ("/staff/webhooks", "/staff/stats", "/staff/stats?format=csv"):
        answer = get(anonymous, system, path)
        assert answer.status_code == 303 and answer.headers["Location"].startswith("/staff/sign-in?next=")
    forged = staff.session.post(system.base_url + "/staff/webhooks", data={"url": "http://127.0.0.1:9/x"},
                                allow_redirects=False, timeout=30)
    assert forged.status_code == 403


# --- statistics --------------------------------------------------------------------------------------

def month(moment):
    return f"{moment:%Y-%m}"


@pytest.fixture(scope="module")
def counted(system, staff):
    """Two events of the organizer in different months, with sign-ups, a check-in and walk-ins;
    (the period asked, the API's answer once its message counts have settled)."""
    first, second = own_event(staff, days=10, capacity=1, waitlist_capacity=2), own_event(staff, days=45)
    people = [(first, "Äijälä Öhman", "0401000921"), (first, "Åsa Lindqvist", "0401000922"),
              (second, "Kyösti Mäkelä", "0401000923")]
    made = [sign_up(system, event["id"], {"name": name, "phone": phone}).json() for event, name, phone in people]
    assert staff.api("POST", f"/api/registrations/{made[0]['id']}/check-in").status_code == 200
    assert staff.api("POST", f"/api/events/{second['id']}/walk-ins", json={"count": 4}).status_code == 201
    starts = [dt.datetime.fromisoformat(e["starts_at"]) for e in (first, second)]
    period = {"from": month(min(starts)), "to": month(max(starts) + dt.timedelta(days=31))}
    after = (dt.date.fromisoformat(period["to"] + "-01") + dt.timedelta(days=31)).replace(day=1)
    last_day = after - dt.timedelta(days=1)
    query = {"from": period["from"] + "-01", "to": last_day.isoformat(), "per": "month"}

    def settled():
        """Every sign-up here gave a phone: its one SMS (confirmed or waiting) is counted once made."""
        answer = staff.api("GET", "/api/stats", params=query).json()
        return answer if answer["totals"]["messages"]["sms"] >= answer["totals"]["sign_ups"] >= 3 else None

    return period, wait_until(settled, message="the messages to be counted")


def table_cells(page):
    """{month key or "total": {column: number}} from the statistics table."""
    rows = {}
    for key, cells in re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', page, re.S):
        rows[key] = {c: int(n) for c, n in re.findall(r'<td data-column="(\w+)">(\d+)</td>', cells)}
    footer = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
    rows["total"] = {c: int(n) for c, n in re.findall(r'<td data-column="(\w+)">(\d+)</td>', footer)}
    return rows


def test_the_statistics_page_shows_the_apis_numbers_in_its_table(staff, counted):
    period, answer = counted
    shown = staff.get("/staff/stats", params=period)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    cells = table_cells(shown.text)
    totals = answer["totals"]
    assert cells["total"] == {**{k: v for k, v in totals.items() if k != "messages"},
                              "sms": totals["messages"]["sms"], "email": totals["messages"]["email"]}
    # (the webhook test's event may be counted too)
    assert totals["events"] >= 2 and totals["sign_ups"] >= 3 and totals["attended"] >= 1 and totals["walk_ins"] == 4
    for key in [k for k in cells if k != "total"]:
        groups = [g for g in answer["groups"] if g["month"] == key]
        assert cells[key]["sign_ups"] == sum(g["sign_ups"] for g in groups)
        assert cells[key]["walk_ins"] == sum(g["walk_ins"] for g in groups)
    # every month of the period is a row, those without events too
    assert [key for key in cells if key != "total"] == months_of(period)


def months_of(period):
    first, last = (dt.date.fromisoformat(period[name] + "-01") for name in ("from", "to"))
    found = []
    while first <= last:
        found.append(month(first))
        first = (first + dt.timedelta(days=31)).replace(day=1)
    return found


def test_the_chart_holds_a_bar_per_month_with_its_number_as_text(staff, counted):
    period, _answer = counted
    page = staff.get("/staff/stats", params=period).text
    cells = table_cells(page)
    svg = re.search(r'<svg [^>]*role="img".*?</svg>\s*</figure>', page, re.S).group(0)
    assert re.search(r'<svg [^>]*aria-labelledby="chart-title chart-desc"', svg)
    months = re.findall(r'<g class="month" data-month="([\d-]+)"(.*?)(?=<g class="month"|</svg>)', svg, re.S)
    assert [key for key, _ in months] == [key for key in cells if key != "total"]
    for key, group in months:
        numbers = dict(re.findall(r'<g class="bar" data-series="(\w+)">.*?<text[^>]*>(\d+)</text></g>', group, re.S))
        assert numbers == {series: str(cells[key][series]) for series in ("sign_ups", "attended", "walk_ins")}
    assert "style=" not in svg


def test_the_statistics_download_as_a_csv_with_finnish_letters(staff, counted):
    period, answer = counted
    got = staff.get("/staff/stats", params={**period, "format": "csv"})
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
    assert got.headers["Cache-Control"] == "no-store" and "attachment" in got.headers["Content-Disposition"]
    assert got.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Kuukausi" and "Tekstiviestejä" in rows[0] and "Ilmoittautumisia" in rows[0]
    total = dict(zip(rows[0], rows[-1]))
    assert total["Kuukausi"] == "Yhteensä"
    assert int(total["Ilmoittautumisia"]) == answer["totals"]["sign_ups"]
    assert int(total["Tekstiviestejä"]) == answer["totals"]["messages"]["sms"]
    assert [r[0] for r in rows[1:-1]] == [k for k in table_cells(staff.get("/staff/stats", params=period).text)
                                          if k != "total"]


def test_statistics_of_another_organizer_are_not_there(staff, other, counted, organizer):
    period, _answer = counted
    theirs = other.get("/staff/stats", params=period)
    assert theirs.status_code == 200 and organizer not in theirs.text
    assert "Tällä ajanjaksolla ei alkanut yhtään tapahtumaa." in theirs.text and "<tfoot>" not in theirs.text
    assert other.get("/staff/stats", params={**period, "organizer": organizer}).status_code == 403


def test_a_month_that_cannot_be_read_is_said_beside_its_field(staff):
    refused = staff.get("/staff/stats", params={"from": "kesäkuu", "to": "2026-02"})
    assert refused.status_code == 422
    assert "Kirjoita kuukausi näin: 2026-10." in field_error(refused.text, "from")
    backwards = staff.get("/staff/stats", params={"from": "2026-05", "to": "2026-02"})
    assert backwards.status_code == 422 and field_error(backwards.text, "to")
