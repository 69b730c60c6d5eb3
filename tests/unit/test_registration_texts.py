"""What a resident's text names, as plain Python: an event's SMS code in any case, which
registration "PERU", "PERU 2" or "PERU <cancel code>" cancels, and the code a mistyped one meant."""
from services.registration import rules

SOONER = {"id": "a", "cancel_code": "K7MXAPRA"}
LATER = {"id": "b", "cancel_code": "ACDEFHJK"}


def test_an_sms_code_is_read_in_any_case_and_spacing():
    assert rules.sms_code_of(" yo 17 ") == "YO17"
    assert rules.sms_code_of("kuoro-3") == "KUORO3"
    assert rules.sms_code_of("  ") is None


def test_peru_alone_cancels_the_only_registration_and_asks_when_there_are_several():
    assert rules.chosen_registration([SOONER], None) is SOONER
    assert rules.chosen_registration([SOONER, LATER], None) is None
    assert rules.chosen_registration([SOONER, LATER], " ") is None


def test_peru_with_a_number_picks_that_line_of_the_list():
    assert rules.chosen_registration([SOONER, LATER], "2") is LATER
    assert rules.chosen_registration([SOONER, LATER], "1.") is SOONER
    assert rules.chosen_registration([SOONER], "1") is SOONER


def test_peru_with_a_cancel_code_picks_that_registration_in_any_case_and_dashes():
    assert rules.chosen_registration([SOONER, LATER], "acde-fhjk") is LATER


def test_a_choice_naming_none_of_them_cancels_nothing_even_when_there_is_only_one():
    assert rules.chosen_registration([SOONER, LATER], "3") is None
    assert rules.chosen_registration([SOONER, LATER], "0") is None
    assert rules.chosen_registration([SOONER], "2") is None
    assert rules.chosen_registration([SOONER], "XXXX-XXXX") is None


def test_a_mistyped_code_suggests_the_closest_known_one_and_nonsense_none():
    known = {"YO17", "KUORO", "LUONTO24"}
    assert rules.closest_sms_code("yo71", known) == "YO17"
    assert rules.closest_sms_code("KUORP", known) == "KUORO"
    assert rules.closest_sms_code("XQZW", known) is None
    assert rules.closest_sms_code("YO17", set()) is None
