"""XML helpers and the status texts shared by the hub side (`format`) and the partner side
(`backoffice`) of the zorgaanbieder format."""

import re
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from lxml import etree

from wijkhub.hub.plugin_api import safexml
from wijkhub.hub.plugin_api.types import PayloadError
from wijkhub.plugins.zorgaanbieder.codes import (
    REDEN_BEEINDIGING,
    REDEN_VOLGENS_PLAN,
    is_xml,
    schema,
)

# iWmo dates (Dagtekening) are Dutch calendar dates, whatever offset a moment arrives in.
NL_TZ: Final = ZoneInfo("Europe/Amsterdam")

_START_DETAIL = re.compile(r"^zorg gestart op (\d{4}-\d{2}-\d{2})$")
_STOP_DETAIL = re.compile(r"^zorg beëindigd op (\d{4}-\d{2}-\d{2})\b")
_REASON_CODE = re.compile(r"\(reden beëindiging (\d{2})\)$")


def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    """Append a child in the parent's namespace (every message uses one default namespace)."""
    ns = etree.QName(parent).namespace
    child = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag)
    if text is not None:
        child.text = text
    return child


def new_message(namespace: str) -> etree._Element:
    return etree.Element(f"{{{namespace}}}Bericht", nsmap={None: namespace})


def finish(root: etree._Element) -> bytes:
    """Serialise and validate against the message's own XSD: the hub never sends (and the
    simulator never answers) a message the format's schema would refuse."""
    body = safexml.to_bytes(root)
    safexml.parse_valid(body, schema(etree.QName(root).namespace))
    return body


def find(root: etree._Element, path: str) -> etree._Element | None:
    """`path` uses bare element names; they are resolved in the root's namespace."""
    ns = etree.QName(root).namespace
    return root.find("/".join(f"{{{ns}}}{part}" for part in path.split("/")))


def text(root: etree._Element, path: str) -> str | None:
    el = find(root, path)
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def required_text(root: etree._Element, path: str) -> str:
    value = text(root, path)
    if value is None:  # the XSD already requires it; this keeps the types honest
        raise PayloadError(f"element {path} ontbreekt of is leeg")
    return value


def parse_message(
    body: bytes, content_type: str, accepted: dict[str, str]
) -> tuple[str, etree._Element]:
    """Parse and validate one message whose namespace is a key of `accepted`.

    Returns the namespace and the validated root. `accepted` maps namespace -> Dutch name of
    the message type, used in the error for an unexpected one. Raises only `PayloadError`.
    """
    if not is_xml(content_type):
        raise PayloadError("content-type moet application/xml zijn")
    try:
        root = safexml.parse(body)
        qname = etree.QName(root)
        if qname.localname != "Bericht" or qname.namespace not in accepted:
            raise PayloadError("onbekend berichttype: verwacht " + " of ".join(accepted.values()))
        return qname.namespace, safexml.parse_valid(body, schema(qname.namespace))
    except PayloadError:
        raise
    except (etree.LxmlError, ValueError, TypeError):
        # lxml can still raise its own errors on odd input (encodings, limits).
        raise PayloadError("het bericht is geen leesbare XML") from None


def moment(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("tijdstip zonder tijdzone kan niet in het bericht")
    return value.isoformat()


def parse_moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def dagtekening(value: datetime) -> str:
    return value.astimezone(NL_TZ).date().isoformat()


# The texts a status message becomes in the hub, and back (for the simulator's render_status).


def start_detail(begindatum: date) -> str:
    return f"zorg gestart op {begindatum.isoformat()}"


def begindatum_from(detail: str | None, fallback: datetime) -> date:
    match = _START_DETAIL.match(detail or "")
    return date.fromisoformat(match.group(1)) if match else fallback.astimezone(NL_TZ).date()


def stop_detail(einddatum: date, reden: str) -> str:
    if reden == REDEN_VOLGENS_PLAN:
        return f"zorg beëindigd op {einddatum.isoformat()}, volgens plan (reden beëindiging 19)"
    return f"zorg beëindigd op {einddatum.isoformat()}"


def einddatum_from(detail: str | None, fallback: datetime) -> date:
    match = _STOP_DETAIL.match(detail or "")
    return date.fromisoformat(match.group(1)) if match else fallback.astimezone(NL_TZ).date()


def stop_reason(reden: str) -> str:
    return f"{REDEN_BEEINDIGING[reden]} (reden beëindiging {reden})"


def reden_from(reason: str | None) -> str:
    """The WMO588 code in a stop reason: the canonical text, or just the code's label."""
    reason = (reason or "").strip()
    match = _REASON_CODE.search(reason)
    if match and match.group(1) in REDEN_BEEINDIGING:
        return match.group(1)
    for code, label in REDEN_BEEINDIGING.items():
        if reason.casefold() == label.casefold():
            return code
    raise ValueError(
        "de reden van een gestopte toewijzing moet een reden beëindiging (WMO588) noemen, "
        "bijvoorbeeld 'Overlijden (reden beëindiging 02)'"
    )
