"""JSON Schemas of the GI format, generated from the wire models.

The `*.schema.json` files beside this module are checked in for the partner's IT people; a
test fails when they differ from what the models generate. Regenerate them with::

    .venv/bin/python -m wijkhub.plugins.gecertificeerde_instelling.schema
"""

from pathlib import Path

from wijkhub.hub.plugin_api.json_format import SchemaExport
from wijkhub.plugins.gecertificeerde_instelling.wire import (
    VERSION,
    Adviesbericht,
    Herinnering,
    Intrekking,
    Overlegbericht,
    Statusmelding,
)

EXPORT = SchemaExport(
    partner_type="gecertificeerde_instelling",
    version=VERSION,
    models={
        "adviesbericht.schema.json": Adviesbericht,
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
