"""A pydantic validation error as a Dutch sentence a person can act on.

Pydantic's messages are English and name its types ("Input should be a valid integer"); each
error type has one message here, formatted with the error's context (lengths, limits, the
allowed values). A value error raised by the hub's own validators already carries a Dutch
message: it is shown as written, without pydantic's "Value error, " prefix.
"""

from typing import Any

from pydantic_core import ErrorDetails

from wijkhub.hub.i18n.catalogue import gettext

GENERIC = "The value is not valid."

# Error type -> the catalogue message (its msgid); context names in braces.
MESSAGES: dict[str, str] = {
    "missing": "This field is required.",
    "missing_argument": "This field is required.",
    "missing_keyword_only_argument": "This field is required.",
    "missing_positional_only_argument": "This field is required.",
    "extra_forbidden": "This field is not known here.",
    "unexpected_keyword_argument": "This field is not known here.",
    "json_invalid": "This is not valid JSON.",
    "json_type": "This is not valid JSON.",
    "string_type": "This should be text.",
    "string_too_short": "Too short: at least {min_length} characters.",
    "string_too_long": "Too long: at most {max_length} characters.",
    "string_pattern_mismatch": "This does not have the expected form.",
    "string_unicode": "This text contains characters that are not allowed.",
    "string_not_ascii": "Only letters and digits without accents are allowed here.",
    "int_type": "This should be a whole number.",
    "int_parsing": "This should be a whole number.",
    "int_from_float": "This should be a whole number.",
    "int_parsing_size": "This number is too large.",
    "float_type": "This should be a number.",
    "float_parsing": "This should be a number.",
    "finite_number": "This should be a number.",
    "decimal_type": "This should be a number.",
    "decimal_parsing": "This should be a number.",
    "decimal_max_digits": "Too many digits: at most {max_digits}.",
    "decimal_max_places": "Too many decimals: at most {decimal_places}.",
    "greater_than": "This should be more than {gt}.",
    "greater_than_equal": "This should be at least {ge}.",
    "less_than": "This should be less than {lt}.",
    "less_than_equal": "This should be at most {le}.",
    "multiple_of": "This should be a multiple of {multiple_of}.",
    "bool_type": "Choose yes or no.",
    "bool_parsing": "Choose yes or no.",
    "enum": "Choose one of: {expected}.",
    "literal_error": "Choose one of: {expected}.",
    "list_type": "This should be a list.",
    "tuple_type": "This should be a list.",
    "set_type": "This should be a list.",
    "frozen_set_type": "This should be a list.",
    "iterable_type": "This should be a list.",
    "too_short": "Too few: at least {min_length}.",
    "too_long": "Too many: at most {max_length}.",
    "dict_type": "This should be a group of fields (an object).",
    "model_type": "This should be a group of fields (an object).",
    "model_attributes_type": "This should be a group of fields (an object).",
    "dataclass_type": "This should be a group of fields (an object).",
    "mapping_type": "This should be a group of fields (an object).",
    "date_type": "This should be a date (yyyy-mm-dd).",
    "date_parsing": "This should be a date (yyyy-mm-dd).",
    "date_from_datetime_parsing": "This should be a date (yyyy-mm-dd).",
    "date_from_datetime_inexact": "This should be a date without a time.",
    "date_past": "This date should lie in the past.",
    "date_future": "This date should lie in the future.",
    "time_type": "This should be a time (hh:mm).",
    "time_parsing": "This should be a time (hh:mm).",
    "datetime_type": "This should be a date and time (yyyy-mm-ddThh:mm:ss with a time zone).",
    "datetime_parsing": "This should be a date and time (yyyy-mm-ddThh:mm:ss with a time zone).",
    "datetime_from_date_parsing": (
        "This should be a date and time (yyyy-mm-ddThh:mm:ss with a time zone)."
    ),
    "datetime_object_invalid": "This date and time does not exist.",
    "datetime_past": "This moment should lie in the past.",
    "datetime_future": "This moment should lie in the future.",
    "timezone_naive": "Give the time without a time zone.",
    "timezone_aware": "Give the time with a time zone (for example +01:00).",
    "timezone_offset": "The time zone is not the expected one.",
    "time_delta_type": "This should be a duration.",
    "time_delta_parsing": "This should be a duration.",
    "uuid_type": "This is not a valid reference.",
    "uuid_parsing": "This is not a valid reference.",
    "uuid_version": "This is not a valid reference.",
    "url_type": "This should be a web address.",
    "url_parsing": "This should be a web address.",
    "url_syntax_violation": "This should be a web address.",
    "url_too_long": "This web address is too long.",
    "url_scheme": "This web address should start with {expected_schemes}.",
    "bytes_type": "This should be text.",
    "bytes_too_short": "Too short: at least {min_length} bytes.",
    "bytes_too_long": "Too long: at most {max_length} bytes.",
    "bytes_invalid_encoding": "This text is not in the expected encoding.",
    "none_required": "Leave this field empty.",
    "union_tag_invalid": "Choose one of: {expected_tags}.",
    "union_tag_not_found": "The field {discriminator} is missing.",
    "frozen_field": "This field cannot be changed.",
    "frozen_instance": "This cannot be changed.",
    "recursion_loop": "The input refers to itself.",
    "recursion_depth_exceeded": "The input is nested too deeply.",
    "path_type": "This should be a path to a file or folder.",
    "path_not_file": "This should be a file.",
    "path_not_directory": "This should be a folder.",
    "path_does_not_exist": "This path does not exist.",
}


def pydantic_message(error: ErrorDetails | dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        # The hub's own validators raise with a Dutch message already.
        return str(ctx.get("error", error.get("msg", ""))) or gettext(GENERIC)
    if kind not in MESSAGES:
        return gettext(GENERIC)
    template = gettext(MESSAGES[kind])
    try:
        return template.format(**{k: _shown(v) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return template


def _shown(value: Any) -> str:
    # pydantic quotes the allowed values as "'a', 'b' or 'c'"; Dutch says "of".
    return str(value).replace(" or ", " of ")
