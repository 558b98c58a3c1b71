"""Pure translation between the hub's neutral contract and the corporatie JSON format.

No I/O, no clock: every value written comes from the input. Client data is taken only from
`advice.client` (the minimised view) and a key is left out when the view has no value for it.
What does not depend on this format's keys is in `wijkhub.hub.plugin_api.json_format`.
"""

from pydantic import BaseModel

from wijkhub.hub.plugin_api import json_format
from wijkhub.hub.plugin_api.types import PartnerMessage, ReceivedRequest
from wijkhub.plugins.corporatie.parameters import (
    EvictionSuspensionParameters,
    PaymentArrangementParameters,
    RelocationParameters,
    RelocationReason,
    UrgencyDeclarationParameters,
)
from wijkhub.plugins.corporatie.wire import (
    Adres,
    Adviesaanvraag,
    Adviessoort,
    BetalingsregelingVerzoek,
    Bewoner,
    Dreiging,
    Financien,
    Herinnering,
    Huisgenoot,
    Inkomensbron,
    Intrekking,
    OpschortingVerzoek,
    Overlegbericht,
    RedenVerhuizing,
    Statuscode,
    Statusmelding,
    UrgentieverklaringVerzoek,
    VerhuizingVerzoek,
    Woonsituatie,
    Woonvorm,
)
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.client import (
    Address,
    FinanceSituation,
    HousingSituation,
    HousingTenure,
    IncomeSource,
)
from wijkhub.schemas.client_view import ClientView
from wijkhub.schemas.consultation import OutboundConsultation
from wijkhub.schemas.outbound import OutboundAdvice, ReminderNotice, WithdrawalNotice
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

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
# The corporatie's status vocabulary: a housing association grants (toekennen) an advice.
STATUS_OUT: dict[PartnerStatus, Statuscode] = {
    PartnerStatus.received: Statuscode.ontvangen,
    PartnerStatus.in_progress: Statuscode.in_behandeling,
    PartnerStatus.intake_held: Statuscode.intake_gehouden,
    PartnerStatus.adopted: Statuscode.toegekend,
    PartnerStatus.partly_adopted: Statuscode.deels_toegekend,
    PartnerStatus.rejected: Statuscode.afgewezen,
    PartnerStatus.carried_out: Statuscode.uitgevoerd,
    PartnerStatus.stopped: Statuscode.gestopt,
    PartnerStatus.in_consultation: Statuscode.in_overleg,
}
STATUS = json_format.StatusFormat(Statusmelding, STATUS_OUT)


# --- hub -> corporatie ------------------------------------------------------------------------


def _adres(address: Address) -> Adres:
    return Adres(
        straat=address.street,
        huisnummer=address.house_number,
        huisnummer_toevoeging=address.house_number_suffix,
        postcode=address.postcode,
        woonplaats=address.city,
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
    return Bewoner.from_view(
        view,
        adres=_adres(view.address) if view.address is not None else None,
        telefoon=view.phone,
        email=view.email,
        huishouden=json_format.household(view.household, Huisgenoot),
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
    return json_format.non_empty(block)


def translate_advice(advice: OutboundAdvice) -> PartnerMessage:
    """Write an advice item as a corporatie `adviesaanvraag`."""
    soort = Adviessoort(advice.advice_type)
    permitted = set(advice.client.categories)
    threats = [DREIGING[t] for t in dict.fromkeys(advice.threats)]
    threats = [t for t in threats if DREIGING_CATEGORY[t] in permitted]
    blocks: dict[str, BaseModel | None] = {}
    if REQUEST_BLOCK_CATEGORY in permitted:
        blocks[soort.value] = _request_block(soort, advice.parameters)
    message = Adviesaanvraag.from_advice(
        advice,
        dreigingen=threats or None,
        bewoner=_bewoner(advice.client),
        motivering=advice.motivation,
        **blocks,
    )
    return json_format.message(message)


def translate_reminder(notice: ReminderNotice) -> PartnerMessage:
    """Write a late milestone (escalation ladder) as a corporatie `herinnering`."""
    return json_format.reminder_message(Herinnering, notice)


def translate_withdrawal(notice: WithdrawalNotice) -> PartnerMessage:
    """Write a withdrawal as a corporatie `intrekking` referring to the advice item."""
    return json_format.withdrawal_message(Intrekking, notice, subject_key="bewoner_referentie")


def translate_consultation(consultation: OutboundConsultation) -> PartnerMessage:
    """Write a coach's question, answer or report-back as an `overlegbericht`."""
    return json_format.consultation_message(Overlegbericht, consultation)


# --- corporatie -> hub ------------------------------------------------------------------------


def parse_status(body: bytes, content_type: str) -> list[StatusUpdate]:
    """Read a corporatie `statusmelding`; raise `PayloadError` for anything invalid."""
    return STATUS.parse(body, content_type)


# --- the partner side, for the simulator ------------------------------------------------------


def categories_of(message: Adviesaanvraag) -> frozenset[DataCategory]:
    """The data categories whose data is present in a request, judged by its keys."""
    found: set[DataCategory] = set()
    person = message.bewoner
    if person.has_identification():
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
    return json_format.read_request(
        body,
        content_type,
        advice=Adviesaanvraag,
        withdrawal=Intrekking,
        reminder=Herinnering,
        categories_of=categories_of,
        consultation=Overlegbericht,
    )


def render_status(update: StatusUpdate) -> PartnerMessage:
    """Write a neutral status update as the corporatie's `statusmelding`."""
    return STATUS.render(update)
