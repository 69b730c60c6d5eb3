"""Events' SMS codes as staff type them and as they are made: short, readable aloud, free."""
import pytest

from services.catalog import sms_codes
from services.registration.codes import ALPHABET
from shared.api import EventChange, parse_body
from shared.errors import ValidationFailed


@pytest.mark.parametrize("typed, stored", [("yo17", "YO17"), ("  Ay17 ", "AY17"), ("K2", "K2"),
                                           ("ABCDEF123456", "ABCDEF123456")])
def test_staff_may_type_a_code_in_any_case_with_spaces_around(typed, stored):
    assert parse_body(EventChange, {"sms_code": typed}).sms_code == stored


@pytest.mark.parametrize("typed", ["Y", "ABCDEFG123456", "YÖ17", "YO 17", "YO-17", "", 17])
def test_a_code_that_is_not_2_to_12_letters_and_digits_is_refused(typed):
    with pytest.raises(ValidationFailed) as refused:
        parse_body(EventChange, {"sms_code": typed})
    assert "sms_code" in refused.value.fields


def test_a_made_code_is_two_letters_of_the_title_and_two_digits_without_look_alikes():
    code = sms_codes.new_code("Valtakunnallinen Asunnottomien Yö", taken=set())
    assert code[:2] == "AY" and len(code) == 4 and code[2:].isdigit()
    assert all(c in ALPHABET for c in code)


def test_a_title_with_few_readable_letters_still_gets_a_readable_code():
    for title in ("Öljy 2026", "ILO", "💡"):
        code = sms_codes.new_code(title, taken=set())
        assert 4 <= len(code) <= 6 and all(c in ALPHABET for c in code), (title, code)


def test_a_taken_code_is_never_made_and_codes_grow_only_when_the_short_ones_are_used_up():
    short = {f"AY{a}{b}" for a in sms_codes.DIGITS for b in sms_codes.DIGITS}
    assert len(sms_codes.new_code("Asunnottomien Yö", taken=short - {"AY47"})) == 4
    assert sms_codes.new_code("Asunnottomien Yö", taken=short - {"AY47"}) == "AY47"
    longer = sms_codes.new_code("Asunnottomien Yö", taken=short)
    assert longer not in short and len(longer) == 5 and longer.startswith("AY")
