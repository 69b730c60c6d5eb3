"""Cancel codes that can be read aloud over the phone."""
from services.registration import codes

LOOK_ALIKES = set("0O1IL2Z5S8B6GUVQ")


def test_codes_use_no_look_alike_characters():
    for _ in range(500):
        code = codes.new_code()
        assert len(code) == 8 and not LOOK_ALIKES & set(code)


def test_a_code_read_back_in_any_case_with_or_without_dash_is_found():
    assert codes.normalise("k7mx-4pra") == "K7MX4PRA"
    assert codes.normalise(" K7MX 4PRA ") == "K7MX4PRA"
    assert codes.display("K7MX4PRA") == "K7MX-4PRA"


def test_something_that_cannot_be_a_code_is_not_looked_up():
    assert codes.normalise("K7MX-4PR") is None
    assert codes.normalise("K7MX-4PR0") is None
    assert codes.normalise("") is None
