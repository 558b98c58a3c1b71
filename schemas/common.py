"""Shared field types and the base model every contract model uses."""

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from stdnum.nl import bsn as stdnum_bsn


class Contract(BaseModel):
    """Strict by default: an unknown field is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_bsn(value: str) -> str:
    # stdnum's compact() zero-pads short input, so insist on exactly nine digits first.
    if not re.fullmatch(r"\d{9}", value):
        raise ValueError("een BSN bestaat uit precies 9 cijfers")
    if not stdnum_bsn.is_valid(value):
        raise ValueError("dit BSN voldoet niet aan de elfproef")
    return value


Bsn = Annotated[str, AfterValidator(_check_bsn)]
PartnerId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")]
AdviceTypeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,62}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Cents = Annotated[int, Field(ge=0, le=100_000_000_00)]


def utcnow() -> datetime:
    return datetime.now(UTC)
