"""What a resident's text message asks for, read from its words: PERU/PERUUTA/AVBOKA/CANCEL [n |
cancel code], LOPETA/STOP/SLUTA, ALOITA/START, APUA/HJÄLP/HELP/?, FI/SV/EN alone, `<sms code>
[seats] <name>`, a bare 1 or 2 (the answer to a question we asked: inbound.py), or anything else. Any case, accents optional, surrounding spaces and punctuation
ignored. Pure: no storage, no service."""
import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

CANCEL, STOP, START, HELP, LANGUAGE, SIGN_UP, OTHER = "cancel", "stop", "start", "help", "language", "sign_up", "other"
ANSWER = "answer"
# the answers to "only the next session (1) or all (2)?"; any other number is no answer
ANSWERS = ("1", "2")

# word -> (command, the language the word is in: the reply's language when the number has none)
WORDS = {
    "PERU": (CANCEL, "fi"), "PERUUTA": (CANCEL, "fi"), "AVBOKA": (CANCEL, "sv"), "CANCEL": (CANCEL, "en"),
    "LOPETA": (STOP, "fi"), "SLUTA": (STOP, "sv"), "STOP": (STOP, "en"),
    # START is Swedish as much as English: its reply is in the number's language, else Finnish
    "ALOITA": (START, "fi"), "START": (START, None),
    "APUA": (HELP, "fi"), "HJALP": (HELP, "sv"), "HELP": (HELP, "en"),
}
LANGUAGES = {"FI": "fi", "SV": "sv", "EN": "en"}
# an event's sms code as staff or catalog make it: 2-12 letters and digits
SMS_CODE = re.compile(r"^[A-Z0-9]{2,12}$")
MAX_SEATS = 99
# what is trimmed around the words: punctuation, symbols, spaces, control characters (a "?" alone
# is the help word, so it is looked for before trimming)
_EDGE_CATEGORIES = "PSZC"


@dataclass(frozen=True)
class Command:
    kind: str
    # the word's language (None: the word is the same in every language, or there is no word)
    language: Optional[str] = None
    # CANCEL: "2" or a cancel code, None for the only one; ANSWER: "1" or "2"
    choice: Optional[str] = None
    # SIGN_UP
    sms_code: Optional[str] = None
    seats: int = 1
    name: Optional[str] = None


def _folded(text):
    """Upper case without accents: "Hjälp" -> "HJALP"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def _is_edge(c):
    return unicodedata.category(c)[0] in _EDGE_CATEGORIES


def _trimmed(text):
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return text[start:end]


def parse(body):
    """The Command a text message's `body` is."""
    text = " ".join((body or "").split())
    if "?" in text and not _trimmed(text.replace("?", "")):
        return Command(HELP)
    text = _trimmed(text)
    if not text:
        return Command(OTHER)
    if text in ANSWERS:
        return Command(ANSWER, choice=text)
    words = text.split(" ")
    first = _folded(_trimmed(words[0]))
    rest = [w for w in (_trimmed(w) for w in words[1:]) if w]
    if first in WORDS:
        kind, language = WORDS[first]
        if kind == CANCEL and len(rest) <= 1:
            return Command(CANCEL, language, choice=rest[0] if rest else None)
        if kind != CANCEL and not rest:
            return Command(kind, language)
    if first in LANGUAGES and not rest:
        return Command(LANGUAGE, LANGUAGES[first])
    if first in WORDS or first in LANGUAGES:  # "PERU kaikki nyt" is words to a person, not a code
        return Command(OTHER)
    return _sign_up(first, rest) or Command(OTHER)


def _sign_up(code, rest):
    """`YO17 Maija`, `YO17 3 Maija`: a code with a name, seats optional (at least one letter in the
    code: a number with a name is no sign-up). "Kiitos paljon" reads as one too: only registration
    knows the codes, and inbound.py takes an unknown code without digits for words to a person."""
    if not (SMS_CODE.match(code) and any(c.isalpha() for c in code) and rest):
        return None
    seats = 1
    if rest[0].isascii() and rest[0].isdigit():  # "3", not "²" or "३" (digits int() may not read)
        seats = int(rest[0])
        rest = rest[1:]
        if not rest or not 1 <= seats <= MAX_SEATS:
            return None
    name = " ".join(rest)
    if not any(c.isalpha() for c in name):
        return None
    return Command(SIGN_UP, sms_code=code, seats=seats, name=name)
