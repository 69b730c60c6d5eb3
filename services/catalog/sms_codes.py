"""Events' SMS codes: what residents text to sign up ("YO47 Maija"), so short and plain that they
can be read aloud over the phone and typed on a basic phone.

Staff may choose any 2-12 letters and digits (shared/api.py checks the shape); a code is made for
them otherwise: two letters of the title and two digits from the alphabet of cancel codes (no
look-alikes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V, Q), longer only when those are used up.
A code is unique among events not yet over; storage.py checks that under a lock.
"""
import itertools
import secrets
import unicodedata

from services.registration.codes import ALPHABET  # cancel codes' alphabet: the same rule, kept once

LETTERS = "".join(c for c in ALPHABET if c.isalpha())
DIGITS = "".join(c for c in ALPHABET if c.isdigit())

# (letters, digits) tried in turn, each with every digit combination; 4-6 characters in all
SHAPES = ((2, 2), (2, 3), (3, 3), (2, 4))


def title_letters(title):
    """The title's letters that are in the alphabet, word initials first ("Valtakunnallinen
    Asunnottomien Yö" -> "AYTNMNTMN..."): accents dropped (Ä -> A), look-alikes skipped."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().upper()
    words = plain.split()
    initials = [w[0] for w in words if w[0] in LETTERS]
    rest = [c for w in words for c in w[1:] if c in LETTERS]
    return "".join(initials + rest)


def candidates(title):
    """Codes to try, shortest first: the title's first letters (random letters when it has too
    few) and every combination of digits, in random order (codes are not guessable in sequence)."""
    letters = title_letters(title)
    shuffled = secrets.SystemRandom().sample
    for letter_count, digit_count in SHAPES:
        prefix = (letters + "".join(secrets.choice(LETTERS) for _ in range(letter_count)))[:letter_count]
        combinations = ["".join(d) for d in itertools.product(DIGITS, repeat=digit_count)]
        for digits in shuffled(combinations, len(combinations)):
            yield prefix + digits
    while True:  # a title whose every short code is taken: any letters at all
        yield "".join(secrets.choice(LETTERS) for _ in range(2)) + "".join(secrets.choice(DIGITS) for _ in range(4))


def new_code(title, taken):
    """A code for an event titled `title` that none of `taken` (codes of events not yet over) is."""
    return next(code for code in candidates(title) if code not in taken)
