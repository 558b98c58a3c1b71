"""JSON Schemas of the corporatie format, generated from the wire models.

The `*.schema.json` files beside this module are checked in for the partner's IT people; a
test fails when they differ from what the models generate. Regenerate them with::

    .venv/bin/python -m wijkhub.plugins.corporatie.schema
"""

from pathlib import Path

from wijkhub.hub.plugin_api.json_format import SchemaExport
from wijkhub.plugins.corporatie.wire import (
    VERSION,
    Adviesaanvraag,
    Herinnering,
    Intrekking,
    Overlegbericht,
    Statusmelding,
)

EXPORT = SchemaExport(
    partner_type="corporatie",
    version=VERSION,
    models={
        "adviesaanvraag.schema.json": Adviesaanvraag,
        "intrekking.schema.json": Intrekking,
        "overlegbericht.schema.json": Overlegbericht,
        "herinnering.schema.json": Herinnering,
        "statusmelding.schema.json": Statusmelding,
    },
    directory=Path(__file__).parent,
)
SCHEMAS = EXPORT.models
render_schema = EXPORT.render
write_schemas = EXPORT.write

if __name__ == "__main__":
    EXPORT.main()
