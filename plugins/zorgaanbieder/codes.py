"""Code lists and message constants of the zorgaanbieder format.

The codes are those of iWmo 3.2 (Zorginstituut Nederland); the namespaces are Wijkhub's own,
because the messages are simplified versions of the iWmo ones, not the official messages.
"""

from typing import Final

from lxml import etree

from wijkhub.hub.plugin_api import safexml
from wijkhub.schemas.categories import LegalBasis
from wijkhub.schemas.client import Gender, HouseholdRole

PACKAGE: Final = "wijkhub.plugins.zorgaanbieder"
FORMAT_VERSION: Final = "1.0"
CONTENT_TYPE: Final = "application/xml"

NS_301: Final = "urn:wijkhub:zorgaanbieder:wmo301:1"
NS_302: Final = "urn:wijkhub:zorgaanbieder:wmo302:1"
NS_305: Final = "urn:wijkhub:zorgaanbieder:wmo305:1"
NS_307: Final = "urn:wijkhub:zorgaanbieder:wmo307:1"
NS_INTREKKING: Final = "urn:wijkhub:zorgaanbieder:intrekking:1"
NS_OVERLEG: Final = "urn:wijkhub:zorgaanbieder:overleg:1"
NS_HERINNERING: Final = "urn:wijkhub:zorgaanbieder:herinnering:1"

SCHEMA_FILES: Final[dict[str, str]] = {
    NS_301: "wmo301.xsd",
    NS_302: "wmo302.xsd",
    NS_305: "wmo305.xsd",
    NS_307: "wmo307.xsd",
    NS_INTREKKING: "intrekking.xsd",
    NS_OVERLEG: "overleg.xsd",
    NS_HERINNERING: "herinnering.xsd",
}

# COD002 (Vektis) berichtcodes of the iWmo messages these are modelled on.
BERICHTCODE_301: Final = "414"
BERICHTCODE_302: Final = "415"
BERICHTCODE_305: Final = "418"
BERICHTCODE_307: Final = "420"
BERICHTVERSIE: Final = "3"
BERICHTSUBVERSIE: Final = "2"

# WMO020 Productcategorie.
PRODUCTCATEGORIE: Final[dict[str, str]] = {
    "01": "Hulp bij het huishouden",
    "02": "Begeleiding",
    "03": "Persoonlijke verzorging",
    "04": "Kortdurend verblijf",
    "05": "Woondiensten",
    "06": "Overige ondersteuning gericht op het individu of huishouden/gezin",
    "07": "Dagbesteding",
    "08": "Vervoerdiensten",
    "09": "Overige groepsgerichte ondersteuning",
    "10": "Overige maatwerk arrangementen",
    "11": "Rolstoelen",
    "12": "Vervoervoorzieningen",
    "13": "Woonvoorzieningen",
    "14": "Overige hulpmiddelen",
    "15": "Beschermd wonen",
    "16": "Opvang",
    "17": "Spoedopvang",
    "18": "Overige beschermd wonen en opvang",
}

# WJ756 Eenheid (the subset iWmo 3.2 allows in an allocation).
EENHEID: Final[dict[str, str]] = {
    "01": "minuut",
    "04": "uur",
    "14": "etmaal",
    "16": "dagdeel",
    "82": "stuks (output)",
    "83": "euro's",
    "84": "stuks (inspanning)",
}

# WMO757 Frequentie.
FREQUENTIE: Final[dict[str, str]] = {
    "1": "per dag",
    "2": "per week",
    "4": "per maand",
    "6": "totaal binnen geldigheidsduur toewijzing",
}
FREQUENTIE_PER_WEEK: Final = "2"

# WMO588 Reden beëindiging (Wmo table; iJw has a different one).
REDEN_BEEINDIGING: Final[dict[str, str]] = {
    "02": "Overlijden",
    "19": "Levering volgens plan beëindigd",
    "20": "Levering is tijdelijk beëindigd",
    "21": "Levering is eenzijdig door cliënt beëindigd",
    "22": "Levering is eenzijdig door aanbieder beëindigd",
    "23": "Levering is in overeenstemming voortijdig beëindigd",
    "31": "Verhuizing naar een andere gemeente",
    "36": "Geïnitieerd door de gemeente",
    "37": "In verband met wijzigingsverzoek",
    "38": "Overstap naar andere aanbieder",
    "39": "Uitstroom naar ander domein",
}
REDEN_VOLGENS_PLAN: Final = "19"

# WJ001 Retourcode (the subset this format uses).
RETOUR_GEACCEPTEERD: Final = "0200"
RETOUR_TECHNISCH_AFGEKEURD: Final = "0001"

# COD467 Status aanlevering.
STATUS_EERSTE: Final = "1"
STATUS_GEWIJZIGD: Final = "2"
STATUS_VERWIJDEREN: Final = "3"

# COD046 Geslacht has no code for "other": it is sent as 0 (onbekend), never guessed.
GESLACHT: Final[dict[Gender, str]] = {
    Gender.unknown: "0",
    Gender.male: "1",
    Gender.female: "2",
    Gender.other: "0",
}

ROL: Final[dict[HouseholdRole, str]] = {
    HouseholdRole.parent_with_authority: "ouder_met_gezag",
    HouseholdRole.parent: "ouder",
    HouseholdRole.partner: "partner",
    HouseholdRole.child: "kind",
    HouseholdRole.other: "overig",
}

GRONDSLAG: Final[dict[LegalBasis, str]] = {
    LegalBasis.consent: "toestemming",
    LegalBasis.statutory_task: "wettelijke_taak",
    LegalBasis.legal_obligation: "wettelijke_verplichting",
    LegalBasis.vital_interest: "vitaal_belang",
}

URGENTIE: Final[dict[str, str]] = {"normal": "normaal", "high": "hoog", "crisis": "crisis"}


def schema(namespace: str) -> etree.XMLSchema:
    """The compiled XSD of one message type (cached by `safexml.load_schema`)."""
    return safexml.load_schema(PACKAGE, SCHEMA_FILES[namespace])


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_xml(content_type: str) -> bool:
    return media_type(content_type) in ("application/xml", "text/xml")
