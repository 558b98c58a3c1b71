"""The corporatie JSON format, version 1.0, as pydantic models with the partner's Dutch keys.

These models are the format: the hub writes messages with them, the simulated backoffice and
`parse_status` read messages with them, and `schema.py` exports their JSON Schemas into this
package. Class and key names are the partner's (Dutch); `extra="forbid"` everywhere, so an
unknown key is an error rather than silently ignored.

What this format shares with the hub's other JSON formats (field types, urgentie, grondslag,
geslacht and rol, the advice header, the person's identification keys, the status message)
comes from `wijkhub.hub.plugin_api.json_format`; a model re-declaring a key there keeps its
position.

There is deliberately no key for the BSN anywhere in this format: a housing association may
not process it, so even a message that tried to carry one would be rejected by the partner.
"""

from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from wijkhub.hub.plugin_api.json_format import (
    AdviceMessage,
    ConsultationMessage,
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

District = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Cents = Annotated[int, Field(ge=0, le=10_000_000_000)]
Postcode = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3} ?[A-Z]{2}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Adviessoort(StrEnum):
    urgentieverklaring = "urgentieverklaring"
    betalingsregeling_huurachterstand = "betalingsregeling_huurachterstand"
    opschorting_ontruiming = "opschorting_ontruiming"
    verhuizing = "verhuizing"


class Dreiging(StrEnum):
    ontruiming = "ontruiming"
    afsluiting_energie = "afsluiting_energie"
    afsluiting_water = "afsluiting_water"
    beeindiging_zorgverzekering = "beeindiging_zorgverzekering"


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
    intake_gehouden = "intake_gehouden"  # a first conversation with the client took place
    toegekend = "toegekend"
    deels_toegekend = "deels_toegekend"
    afgewezen = "afgewezen"
    uitgevoerd = "uitgevoerd"
    gestopt = "gestopt"
    in_overleg = "in_overleg"


class Adres(Wire):
    """Category contact."""

    straat: ShortText
    huisnummer: Annotated[int, Field(ge=1, le=99999)]
    huisnummer_toevoeging: Annotated[str, StringConstraints(max_length=10)] | None = None
    postcode: Postcode
    woonplaats: ShortText


class Huisgenoot(HouseholdMember):
    """A member of the household. Category household."""


class Woonsituatie(Wire):
    """Category housing."""

    woonvorm: Woonvorm
    verhuurder: ShortText | None = None
    huurachterstand_centen: Cents | None = None
    ontruimingsdatum: IsoDate | None = None


class Financien(Wire):
    """Category finance. Amounts in euro cents."""

    inkomensbron: Inkomensbron
    maandinkomen_centen: Cents | None = None
    schulden_totaal_centen: Cents | None = None
    aantal_schuldeisers: Annotated[int, Field(ge=0, le=1000)] | None = None


class Bewoner(Person):
    """The resident the advice is about: only the data the hub may share for this advice.

    A key is absent when its data category was not permitted. There is no BSN key.
    """

    # The pseudonym and the identification keys come first (see `Person`).
    referentie: Reference = Field(
        description="The hub's pseudonym for this resident, stable per resident and partner."
    )
    adres: Adres | None = Field(None, description="Category contact.")
    telefoon: Phone | None = Field(None, description="Category contact.")
    email: Email | None = Field(None, description="Category contact.")
    huishouden: Annotated[list[Huisgenoot], Field(max_length=20)] | None = Field(
        None, description="Category household."
    )
    woonsituatie: Woonsituatie | None = Field(None, description="Category housing.")
    financien: Financien | None = Field(None, description="Category finance.")


class UrgentieverklaringVerzoek(Wire):
    """Request details for `urgentieverklaring`. Category housing."""

    minimaal_aantal_slaapkamers: Annotated[int, Field(ge=1, le=10)] | None = None
    voorkeurswijken: Annotated[list[District], Field(min_length=1, max_length=5)] | None = None


class BetalingsregelingVerzoek(Wire):
    """Request details for `betalingsregeling_huurachterstand`. Category housing."""

    voorgestelde_maandtermijn_centen: Annotated[int, Field(ge=1, le=1_000_000)]
    looptijd_maanden: Annotated[int, Field(ge=1, le=60)] | None = None
    ingangsdatum: IsoDate | None = None


class OpschortingVerzoek(Wire):
    """Request details for `opschorting_ontruiming`. Category housing."""

    ontruimingsdatum: IsoDate
    opschorting_weken: Annotated[int, Field(ge=1, le=26)] | None = None


class VerhuizingVerzoek(Wire):
    """Request details for `verhuizing`. Category housing."""

    reden_verhuizing: RedenVerhuizing | None = None
    voorkeurswijken: Annotated[list[District], Field(min_length=1, max_length=5)] | None = None


class Adviesaanvraag(AdviceMessage):
    """An advice from the wijkteam to the housing association (hub -> corporatie)."""

    # The header (advies_referentie … grondslag) comes from `AdviceMessage`, in that order.
    berichttype: Literal["adviesaanvraag"]
    versie: Literal["1.0"]
    adviessoort: Adviessoort
    dreigingen: Annotated[list[Dreiging], Field(min_length=1, max_length=4)] | None = Field(
        None,
        description="Threats: ontruiming is category housing, the others category finance.",
    )
    bewoner: Bewoner
    motivering: LongText | None = Field(
        None, description="The coach's motivation. Category free_text."
    )
    # One details block per advice type, named after it; at most the message's own.
    urgentieverklaring: UrgentieverklaringVerzoek | None = None
    betalingsregeling_huurachterstand: BetalingsregelingVerzoek | None = None
    opschorting_ontruiming: OpschortingVerzoek | None = None
    verhuizing: VerhuizingVerzoek | None = None


class Intrekking(Message):
    """The hub withdraws an advice: stop using the data received with it (hub -> corporatie)."""

    berichttype: Literal["intrekking"]
    versie: Literal["1.0"]
    advies_referentie: UUID
    volgnummer: ItemNumber
    afzender: ShortText
    ontvanger: ShortText
    bewoner_referentie: Reference
    ingetrokken_op: IsoDateTime
    reden: Reason


class Herinnering(ReminderMessage):
    """A milestone of an advice is past its deadline: a reminder for the corporatie's buddy, later
    its contact manager (hub -> corporatie). No client data."""

    berichttype: Literal["herinnering"]
    versie: Literal["1.0"]


class Statusmelding(StatusMessage):
    """The housing association's answer on one advice (corporatie -> hub).

    `reden` is required with `deels_toegekend` and `afgewezen`.
    """

    reason_required_for: ClassVar[frozenset[StrEnum]] = frozenset(
        {Statuscode.deels_toegekend, Statuscode.afgewezen}
    )
    reason_code_required_for: ClassVar[frozenset[StrEnum]] = frozenset({Statuscode.afgewezen})

    # The other keys (advies_referentie, tijdstip, reden, toelichting) come from
    # `StatusMessage`; these are narrowed to this format.
    berichttype: Literal["statusmelding"]
    versie: Literal["1.0"]
    bericht_id: MessageId = Field(
        description="The corporatie's own id of this message; resending it is harmless."
    )
    status: Statuscode


class Overlegbericht(ConsultationMessage):
    """A coach's question, answer or report-back on one advice (hub -> partner). Answer it
    with a `statusmelding` whose `overleg.antwoord_op` is this `bericht_id`."""

    berichttype: Literal["overlegbericht"]
    versie: Literal["1.0"]
