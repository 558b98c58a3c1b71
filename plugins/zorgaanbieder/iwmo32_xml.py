"""XML helpers of the iWmo 3.2 messages, shared by the hub side (`iwmo32`) and the provider side
(`iwmo32_backoffice`): elements in the message's namespace or the basisschema's, the header,
the client's short identification, and the retour that mirrors a message (OP065)."""

import copy
from datetime import date, datetime

from lxml import etree

from wijkhub.hub.plugin_api.types import PayloadError
from wijkhub.plugins.zorgaanbieder.codes import (
    BERICHTSUBVERSIE,
    BERICHTVERSIE,
    NS32_BASIS,
    XSD_VERSIE,
)
from wijkhub.plugins.zorgaanbieder.common import NL_TZ


def new_message(namespace: str) -> etree._Element:
    """A `Bericht` root in `namespace`, with the basisschema bound to the prefix `iwmo`."""
    prefix = namespace.rsplit("/", 2)[-2]  # e.g. "wmo301", as the standard's examples do
    return etree.Element(f"{{{namespace}}}Bericht", nsmap={prefix: namespace, "iwmo": NS32_BASIS})


def el(parent: etree._Element, tag: str, value: str | None = None) -> etree._Element:
    """A child in the message's own namespace (the root's)."""
    ns = etree.QName(parent.getroottree().getroot()).namespace
    child = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if value is not None:
        child.text = value
    return child


def basis(parent: etree._Element, tag: str, value: str | None = None) -> etree._Element:
    """A child in the basisschema's namespace (the parts of a basisschema type)."""
    child = etree.SubElement(parent, f"{{{NS32_BASIS}}}{tag}")
    if value is not None:
        child.text = value
    return child


def header(
    root: etree._Element,
    berichtcode: str,
    afzender: str,
    ontvanger: str,
    identificatie: str,
    dagtekening: date,
) -> etree._Element:
    head = el(root, "Header")
    el(head, "BerichtCode", berichtcode)
    el(head, "BerichtVersie", BERICHTVERSIE)
    el(head, "BerichtSubversie", BERICHTSUBVERSIE)
    el(head, "Afzender", afzender)
    el(head, "Ontvanger", ontvanger)
    ident = el(head, "BerichtIdentificatie")
    basis(ident, "Identificatie", identificatie)
    basis(ident, "Dagtekening", dagtekening.isoformat())
    xsd_versie(el(head, "XsdVersie"))
    return head


def xsd_versie(parent: etree._Element) -> None:
    basis(parent, "BasisschemaXsdVersie", XSD_VERSIE)
    basis(parent, "BerichtXsdVersie", XSD_VERSIE)


def paths(root: etree._Element) -> dict[str, str]:
    """Prefixes for `find`: `m` the message's namespace, `b` the basisschema's."""
    return {"m": etree.QName(root).namespace or "", "b": NS32_BASIS}


def find(node: etree._Element, path: str, root: etree._Element) -> etree._Element | None:
    return node.find(path, paths(root))


def findall(node: etree._Element, path: str, root: etree._Element) -> list[etree._Element]:
    return node.findall(path, paths(root))


def text(node: etree._Element, path: str, root: etree._Element) -> str | None:
    found = find(node, path, root)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def required(node: etree._Element, path: str, root: etree._Element) -> str:
    value = text(node, path, root)
    if value is None:  # the XSD already requires it; this keeps the types honest
        raise PayloadError(f"element {path.replace('m:', '').replace('b:', '')} ontbreekt")
    return value


def dutch_date(moment: datetime) -> date:
    """An iWmo date (Dagtekening, Toewijzingsdatum) is a Dutch calendar date."""
    return moment.astimezone(NL_TZ).date()


def dutch_time(moment: datetime) -> str:
    """An iWmo time (Toewijzingstijd): Dutch wall-clock time, no offset."""
    return moment.astimezone(NL_TZ).strftime("%H:%M:%S")


def start_of(day: date) -> datetime:
    """A message with only a Dagtekening happened, for ordering, at the start of that day."""
    return datetime(day.year, day.month, day.day, tzinfo=NL_TZ)


def retour(
    message: etree._Element,
    namespace: str,
    berichtcode: str,
    identificatie: str,
    dagtekening: date,
    codes: list[tuple[etree._Element, list[str]]],
) -> etree._Element:
    """The retour of `message`: the same header and classes in the retour's namespace, the
    header extended with the retour's own identification, and each class of `message` named
    in `codes` (its header too) followed by its RetourCodes (OP065)."""
    heen = etree.QName(message).namespace
    root = new_message(namespace)
    for child in message:
        root.append(copy.deepcopy(child))
    for dup in root.iter():
        qname = etree.QName(dup)
        if qname.namespace == heen:
            dup.tag = f"{{{namespace}}}{qname.localname}"
    head = find(root, "m:Header", root)
    bc = find(root, "m:Header/m:BerichtCode", root)
    assert head is not None and bc is not None  # every message has them (XSD)
    bc.text = berichtcode
    el(head, "IdentificatieRetour", identificatie)
    el(head, "DagtekeningRetour", dagtekening.isoformat())
    xsd_versie(el(head, "XsdVersieRetour"))
    for klass, class_codes in codes:
        # The copy has the original's structure: the same child positions find the class
        # (appended retour elements come after every original child, so they shift nothing).
        target = root
        for index in _positions(klass):
            target = target[index]
        holder = el(target, "RetourCodes")
        for code in class_codes:
            el(holder, "RetourCode", code)
    etree.cleanup_namespaces(root)
    return root


def _positions(node: etree._Element) -> list[int]:
    """The child indexes from the root down to `node`."""
    out = []
    while (parent := node.getparent()) is not None:
        out.append(parent.index(node))
        node = parent
    return out[::-1]
