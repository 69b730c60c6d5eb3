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
