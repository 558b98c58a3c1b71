"""The privacy policy, decided without I/O: legal basis, categories, refusal reasons."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.factories import client_in, consent
from wijkhub.consent.free_text import contains_bsn
from wijkhub.consent.minimise import client_view, threats_for
from wijkhub.consent.policy import ItemFacts, decide
from wijkhub.consent.rules import PrivacyRules
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.plugin_api.types import AdviceType, DeadlineRule
from wijkhub.schemas.advice import Threat
from wijkhub.schemas.categories import SPECIAL_CATEGORIES, DataCategory, LegalBasis
from wijkhub.schemas.client import ClientIn
from wijkhub.schemas.client_view import CATEGORY_FIELDS
from wijkhub.schemas.consent import Consent, ConsentStatus

C = DataCategory
RULES = PrivacyRules.from_file(example_config_dir() / "privacy-rules.toml")
TODAY = date(2026, 11, 23)
ALL = frozenset(DataCategory)


def atype(
    required: set[C],
    optional: set[C] = frozenset(),
    name: str = "doel",  # type: ignore[assignment]
    motivation: C = C.free_text,
) -> AdviceType:
    return AdviceType(
        name=name,
        title_nl="Doel",
        required_categories=frozenset(required),
        optional_categories=frozenset(optional) - frozenset(required),
        motivation_category=motivation,
        deadline=DeadlineRule(5),
    )


def facts(ptype: str, at: AdviceType, partner: str = "p1") -> ItemFacts:
    return ItemFacts(partner, "Partner Eén", ptype, at)


BASIC = {C.identification, C.contact}


def test_allowed_with_matching_consent() -> None:
    d = decide(
        facts("corporatie", atype(BASIC, {C.housing})),
        RULES,
        [consent(BASIC | {C.housing, C.free_text})],
        TODAY,
    )
    assert d.allowed and d.legal_basis is LegalBasis.consent
    assert set(d.categories) == BASIC | {C.housing, C.free_text}
    assert d.rules_version == RULES.version and d.consent_id is not None


@pytest.mark.parametrize(
    ("consents", "code", "words"),
    [
        ([], "no_consent", "geen toestemming"),
        ([consent(BASIC, partner="other")], "no_consent", "Leg eerst de toestemming vast"),
        ([consent(BASIC, status=ConsentStatus.withdrawn)], "consent_withdrawn", "ingetrokken"),
        (
            [consent(BASIC, valid_until=TODAY - timedelta(days=1))],
            "consent_expired",
            "verlopen op 22-11-2026",
        ),
        (
            [consent(BASIC, valid_from=TODAY + timedelta(days=3))],
            "consent_not_yet_valid",
            "26-11-2026",
        ),
        ([consent(BASIC, purposes=("ander_doel",))], "consent_purpose_mismatch", "'Doel'"),
        ([consent({C.identification})], "consent_categories_missing", "contactgegevens"),
    ],
)
def test_refusals_say_what_to_do(consents: list[Consent], code: str, words: str) -> None:
    d = decide(facts("corporatie", atype(BASIC)), RULES, consents, TODAY)
    assert not d.allowed and d.code == code
    assert words in d.reason
    assert d.categories == [] and d.legal_basis is None


def test_health_needs_explicit_consent() -> None:
    at = atype({C.identification, C.health})
    plain = decide(
        facts("zorgaanbieder", at), RULES, [consent({C.identification, C.health})], TODAY
    )
    assert plain.code == "explicit_consent_required" and "AVG art. 9" in plain.reason
    explicit = decide(
        facts("zorgaanbieder", at),
        RULES,
        [consent({C.identification, C.health}, explicit=True)],
        TODAY,
    )
    assert explicit.allowed and C.health in explicit.categories


def test_optional_health_is_dropped_without_explicit_consent() -> None:
    at = atype({C.identification}, {C.health})
    d = decide(facts("zorgaanbieder", at), RULES, [consent({C.identification, C.health})], TODAY)
    assert d.allowed and C.health not in d.categories


def test_corporatie_never_gets_the_bsn() -> None:
    required = decide(
        facts("corporatie", atype({C.identification, C.bsn})),
        RULES,
        [consent(set(ALL), explicit=True)],
        TODAY,
    )
    assert required.code == "bsn_not_permitted"
    optional = decide(
        facts("corporatie", atype({C.identification}, {C.bsn})),
        RULES,
        [consent(set(ALL), explicit=True)],
        TODAY,
    )
    assert optional.allowed and C.bsn not in optional.categories


def test_gi_works_on_statutory_task_within_its_categories() -> None:
    at = atype(
        {C.identification, C.youth_protection},
        {C.household, C.finance},
        motivation=C.youth_protection,
    )
    d = decide(facts("gecertificeerde_instelling", at), RULES, [], TODAY)
    assert d.allowed and d.legal_basis is LegalBasis.statutory_task
    assert set(d.categories) == {C.identification, C.youth_protection, C.household}
    assert "Jeugdwet" in d.reason
    asks_health = decide(facts("gecertificeerde_instelling", atype({C.health})), RULES, [], TODAY)
    assert asks_health.code == "category_not_permitted" and "gezondheid" in asks_health.reason


def test_unknown_partner_type_is_refused() -> None:
    d = decide(facts("leerplicht", atype(BASIC)), RULES, [consent(BASIC)], TODAY)
    assert d.code == "no_rules"


cats = st.frozensets(st.sampled_from(list(DataCategory)))


@given(
    ptype=st.sampled_from(sorted(RULES.partner_types)),
    required=cats,
    optional=cats,
    consented=cats.filter(bool),
    explicit=st.booleans(),
    motivation=st.sampled_from(list(DataCategory)),
)
def test_a_decision_never_exceeds_rules_or_consent(
    ptype: str,
    required: frozenset[C],
    optional: frozenset[C],
    consented: frozenset[C],
    explicit: bool,
    motivation: C,
) -> None:
    if not required:
        required = frozenset({C.identification})
    at = atype(set(required), set(optional), motivation=motivation)
    d = decide(facts(ptype, at), RULES, [consent(set(consented), explicit=explicit)], TODAY)
    if not d.allowed:
        return
    sent = set(d.categories)
    prules = RULES.partner_types[ptype]
    assert sent <= prules.permitted_categories
    assert sent <= required | optional | {motivation}
    assert required <= sent
    if not prules.bsn_allowed:
        assert C.bsn not in sent
    if d.legal_basis is LegalBasis.consent:
        assert sent <= consented
        if not explicit:
            assert not sent & SPECIAL_CATEGORIES


@given(categories=cats)
def test_minimised_view_holds_only_the_permitted_fields(categories: frozenset[C]) -> None:
    full: ClientIn = client_in()
    view = client_view(full, categories, "a" * 32)
    dumped = view.model_dump(exclude_none=True)
    allowed_fields = {f for c in categories for f in CATEGORY_FIELDS[c]}
    assert set(dumped) - {"subject_ref", "categories"} <= allowed_fields
    for c in categories:
        for f in CATEGORY_FIELDS[c]:
            assert getattr(view, f) == getattr(full, f)
    if C.bsn not in categories:
        assert full.bsn not in view.model_dump_json()


def test_threats_follow_the_slice_or_the_deadline() -> None:

    plain = atype({C.identification})
    wgs = AdviceType(
        name="wgs",
        title_nl="Wgs",
        required_categories=frozenset({C.finance}),
        deadline=DeadlineRule(28, working_days=False),
        urgent_deadline=DeadlineRule(3),
        urgent_when=frozenset({Threat.eviction}),
    )
    both = [Threat.eviction, Threat.energy_disconnection]
    assert threats_for(plain, both, {C.identification}) == []
    assert threats_for(plain, both, {C.housing}) == [Threat.eviction]
    assert threats_for(plain, both, {C.finance}) == [Threat.energy_disconnection]
    assert threats_for(wgs, both, {C.identification}) == [Threat.eviction]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("BSN 999990019.", True),
        ("bsn: 9999.90.019", True),
        ("9999 90 019", True),
        ("telefoon 0612345678", False),
        ("999990018 (geen geldig BSN)", False),
        ("dossier 1999990019", False),
        ("", False),
    ],
)
def test_a_bsn_is_found_in_free_text(text: str, found: bool) -> None:

    assert contains_bsn(text) is found
