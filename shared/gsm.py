"""How many SMS segments a text takes.

Texts in the GSM-7 alphabet fit 160 characters in one segment, 153 a segment when split; the
extension characters (€ and [ ] { } ^ ~ \\ |) count double. Anything else (emoji, Cyrillic, Arabic)
makes the whole message UCS-2: 70 characters, 67 a segment when split.
"""

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = "^{}\\[~]|€\f"


def is_gsm7(text):
    return all(c in BASIC or c in EXTENDED for c in text)


def length(text):
    """Length in GSM-7 septets, or in UCS-2 code units when the text is not GSM-7."""
    if is_gsm7(text):
        return sum(2 if c in EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text):
    units = length(text)
    single, multi = (160, 153) if is_gsm7(text) else (70, 67)
    if units <= single:
        return 1
    return -(-units // multi)
