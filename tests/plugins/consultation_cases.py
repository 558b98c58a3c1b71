"""Hypothesis strategies for what consultation adds to every status format: a
rejection's reason code and a consultation block (question, answer, counter-proposal)."""

from typing import Any

from hypothesis import strategies as st

from wijkhub.schemas.consultation import ConsultationKind, CounterProposal, PartnerConsultation
from wijkhub.schemas.status import PartnerStatus, RejectionReason

REASON_CODES = st.sampled_from(list(RejectionReason))
PARTNER_KINDS = [ConsultationKind.question, ConsultationKind.answer]
JSON_VALUES = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=20)


def reason_code(draw: st.DrawFn, status: PartnerStatus) -> RejectionReason | None:
    """Required with rejected; otherwise absent (the formats carry it with a rejection)."""
    return draw(REASON_CODES) if status is PartnerStatus.rejected else None


@st.composite
def consultations(
    draw: st.DrawFn,
    text: st.SearchStrategy[str],
    *,
    advice_types: list[str],
    parameters: bool,
    reply_ids: st.SearchStrategy[str],
) -> PartnerConsultation:
    """A valid consultation block; raises pydantic's ValidationError for drawn text the
    contract refuses (the caller rejects the example)."""
    kind = draw(st.sampled_from([*PARTNER_KINDS, ConsultationKind.counter_proposal]))
    proposal = None
    if kind is ConsultationKind.counter_proposal:
        fields: dict[str, Any] = {
            "advice_type": draw(st.none() | st.sampled_from(advice_types)),
            "requested_date": draw(st.none() | st.dates()),
        }
        if parameters:
            fields["parameters"] = draw(
                st.none() | st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
                                            JSON_VALUES, max_size=3)
            )  # fmt: skip
        if all(v is None for v in fields.values()):
            fields["requested_date"] = draw(st.dates())
        proposal = CounterProposal(**fields)
    return PartnerConsultation(
        kind=kind,
        text=draw(text),
        in_reply_to=draw(st.none() | reply_ids),
        proposal=proposal,
    )
