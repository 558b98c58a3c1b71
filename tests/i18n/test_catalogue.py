"""The catalogue: every text the hub and click show has its Dutch translation, and pydantic's
validation errors read as Dutch sentences with their limits filled in."""

import ast
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Literal

import click
import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from wijkhub.hub.i18n import gettext, ngettext, pydantic_message
from wijkhub.hub.i18n.catalogue import translated
from wijkhub.hub.i18n.validation import GENERIC, MESSAGES

ROOT = Path(__file__).resolve().parents[2]

# Click texts only a programmer meets (a broken command definition, an editor, shell setup).
CLICK_DEVELOPER_TEXTS = {
    "d",
    "{editor}: Editing failed",
    "{editor}: Editing failed: {e}",
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Couldn't detect Bash version, shell completion is not supported.",
    "Shell completion is not supported for Bash versions older than 4.4.",
    "Unknown color {colour!r}",
    "Unknown standard stream '{name}'",
    "Choice({choices})",
    "Windows error: {error}",
}


def marked(root: Path, names: tuple[str, ...]) -> set[str]:
    """The literal first argument of every call to one of `names` under `root`."""
    found = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_text_the_hub_marks_is_translated() -> None:
    texts = set(MESSAGES.values()) | {GENERIC}
    for part in ("hub", "schemas", "consent", "plugins"):
        texts |= marked(ROOT / part, ("gettext", "ngettext"))
    assert "identification data" in texts, "the scan missed the contract's code lists"
    assert sorted(t for t in texts if not translated(t)) == []


def test_every_text_click_shows_a_user_is_translated() -> None:
    texts = marked(Path(click.__file__).parent, ("_", "ngettext")) - CLICK_DEVELOPER_TEXTS
    assert "Usage:" in texts and "Show this message and exit." in texts
    assert sorted(t for t in texts if not translated(t)) == []


def test_an_unknown_text_is_shown_as_written_and_plurals_follow_dutch() -> None:
    assert gettext("Geen vertaling nodig.") == "Geen vertaling nodig."
    one = "Option {name!r} requires an argument."
    many = "Option {name!r} requires {nargs} arguments."
    assert ngettext(one, many, 1) == "Optie {name!r} vraagt een waarde."
    assert (
        ngettext(one, many, 0) == ngettext(one, many, 3) == "Optie {name!r} vraagt {nargs} waarden."
    )


class Form(BaseModel):
    name: str = Field(min_length=2, max_length=5)
    age: int = Field(ge=0, le=130)
    kind: Literal["a", "b"]
    day: date
    note: str = Field(pattern=r"^[a-z]+$")
    ok: bool

    @field_validator("note")
    @classmethod
    def no_x(cls, v: str) -> str:
        if "x" in v:
            raise ValueError("een x mag hier niet")
        return v


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"name": "a"}, "name", "Te kort: minstens 2 tekens."),
        ({"name": "abcdefg"}, "name", "Te lang: hoogstens 5 tekens."),
        ({"age": -1}, "age", "Dit moet minstens 0 zijn."),
        ({"age": 131}, "age", "Dit mag hoogstens 130 zijn."),
        ({"age": "oud"}, "age", "Dit moet een geheel getal zijn."),
        ({"kind": "c"}, "kind", "Kies een van: 'a' of 'b'."),
        ({"day": "3 december"}, "day", "Dit moet een datum zijn (jjjj-mm-dd)."),
        ({"note": "ABC"}, "note", "Dit heeft niet de verwachte vorm."),
        ({"note": "xyz"}, "note", "een x mag hier niet"),
        ({"ok": "misschien"}, "ok", "Kies ja of nee."),
        ({}, "name", "Dit veld is verplicht."),
        ({"extra": 1}, "extra", "Dit veld bestaat hier niet."),
    ],
)
def test_validation_errors_read_as_dutch(data: dict, field: str, expected: str) -> None:
    class Strict(Form):
        model_config = {"extra": "forbid"}

    with pytest.raises(ValidationError) as info:
        Strict.model_validate(data)
    by_field = {".".join(map(str, e["loc"])): pydantic_message(e) for e in info.value.errors()}
    assert by_field[field] == expected


def test_an_error_type_without_its_own_message_gets_the_general_one() -> None:
    assert pydantic_message({"type": "is_instance_of", "msg": "Input should be X", "ctx": {}}) == (
        "Deze waarde is niet geldig."
    )


def test_no_message_is_in_the_catalogue_twice() -> None:
    """Babel keeps the last of two entries with one msgid: the other's Dutch would be lost
    without a word (a merge of two branches' additions makes that easy)."""
    po = ROOT / "hub" / "i18n" / "locale" / "nl" / "LC_MESSAGES" / "wijkhub.po"
    ids = re.findall(r'^msgid "(.+)"$', po.read_text(encoding="utf-8"), re.M)
    assert len(ids) > 500, "the scan found too little: it is broken"
    assert sorted(i for i, n in Counter(ids).items() if n > 1) == []
