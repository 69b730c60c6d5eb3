"""Cancel codes: short, random, and easy to read aloud over the phone.

The alphabet leaves out characters that look or sound alike (0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G,
U/V, Q): 20 symbols, 8 of them, shown as two groups of four: "K7MX-4PRA" (2.6e10 codes).
"""
import re
import secrets

ALPHABET = "ACDEFHJKMNPRTWXY3479"
LENGTH = 8


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code):
    return f"{code[:4]}-{code[4:]}"


def normalise(text):
    """What a person typed or read out (any case, with dashes or spaces) -> the stored code,
    or None when it cannot be one."""
    code = re.sub(r"[\s\-]", "", text or "").upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code
