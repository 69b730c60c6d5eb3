"""Phone numbers and emails as residents type them."""
import pytest

from services.registration.signup import parse
from shared.contacts import normalise_email, normalise_phone
from shared.errors import ValidationFailed

NEIGHBOURS = ["FI", "AX", "SE", "NO", "EE", "RU"]


@pytest.mark.parametrize("typed", ["040 123 4567", "0401234567", "+358 40 123 4567", "+358401234567", "040-123 4567"])
def test_finnish_mobile_numbers_are_normalised_to_e164(typed):
    assert normalise_phone(typed, NEIGHBOURS) == ("+358401234567", None)


def test_a_swedish_mobile_number_is_accepted_from_the_neighbours():
    assert normalise_phone("+46 70 123 45 67", NEIGHBOURS)[0] == "+46701234567"


def test_a_number_from_outside_the_allowed_countries_is_refused():
    phone, reason = normalise_phone("+234 803 123 4567", NEIGHBOURS)
    assert phone is None and "NG" in reason


def test_a_landline_cannot_receive_sms_and_is_refused():
    phone, reason = normalise_phone("014 123 4567", NEIGHBOURS)  # Jyväskylä landline
    assert phone is None and "mobile" in reason


@pytest.mark.parametrize("typed", ["123", "abc", "040 123", "+358 40 123 4567 8901"])
def test_things_that_are_not_phone_numbers_are_refused(typed):
    assert normalise_phone(typed, NEIGHBOURS)[0] is None


def test_email_is_normalised_and_nonsense_refused():
    assert normalise_email("Maija@Example.FI")[0] == "Maija@example.fi"
    assert normalise_email("maija@")[0] is None


def test_signup_without_any_contact_names_the_phone_field():
    with pytest.raises(ValidationFailed) as refused:
        parse({"name": "Maija"}, NEIGHBOURS)
    assert "phone" in refused.value.fields


def test_signup_defaults_to_sms_in_finnish_when_a_phone_is_given():
    new = parse({"name": "Maija", "phone": "040 123 4567", "email": "maija@example.fi"}, NEIGHBOURS)
    assert (new.channel, new.language, new.seats, new.phone) == ("sms", "fi", 1, "+358401234567")


def test_signup_by_email_only_goes_by_email():
    assert parse({"name": "Ahmed", "email": "ahmed@example.fi", "language": "en"}, NEIGHBOURS).channel == "email"


@pytest.mark.parametrize("body, field", [
    ({"name": "M", "phone": "0401234567", "seats": 0}, "seats"),
    ({"name": "M", "phone": "0401234567", "seats": "2"}, "seats"),
    ({"name": "M", "phone": "0401234567", "language": "de"}, "language"),
    ({"name": "M", "email": "m@example.fi", "channel": "sms"}, "channel"),
    ({"phone": "0401234567"}, "name"),
    ({"name": "M", "phone": 401234567}, "phone"),
    ({"name": "M", "phone": "0401234567", "surname": "X"}, "surname"),
])
def test_bad_signups_are_refused_naming_the_field(body, field):
    with pytest.raises(ValidationFailed) as refused:
        parse(body, NEIGHBOURS)
    assert field in refused.value.fields


@pytest.mark.parametrize("body, fields", [
    ({"name": "", "phone": "12"}, {"name", "phone"}),
    ({"name": "", "seats": 0}, {"name", "seats", "phone"}),  # no contact at all: said at once too
    ({"name": "Maija", "phone": "12", "email": "maija@", "seats": 0}, {"seats", "phone", "email"}),
])
def test_every_mistake_of_a_sign_up_is_named_at_once(body, fields):
    """A resident fixing a form learns of all its mistakes on the first try, not one per try."""
    with pytest.raises(ValidationFailed) as refused:
        parse(body, NEIGHBOURS)
    assert set(refused.value.fields) == fields


def test_a_bad_contact_beside_a_bad_field_keeps_the_model_s_own_reason():
    with pytest.raises(ValidationFailed) as refused:
        parse({"name": "Maija", "phone": 401234567, "seats": 0}, NEIGHBOURS)
    assert set(refused.value.fields) == {"phone", "seats"} and "string" in refused.value.fields["phone"].lower()
