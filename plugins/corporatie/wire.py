"""The corporatie JSON format, version 1.0, as pydantic models with the partner's Dutch keys.

These models are the format: the hub writes messages with them, the simulated backoffice and
`parse_status` read messages with them, and `schema.py` exports their JSON Schemas into this
package. Class and key names are the partner's (Dutch); `extra="forbid"` everywhere, so an
unknown key is an error rather than silently ignored.

There is deliberately no key for the BSN anywhere in this format: a housing association may
not process it, so even a message that tried to carry one would be rejected by the partner.
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

VERSION = "1.0"

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Detail = Annotated[str, StringConstraints(max_length=2000)]
MessageId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
District = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Cents = Annotated[int, Field(ge=0, le=10_000_000_000)]
Reference = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Postcode = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3} ?[A-Z]{2}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
)


# Parsed here rather than by pydantic, which would also read "999990019" as a Unix time;
# the format says ISO 8601 and nothing else. Non-strings go on to pydantic's own check.
def _iso_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if _ISO_DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError("moet een datum zijn (JJJJ-MM-DD)")


def _iso_datetime(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if _ISO_DATETIME.match(value):
            return datetime.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError("moet een tijdstip met tijdzone zijn (ISO 8601)")


Datum = Annotated[date, BeforeValidator(_iso_date)]
Tijdstip = Annotated[AwareDatetime, BeforeValidator(_iso_datetime)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Adviessoort(StrEnum):
    urgentieverklaring = "urgentieverklaring"
    betalingsregeling_huurachterstand = "betalingsregeling_huurachterstand"
    opschorting_ontruiming = "opschorting_ontruiming"
    verhuizing = "verhuizing"


class Urgentie(StrEnum):
    normaal = "normaal"
    hoog = "hoog"
    crisis = "crisis"


class Dreiging(StrEnum):
    ontruiming = "ontruiming"
    afsluiting_energie = "afsluiting_energie"
    afsluiting_water = "afsluiting_water"
    beeindiging_zorgverzekering = "beeindiging_zorgverzekering"


class Grondslag(StrEnum):
    toestemming = "toestemming"
    wettelijke_taak = "wettelijke_taak"
    wettelijke_verplichting = "wettelijke_verplichting"
    vitaal_belang = "vitaal_belang"


class Geslacht(StrEnum):
    onbekend = "onbekend"
    man = "man"
    vrouw = "vrouw"
    anders = "anders"


class Rol(StrEnum):
    ouder_met_gezag = "ouder_met_gezag"
    ouder = "ouder"
    partner = "partner"
    kind = "kind"
    overig = "overig"


class Woonvorm(StrEnum):
    sociale_huur = "sociale_huur"
    particuliere_huur = "particuliere_huur"
    koop = "koop"
    zonder_vaste_woonplaats = "zonder_vaste_woonplaats"
    overig = "overig"


class Inkomensbron(StrEnum):
    loondienst = "loondienst"
    uitkering = "uitkering"
    zelfstandige = "zelfstandige"
    geen = "geen"
    overig = "overig"


class RedenVerhuizing(StrEnum):
    woonlasten = "woonlasten"
    gezinsgrootte = "gezinsgrootte"
    sociale_omstandigheden = "sociale_omstandigheden"
    overig = "overig"


class Statuscode(StrEnum):
    ontvangen = "ontvangen"
    in_behandeling = "in_behandeling"
    toegekend = "toegekend"
    deels_toegekend = "deels_toegekend"
    afgewezen = "afgewezen"
    uitgevoerd = "uitgevoerd"
    gestopt = "gestopt"


STATUSES_NEEDING_REASON: frozenset[Statuscode] = frozenset(
    {Statuscode.deels_toegekend, Statuscode.afgewezen}
)


class Adres(_Wire):
    """Category contact."""

    straat: ShortText
    huisnummer: Annotated[int, Field(ge=1, le=99999)]
    huisnummer_toevoeging: Annotated[str, StringConstraints(max_length=10)] | None = None
    postcode: Postcode
    woonplaats: ShortText


class Huisgenoot(_Wire):
    """A member of the household. Category household."""

    voornaam: ShortText
    achternaam: ShortText | None = None
    geboortedatum: Datum
    rol: Rol


class Woonsituatie(_Wire):
    """Category housing."""

    woonvorm: Woonvorm
    verhuurder: ShortText | None = None
    huurachterstand_centen: Cents | None = None
    ontruimingsdatum: Datum | None = None


class Financien(_Wire):
    """Category finance. Amounts in euro cents."""

    inkomensbron: Inkomensbron
    maandinkomen_centen: Cents | None = None
    schulden_totaal_centen: Cents | None = None
    aantal_schuldeisers: Annotated[int, Field(ge=0, le=1000)] | None = None


class Bewoner(_Wire):
    """The resident the advice is about: only the data the hub may share for this advice.

    A key is absent when its data category was not permitted. There is no BSN key.
    """

    referentie: Reference = Field(
        description="The hub's pseudonym for this resident, stable per resident and partner."
    )
    voornamen: ShortText | None = Field(None, description="Category identification.")
    achternaam: ShortText | None = Field(None, description="Category identification.")
    geboortedatum: Datum | None = Field(None, description="Category identification.")
    geslacht: Geslacht | None = Field(None, description="Category identification.")
    adres: Adres | None = Field(None, description="Category contact.")
    telefoon: Phone | None = Field(None, description="Category contact.")
    email: Email | None = Field(None, description="Category contact.")
    huishouden: Annotated[list[Huisgenoot], Field(max_length=20)] | None = Field(
        None, description="Category household."
    )
    woonsituatie: Woonsituatie | None = Field(None, description="Category housing.")
    financien: Financien | None = Field(None, description="Category finance.")


class UrgentieverklaringVerzoek(_Wire):
    """Request details for `urgentieverklaring`. Category housing."""

    minimaal_aantal_slaapkamers: Annotated[int, Field(ge=1, le=10)] | None = None
    voorkeurswijken: Annotated[list[District], Field(min_length=1, max_length=5)] | None = None


class BetalingsregelingVerzoek(_Wire):
    """Request details for `betalingsregeling_huurachterstand`. Category housing."""

    voorgestelde_maandtermijn_centen: Annotated[int, Field(ge=1, le=1_000_000)]
    looptijd_maanden: Annotated[int, Field(ge=1, le=60)] | None = None
    ingangsdatum: Datum | None = None


class OpschortingVerzoek(_Wire):
    """Request details for `opschorting_ontruiming`. Category housing."""

    ontruimingsdatum: Datum
    opschorting_weken: Annotated[int, Field(ge=1, le=26)] | None = None


class VerhuizingVerzoek(_Wire):
    """Request details for `verhuizing`. Category housing."""

    reden_verhuizing: RedenVerhuizing | None = None
    voorkeurswijken: Annotated[list[District], Field(min_length=1, max_length=5)] | None = None


# The request-details key of each advice type: a message carries at most the one for its type.
REQUEST_BLOCKS: dict[Adviessoort, str] = {soort: soort.value for soort in Adviessoort}


class Adviesaanvraag(_Wire):
    """An advice from the wijkteam to the housing association (hub -> corporatie)."""

    berichttype: Literal["adviesaanvraag"]
    versie: Literal["1.0"]
    advies_referentie: UUID = Field(description="The hub's id of this advice item.")
    volgnummer: Annotated[int, Field(ge=1)] = Field(description="The hub's item number.")
    adviessoort: Adviessoort
    afzender: ShortText = Field(description="The sending municipality (code).")
    ontvanger: ShortText = Field(description="The receiving partner as configured in the hub.")
    aangemaakt_op: Tijdstip
    reactie_uiterlijk: Datum | None = Field(None, description="Answer expected by this date.")
    urgentie: Urgentie
    gewenste_datum: Datum | None = None
    grondslag: Grondslag = Field(description="The legal basis the hub shares the data on.")
    dreigingen: Annotated[list[Dreiging], Field(min_length=1, max_length=4)] | None = Field(
        None,
        description="Threats: ontruiming is category housing, the others category finance.",
    )
    bewoner: Bewoner
    motivering: LongText | None = Field(
        None, description="The coach's motivation. Category free_text."
    )
    urgentieverklaring: UrgentieverklaringVerzoek | None = None
    betalingsregeling_huurachterstand: BetalingsregelingVerzoek | None = None
    opschorting_ontruiming: OpschortingVerzoek | None = None
    verhuizing: VerhuizingVerzoek | None = None

    @model_validator(mode="after")
    def _one_request_block(self) -> Self:
        for soort, key in REQUEST_BLOCKS.items():
            if soort is not self.adviessoort and getattr(self, key) is not None:
                raise ValueError(
                    f"veld '{key}' past niet bij adviessoort '{self.adviessoort.value}'"
                )
        return self

    def request_block(self) -> BaseModel | None:
        return getattr(self, REQUEST_BLOCKS[self.adviessoort])


class Intrekking(_Wire):
    """The hub withdraws an advice: stop using the data received with it (hub -> corporatie)."""

    berichttype: Literal["intrekking"]
    versie: Literal["1.0"]
    advies_referentie: UUID
    volgnummer: Annotated[int, Field(ge=1)]
    afzender: ShortText
    ontvanger: ShortText
    bewoner_referentie: Reference
    ingetrokken_op: Tijdstip
    reden: Reason


_REASON_RULE = {
    "allOf": [
        {
            "if": {
                "properties": {"status": {"enum": sorted(STATUSES_NEEDING_REASON)}},
                "required": ["status"],
            },
            "then": {"required": ["reden"]},
        }
    ]
}


class Statusmelding(_Wire):
    """The housing association's answer on one advice (corporatie -> hub).

    `reden` is required with `deels_toegekend` and `afgewezen`.
    """

    model_config = ConfigDict(json_schema_extra=_REASON_RULE)

    berichttype: Literal["statusmelding"]
    versie: Literal["1.0"]
    bericht_id: MessageId = Field(
        description="The corporatie's own id of this message; resending it is harmless."
    )
    advies_referentie: UUID
    status: Statuscode
    tijdstip: Tijdstip
    reden: Reason | None = None
    toelichting: Detail | None = None

    @model_validator(mode="after")
    def _reason_when_needed(self) -> Self:
        if self.status in STATUSES_NEEDING_REASON and self.reden is None:
            raise ValueError(f"veld 'reden' is verplicht bij status '{self.status.value}'")
        return self
