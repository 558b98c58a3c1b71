"""Pure translation between the hub's neutral contract and the corporatie JSON format.

No I/O, no clock: every value written comes from the input. Client data is taken only from
`advice.client` (the minimised view) and a key is left out when the view has no value for it.
"""

from pydantic import BaseModel, ValidationError

from wijkhub.hub import safejson
from wijkhub.hub.plugin_types import PartnerMessage, PayloadError, ReceivedRequest
from wijkhub.schemas.advice import Threat, Urgency
from wijkhub.schemas.categories import DataCategory, LegalBasis
from wijkhub.schemas.client import (
    Address,
    FinanceSituation,
    Gender,
    HouseholdMember,
    HouseholdRole,
    HousingSituation,
    HousingTenure,
    IncomeSource,
)
from wijkhub.schemas.client_view import ClientView
from wijkhub.schemas.outbound import OutboundAdvice, WithdrawalNotice
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

from .parameters import (
    EvictionSuspensionParameters,
    PaymentArrangementParameters,
    RelocationParameters,
    RelocationReason,
    UrgencyDeclarationParameters,
)
from .wire import (
    VERSION,
    Adres,
    Adviesaanvraag,
    Adviessoort,
    BetalingsregelingVerzoek,
    Bewoner,
    Dreiging,
    Financien,
    Geslacht,
    Grondslag,
    Huisgenoot,
    Inkomensbron,
    Intrekking,
    OpschortingVerzoek,
    RedenVerhuizing,
    Rol,
    Statuscode,
    Statusmelding,
    Urgentie,
    UrgentieverklaringVerzoek,
    VerhuizingVerzoek,
    Woonsituatie,
    Woonvorm,
)

CONTENT_TYPE = "application/json"

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
DREIGING: dict[Threat, Dreiging] = {
    Threat.eviction: Dreiging.ontruiming,
    Threat.energy_disconnection: Dreiging.afsluiting_energie,
    Threat.water_disconnection: Dreiging.afsluiting_water,
    Threat.health_insurance_cancellation: Dreiging.beeindiging_zorgverzekering,
}
# A threat says something about the client: an eviction about the housing, the others about
# unpaid bills. It is written only when that category is in the view.
DREIGING_CATEGORY: dict[Dreiging, DataCategory] = {
    Dreiging.ontruiming: DataCategory.housing,
    Dreiging.afsluiting_energie: DataCategory.finance,
    Dreiging.afsluiting_water: DataCategory.finance,
    Dreiging.beeindiging_zorgverzekering: DataCategory.finance,
}
# The advice-specific request details are about the client's housing.
REQUEST_BLOCK_CATEGORY = DataCategory.housing
MOTIVATION_CATEGORY = DataCategory.free_text

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
WOONVORM: dict[HousingTenure, Woonvorm] = {
    HousingTenure.social_rent: Woonvorm.sociale_huur,
    HousingTenure.private_rent: Woonvorm.particuliere_huur,
    HousingTenure.owner: Woonvorm.koop,
    HousingTenure.no_fixed_abode: Woonvorm.zonder_vaste_woonplaats,
    HousingTenure.other: Woonvorm.overig,
}
INKOMENSBRON: dict[IncomeSource, Inkomensbron] = {
    IncomeSource.employment: Inkomensbron.loondienst,
    IncomeSource.benefit: Inkomensbron.uitkering,
    IncomeSource.self_employed: Inkomensbron.zelfstandige,
    IncomeSource.none: Inkomensbron.geen,
    IncomeSource.other: Inkomensbron.overig,
}
REDEN_VERHUIZING: dict[RelocationReason, RedenVerhuizing] = {
    RelocationReason.housing_costs: RedenVerhuizing.woonlasten,
    RelocationReason.household_size: RedenVerhuizing.gezinsgrootte,
    RelocationReason.social_circumstances: RedenVerhuizing.sociale_omstandigheden,
    RelocationReason.other: RedenVerhuizing.overig,
}
STATUS_OUT: dict[PartnerStatus, Statuscode] = {
    PartnerStatus.received: Statuscode.ontvangen,
    PartnerStatus.in_progress: Statuscode.in_behandeling,
    PartnerStatus.adopted: Statuscode.toegekend,
    PartnerStatus.partly_adopted: Statuscode.deels_toegekend,
    PartnerStatus.rejected: Statuscode.afgewezen,
    PartnerStatus.carried_out: Statuscode.uitgevoerd,
    PartnerStatus.stopped: Statuscode.gestopt,
}
STATUS_IN: dict[Statuscode, PartnerStatus] = {code: status for status, code in STATUS_OUT.items()}


def _message(model: BaseModel) -> PartnerMessage:
    return PartnerMessage(model.model_dump_json(exclude_none=True).encode(), CONTENT_TYPE)


# --- hub -> corporatie ------------------------------------------------------------------------


def _adres(address: Address) -> Adres:
    return Adres(
        straat=address.street,
        huisnummer=address.house_number,
        huisnummer_toevoeging=address.house_number_suffix,
        postcode=address.postcode,
        woonplaats=address.city,
    )


def _huisgenoot(member: HouseholdMember) -> Huisgenoot:
    return Huisgenoot(
        voornaam=member.given_name,
        achternaam=member.family_name,
        geboortedatum=member.birth_date,
        rol=ROL[member.role],
    )


def _woonsituatie(housing: HousingSituation) -> Woonsituatie:
    return Woonsituatie(
        woonvorm=WOONVORM[housing.tenure],
        verhuurder=housing.landlord,
        huurachterstand_centen=housing.rent_arrears_cents,
        ontruimingsdatum=housing.eviction_date,
    )


def _financien(finance: FinanceSituation) -> Financien:
    return Financien(
        inkomensbron=INKOMENSBRON[finance.income_source],
        maandinkomen_centen=finance.monthly_income_cents,
        schulden_totaal_centen=finance.debt_total_cents,
        aantal_schuldeisers=finance.creditor_count,
    )


def _bewoner(view: ClientView) -> Bewoner:
    # view.bsn is never read: a housing association may not process the BSN, and this format
    # has no key for it (defence in depth behind the policy, which never permits it here).
    return Bewoner(
        referentie=view.subject_ref,
        voornamen=view.given_names,
        achternaam=view.family_name,
        geboortedatum=view.birth_date,
        geslacht=GESLACHT[view.gender] if view.gender is not None else None,
        adres=_adres(view.address) if view.address is not None else None,
        telefoon=view.phone,
        email=view.email,
        huishouden=(
            [_huisgenoot(m) for m in view.household] if view.household is not None else None
        ),
        woonsituatie=_woonsituatie(view.housing) if view.housing is not None else None,
        financien=_financien(view.finance) if view.finance is not None else None,
    )


def _request_block(soort: Adviessoort, parameters: dict[str, object]) -> BaseModel | None:
    """The advice-specific details, from the parameters the hub validated with our models."""
    block: BaseModel
    match soort:
        case Adviessoort.urgentieverklaring:
            urgency = UrgencyDeclarationParameters.model_validate(parameters)
            block = UrgentieverklaringVerzoek(
                minimaal_aantal_slaapkamers=urgency.min_bedrooms,
                voorkeurswijken=urgency.preferred_districts or None,
            )
        case Adviessoort.betalingsregeling_huurachterstand:
            payment = PaymentArrangementParameters.model_validate(parameters)
            block = BetalingsregelingVerzoek(
                voorgestelde_maandtermijn_centen=payment.proposed_monthly_amount_cents,
                looptijd_maanden=payment.term_months,
                ingangsdatum=payment.start_date,
            )
        case Adviessoort.opschorting_ontruiming:
            suspension = EvictionSuspensionParameters.model_validate(parameters)
            block = OpschortingVerzoek(
                ontruimingsdatum=suspension.eviction_date,
                opschorting_weken=suspension.suspension_weeks,
            )
        case Adviessoort.verhuizing:
            relocation = RelocationParameters.model_validate(parameters)
            block = VerhuizingVerzoek(
                reden_verhuizing=(
                    REDEN_VERHUIZING[relocation.reason] if relocation.reason else None
                ),
                voorkeurswijken=relocation.preferred_districts or None,
            )
    # An all-empty block carries nothing; leaving it out keeps "key present = data present".
    return block if block.model_dump(exclude_none=True) else None


def translate_advice(advice: OutboundAdvice) -> PartnerMessage:
    """Write an advice item as a corporatie `adviesaanvraag`."""
    soort = Adviessoort(advice.advice_type)
    permitted = set(advice.client.categories)
    threats = [DREIGING[t] for t in dict.fromkeys(advice.threats)]
    threats = [t for t in threats if DREIGING_CATEGORY[t] in permitted]
    blocks: dict[str, BaseModel | None] = {}
    if REQUEST_BLOCK_CATEGORY in permitted:
        blocks[soort.value] = _request_block(soort, advice.parameters)
    message = Adviesaanvraag(
        berichttype="adviesaanvraag",
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
        dreigingen=threats or None,
        bewoner=_bewoner(advice.client),
        motivering=advice.motivation,
        **blocks,
    )
    return _message(message)


def translate_withdrawal(notice: WithdrawalNotice) -> PartnerMessage:
    """Write a withdrawal as a corporatie `intrekking` referring to the advice item."""
    return _message(
        Intrekking(
            berichttype="intrekking",
            versie=VERSION,
            advies_referentie=notice.item_ref,
            volgnummer=notice.item_number,
            afzender=notice.sender,
            ontvanger=notice.partner_id,
            bewoner_referentie=notice.subject_ref,
            ingetrokken_op=notice.withdrawn_at,
            reden=notice.reason,
        )
    )


# --- corporatie -> hub ------------------------------------------------------------------------


def parse_status(body: bytes, content_type: str) -> list[StatusUpdate]:
    """Read a corporatie `statusmelding`; raise `PayloadError` for anything invalid."""
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


def categories_of(message: Adviesaanvraag) -> frozenset[DataCategory]:
    """The data categories whose data is present in a request, judged by its keys."""
    found: set[DataCategory] = set()
    person = message.bewoner
    if any(
        v is not None
        for v in (person.voornamen, person.achternaam, person.geboortedatum, person.geslacht)
    ):
        found.add(DataCategory.identification)
    if any(v is not None for v in (person.adres, person.telefoon, person.email)):
        found.add(DataCategory.contact)
    if person.huishouden is not None:
        found.add(DataCategory.household)
    if person.woonsituatie is not None:
        found.add(DataCategory.housing)
    if person.financien is not None:
        found.add(DataCategory.finance)
    found.update(DREIGING_CATEGORY[t] for t in message.dreigingen or ())
    if message.request_block() is not None:
        found.add(REQUEST_BLOCK_CATEGORY)
    if message.motivering is not None:
        found.add(MOTIVATION_CATEGORY)
    return frozenset(found)


def read_request(body: bytes, content_type: str) -> ReceivedRequest:
    """Read a hub message as the housing association would: validate it in this format."""
    text, data = safejson.load(body, content_type)
    kind = data.get("berichttype")
    if kind == "adviesaanvraag":
        advice = safejson.validate(Adviesaanvraag, text)
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
    raise PayloadError("veld 'berichttype' moet 'adviesaanvraag' of 'intrekking' zijn")


def render_status(update: StatusUpdate) -> PartnerMessage:
    """Write a neutral status update as the corporatie's `statusmelding`."""
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
