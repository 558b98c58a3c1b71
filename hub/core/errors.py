"""Errors the API turns into 4xx responses with a message that names the field."""

from dataclasses import dataclass, field


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
