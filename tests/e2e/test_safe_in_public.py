"""Safe in public (issue 12, items 2-5), through HTTP against the running system: codes nobody can
guess, Idempotency-Keys nobody can borrow, sign-ups that tell strangers nothing, and staff who
clear out what one client (a bot) signed up."""
import re

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.conftest import wait_until
from tests.e2e.helpers import event_body, resident_name, sign_up, staff_token

pytestmark = pytest.mark.e2e

KOSKETUS = "Kosketus ry"
SHORT_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


@pytest.fixture(scope="module")
def kosketus(system):
    return staff_token(system, "Maija / Kosketus", KOSKETUS)


@pytest.fixture(scope="module")
def city(system):
    return staff_token(system, "Ville / kaupunki", "Jyväskylän kaupunki")


def new_event(system, headers, **changes):
    response = system.call("POST", "/api/events", json={**event_body(**changes), "organizer": KOSKETUS},
                           headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def texts_to(system, number):
    return [m["Body"] for m in system.sms.all() if m["To"] == number]


def test_a_link_token_opens_the_registration_and_answers_mask_the_contacts_and_are_never_cached(system, kosketus):
    event = new_event(system, kosketus)
    made = sign_up(system, event["id"], {"name": "Karin Berg", "email": "karin.berg@example.fi",
                                         "phone": "0405550001", "channel": "email", "language": "sv"})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    karin = made.json()
    assert SHORT_CODE.match(karin["cancel_code"]) and re.fullmatch(r"[A-Za-z0-9_-]{22}", karin["token"])

    # the confirmation email links to the registrant's own page with the token
    mail = wait_until(lambda: [m for m in system.mail.all() if m["rcpt_tos"] == ["karin.berg@example.fi"]],
                      message="Karin's confirmation")[0]
    assert f"{system.env['PUBLIC_BASE_URL']}/r/{karin['token']}" in mail["text"]

    for reference in (karin["token"], karin["cancel_code"]):
        own = system.call("GET", f"/api/registrations/{reference}")
        assert own.status_code == 200 and own.headers["Cache-Control"] == "no-store"
        assert own.json()["id"] == karin["id"] and own.json()["name"] == "Karin Berg"
        assert (own.json()["phone"], own.json()["email"]) == ("+358*******01", "k***@example.fi")
        assert "0405550001" not in own.text and "karin.berg" not in own.text
    wrong = karin["token"][:-2] + ("AA" if not karin["token"].endswith("AA") else "BB")
    assert system.call("GET", f"/api/registrations/{wrong}").status_code == 404

    cancelled = system.call("DELETE", f"/api/registrations/{karin['token']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.headers["Cache-Control"] == "no-store" and "karin.berg" not in cancelled.text
    erased = system.call("POST", f"/api/registrations/{karin['token']}/erase")
    assert erased.status_code == 200 and erased.json()["erased"] is True
    assert erased.headers["Cache-Control"] == "no-store"


def test_someone_elses_idempotency_key_with_another_body_is_refused_and_shows_nothing_of_theirs(system, kosketus):
    event = new_event(system, kosketus)
    mine = {"name": "Maija Mäki", "phone": "0405550002"}
    first = sign_up(system, event["id"], mine, headers={"Idempotency-Key": "shared-key-1"})
    assert first.status_code == 201

    borrowed = sign_up(system, event["id"], {"name": "Joku Muu", "phone": "0405550003"},
                       headers={"Idempotency-Key": "shared-key-1"})
    assert borrowed.status_code == 422, borrowed.text
    assert borrowed.json()["error"]["code"] == "idempotency_key_reused"
    for secret in (first.json()["cancel_code"], first.json()["id"], "Maija", "0405550002", "+358405550002"):
        assert secret not in borrowed.text
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", headers=kosketus).json()
    assert [r["name"] for r in roster] == ["Maija Mäki"]  # nothing was registered

    retried = sign_up(system, event["id"], mine, headers={"Idempotency-Key": "shared-key-1"})
    assert retried.status_code == 200 and retried.json()["cancel_code"] == first.json()["cancel_code"]


def test_signing_up_a_registered_number_again_tells_nothing_and_texts_the_registrant_once(system, kosketus):
    event = new_event(system, kosketus, capacity=10)
    number = "+358405550004"
    first = sign_up(system, event["id"], {"name": "Aino Asunnoton", "phone": "040 555 0004"})
    wait_until(lambda: len(texts_to(system, number)) == 1, message="Aino's confirmation")
    new_person = sign_up(system, event["id"], {"name": "Bertta Uusi", "phone": "0405550005", "seats": 2})

    again = sign_up(system, event["id"], {"name": "Utelias Vieras", "phone": "0405550004", "seats": 2})
    # the same status code, fields and code format as a new person's sign-up: nothing tells them apart
    assert again.status_code == new_person.status_code == 201
    assert set(again.json()) == set(new_person.json())
    assert again.json()["status"] == new_person.json()["status"] == "confirmed" and again.json()["seats"] == 2
    assert SHORT_CODE.match(again.json()["cancel_code"]) and len(again.json()["token"]) == 22
    assert again.json()["id"] != first.json()["id"] and again.json()["cancel_code"] != first.json()["cancel_code"]
    for decoy in (again.json()["cancel_code"], again.json()["token"]):
        assert system.call("GET", f"/api/registrations/{decoy}").status_code == 404

    # Aino gets her own registration's details, in her language, with her real code
    texts = wait_until(lambda: len(t := texts_to(system, number)) == 2 and t, message="the details re-sent")
    assert "olet jo mukana" in texts[1] and first.json()["cancel_code"] in texts[1]
    assert "Utelias" not in texts[1]

    # again within a day: the same answer, and no more texts to her (a later message to someone
    # else shows the bus has passed the point where one would have come)
    assert sign_up(system, event["id"], {"name": "Utelias Vieras", "phone": "0405550004"}).status_code == 201
    sign_up(system, event["id"], {"name": "Cecilia Ceder", "phone": "0405550006"})
    wait_until(lambda: texts_to(system, "+358405550006"), message="Cecilia's confirmation")
    assert len(texts_to(system, number)) == 2
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", headers=kosketus).json()
    assert sorted(r["name"] for r in roster) == ["Aino Asunnoton", "Bertta Uusi", "Cecilia Ceder"]

    # staff helping in person may be told the truth
    assisted = sign_up(system, event["id"], {"name": "Aino Asunnoton", "phone": "0405550004", "consent": True},
                       headers=kosketus)
    assert assisted.status_code == 200 and assisted.json()["already_registered"] is True
    assert assisted.json()["id"] == first.json()["id"] and "cancel_code" not in assisted.json()


def test_staff_see_and_cancel_in_bulk_what_one_client_signed_up(system, kosketus, city):
    event = new_event(system, kosketus, capacity=3, waitlist_capacity=2)
    # Until the gateway sends it, client_ref comes in register_batch items directly.
    with ClusterRpcProxy({"AMQP_URI": system.env["AMQP_URI"]}) as cluster:
        wait_until(lambda: event["id"] in cluster.registration.availability([event["id"]]),
                   message="registration to know the event")
        made = cluster.registration.register_batch([
            {"event_id": event["id"], "data": {"name": resident_name("Botti", n), "email": f"bot{n}@example.com"},
             "client_ref": "c0ffee"} for n in range(3)] + [
            {"event_id": event["id"], "data": {"name": "Eeva Odottaja", "phone": "0405550007"},
             "client_ref": "beef01"}])
    assert [m["registration"]["status"] for m in made] == ["confirmed"] * 3 + ["waitlisted"]
    wait_until(lambda: len(system.mail.all()) and texts_to(system, "+358405550007"), message="the sign-ups told")

    listed = system.call("GET", f"/api/events/{event['id']}/registrations?client_ref=c0ffee", headers=kosketus)
    assert listed.status_code == 200
    assert sorted((r["name"], r["client_ref"]) for r in listed.json()) == [
        (resident_name("Botti", n), "c0ffee") for n in range(3)]

    url = f"/api/events/{event['id']}/registrations/cancel-by-client"
    assert system.call("POST", url, json={"client_ref": "c0ffee"}).status_code == 401
    assert system.call("POST", url, json={"client_ref": "c0ffee"}, headers=city).status_code == 403
    bad = system.call("POST", url, json={"client_ref": ""}, headers=kosketus)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    still = system.call("GET", f"/api/events/{event['id']}", headers=kosketus).json()
    assert still["seats_left"] == 0  # refused requests changed nothing

    done = system.call("POST", url, json={"client_ref": "c0ffee"}, headers=kosketus)
    assert done.status_code == 200, done.text
    assert done.json()["cancelled"] == 3 and len(done.json()["registration_ids"]) == 3
    roster = system.call("GET", f"/api/events/{event['id']}/registrations", headers=kosketus).json()
    assert sorted((r["name"], r["status"]) for r in roster) == [
        (resident_name("Botti", 0), "cancelled"), (resident_name("Botti", 1), "cancelled"), (resident_name("Botti", 2), "cancelled"), ("Eeva Odottaja", "confirmed")]
    # each registrant is told, and the waiting resident hears she got a seat
    wait_until(lambda: sum(1 for m in system.mail.all() if m["rcpt_tos"][0].startswith("bot")
                           and "peruttu" in m["subject"].lower()) == 3, message="the bots told")
    wait_until(lambda: len(texts_to(system, "+358405550007")) == 2, message="Eeva's promotion")
