"""The API's validation errors in plain words beside each field of a page's form, in the reader's
language; a reason nobody mapped yet still gets a kind "check this"."""
import datetime

import pytest
from pydantic import ValidationError

from services.gateway.pages import event_list, form_errors
from services.gateway.pages.rendering import gettext
from shared.api import SignUp
from shared.contacts import contact_details
from shared.errors import ValidationFailed, validation_failed


def in_finnish(text, **values):
    return gettext("fi", text, **values)


def in_english(text, **values):
    return gettext("en", text, **values)


def reasons_of(body):
    """The `fields` registration answers `body` with (the same model and contact rules)."""
    try:
        signup = SignUp.model_validate(body)
    except ValidationError as exc:
        return validation_failed(exc).fields
    return contact_details(signup, ["FI", "AX"])[3]


@pytest.mark.parametrize("body, field, finnish", [
    ({"phone": "0401234567"}, "name", "Kirjoita nimesi."),
    ({"name": "", "phone": "0401234567"}, "name", "Kirjoita nimesi."),
    ({"name": "123", "phone": "0401234567"}, "name", "Käytä nimessä vain kirjaimia"),
    ({"name": "Anna-", "phone": "0401234567"}, "name", "Käytä nimessä vain kirjaimia"),
    ({"name": "Maija <3", "phone": "0401234567"}, "name", "Käytä nimessä vain kirjaimia"),
    ({"name": "Maija"}, "phone", "Anna puhelinnumero tai sähköpostiosoite."),
    ({"name": "Maija", "phone": "12345"}, "phone", "Tarkista puhelinnumero."),
    ({"name": "Maija", "phone": "+46701234567"}, "phone", "Emme voi lähettää tekstiviestejä tähän maahan."),
    ({"name": "Maija", "phone": "014 123 4567"}, "phone", "Tämä ei ole matkapuhelinnumero"),
    ({"name": "Maija", "email": "maija@"}, "email", "Tarkista sähköpostiosoite."),
    ({"name": "Maija", "email": "m@example.fi", "seats": 0}, "seats", "Kirjoita numerolla, montako teitä tulee"),
    ({"name": "Maija", "email": "m@example.fi", "seats": 101}, "seats", "Kirjoita numerolla, montako teitä tulee"),
    ({"name": "Maija", "email": "m@example.fi", "language": "de"}, "language", "Valitse kieli."),
])
def test_each_reason_registration_gives_reads_plainly_beside_its_field(body, field, finnish):
    errors = form_errors.for_fields(reasons_of(body), in_finnish)
    assert errors[field].startswith(finnish)


def test_a_name_of_no_letters_at_all_asks_for_letters():
    assert form_errors.for_fields({"name": "must contain letters"}, in_finnish) == {
        "name": "Kirjoita nimesi kirjaimilla."}


def test_the_group_size_names_the_events_own_limit():
    errors = form_errors.for_fields({"seats": "at most 4 per sign-up"}, in_finnish)
    assert errors == {"seats": "Voit ilmoittaa kerralla enintään 4 henkeä."}
    assert form_errors.for_fields({"seats": "at most 4 per sign-up"}, in_english)["seats"] == \
        "You can sign up at most 4 people at a time."


def test_a_reason_nobody_mapped_yet_asks_to_check_the_field_and_nested_paths_count_as_their_field():
    errors = form_errors.for_fields({"channel": "sms needs a phone number", "name.0": "whatever"}, in_finnish)
    assert errors == {"channel": "Tarkista tämä.", "name": "Käytä nimessä vain kirjaimia, välilyöntejä ja "
                                                           "merkkejä - ' ."}


def test_refusals_that_are_no_fields_fault_are_said_at_the_top_in_swedish_too():
    in_swedish = lambda text, **values: gettext("sv", text, **values)  # noqa: E731
    assert form_errors.for_code("event_full", in_swedish) == "Evenemanget är fullt, och det finns ingen plats i kön."
    assert form_errors.for_code("too_many_requests", in_finnish).startswith("Tästä yhteydestä on tullut liian monta")
    assert form_errors.for_code("something_new", in_finnish) == "Se ei onnistunut. Mitään ei tehty. Yritä uudelleen."


@pytest.mark.parametrize("typed, day", [
    ("2026-10-17", "2026-10-17"), ("17.10.2026", "2026-10-17"), ("7.1.2027", "2027-01-07"),
    ("17.12.", "2026-12-17"),  # this year's, still to come
    ("1.3.", "2027-03-01"),  # this year's is past: next year's
    ("", ""),
])
def test_a_day_filter_is_read_as_finns_type_it(typed, day):
    assert event_list._iso_day(typed, today=datetime.date(2026, 11, 28)) == day


@pytest.mark.parametrize("typed", ["31.2.2027", "huomenna", "2026-13-01", "17/10/2026"])
def test_a_day_that_is_no_day_is_refused_beside_its_field(typed):
    with pytest.raises(ValidationFailed) as refused:
        event_list.day_filter(typed)
    assert set(refused.value.fields) == {"day"}
