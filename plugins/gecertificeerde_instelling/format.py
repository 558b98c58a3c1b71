"""Pure translation between the hub's neutral contract and the GI JSON format.

No I/O, no clock: every value written comes from the input. Client data is taken only from
`advice.client` (the minimised view) and a key is left out when the view has no value for it.
What does not depend on this format's keys is in `wijkhub.hub.plugin_api.json_format`.
"""

from pydantic import BaseModel

from wijkhub.hub.plugin_api import json_format
from wijkhub.hub.plugin_api.types import PartnerMessage, ReceivedRequest
from wijkhub.plugins.gecertificeerde_instelling.parameters import (
    HelpAdviceParameters,
    HelpForm,
    InformationOccasion,
    InformationParameters,
)
from wijkhub.plugins.gecertificeerde_instelling.wire import (
    Aanleiding,
    Adviesbericht,
    Adviessoort,
    Betrokkene,
    Gezinslid,
    Herinnering,
    HulpadviesVerzoek,
    Hulpvorm,
    InformatieVerzoek,
    Intrekking,
    Maatregel,
    Maatregelsoort,
    Overlegbericht,
    Statuscode,
    Statusmelding,
)
from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.client import ChildProtectionMeasure, YouthProtection
from wijkhub.schemas.client_view import ClientView
from wijkhub.schemas.consultation import OutboundConsultation
from wijkhub.schemas.outbound import OutboundAdvice, ReminderNotice, WithdrawalNotice
from wijkhub.schemas.status import PartnerStatus, StatusUpdate

# The advice-specific details and the coach's text are about the child protection case.
REQUEST_BLOCK_CATEGORY = DataCategory.youth_protection
MOTIVATION_CATEGORY = DataCategory.youth_protection

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
# The GI's status vocabulary: a GI takes over (overnemen) an advice.
STATUS_OUT: dict[PartnerStatus, Statuscode] = {
    PartnerStatus.received: Statuscode.ontvangen,
    PartnerStatus.in_progress: Statuscode.in_behandeling,
    PartnerStatus.intake_held: Statuscode.intake_gehouden,
    PartnerStatus.adopted: Statuscode.overgenomen,
    PartnerStatus.partly_adopted: Statuscode.deels_overgenomen,
    PartnerStatus.rejected: Statuscode.afgewezen,
    PartnerStatus.carried_out: Statuscode.uitgevoerd,
    PartnerStatus.stopped: Statuscode.gestopt,
    PartnerStatus.in_consultation: Statuscode.in_overleg,
}
STATUS = json_format.StatusFormat(Statusmelding, STATUS_OUT)


# --- hub -> GI --------------------------------------------------------------------------------


def _maatregel(youth: YouthProtection) -> Maatregel:
    return Maatregel(
        soort=MAATREGELSOORT[youth.measure],
        sinds=youth.measure_since,
        zaaknummer=youth.case_reference,
    )


def _betrokkene(view: ClientView) -> Betrokkene:
    # Only identification, household and youth protection exist in this format; anything
    # else a view might carry (BSN, contact, housing, finance, health) is not read at all.
    return Betrokkene.from_view(
        view,
        huishouden=json_format.household(view.household, Gezinslid),
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
    return json_format.non_empty(block)


def translate_advice(advice: OutboundAdvice) -> PartnerMessage:
    """Write an advice item as a GI `adviesbericht`."""
    soort = Adviessoort(advice.advice_type)
    blocks: dict[str, BaseModel | None] = {}
    if REQUEST_BLOCK_CATEGORY in advice.client.categories:
        blocks[soort.value] = _request_block(soort, advice.parameters)
    message = Adviesbericht.from_advice(
        advice,
        betrokkene=_betrokkene(advice.client),
        motivering=advice.motivation,
        **blocks,
    )
    return json_format.message(message)


def translate_reminder(notice: ReminderNotice) -> PartnerMessage:
    """Write a late milestone (escalation ladder) as a GI `herinnering`."""
    return json_format.reminder_message(Herinnering, notice)


def translate_withdrawal(notice: WithdrawalNotice) -> PartnerMessage:
    """Write a withdrawal as a GI `intrekking` referring to the advice item."""
    return json_format.withdrawal_message(Intrekking, notice, subject_key="betrokkene_referentie")


def translate_consultation(consultation: OutboundConsultation) -> PartnerMessage:
    """Write a coach's question, answer or report-back as an `overlegbericht`."""
    return json_format.consultation_message(Overlegbericht, consultation)


# --- GI -> hub --------------------------------------------------------------------------------


def parse_status(body: bytes, content_type: str) -> list[StatusUpdate]:
    """Read a GI `statusmelding`; raise `PayloadError` for anything invalid."""
    return STATUS.parse(body, content_type)


# --- the partner side, for the simulator ------------------------------------------------------


def categories_of(message: Adviesbericht) -> frozenset[DataCategory]:
    """The data categories whose data is present in a message, judged by its keys."""
    found: set[DataCategory] = set()
    person = message.betrokkene
    if person.has_identification():
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
    return json_format.read_request(
        body,
        content_type,
        advice=Adviesbericht,
        withdrawal=Intrekking,
        reminder=Herinnering,
        categories_of=categories_of,
        consultation=Overlegbericht,
    )


def render_status(update: StatusUpdate) -> PartnerMessage:
    """Write a neutral status update as the GI's `statusmelding`."""
    return STATUS.render(update)
