"""What the /r pages make of a typed code and show of a registration (services/gateway/pages/holder_view.py)."""
import pytest

from services.gateway.pages.holder_view import code_path, shown


@pytest.mark.parametrize("typed, path", [
    ("  k7mx-4pra ", "/r/K7MX-4PRA"),  # as printed, in any case: the API takes it
    ("k7mx 4pra", "/r/K7MX4PRA"),
    ("https://yhdessa.fi/r/q3J9xW2kLm8vN4pR7sT1uQ", "/r/q3J9xW2kLm8vN4pR7sT1uQ"),  # a token keeps its case
    ("K7MX/../4PRA", "/r/K7MX%2F..%2F4PRA"),  # stays one path segment
    ("   ", None), ("", None), (None, None)])
def test_a_typed_code_becomes_the_registrations_address(typed, path):
    assert code_path(typed) == path


def registration(**changes):
    return {"status": "confirmed", "name": "Maija", "phone": "+358401234567", "email": "maija@example.fi",
            **changes}


def test_the_holder_sees_contacts_masked_and_the_state():
    view = shown(registration())
    assert (view["phone"], view["email"], view["state"]) == ("+358*******67", "m***@example.fi", "confirmed")
    assert shown(registration(status="waitlisted"))["state"] == "waitlisted"


def test_a_registration_without_name_or_contacts_is_erased():
    assert shown(registration(status="cancelled", name=None, phone=None, email=None))["state"] == "erased"
    # an assisted sign-up without phone or email of its own still has its name
    assert shown(registration(phone=None, email=None))["state"] == "confirmed"
