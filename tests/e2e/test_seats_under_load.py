"""Seats never oversell when hundreds sign up at once: concurrent HTTP clients against the whole
system, on PostgreSQL (production) and on SQLite (the embedded default)."""
import collections

import eventlet
import pytest

from tests.e2e.helpers import create_event, resident_name, sign_up

pytestmark = pytest.mark.e2e


def phone(n):
    return f"040{2000000 + n:07d}"


def e164(n):
    return "+358" + phone(n)[1:]


def concurrently(jobs, size=100):
    pool = eventlet.GreenPool(size)
    return list(pool.imap(lambda job: job(), jobs))


def roster(system, event_id):
    response = system.call("GET", f"/api/events/{event_id}/registrations", staff=True)
    assert response.status_code == 200
    return response.json()


def rush(system, event_id, numbers):
    jobs = [lambda n=n: sign_up(system, event_id, {"name": resident_name("Asukas", n), "phone": phone(n)}) for n in numbers]
    return concurrently(jobs)


def check_opening_rush(system, sign_ups, capacity, waitlist):
    event = create_event(system, capacity=capacity, waitlist_capacity=waitlist)
    sms_before = len(system.sms.all())
    # Registration must know the event before the rush, or the first answers would be 404.
    assert sign_up(system, event["id"], {"name": "Ensimmäinen", "phone": phone(9999)}).status_code == 201
    responses = rush(system, event["id"], range(sign_ups - 1))
    statuses = collections.Counter(r.status_code for r in responses)
    accepted = [r.json() for r in responses if r.status_code == 201]
    assert statuses == {201: capacity + waitlist - 1, 409: sign_ups - capacity - waitlist}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"event_full"}

    people = roster(system, event["id"])
    confirmed = [p for p in people if p["status"] == "confirmed"]
    waitlisted = [p for p in people if p["status"] == "waitlisted"]
    assert len(confirmed) == capacity and len(waitlisted) == waitlist
    assert sorted(p["waitlist_position"] for p in waitlisted) == list(range(1, waitlist + 1))
    assert sorted(a["waitlist_position"] for a in accepted if a["status"] == "waitlisted") == \
        list(range(1, waitlist + 1))[-len([a for a in accepted if a["status"] == "waitlisted"]):]
    current = system.call("GET", f"/api/events/{event['id']}").json()
    assert (current["seats_left"], current["waitlist_left"]) == (0, 0)

    messages = system.sms.wait_for(sms_before + capacity + waitlist)[sms_before:]
    eventlet.sleep(1)  # anything sent twice would have arrived by now
    messages = system.sms.all()[sms_before:]
    assert len(messages) == capacity + waitlist
    assert sorted(m["To"] for m in messages) == sorted(p["phone"] for p in people)


def test_300_concurrent_sign_ups_for_50_seats_and_20_waiting_places_on_postgresql(postgres_system):
    check_opening_rush(postgres_system, sign_ups=300, capacity=50, waitlist=20)


def test_concurrent_sign_ups_never_oversell_on_sqlite(system):
    check_opening_rush(system, sign_ups=60, capacity=10, waitlist=5)


def test_cancellations_during_a_rush_promote_the_waiting_list_in_order(postgres_system):
    system = postgres_system
    base = len(system.sms.all())
    event = create_event(system, capacity=50, waitlist_capacity=80)
    numbers = list(range(1000, 1090))
    # 50 take the seats, then 40 join the waiting list, in this order.
    first = {}
    for n in numbers[:1]:
        first[n] = sign_up(system, event["id"], {"name": "A", "phone": phone(n)}).json()
    for n, response in zip(numbers[1:50], rush(system, event["id"], numbers[1:50])):
        first[n] = response.json()
    waiting_order = []
    for n in numbers[50:90]:
        answer = sign_up(system, event["id"], {"name": "W", "phone": phone(n)}).json()
        assert answer["status"] == "waitlisted"
        waiting_order.append(answer["id"])
    sms_before = len(system.sms.wait_for(base + 90))

    leaving = numbers[:30]
    newcomers = list(range(3000, 3030))
    jobs = [lambda n=n: system.call("DELETE", f"/api/registrations/{first[n]['cancel_code']}") for n in leaving]
    jobs += [lambda n=n: sign_up(system, event["id"], {"name": "N", "phone": phone(n)}) for n in newcomers]
    jobs = [job for pair in zip(jobs[:30], jobs[30:]) for job in pair]  # interleave
    responses = concurrently(jobs)
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses if r.status_code >= 300]

    people = {p["id"]: p for p in roster(system, event["id"])}
    confirmed = [p for p in people.values() if p["status"] == "confirmed"]
    assert sum(p["seats"] for p in confirmed) == 50  # no seat given twice, none left empty
    # The first 30 on the waiting list got the 30 freed seats; the other 10 keep their order at the front.
    assert all(people[i]["status"] == "confirmed" for i in waiting_order[:30])
    assert [people[i]["waitlist_position"] for i in waiting_order[30:]] == list(range(1, 11))
    waitlisted = sorted(p["waitlist_position"] for p in people.values() if p["status"] == "waitlisted")
    assert waitlisted == list(range(1, 41))
    current = system.call("GET", f"/api/events/{event['id']}").json()
    assert (current["seats_left"], current["waitlist_left"]) == (0, 80 - 40)

    # Each leaver hears once, each promoted person once, each newcomer once.
    messages = system.sms.wait_for(sms_before + 90)[sms_before:]
    eventlet.sleep(1)
    messages = system.sms.all()[sms_before:]
    assert len(messages) == 90
    promoted_phones = {people[i]["phone"] for i in waiting_order[:30]}
    assert {m["To"] for m in messages if "Paikka vapautui" in m["Body"]} == promoted_phones


@pytest.mark.long  # minutes of make test: make test-long runs it (CI too)
def test_concurrent_sign_ups_each_get_their_own_answer_though_they_travel_together(system):
    """The gateway gathers concurrent sign-ups into one call to registration: a bad, a doubled or
    a misdirected one among them is answered as if it had come alone, and spoils none of the rest."""
    event = create_event(system, capacity=50, waitlist_capacity=0)
    sms_before = len(system.sms.all())
    assert sign_up(system, event["id"], {"name": "Ensimmäinen", "phone": phone(500)}).status_code == 201
    jobs = []
    for n in range(40):
        if n % 4 == 1:
            jobs.append(lambda n=n: sign_up(system, event["id"], {"name": resident_name("Asukas", n), "phone": "12"}))
        elif n % 4 == 2:
            jobs.append(lambda n=n: sign_up(system, "no-such-event", {"name": resident_name("Asukas", n), "phone": phone(n)}))
        elif n % 4 == 3:  # the same people as the n % 4 == 0 ones
            jobs.append(lambda n=n: sign_up(system, event["id"], {"name": resident_name("Asukas", n), "phone": phone(n - 3)}))
        else:
            jobs.append(lambda n=n: sign_up(system, event["id"], {"name": resident_name("Asukas", n), "phone": phone(n)}))
    responses = concurrently(jobs)
    for n, response in enumerate(responses):
        body = response.json()
        if n % 4 == 1:
            assert response.status_code == 422 and "phone" in body["error"]["fields"]
        elif n % 4 == 2:
            assert response.status_code == 404 and body["error"]["code"] == "event_not_found"
        elif n % 4 == 0:
            assert response.status_code in (200, 201) and body["status"] == "confirmed"
    # A person signing up twice at once gets one registration, not two; both answers look like a
    # new sign-up's (one of them a decoy that opens nothing: README, "Signing up twice").
    for n in range(3, 40, 4):
        assert responses[n].status_code == 201 and responses[n].json()["status"] == "confirmed"
    people = roster(system, event["id"])
    assert sorted(p["phone"] for p in people) == sorted([e164(500)] + [e164(n) for n in range(0, 40, 4)])
    registered = {p["id"] for p in people}
    for n in range(3, 40, 4):
        assert len({responses[n].json()["id"], responses[n - 3].json()["id"]} & registered) == 1
    doubled = sorted(e164(n) for n in range(0, 40, 4))
    system.sms.wait_for(sms_before + len(people) + len(doubled))
    eventlet.sleep(1)  # anything sent twice would have arrived by now
    messages = system.sms.all()[sms_before:]
    # each person confirmed once; each doubled one also hears, once, that their number signed up again
    assert sorted(m["To"] for m in messages if "olet jo mukana" not in m["Body"]) == sorted(p["phone"] for p in people)
    assert sorted(m["To"] for m in messages if "olet jo mukana" in m["Body"]) == doubled
