"""Cancel codes, short and easy to read aloud over the phone, and tokens, long and unguessable, for links.

The alphabet leaves out characters that look or sound alike (0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G,
U/V, Q): 20 symbols, 8 of them, shown as two groups of four: "K7MX-4PRA" (2.6e10 codes).
"""
import hashlib
import re
import secrets

from shared.text import READABLE

ALPHABET = READABLE
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


# Links carry a token instead: 128 random bits nobody can guess, kept in the database only as
# its SHA-256 (a database copy alone then opens no registration). A plain hash suffices: nothing
# can be tried against 2^128 possibilities, so no salt or slow hash is needed.
TOKEN_BYTES = 16
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def reference(text):
    """What a registrant holds, as it is looked up: ("token", its hash), ("code", the stored
    code), or None when it is neither."""
    text = (text or "").strip()
    if TOKEN.match(text):
        return "token", token_hash(text)
    code = normalise(text)
    return ("code", code) if code else None
