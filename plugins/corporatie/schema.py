"""JSON Schemas of the corporatie format, generated from the wire models.

The `*.schema.json` files beside this module are checked in for the partner's IT people; a
test fails when they differ from what the models generate. Regenerate them with::

    .venv/bin/python -m wijkhub.plugins.corporatie.schema
"""

import json
from pathlib import Path

from pydantic import BaseModel

from .wire import VERSION, Adviesaanvraag, Intrekking, Statusmelding

PARTNER_TYPE = "corporatie"
SCHEMAS: dict[str, type[BaseModel]] = {
    "adviesaanvraag.schema.json": Adviesaanvraag,
    "intrekking.schema.json": Intrekking,
    "statusmelding.schema.json": Statusmelding,
}


def render_schema(filename: str) -> str:
    """The exact text of one schema file."""
    stem = filename.removesuffix(".schema.json")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:wijkhub:{PARTNER_TYPE}:{stem}:{VERSION}",
        **SCHEMAS[filename].model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path = Path(__file__).parent) -> list[Path]:
    written = []
    for filename in SCHEMAS:
        path = directory / filename
        path.write_text(render_schema(filename), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_schemas():
        print(path)
