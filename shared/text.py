"""What text people may send us, in plain Python: names that cannot carry a link or a number into an
SMS, and text fields without invisible or direction-changing characters.

Every function takes a str and returns it cleaned (Unicode NFC, outer whitespace stripped), or
raises ValueError with a reason a form can show beside the field. shared/api.py applies them to
the request models, so every service that validates with those models holds to the same rules.
"""
import re
import unicodedata

NAME_MAX_LENGTH = 60
# Letters and digits no one mistakes for one another read aloud or on a small screen (no 0/O,
# 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V, Q): cancel codes and events' SMS codes are made of these.
READABLE = "ACDEFHJKMNPRTWXY3479"

# Categories never accepted in any text: control (Cc; newline and tab only where a field says so),
# format (Cf: zero-width and bidi-override characters, soft hyphen, BOM), surrogates (a lone
# "\ud800" in JSON decodes to one, and nothing can encode it later), private use.
_REFUSED_CATEGORIES = {"Cc": "control characters", "Cf": "invisible or direction-changing characters",
                       "Cs": "invalid characters", "Co": "private-use characters"}
# Line and paragraph separators end a line as a newline does.
_LINE_BREAKS = {"\u2028", "\u2029", "\u0085"}

# A name: words of letters (with their combining marks: Arabic vowels, Devanagari, Vietnamese),
# joined by a hyphen or an apostrophe (Anna-Liisa, O'Brien), a word may end in a full stop
# (initials, "Jr."), words separated by one space. So a full stop is never followed by a letter:
# nothing like "evil.example" fits.
_NAME_SEPARATORS = "-'"
# Apostrophes people type on phones, read as the plain one.
_APOSTROPHES = {"\u2019": "'", "\u02bc": "'", "\u2018": "'", "`": "'", "\u00b4": "'"}


def _normalised(value):
    return unicodedata.normalize("NFC", value).strip()


def _refuse_invisible(value, allowed=""):
    for char in value:
        if char in allowed:
            continue
        if char in _LINE_BREAKS:
            raise ValueError("must be on one line")
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            if char in "\n\r":
                raise ValueError("must be on one line")
            raise ValueError(f"must not contain {_REFUSED_CATEGORIES[category]} (U+{ord(char):04X})")


def line(value):
    """A one-line text (a title, a place, an address): NFC, no line breaks, nothing invisible."""
    value = _normalised(value)
    _refuse_invisible(value)
    return value


def paragraphs(value):
    """A text that may run over several lines (a description): NFC, line breaks as "\\n", tabs
    allowed, nothing else invisible."""
    for line_break in ("\r\n", "\r", "\u2028", "\u2029"):
        value = value.replace(line_break, "\n")
    value = _normalised(value)
    _refuse_invisible(value, allowed="\n\t")
    return value


def _is_letter(char):
    return unicodedata.category(char)[0] == "L"


def _is_mark(char):
    return unicodedata.category(char)[0] == "M"


def person_name(value):
    """A person's name as messages greet them: letters of any script, spaces and `-'.` only, at
    most 60 characters. No digit, no `/`, `:` or `@`, no full stop inside a word: a name cannot
    carry a number or a link into an SMS sent from the organizer's number."""
    value = _normalised(value)
    for typed, plain in _APOSTROPHES.items():
        value = value.replace(typed, plain)
    # any run of spaces (no-break spaces too) is one plain space
    value = " ".join(part for part in re.split(r"[^\S\n\r\t\v\f]+", value) if part)
    _refuse_invisible(value)
    if not value:
        raise ValueError("must contain letters")
    if len(value) > NAME_MAX_LENGTH:
        raise ValueError(f"at most {NAME_MAX_LENGTH} characters")
    previous = " "
    for index, char in enumerate(value):
        following = value[index + 1] if index + 1 < len(value) else " "
        if _is_letter(char):
            pass
        elif _is_mark(char):
            if not (_is_letter(previous) or _is_mark(previous)):
                raise ValueError("letters, spaces and -'. only")
        elif char == " ":
            if previous == " ":
                raise ValueError("letters, spaces and -'. only")
        elif char in _NAME_SEPARATORS:
            # between letters only: Anna-Liisa, O'Brien
            if not ((_is_letter(previous) or _is_mark(previous)) and _is_letter(following)):
                raise ValueError(f"{char!r} only between letters")
        elif char == ".":
            # after a letter, before a space or the end: initials and abbreviations
            if not ((_is_letter(previous) or _is_mark(previous)) and following == " "):
                raise ValueError("'.' only at the end of a word")
        else:
            raise ValueError("letters, spaces and -'. only")
        previous = char
    return value
