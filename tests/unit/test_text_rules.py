"""What text people may send: names that cannot carry a link or a number into an SMS, and text
fields without control, zero-width or bidi-override characters, all NFC-normalised."""
import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shared import text
from shared.api import EventChange, NewEvent, SignUp, parse_body
from shared.errors import ValidationFailed

NAMES_OF_MANY_SCRIPTS = [
    "Maija Meikäläinen", "Anna-Liisa Ståhlberg", "Seán O'Brien", "J. R. R. Tolkien", "Jr.",
    "محمد علي", "Cabdullaahi Xasan", "Сергей Иванов", "Nguyễn Văn An", "देवनागरी नाम", "李小龍", "Åsa Öhman",
]

SCAMS_AND_JUNK = [
    "Voitit 500 e! Lunasta: https://evil.example/x",
    "evil.example", "Lunasta osoitteessa evil.fi", "soita 0401234567", "Maija 2", "maija@evil.example",
    "www evil com/x", "Maija\nLiisa", "Maija\u200bLiisa", "Maija\u202eLiisa", "Maija\x00", "-Maija", "Maija-",
    "Maija--Liisa", "Maija..", ".Maija", "'", "   ", "M" * 61, "Ｍａｉｊａ．ｆｉ", "ⅯⅭⅯ", "Maija_Liisa",
]


@pytest.mark.parametrize("name", NAMES_OF_MANY_SCRIPTS)
def test_names_in_any_script_are_accepted_as_written(name):
    assert text.person_name(name) == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize("name", SCAMS_AND_JUNK)
def test_names_that_could_carry_a_link_a_number_or_hidden_text_are_refused(name):
    with pytest.raises(ValueError):
        text.person_name(name)


def test_a_name_is_normalised_and_typed_apostrophes_and_spaces_are_plain():
    assert text.person_name("  Jo\u0308rn  O\u2019Brien\u00a0 ") == "Jörn O'Brien"


@given(st.text(max_size=80))
@example("Voitit 500 e! Lunasta: https://evil.example/x")
@example("evil\uA4F8example")
def test_any_accepted_name_is_short_nfc_and_carries_no_digit_link_or_address(raw):
    try:
        name = text.person_name(raw)
    except ValueError:
        return
    assert text.person_name(name) == name  # round-trips
    assert name == unicodedata.normalize("NFC", name) and 1 <= len(name) <= text.NAME_MAX_LENGTH
    assert not any(char.isdigit() or char in "/:@_" for char in name)
    assert not re.search(r"\.\S", name)  # no full stop inside a word: nothing like evil.example
    assert all(unicodedata.category(char)[0] in "LM" or char in " -'." for char in name)


LETTERS = st.characters(categories=["Lu", "Ll", "Lo"])
WORDS = st.lists(st.text(LETTERS, min_size=1, max_size=8), min_size=1, max_size=4)


@given(WORDS, st.sampled_from([" ", "-", "'"]))
def test_words_of_letters_joined_by_a_space_hyphen_or_apostrophe_are_a_name(words, joiner):
    name = joiner.join(words)
    assert text.person_name(name) == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize("bad", ["Yö\npuistossa", "Yö\u2028puistossa", "Yö\u200bpuistossa", "Yö\u202epuistossa",
                                 "Yö\x00", "Yö\x1b[31m", "Yö\ufeff", "Yö\ud800"])
def test_one_line_texts_refuse_line_breaks_control_zero_width_and_bidi_characters(bad):
    with pytest.raises(ValueError):
        text.line(bad)


def test_texts_are_nfc_normalised_and_descriptions_keep_their_lines():
    assert text.line(" Yo\u0308 puistossa ") == "Yö puistossa"
    assert text.paragraphs("Ensin\r\nsitten\tnäin\u2028loppu") == "Ensin\nsitten\tnäin\nloppu"
    with pytest.raises(ValueError):
        text.paragraphs("Ensin\u202e")


def event_fields(**changes):
    return {"title": {"fi": "Kosketus"}, "municipality": "Jyväskylä", "place": "Kaupungintalo",
            "starts_at": "2026-10-10T09:00:00+03:00", "ends_at": "2026-10-10T12:00:00+03:00",
            "capacity": 40, "organizer": "Jyväskylän kaupunki", **changes}


@pytest.mark.parametrize("changes, field", [
    ({"title": {"fi": "Kosketus\nToinen rivi"}}, "title.fi"),
    ({"description": {"sv": "Text\u200b"}}, "description.sv"),
    ({"place": "Kaupungintalo\u202e"}, "place"),
    ({"municipality": "Jyväskylä\x07"}, "municipality"),
    ({"organizer": "Kau\u2029punki"}, "organizer"),
    ({"address": "Katu 1\r\n"}, None),  # outer whitespace is trimmed, so this one is fine
    ({"starts_at": "0001-01-01T00:00:00+02:00"}, "starts_at"),
    ({"ends_at": "9999-12-31T23:00:00-05:00"}, "ends_at"),
    ({"registration_closes_at": "9999-12-31T23:00:00+00:00"}, "registration_closes_at"),
])
def test_event_text_and_times_are_checked_naming_the_field(changes, field):
    if field is None:
        parse_body(NewEvent, event_fields(**changes))
        return
    for schema, body in ((NewEvent, event_fields(**changes)), (EventChange, changes)):
        with pytest.raises(ValidationFailed) as refused:
            parse_body(schema, body)
        assert field in refused.value.fields, refused.value.fields


def test_a_sign_up_name_is_checked_by_the_shared_model():
    with pytest.raises(ValidationFailed) as refused:
        parse_body(SignUp, {"name": "Voitit 500 e! Lunasta: https://evil.example/x", "phone": "0401234567"})
    assert refused.value.fields == {"name": "letters, spaces and -'. only"}
    assert parse_body(SignUp, {"name": " Jo\u0308rn ", "phone": "0401234567"}).name == "Jörn"
