"""The words residents text us, in fi, sv and en (sms_commands.py)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.sms_commands import (ANSWER, CANCEL, HELP, LANGUAGE, OTHER, SIGN_UP, START, STOP, Command,
                                                 parse)


@pytest.mark.parametrize("body, kind, language", [
    ("PERU", CANCEL, "fi"), ("peru", CANCEL, "fi"), ("Peruuta", CANCEL, "fi"), ("AVBOKA", CANCEL, "sv"),
    ("avboka", CANCEL, "sv"), ("CANCEL", CANCEL, "en"), ("cancel", CANCEL, "en"),
    ("LOPETA", STOP, "fi"), ("SLUTA", STOP, "sv"), ("stop", STOP, "en"), ("Stop.", STOP, "en"),
    ("ALOITA", START, "fi"), ("start", START, None),
    ("APUA", HELP, "fi"), ("HJÄLP", HELP, "sv"), ("hjälp", HELP, "sv"), ("HJALP", HELP, "sv"),
    ("help", HELP, "en"), ("?", HELP, None), (" ?? ", HELP, None),
    ("FI", LANGUAGE, "fi"), ("sv", LANGUAGE, "sv"), ("En!", LANGUAGE, "en"),
])
def test_every_word_in_any_case(body, kind, language):
    command = parse(body)
    assert (command.kind, command.language) == (kind, language)


@pytest.mark.parametrize("body", ["  peru  ", "PERU!", "\"Peru.\"", "¡peru!", "peru\n", "*PERU*", "pèru", "PÉRUUTA"])
def test_spaces_punctuation_and_accents_around_the_word_are_ignored(body):
    assert parse(body).kind == CANCEL


@pytest.mark.parametrize("body, choice", [("PERU 2", "2"), ("peru 2.", "2"), ("CANCEL K7XM2Q", "K7XM2Q"),
                                          ("avboka   1", "1"), ("PERU", None)])
def test_cancel_picks_one_by_number_or_cancel_code(body, choice):
    assert parse(body) == Command(CANCEL, parse(body).language, choice=choice)


@pytest.mark.parametrize("body, code, seats, name", [
    ("YO17 Maija", "YO17", 1, "Maija"), ("yo17 3 Maija Virtanen", "YO17", 3, "Maija Virtanen"),
    (" Kirja1  2  Åsa Öberg. ", "KIRJA1", 2, "Åsa Öberg"),
])
def test_an_events_code_with_seats_and_a_name_is_a_sign_up(body, code, seats, name):
    assert parse(body) == Command(SIGN_UP, sms_code=code, seats=seats, name=name)


@pytest.mark.parametrize("body", ["", "   ", "YO17", "YO17 3", "1234 Maija",
                                  "YO17 0 Maija", "PERU kaikki nyt", "STOP it", "FI EN", "YO17 200 Maija",
                                  "THISCODEISTOOLONG Maija", "YO17 !!"])
def test_anything_else_is_other(body):
    assert parse(body).kind == OTHER


@given(st.sampled_from(["PERU", "lopeta", "Sluta", "ALOITA", "apua", "Hjälp", "help", "sv"]),
       st.text(alphabet=" \t\n.,!;:-\"'()*", max_size=4), st.text(alphabet=" \t\n.,!;:-\"'()*", max_size=4))
def test_a_word_means_the_same_whatever_surrounds_it(word, before, after):
    assert parse(before + word + after) == parse(word)


@given(st.text(max_size=40))
def test_any_text_is_read_as_something(body):
    assert parse(body).kind in (CANCEL, STOP, START, HELP, LANGUAGE, SIGN_UP, ANSWER, OTHER)
