"""The GI JSON format, version 1.0, as pydantic models with the partner's Dutch keys.

These models are the format: the hub writes messages with them, the simulated backoffice and
`parse_status` read messages with them, and `schema.py` exports their JSON Schemas into this
package. Class and key names are the GI's (Dutch); `extra="forbid"` everywhere, so an unknown
key is an error rather than silently ignored.

The format carries only what the GI's advice types declare: identification, household and
the youth protection measure. There are no keys for the BSN, contact, housing, finance or
health data, so such data cannot reach the GI through this format even by mistake.
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
Reference = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]

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
    informatie_lopende_maatregel = "informatie_lopende_maatregel"
    advies_hulp_binnen_maatregel = "advies_hulp_binnen_maatregel"


class Urgentie(StrEnum):
    normaal = "normaal"
    hoog = "hoog"
    crisis = "crisis"


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


class Maatregelsoort(StrEnum):
    ots = "ots"  # ondertoezichtstelling
    voogdij = "voogdij"
    jeugdreclassering = "jeugdreclassering"


class Aanleiding(StrEnum):
    periodieke_update = "periodieke_update"
    signaal = "signaal"
    verzoek_gi = "verzoek_gi"


class Hulpvorm(StrEnum):
    opvoedondersteuning = "opvoedondersteuning"
    ambulante_jeugdhulp = "ambulante_jeugdhulp"
    dagbehandeling = "dagbehandeling"
    pleegzorg = "pleegzorg"
    residentiele_jeugdhulp = "residentiele_jeugdhulp"
    overig = "overig"


class Statuscode(StrEnum):
    ontvangen = "ontvangen"
    in_behandeling = "in_behandeling"
    overgenomen = "overgenomen"
    deels_overgenomen = "deels_overgenomen"
    afgewezen = "afgewezen"
    uitgevoerd = "uitgevoerd"
    gestopt = "gestopt"


STATUSES_NEEDING_REASON: frozenset[Statuscode] = frozenset(
    {Statuscode.deels_overgenomen, Statuscode.afgewezen}
)


class Gezinslid(_Wire):
    """A member of the household. Category household."""

    voornaam: ShortText
    achternaam: ShortText | None = None
    geboortedatum: Datum
    rol: Rol


class Maatregel(_Wire):
    """The running child protection measure. Category youth_protection."""

    soort: Maatregelsoort
    sinds: Datum
    zaaknummer: ShortText | None = Field(None, description="The GI's own case reference.")


class Betrokkene(_Wire):
    """The person the advice is about: only the data the hub may share for this advice.

    A key is absent when its data category was not permitted.
    """

    referentie: Reference = Field(
        description="The hub's pseudonym for this person, stable per person and partner."
    )
    voornamen: ShortText | None = Field(None, description="Category identification.")
    achternaam: ShortText | None = Field(None, description="Category identification.")
    geboortedatum: Datum | None = Field(None, description="Category identification.")
    geslacht: Geslacht | None = Field(None, description="Category identification.")
    huishouden: Annotated[list[Gezinslid], Field(max_length=20)] | None = Field(
        None, description="Category household."
    )
    maatregel: Maatregel | None = Field(None, description="Category youth_protection.")


class InformatieVerzoek(_Wire):
    """Details for `informatie_lopende_maatregel`. Category youth_protection."""

    aanleiding: Aanleiding | None = None


class HulpadviesVerzoek(_Wire):
    """Details for `advies_hulp_binnen_maatregel`. Category youth_protection."""

    hulpvorm: Hulpvorm
    gewenste_start: Datum | None = None


# The details key of each advice type: a message carries at most the one for its type.
REQUEST_BLOCKS: dict[Adviessoort, str] = {soort: soort.value for soort in Adviessoort}


class Adviesbericht(_Wire):
    """Information or an advice from the wijkteam within a running measure (hub -> GI)."""

    berichttype: Literal["adviesbericht"]
    versie: Literal["1.0"]
    advies_referentie: UUID = Field(description="The hub's id of this advice item.")
    volgnummer: Annotated[int, Field(ge=1)] = Field(description="The hub's item number.")
    adviessoort: Adviessoort
    afzender: ShortText = Field(description="The sending municipality (code).")
    ontvanger: ShortText = Field(description="The receiving GI as configured in the hub.")
    aangemaakt_op: Tijdstip
    reactie_uiterlijk: Datum | None = Field(None, description="Answer expected by this date.")
    urgentie: Urgentie
    gewenste_datum: Datum | None = None
    grondslag: Grondslag = Field(
        description="The legal basis the hub shares the data on (normally wettelijke_taak)."
    )
    betrokkene: Betrokkene
    motivering: LongText | None = Field(
        None,
        description="The coach's text. Category youth_protection: for a GI it is by nature "
        "information about the child protection case.",
    )
    informatie_lopende_maatregel: InformatieVerzoek | None = None
    advies_hulp_binnen_maatregel: HulpadviesVerzoek | None = None

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
    """The hub withdraws an advice: stop using the data received with it (hub -> GI)."""

    berichttype: Literal["intrekking"]
    versie: Literal["1.0"]
    advies_referentie: UUID
    volgnummer: Annotated[int, Field(ge=1)]
    afzender: ShortText
    ontvanger: ShortText
    betrokkene_referentie: Reference
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
    """The GI's answer on one advice (GI -> hub).

    `reden` is required with `deels_overgenomen` and `afgewezen`.
    """

    model_config = ConfigDict(json_schema_extra=_REASON_RULE)

    berichttype: Literal["statusmelding"]
    versie: Literal["1.0"]
    bericht_id: MessageId = Field(
        description="The GI's own id of this message; resending it is harmless."
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
