"""Every text of the web pages has its Finnish and Swedish: a text wrapped in `_()` or
`{% trans %}` in a template or in services/gateway/pages/*.py with no translation in that
language's catalogs (services/gateway/pages/locale/) fails here, naming it."""
import pathlib

import pytest
from babel.messages.extract import extract_from_dir

from services.gateway.pages.rendering import LOCALE, translations

PAGES = pathlib.Path(__file__).resolve().parents[2] / "services" / "gateway" / "pages"
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}


def _texts():
    texts = set()
    for filename, _line, message, _comments, _context in extract_from_dir(str(PAGES), METHODS, OPTIONS):
        texts.add((filename, message))
    return texts


def test_the_pages_have_texts_to_translate():
    assert len(_texts()) > 10


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_text_is_translated(lang):
    catalog = translations(lang)
    missing = []
    for filename, message in sorted(_texts(), key=str):  # plural texts are tuples: no order with str
        if isinstance(message, tuple):  # ngettext: singular and plural
            if catalog.ngettext(message[0], message[1], 1) == message[0]:
                missing.append(f"{filename}: {message[0]!r}")
        elif catalog.gettext(message) == message:
            missing.append(f"{filename}: {message!r}")
    assert not missing, f"no {lang} translation in {LOCALE / lang}:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_text_in_two_catalogs_is_translated_alike(lang):
    """The catalogs are merged into one: a text translated two ways would show whichever loaded last."""
    from babel.messages.pofile import read_po

    seen, clashes = {}, []
    for po_file in sorted((LOCALE / lang / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale=lang):
                if not message.id or not message.string:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                earlier = seen.setdefault(key, (po_file.name, message.string))
                if earlier[1] != message.string:
                    clashes.append(f"{key!r}: {earlier[0]} {earlier[1]!r} / {po_file.name} {message.string!r}")
    assert not clashes, "\n".join(clashes)
