"""Pure translation between the hub's neutral contract and the GI JSON format.

No I/O, no clock: every value written comes from the input. Client data is taken only from
`advice.client` (the minimised view) and a key is left out when the view has no value for it.
"""

from pydantic import BaseModel, ValidationError

from wijkhub.hub import safejson
from wijkhub.hub.plugin_types import PartnerMessage, PayloadError, ReceivedRequest
from wijkhub.schemas.advice import Urgency
from wijkhub.schemas.categories import DataCategory, LegalBasis
from wijkhub.schemas.client import (
    ChildProtectionMeasure,
    Gender,
    HouseholdMember,
    HouseholdRole,
    YouthProtection,
)
from wijkhub.schemas.client_view import ClientView
from wijkhub.schemas.outbound import OutboundAdvice, WithdrawalNotice
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

from .parameters import HelpAdviceParameters, HelpForm, InformationOccasion, InformationParameters
from .wire import (
    VERSION,
    Aanleiding,
    Adviesbericht,
    Adviessoort,
    Betrokkene,
    Geslacht,
    Gezinslid,
    Grondslag,
    HulpadviesVerzoek,
    Hulpvorm,
    InformatieVerzoek,
    Intrekking,
    Maatregel,
    Maatregelsoort,
    Rol,
    Statuscode,
    Statusmelding,
    Urgentie,
)

CONTENT_TYPE = "application/json"

# The advice-specific details and the coach's text are about the child protection case.
REQUEST_BLOCK_CATEGORY = DataCategory.youth_protection
MOTIVATION_CATEGORY = DataCategory.youth_protection

URGENTIE: dict[Urgency, Urgentie] = {
    Urgency.normal: Urgentie.normaal,
    Urgency.high: Urgentie.hoog,
    Urgency.crisis: Urgentie.crisis,
}
GRONDSLAG: dict[LegalBasis, Grondslag] = {
    LegalBasis.consent: Grondslag.toestemming,
    LegalBasis.statutory_task: Grondslag.wettelijke_taak,
    LegalBasis.legal_obligation: Grondslag.wettelijke_verplichting,
    LegalBasis.vital_interest: Grondslag.vitaal_belang,
}
GESLACHT: dict[Gender, Geslacht] = {
    Gender.unknown: Geslacht.onbekend,
    Gender.male: Geslacht.man,
    Gender.female: Geslacht.vrouw,
    Gender.other: Geslacht.anders,
}
ROL: dict[HouseholdRole, Rol] = {
    HouseholdRole.parent_with_authority: Rol.ouder_met_gezag,
    HouseholdRole.parent: Rol.ouder,
    HouseholdRole.partner: Rol.partner,
    HouseholdRole.child: Rol.kind,
    HouseholdRole.other: Rol.overig,
}
MAATREGELSOORT: dict[ChildProtectionMeasure, Maatregelsoort] = {
    ChildProtectionMeasure.ots: Maatregelsoort.ots,
    ChildProtectionMeasure.voogdij: Maatregelsoort.voogdij,
    ChildProtectionMeasure.jeugdreclassering: Maatregelsoort.jeugdreclassering,
}
AANLEIDING: dict[InformationOccasion, Aanleiding] = {
    InformationOccasion.periodic_update: Aanleiding.periodieke_update,
    InformationOccasion.signal: Aanleiding.signaal,
    InformationOccasion.gi_request: Aanleiding.verzoek_gi,
}
HULPVORM: dict[HelpForm, Hulpvorm] = {
    HelpForm.parenting_support: Hulpvorm.opvoedondersteuning,
    HelpForm.outpatient_youth_care: Hulpvorm.ambulante_jeugdhulp,
    HelpForm.day_treatment: Hulpvorm.dagbehandeling,
    HelpForm.foster_care: Hulpvorm.pleegzorg,
    HelpForm.residential_youth_care: Hulpvorm.residentiele_jeugdhulp,
    HelpForm.other: Hulpvorm.overig,
}
STATUS_OUT: dict[PartnerStatus, Statuscode] = {
    PartnerStatus.received: Statuscode.ontvangen,
    PartnerStatus.in_progress: Statuscode.in_behandeling,
    PartnerStatus.adopted: Statuscode.overgenomen,
    PartnerStatus.partly_adopted: Statuscode.deels_overgenomen,
    PartnerStatus.rejected: Statuscode.afgewezen,
    PartnerStatus.carried_out: Statuscode.uitgevoerd,
    PartnerStatus.stopped: Statuscode.gestopt,
}
STATUS_IN: dict[Statuscode, PartnerStatus] = {code: status for status, code in STATUS_OUT.items()}


def _message(model: BaseModel) -> PartnerMessage:
    return PartnerMessage(model.model_dump_json(exclude_none=True).encode(), CONTENT_TYPE)


# --- hub -> GI --------------------------------------------------------------------------------


def _gezinslid(member: HouseholdMember) -> Gezinslid:
    return Gezinslid(
        voornaam=member.given_name,
        achternaam=member.family_name,
        geboortedatum=member.birth_date,
        rol=ROL[member.role],
    )


def _maatregel(youth: YouthProtection) -> Maatregel:
    return Maatregel(
        soort=MAATREGELSOORT[youth.measure],
        sinds=youth.measure_since,
        zaaknummer=youth.case_reference,
    )


def _betrokkene(view: ClientView) -> Betrokkene:
    # Only identification, household and youth protection exist in this format; anything
    # else a view might carry (BSN, contact, housing, finance, health) is not read at all.
    return Betrokkene(
        referentie=view.subject_ref,
        voornamen=view.given_names,
        achternaam=view.family_name,
        geboortedatum=view.birth_date,
        geslacht=GESLACHT[view.gender] if view.gender is not None else None,
        huishouden=(
            [_gezinslid(m) for m in view.household] if view.household is not None else None
        ),
        maatregel=(
            _maatregel(view.youth_protection) if view.youth_protection is not None else None
        ),
    )


def _request_block(soort: Adviessoort, parameters: dict[str, object]) -> BaseModel | None:
    """The advice-specific details, from the parameters the hub validated with our models."""
    block: BaseModel
    match soort:
        case Adviessoort.informatie_lopende_maatregel:
            info = InformationParameters.model_validate(parameters)
            block = InformatieVerzoek(
                aanleiding=AANLEIDING[info.occasion] if info.occasion else None
            )
        case Adviessoort.advies_hulp_binnen_maatregel:
            help_advice = HelpAdviceParameters.model_validate(parameters)
            block = HulpadviesVerzoek(
                hulpvorm=HULPVORM[help_advice.help_form],
                gewenste_start=help_advice.desired_start,
            )
    # An all-empty block carries nothing; leaving it out keeps "key present = data present".
    return block if block.model_dump(exclude_none=True) else None


def translate_advice(advice: OutboundAdvice) -> PartnerMessage:
    """Write an advice item as a GI `adviesbericht`."""
    soort = Adviessoort(advice.advice_type)
    blocks: dict[str, BaseModel | None] = {}
    if REQUEST_BLOCK_CATEGORY in advice.client.categories:
        blocks[soort.value] = _request_block(soort, advice.parameters)
    message = Adviesbericht(
        berichttype="adviesbericht",
        versie=VERSION,
        advies_referentie=advice.item_ref,
        volgnummer=advice.item_number,
        adviessoort=soort,
        afzender=advice.sender,
        ontvanger=advice.partner_id,
        aangemaakt_op=advice.created_at,
        reactie_uiterlijk=advice.deadline,
        urgentie=URGENTIE[advice.urgency],
        gewenste_datum=advice.requested_date,
        grondslag=GRONDSLAG[advice.legal_basis],
        betrokkene=_betrokkene(advice.client),
        motivering=advice.motivation,
        **blocks,
    )
    return _message(message)


def translate_withdrawal(notice: WithdrawalNotice) -> PartnerMessage:
    """Write a withdrawal as a GI `intrekking` referring to the advice item."""
    return _message(
        Intrekking(
            berichttype="intrekking",
            versie=VERSION,
            advies_referentie=notice.item_ref,
            volgnummer=notice.item_number,
            afzender=notice.sender,
            ontvanger=notice.partner_id,
            betrokkene_referentie=notice.subject_ref,
            ingetrokken_op=notice.withdrawn_at,
            reden=notice.reason,
        )
    )


# --- GI -> hub --------------------------------------------------------------------------------


def parse_status(body: bytes, content_type: str) -> list[StatusUpdate]:
    """Read a GI `statusmelding`; raise `PayloadError` for anything invalid."""
    text, _ = safejson.load(body, content_type)
    message = safejson.validate(Statusmelding, text)
    try:
        update = StatusUpdate(
            item_ref=message.advies_referentie,
            status=STATUS_IN[message.status],
            occurred_at=message.tijdstip,
            partner_message_id=message.bericht_id,
            reason=message.reden,
            detail=message.toelichting,
        )
    except ValidationError as exc:
        raise PayloadError(safejson.describe(exc)) from None
    return [update]


# --- the partner side, for the simulator ------------------------------------------------------


def categories_of(message: Adviesbericht) -> frozenset[DataCategory]:
    """The data categories whose data is present in a message, judged by its keys."""
    found: set[DataCategory] = set()
    person = message.betrokkene
    if any(
        v is not None
        for v in (person.voornamen, person.achternaam, person.geboortedatum, person.geslacht)
    ):
        found.add(DataCategory.identification)
    if person.huishouden is not None:
        found.add(DataCategory.household)
    if person.maatregel is not None:
        found.add(DataCategory.youth_protection)
    if message.request_block() is not None:
        found.add(REQUEST_BLOCK_CATEGORY)
    if message.motivering is not None:
        found.add(MOTIVATION_CATEGORY)
    return frozenset(found)


def read_request(body: bytes, content_type: str) -> ReceivedRequest:
    """Read a hub message as the GI would: validate it in this format."""
    text, data = safejson.load(body, content_type)
    kind = data.get("berichttype")
    if kind == "adviesbericht":
        advice = safejson.validate(Adviesbericht, text)
        block = advice.request_block()
        fields: dict[str, object] = {
            "volgnummer": advice.volgnummer,
            "urgentie": advice.urgentie.value,
            "reactie_uiterlijk": advice.reactie_uiterlijk,
            "grondslag": advice.grondslag.value,
        }
        if block is not None:
            fields[advice.adviessoort.value] = block.model_dump(mode="json", exclude_none=True)
        return ReceivedRequest(
            kind="advice",
            item_ref=advice.advies_referentie,
            advice_type=advice.adviessoort.value,
            categories=categories_of(advice),
            fields=fields,
        )
    if kind == "intrekking":
        withdrawal = safejson.validate(Intrekking, text)
        return ReceivedRequest(
            kind="withdrawal",
            item_ref=withdrawal.advies_referentie,
            advice_type=None,
            categories=frozenset(),
            fields={"volgnummer": withdrawal.volgnummer, "reden": withdrawal.reden},
        )
    raise PayloadError("veld 'berichttype' moet 'adviesbericht' of 'intrekking' zijn")


def render_status(update: StatusUpdate) -> PartnerMessage:
    """Write a neutral status update as the GI's `statusmelding`."""
    return _message(
        Statusmelding(
            berichttype="statusmelding",
            versie=VERSION,
            bericht_id=update.partner_message_id,
            advies_referentie=update.item_ref,
            status=STATUS_OUT[update.status],
            tijdstip=update.occurred_at,
            reden=update.reason,
            toelichting=update.detail,
        )
    )
