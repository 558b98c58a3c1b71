"""Hardened XML parsing for plugins: no DTDs, no entities, no network, bounded size.

Plugins import this instead of calling lxml directly, so every XML format in the hub refuses
external entities and entity-expansion ("billion laughs") the same way.
"""

import re
from functools import cache
from importlib.resources import files

from lxml import etree

from wijkhub.hub.plugin_api.types import PayloadError

MAX_XML_BYTES = 1_000_000
NO_DOCTYPE = "XML met DOCTYPE of ENTITY wordt niet geaccepteerd"
ONLY_UTF8 = "XML wordt alleen in UTF-8 geaccepteerd"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )


def parse(body: bytes) -> etree._Element:
    """Parse untrusted XML; raise `PayloadError` for anything but one plain document."""
    if len(body) > MAX_XML_BYTES:
        raise PayloadError(f"XML-bericht is groter dan {MAX_XML_BYTES} bytes")
    # A cheap first look; the parse-level check below is the one that holds, whatever the
    # encoding (a UTF-16 document does not contain the bytes "<!DOCTYPE").
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise PayloadError(NO_DOCTYPE)
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        # libxml2's message can quote document content: report the position only.
        raise PayloadError(f"ongeldige XML (regel {exc.lineno})") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise PayloadError(NO_DOCTYPE)
    if (info.encoding or "UTF-8").upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        raise PayloadError(ONLY_UTF8)
    return root


class _PackageResolver(etree.Resolver):
    """Resolves an XSD's `xs:import`/`xs:include` to a file of the same plugin package, and
    nothing else: no file system path, no network (an iWmo message schema imports its
    basisschema)."""

    def __init__(self, package: str) -> None:
        super().__init__()
        self.package = package

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        name = system_url.rsplit("/", 1)[-1]
        resource = files(self.package).joinpath(name)
        if not name.endswith(".xsd") or not resource.is_file():
            return None
        return self.resolve_string(resource.read_bytes(), context)


@cache
def load_schema(package: str, resource: str) -> etree.XMLSchema:
    """Load an XSD shipped inside a plugin package (cached: compiling a schema is slow).
    Imports resolve to schemas of the same package only."""
    data = files(package).joinpath(resource).read_bytes()
    parser = _parser()
    parser.resolvers.add(_PackageResolver(package))
    return etree.XMLSchema(etree.fromstring(data, parser, base_url=resource))


def parse_valid(body: bytes, schema: etree.XMLSchema) -> etree._Element:
    """Parse and validate against an XSD; the error names the first offending line."""
    root = parse(body)
    try:
        # assertValid gives each call its own error log; schema.error_log is shared between
        # the worker threads that use this cached schema.
        schema.assertValid(root)
    except etree.DocumentInvalid as exc:
        err = next(iter(exc.error_log), None)
        where = f"regel {err.line}, element {_element(err)}" if err else "onbekende plek"
        # libxml2 quotes offending values (personal data): name the place, not the value.
        raise PayloadError(f"XML voldoet niet aan het schema ({where})") from None
    return root


def _element(err: etree._LogEntry) -> str:
    # For namespaced XML the path is "/*/*[2]"; the message starts with the element's name.
    m = re.match(r"Element '(?:\{[^}]*\})?([\w.-]+)'", err.message or "")
    return m.group(1) if m else _local(err.path)


def _local(path: str | None) -> str:
    last = (path or "?").rsplit("/", 1)[-1]
    return re.sub(r"\{[^}]*\}|\w+:", "", last) or "?"


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
