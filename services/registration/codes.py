"""Cancel codes, short and easy to read aloud over the phone, and tokens, long and unguessable, for links.

The alphabet leaves out characters that look or sound alike (0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G,
U/V, Q): 20 symbols, 8 of them, shown as two groups of four: "K7MX-4PRA" (2.6e10 codes).

A code is unique across registrations' and enrolments' codes (`free_codes`). The session rows of an
enrolment get internal codes, the enrolment's code and the session's number in two digits
("K7MX4PRA02"): no code anyone can type (digits 0-2 are not in the alphabet, and it is too long),
unique as the enrolment's is, and shown as the enrolment's code, the one its registrant holds.
"""
import hashlib
import re
import secrets

from sqlalchemy import bindparam, select, union_all

from services.registration.tables import enrolments, registrations
from shared.text import READABLE

ALPHABET = READABLE
LENGTH = 8


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code):
    """As people read it: a session row's internal code shows as its enrolment's code."""
    return f"{code[:4]}-{code[4:LENGTH]}"


def session_code(enrolment_code, session_number):
    """The internal code of an enrolment's row in one session (see above)."""
    return f"{enrolment_code}{session_number:02d}"


def free_codes(session, how_many):
    """`how_many` new codes that no registration or enrolment holds."""
    in_use = union_all(
        select(registrations.c.cancel_code.label("code")).where(
            registrations.c.cancel_code.in_(bindparam("codes", expanding=True))),
        select(enrolments.c.cancel_code.label("code")).where(
            enrolments.c.cancel_code.in_(bindparam("codes", expanding=True))))
    found = set()
    while len(found) < how_many:
        fresh = {new_code() for _ in range(how_many - len(found))} - found
        found |= fresh - set(session.execute(in_use, {"codes": sorted(fresh)}).scalars())
    return list(found)


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
