"""Every text of a page comes from the catalogue: a template holds markup, `{{ _("…") }}` and
`{% trans %}` blocks, never a Dutch (or English) sentence of its own, so a later English UI
is a translation of the .po file, not a rewrite of the templates."""

import html
import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from wijkhub.hub.i18n.catalogue import translated

TEMPLATES = Path(__file__).resolve().parents[2] / "hub" / "web" / "templates"
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"])
FILES = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))

# Attributes a person reads (or a screen reader reads out).
READ_ATTRIBUTES = re.compile(
    r"""\b(?:aria-label|aria-description|title|placeholder|alt)\s*=\s*("[^"]*"|'[^']*')""", re.I
)
# Words that are the same in every language: names, abbreviations, units.
SAME_IN_EVERY_LANGUAGE = {"Wijkhub", "BSN", "OTS", "PDF", "CSV", "Wmo", "iWmo", "OIDC", "FHIR"}
WORD = re.compile(r"[^\W\d_]{2,}")


def words_outside_the_catalogue(source: str) -> list[str]:
    """The words of `source`'s literal text (between tags, and in attributes a person reads)."""
    found: list[str] = []
    data = "".join(n.data for n in ENV.parse(source).find_all(nodes.TemplateData))
    data = re.sub(r"<(script|style)\b.*?</\1>", " ", data, flags=re.S | re.I)
    data = re.sub(r"<!--.*?-->", " ", data, flags=re.S)
    for tag in re.findall(r"<[^>]*>", data):
        for value in READ_ATTRIBUTES.findall(tag):
            found += WORD.findall(html.unescape(value[1:-1]))
    text = re.sub(r"<[^>]*>", " ", data)
    # Attributes written outside a tag (a macro that renders `aria-invalid="true"` …)
    text = re.sub(r"""[\w:-]+\s*=\s*("[^"<>]*"?|'[^'<>]*'?)""", " ", text)
    text = html.unescape(text)
    found += WORD.findall(text)
    return [w for w in found if w not in SAME_IN_EVERY_LANGUAGE]


def test_the_check_finds_text_between_tags_and_in_read_attributes() -> None:
    assert words_outside_the_catalogue('<p class="x">Naar de startpagina</p>') == [
        "Naar",
        "de",
        "startpagina",
    ]
    assert words_outside_the_catalogue('<input placeholder="bijv. Jansen">') == ["bijv", "Jansen"]
    assert words_outside_the_catalogue('<p>{{ _("To the home page") }} — BSN</p>') == []
    assert words_outside_the_catalogue("<p>{% trans %}Hello{% endtrans %}</p>") == []


@pytest.mark.parametrize("name", FILES)
def test_a_template_holds_no_text_of_its_own(name: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert words_outside_the_catalogue(source) == []


@pytest.mark.parametrize("name", FILES)
def test_every_text_of_a_template_is_translated(name: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    # A plural (ngettext) is one catalogue entry, found by its singular.
    texts = [m[0] if isinstance(m, tuple) else m for _, _, m in ENV.extract_translations(source)]
    assert [t for t in texts if t and not translated(t)] == []
