"""Shared field types and the base model every contract model uses."""

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from stdnum.nl import bsn as stdnum_bsn

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_date(moment: datetime) -> date:
    """The calendar date in the Netherlands: consent validity and deadlines are Dutch dates."""
    return moment.astimezone(AMSTERDAM).date()


class Contract(BaseModel):
    """Strict by default: an unknown field is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


BSN_NOT_NINE_DIGITS = "een BSN bestaat uit precies 9 cijfers (0-9)"
BSN_FAILS_ELFPROEF = "dit BSN voldoet niet aan de elfproef"
# ASCII only: `\d` also matches full-width and other scripts' digits, which int() and the
# elfproef accept but the keyed look-up hash does not, so "９９９９９００１９" would be a second,
# unfindable record of the same person.
_NINE_ASCII_DIGITS = re.compile(r"[0-9]{9}")


def is_bsn(value: str) -> bool:
    """Exactly nine ASCII digits that pass the elfproef (no separators, no other scripts)."""
    # stdnum's compact() zero-pads short input and drops separators: insist on nine digits first.
    return bool(_NINE_ASCII_DIGITS.fullmatch(value)) and stdnum_bsn.is_valid(value)


def _check_bsn(value: str) -> str:
    if not _NINE_ASCII_DIGITS.fullmatch(value):
        raise ValueError(BSN_NOT_NINE_DIGITS)
    if not stdnum_bsn.is_valid(value):
        raise ValueError(BSN_FAILS_ELFPROEF)
    return value


Bsn = Annotated[str, AfterValidator(_check_bsn)]
PartnerId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")]
AdviceTypeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,62}$")]
# No control characters (tab and newlines excepted): they cannot be written into XML
# formats, and nothing a coach types needs them.
_PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_PRINTABLE)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=_PRINTABLE)]
# Names are shown in the coach's pages and sent to partners: no invisible format characters
# (zero-width, right-to-left override: a name that reads differently than it is) and no line
# or paragraph separators (Unicode categories Cf, Zl, Zp).
_HIDDEN_CATEGORIES = ("Cf", "Zl", "Zp")
NAME_HAS_HIDDEN = "een naam mag geen onzichtbare of richtingstekens of regelscheidingen bevatten"


def _check_name(value: str) -> str:
    if any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in value):
        raise ValueError(NAME_HAS_HIDDEN)
    return value


Name = Annotated[ShortText, AfterValidator(_check_name)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Cents = Annotated[int, Field(ge=0, le=100_000_000_00)]


def to_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC; an instant outside the calendar is a value error
    (so a 4xx), not an OverflowError deep in the database layer."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("tijdstip valt buiten het ondersteunde bereik") from None


MAX_FREE_DEPTH = 6
MAX_FREE_NODES = 200


def bounded_json(value: Any) -> Any:
    """Free-form JSON (advice-type parameters, validated later by the plugin's own model):
    bounded depth and size, so nesting cannot be used to exhaust the hub."""
    stack, nodes = [(value, 1)], 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_FREE_DEPTH:
            raise ValueError(f"te diep genest (meer dan {MAX_FREE_DEPTH} niveaus)")
        if nodes > MAX_FREE_NODES:
            raise ValueError(f"te veel waarden (meer dan {MAX_FREE_NODES})")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        elif isinstance(node, str) and len(node) > 4000:
            raise ValueError("tekst langer dan 4000 tekens")
    return value
