"""The Dutch catalogue, read once from its .po file. A message without a translation is shown
as it is written (the test suite checks that every message it knows of has one)."""

from functools import cache
from importlib.resources import files

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

DOMAIN = "wijkhub"
LOCALE = "nl"


@cache
def catalogue() -> Catalog:
    po = files("wijkhub.hub.i18n") / "locale" / LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        return read_po(f, locale=LOCALE, domain=DOMAIN)


@cache
def _singular() -> dict[str, str]:
    return {
        m.id: m.string
        for m in catalogue()
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }


@cache
def _plural() -> dict[str, tuple[str, ...]]:
    return {
        m.id[0]: tuple(m.string)
        for m in catalogue()
        if isinstance(m.id, tuple) and isinstance(m.string, tuple) and all(m.string)
    }


def gettext(message: str) -> str:
    return _singular().get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = _plural().get(singular)
    if forms is None:
        return singular if n == 1 else plural
    # Dutch has two forms: one, and everything else (nplurals=2; plural=(n != 1)).
    return forms[0] if n == 1 else forms[-1]


def translated(message: str) -> bool:
    return message in _singular() or message in _plural()
