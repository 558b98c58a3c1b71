"""The GI JSON format, version 1.0, as pydantic models with the partner's Dutch keys.

These models are the format: the hub writes messages with them, the simulated backoffice and
`parse_status` read messages with them, and `schema.py` exports their JSON Schemas into this
package. Class and key names are the GI's (Dutch); `extra="forbid"` everywhere, so an unknown
key is an error rather than silently ignored.

What this format shares with the hub's other JSON formats (field types, urgentie, grondslag,
geslacht and rol, the advice header, the person's identification keys, the status message)
comes from `wijkhub.hub.plugin_api.json_format`; a model re-declaring a key there keeps its
position.

The format carries only what the GI's advice types declare: identification, household and
the youth protection measure. There are no keys for the BSN, contact, housing, finance or
health data, so such data cannot reach the GI through this format even by mistake.
"""

from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from wijkhub.hub.plugin_api.json_format import (
    AdviceMessage,
    ConsultationMessage,
    Grondslag,
    HouseholdMember,
    IsoDate,
    IsoDateTime,
    ItemNumber,
    LongText,
    Message,
    MessageId,
    Person,
    Reason,
    Reference,
    ReminderMessage,
    ShortText,
    StatusMessage,
    Wire,
)

VERSION = "1.0"


class Adviessoort(StrEnum):
    informatie_lopende_maatregel = "informatie_lopende_maatregel"
    advies_hulp_binnen_maatregel = "advies_hulp_binnen_maatregel"


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
    intake_gehouden = "intake_gehouden"  # a first conversation with the client took place
    overgenomen = "overgenomen"
    deels_overgenomen = "deels_overgenomen"
    afgewezen = "afgewezen"
    uitgevoerd = "uitgevoerd"
    gestopt = "gestopt"
    in_overleg = "in_overleg"


class Gezinslid(HouseholdMember):
    """A member of the household. Category household."""


class Maatregel(Wire):
    """The running child protection measure. Category youth_protection."""

    soort: Maatregelsoort
    sinds: IsoDate
    zaaknummer: ShortText | None = Field(None, description="The GI's own case reference.")


class Betrokkene(Person):
    """The person the advice is about: only the data the hub may share for this advice.

    A key is absent when its data category was not permitted.
    """

    # The pseudonym and the identification keys come first (see `Person`).
    huishouden: Annotated[list[Gezinslid], Field(max_length=20)] | None = Field(
        None, description="Category household."
    )
    maatregel: Maatregel | None = Field(None, description="Category youth_protection.")


class InformatieVerzoek(Wire):
    """Details for `informatie_lopende_maatregel`. Category youth_protection."""

    aanleiding: Aanleiding | None = None


class HulpadviesVerzoek(Wire):
    """Details for `advies_hulp_binnen_maatregel`. Category youth_protection."""

    hulpvorm: Hulpvorm
    gewenste_start: IsoDate | None = None


class Adviesbericht(AdviceMessage):
    """Information or an advice from the wijkteam within a running measure (hub -> GI)."""

    # The header (advies_referentie … grondslag) comes from `AdviceMessage`, in that order;
    # `ontvanger` and `grondslag` are re-declared only for their descriptions.
    berichttype: Literal["adviesbericht"]
    versie: Literal["1.0"]
    adviessoort: Adviessoort
    ontvanger: ShortText = Field(description="The receiving GI as configured in the hub.")
    grondslag: Grondslag = Field(
        description="The legal basis the hub shares the data on (normally wettelijke_taak)."
    )
    betrokkene: Betrokkene
    motivering: LongText | None = Field(
        None,
        description="The coach's text. Category youth_protection: for a GI it is by nature "
        "information about the child protection case.",
    )
    # One details block per advice type, named after it; at most the message's own.
    informatie_lopende_maatregel: InformatieVerzoek | None = None
    advies_hulp_binnen_maatregel: HulpadviesVerzoek | None = None


class Intrekking(Message):
    """The hub withdraws an advice: stop using the data received with it (hub -> GI)."""

    berichttype: Literal["intrekking"]
    versie: Literal["1.0"]
    advies_referentie: UUID
    volgnummer: ItemNumber
    afzender: ShortText
    ontvanger: ShortText
    betrokkene_referentie: Reference
    ingetrokken_op: IsoDateTime
    reden: Reason


class Herinnering(ReminderMessage):
    """A milestone of an advice is past its deadline: a reminder for the GI's buddy, later
    its contact manager (hub -> GI). No client data."""

    berichttype: Literal["herinnering"]
    versie: Literal["1.0"]


class Statusmelding(StatusMessage):
    """The GI's answer on one advice (GI -> hub).

    `reden` is required with `deels_overgenomen` and `afgewezen`.
    """

    reason_required_for: ClassVar[frozenset[StrEnum]] = frozenset(
        {Statuscode.deels_overgenomen, Statuscode.afgewezen}
    )
    reason_code_required_for: ClassVar[frozenset[StrEnum]] = frozenset({Statuscode.afgewezen})

    # The other keys (advies_referentie, tijdstip, reden, toelichting) come from
    # `StatusMessage`; these are narrowed to this format.
    berichttype: Literal["statusmelding"]
    versie: Literal["1.0"]
    bericht_id: MessageId = Field(
        description="The GI's own id of this message; resending it is harmless."
    )
    status: Statuscode


class Overlegbericht(ConsultationMessage):
    """A coach's question, answer or report-back on one advice (hub -> partner). Answer it
    with a `statusmelding` whose `overleg.antwoord_op` is this `bericht_id`."""

    berichttype: Literal["overlegbericht"]
    versie: Literal["1.0"]
