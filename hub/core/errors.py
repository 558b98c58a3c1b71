"""Errors the API turns into 4xx responses with a message that names the field."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from wijkhub.hub.i18n import pydantic_message


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    fields: list[FieldError] = field(default_factory=list)

    def body(self) -> dict[str, object]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "fields": [{"field": f.field, "message": f.message} for f in self.fields],
            }
        }


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} niet gevonden")


def invalid(fields: list[FieldError]) -> ApiError:
    names = ", ".join(f.field for f in fields)
    return ApiError(422, "validation_error", f"Ongeldige invoer in: {names}", fields)


def field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "body"


def validation_error(exc: ValidationError) -> ApiError:
    errs = exc.errors(include_url=False)
    if any(e["type"] == "json_invalid" for e in errs):
        return ApiError(400, "invalid_json", "De body is geen geldige JSON.")
    fields = [FieldError(field_path(e["loc"]), pydantic_message(e)) for e in errs]
    return ApiError(
        422,
        "validation_error",
        "Ongeldige invoer in: " + ", ".join(f.field for f in fields),
        fields,
    )


def hex_id(value: str, what: str) -> str:
    """An id from a URL (32 hex digits, dashes allowed); anything else is simply not found."""
    v = value.replace("-", "").lower()
    if len(v) != 32 or any(c not in "0123456789abcdef" for c in v):
        raise ApiError(404, "not_found", f"{what} niet gevonden")
    return v
