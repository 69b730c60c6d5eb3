"""The rules that keep strangers out: an Idempotency-Key answers only its own request, a
registrant's details are re-sent at most once a day, and holders see contacts masked."""
import datetime as dt

from services.gateway.holder import masked
from services.registration import rules
from services.registration.signup import from_request, request_hash

NOW = dt.datetime(2026, 10, 1, 12, tzinfo=dt.timezone.utc)


def test_the_same_request_hashes_the_same_whatever_the_key_order_and_any_change_differs():
    body = {"name": "Maija", "phone": "0401234567", "seats": 2}
    same = {"seats": 2, "phone": "0401234567", "name": "Maija"}
    assert request_hash("e1", body) == request_hash("e1", same)
    assert request_hash("e1", body) != request_hash("e2", body)
    assert request_hash("e1", body) != request_hash("e1", {**body, "seats": 3})
    assert request_hash("e1", body) != request_hash("e1", body, staff_id="s1")  # someone else's token


def test_a_sign_up_carries_its_client_and_request_hash_and_an_odd_client_ref_is_dropped():
    body = {"name": "Maija", "phone": "0401234567"}
    signup = from_request("e1", body, ["FI"], client_ref="c0ffee")
    assert signup.client_ref == "c0ffee" and signup.request_hash == request_hash("e1", body)
    assert from_request("e1", body, ["FI"], client_ref="x" * 65).client_ref is None
    assert from_request("e1", body, ["FI"], client_ref=["not", "a", "string"]).client_ref is None


def test_details_are_re_sent_at_most_once_a_day():
    made = {"name": "Maija", "seats": 1, "created_at": NOW - dt.timedelta(days=3)}
    assert rules.may_resend_details({**made, "details_resent_at": None}, NOW)
    assert not rules.may_resend_details({**made, "details_resent_at": NOW - dt.timedelta(hours=23)}, NOW)
    assert rules.may_resend_details({**made, "details_resent_at": NOW - dt.timedelta(days=1)}, NOW)


def test_the_same_sign_up_again_moments_later_is_not_told_as_a_second_one():
    made = {"name": "Maija", "seats": 2, "created_at": NOW - dt.timedelta(minutes=2), "details_resent_at": None}
    # a double tap, a retry or a redelivered request: the confirmation is already on its way
    assert not rules.may_resend_details(made, NOW, ("Maija", 2))
    # someone else with her number, or the same sign-up much later: she hears of it
    assert rules.may_resend_details(made, NOW, ("Utelias Vieras", 2))
    assert rules.may_resend_details(made, NOW, ("Maija", 1))
    assert rules.may_resend_details({**made, "created_at": NOW - dt.timedelta(minutes=11)}, NOW, ("Maija", 2))


def test_a_code_holder_sees_the_contacts_masked_and_everything_else_as_it_is():
    registration = {"id": "r1", "name": "Maija", "phone": "+358401234567", "email": "maija.m@example.fi"}
    assert masked(registration) == {"id": "r1", "name": "Maija", "phone": "+358*******67",
                                    "email": "m***@example.fi"}
    assert masked({"id": "r1", "phone": None, "email": None})["phone"] is None
    assert masked({"id": "r1", "erased": True}) == {"id": "r1", "erased": True}
