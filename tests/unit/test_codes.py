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


def test_tokens_carry_128_random_bits_and_are_kept_only_as_their_hash():
    tokens = {codes.new_token() for _ in range(500)}
    assert len(tokens) == 500 and all(codes.TOKEN.match(t) for t in tokens)
    token = tokens.pop()
    assert codes.token_hash(token) != token and len(codes.token_hash(token)) == 64
    assert codes.reference(token) == ("token", codes.token_hash(token))


def test_a_short_code_and_a_token_are_told_apart_and_anything_else_is_not_looked_up():
    assert codes.reference("k7mx-4pra") == ("code", "K7MX4PRA")
    assert codes.reference("q3J9xW2kLm8vN4pR7sT1u-") == ("token", codes.token_hash("q3J9xW2kLm8vN4pR7sT1u-"))
    for nothing in ("", None, "q3J9xW2kLm8vN4pR7sT1u", "q3J9xW2kLm8vN4pR7sT1u/", "' OR 1=1 --"):
        assert codes.reference(nothing) is None
