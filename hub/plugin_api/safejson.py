"""Hardened reading of untrusted JSON for plugins' wire formats (the JSON twin of `safexml`).

Bounded size and nesting, no duplicate keys (two parsers could disagree on which one wins),
no NaN/Infinity, strict types (no "12" for 12). Every failure becomes a `PayloadError` whose
Dutch message names the field but never echoes a value: the sender sees it, and values may
be personal data.

Plugins import this instead of calling `json` directly, so every JSON format in the hub
refuses hostile input the same way.
"""

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from wijkhub.hub.plugin_api.types import PayloadError

MEDIA_TYPE = "application/json"
MAX_BYTES = 1_000_000
# The deepest legitimate message nests 4 levels (message > person > household > member);
# the margin leaves room for later versions without allowing pathological input.
MAX_DEPTH = 16
MAX_REPORTED_ERRORS = 3

M = TypeVar("M", bound=BaseModel)

# Keys from the sender are only named back when they look like a key name, not like a value.
_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _objects_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"constant {name} is not JSON")


def _safe(name: object) -> str:
    text = str(name)
    return text if _SAFE_NAME.match(text) else "?"


def check_content_type(content_type: str) -> None:
    media_type, *params = (part.strip().lower() for part in content_type.split(";"))
    if media_type != MEDIA_TYPE:
        raise PayloadError(f"content type moet {MEDIA_TYPE} zijn")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise PayloadError("tekenset (charset) moet utf-8 zijn")


def _depth_exceeds(data: Any, limit: int) -> bool:
    # Iterative, so a deep document cannot exhaust the Python stack here.
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def load(body: bytes, content_type: str) -> tuple[str, Any]:
    """Check and decode an untrusted JSON body; return its text and the decoded value."""
    check_content_type(content_type)
    if len(body) > MAX_BYTES:
        raise PayloadError(f"bericht is groter dan {MAX_BYTES} bytes")
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("bericht is geen geldige UTF-8") from None
    if not text.strip():
        raise PayloadError("bericht is leeg")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_objects_without_duplicates,
            parse_constant=_reject_constant,
        )
    except _DuplicateKey as exc:
        raise PayloadError(f"veld '{_safe(exc.key)}' komt dubbel voor") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(
            f"bericht is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})"
        ) from None
    except (ValueError, RecursionError):
        # ValueError: NaN/Infinity or an integer with thousands of digits;
        # RecursionError: nesting deeper than the decoder's own limit.
        raise PayloadError("bericht is geen geldige JSON") from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise PayloadError(f"bericht is dieper genest dan {MAX_DEPTH} niveaus")
    if not isinstance(data, dict):
        raise PayloadError("bericht moet een JSON-object zijn")
    return text, data


def validate(model: type[M], text: str) -> M:
    """Validate JSON text against a wire model; types are strict, as the schema says."""
    try:
        return model.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise PayloadError(describe(exc)) from None


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + _safe(part)
    return path


def _explain(error: Any) -> str:
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return "ontbreekt"
    if kind == "extra_forbidden":
        return "is niet toegestaan (onbekend veld)"
    if kind in ("enum", "literal_error"):
        return f"heeft een onbekende waarde (toegestaan: {ctx.get('expected', '?')})"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "moet een JSON-object zijn"
    if kind in ("list_type", "tuple_type"):
        return "moet een lijst zijn"
    if kind == "string_type":
        return "moet tekst zijn"
    if kind.startswith("int_"):
        return "moet een geheel getal zijn"
    if kind == "string_too_short":
        return "mag niet leeg zijn"
    if kind == "string_too_long":
        return "is te lang"
    if kind == "string_pattern_mismatch":
        return "heeft een ongeldig formaat"
    if kind == "too_short":
        return "bevat te weinig elementen"
    if kind == "too_long":
        return "bevat te veel elementen"
    if kind.startswith(("greater_than", "less_than")):
        return "valt buiten het toegestane bereik"
    if kind.startswith("date_"):
        return "moet een datum zijn (JJJJ-MM-DD)"
    if kind.startswith(("datetime_", "timezone_")):
        return "moet een tijdstip met tijdzone zijn (ISO 8601)"
    if kind.startswith("uuid"):
        return "moet een UUID zijn"
    if kind == "json_invalid":
        return "is geen geldige JSON"
    if kind == "value_error" and "error" in ctx:
        # Only this plugin's own validators raise ValueError; their texts carry no values.
        return str(ctx["error"])
    return "heeft een ongeldige waarde"


def describe(exc: ValidationError) -> str:
    """A Dutch summary of a validation error that names fields and never echoes values."""
    errors = exc.errors(include_input=False, include_url=False)
    parts = []
    for error in errors[:MAX_REPORTED_ERRORS]:
        loc = error["loc"]
        if error["type"] == "json_invalid":
            parts.append("bericht is geen geldige JSON")
        elif loc:
            parts.append(f"veld '{_path(loc)}' {_explain(error)}")
        else:
            parts.append(
                "bericht moet een JSON-object zijn"
                if error["type"] in ("model_type", "dict_type")
                else _explain(error)
            )
    more = len(errors) - MAX_REPORTED_ERRORS
    suffix = f" (en nog {more} fout{'en' if more > 1 else ''})" if more > 0 else ""
    return "ongeldig bericht: " + "; ".join(parts) + suffix
