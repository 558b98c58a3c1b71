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


# --- iWmo 3.2 proper (format version "3.2") -------------------------------------------------
# The official namespaces of the messages and of the basisschema; the schemas the hub checks
# them with are its own (iwmo32_*.xsd), written from the standard's published rules.

FORMAT_IWMO_32: Final = "3.2"
FORMAT_WIJKHUB_10: Final = "1.0"
FORMAT_VERSIONS: Final = (FORMAT_IWMO_32, FORMAT_WIJKHUB_10)
DEFAULT_FORMAT_VERSION: Final = FORMAT_IWMO_32

NS32_BASIS: Final = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"
NS32_301: Final = "http://www.istandaarden.nl/iwmo/3_2/wmo301/schema"
NS32_302: Final = "http://www.istandaarden.nl/iwmo/3_2/wmo302/schema"
NS32_305: Final = "http://www.istandaarden.nl/iwmo/3_2/wmo305/schema"
NS32_306: Final = "http://www.istandaarden.nl/iwmo/3_2/wmo306/schema"
NS32_307: Final = "http://www.istandaarden.nl/iwmo/3_2/wmo307/schema"
NS32_308: Final = "http://www.istandaarden.nl/iwmo/3_2/wmo308/schema"
SCHEMA_FILES.update(
    {
        NS32_301: "iwmo32_wmo301.xsd",
        NS32_302: "iwmo32_wmo302.xsd",
        NS32_305: "iwmo32_wmo305.xsd",
        NS32_306: "iwmo32_wmo306.xsd",
        NS32_307: "iwmo32_wmo307.xsd",
        NS32_308: "iwmo32_wmo308.xsd",
    }
)
# The BerichtXsdVersie and BasisschemaXsdVersie of iWmo 3.2 the messages are written for.
XSD_VERSIE: Final = "1.0.0"
BERICHTCODE_306: Final = "419"
BERICHTCODE_308: Final = "421"
# The retour of each message the hub reads: (namespace, berichtcode).
RETOUR_OF: Final[dict[str, tuple[str, str]]] = {
    NS32_305: (NS32_306, BERICHTCODE_306),
    NS32_307: (NS32_308, BERICHTCODE_308),
}

# COD757 Soort adres: 01 BRP-adres. COD700 Naamgebruik: 1 eigen naam. The hub writes the
# client's registered address under its own name.
SOORT_ADRES_BRP: Final = "01"
NAAMGEBRUIK_EIGEN: Final = "1"
LANDCODE_NL: Final = "NL"
LANDNUMMER_NL: Final = "0031"

# WJ001 Retourcode: the codes the hub writes in a 306/308, and reads in a 302, in Dutch for the
# coach. A code that is not listed is shown by its number only.
RETOUR_NIET_BEOORDEELD: Final = "0233"
RETOUR_DAGTEKENING_TOEKOMST: Final = "8848"
RETOUR_NIET_GEKOPPELD: Final = "9019"
RETOUR_PRODUCTCODE_ONGELDIG: Final = "S329"
RETOURCODE: Final[dict[str, str]] = {
    RETOUR_TECHNISCH_AFGEKEURD: "bericht is afgekeurd om technische redenen",
    RETOUR_GEACCEPTEERD: "geen opmerking",
    RETOUR_NIET_BEOORDEELD: "berichtklasse is niet beoordeeld",
    RETOUR_DAGTEKENING_TOEKOMST: "dagtekening ligt na de systeemdatum",
    "9056": "identificatie van het bericht is niet uniek",
    RETOUR_NIET_GEKOPPELD: "het bericht kan niet aan een toewijzing gekoppeld worden",
    "9063": "er is geen eerder bericht ontvangen",
    "9069": "er is geen actueel startbericht met dezelfde sleutel",
    "9074": "er is al een eerder bericht met dezelfde sleutel ontvangen",
    "9332": "de toewijzing heeft geen uniek nummer",
    RETOUR_PRODUCTCODE_ONGELDIG: "productcode ongeldig",
}
