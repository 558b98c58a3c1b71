"""Cases every JSON partner format built on `wijkhub.hub.plugin_api.json_format` must pass.

A plugin's test module subclasses `JsonFormatCases` (as `TestJsonFormatCases`) and sets its
format and schema modules, its package, an item id and a valid status message; pytest then
runs these cases against that plugin. What is specific to a format (its keys, its slice of
the client, its own malformed messages) stays in the plugin's test module.
"""

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from importlib.resources import files
from types import ModuleType
from typing import Any, ClassVar
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.plugins.consultation_cases import consultations, reason_code
from tests.support.factories import withdrawal
from wijkhub.hub.plugin_api import safejson
from wijkhub.hub.plugin_api.types import PayloadError
from wijkhub.schemas.consultation import ConsultationKind, OutboundConsultation
from wijkhub.schemas.status import PartnerStatus, RejectionReason, StatusUpdate

CT = "application/json"


def shared(max_examples: int) -> settings:
    """Hypothesis settings for a case: the same test method runs for each plugin's subclass,
    which is the point here, not the mistake `differing_executors` warns about."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.differing_executors],
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def status_body(defaults: dict[str, Any], **overrides: Any) -> bytes:
    """A status message: `defaults` with `overrides`; a key set to None is left out."""
    message = {**defaults, **overrides}
    return json.dumps({k: v for k, v in message.items() if v is not None}).encode()


def only_payload_errors(function: Callable[[bytes, str], object], body: bytes) -> None:
    with contextlib.suppress(PayloadError):
        function(body, CT)


def property_names(node: Any) -> set[str]:
    """Every property name anywhere in a JSON Schema."""
    names: set[str] = set()
    if isinstance(node, dict):
        names.update(node.get("properties", {}))
        for value in node.values():
            names |= property_names(value)
    elif isinstance(node, list):
        for value in node:
            names |= property_names(value)
    return names


def assert_schema_is_current(package: str, schema: ModuleType, filename: str) -> None:
    checked_in = files(package).joinpath(filename).read_text("utf-8")
    assert checked_in == schema.render_schema(filename), (
        f"{filename} is stale: run .venv/bin/python -m {package}.schema"
    )


@st.composite
def status_updates(draw: st.DrawFn) -> StatusUpdate:
    status = draw(st.sampled_from(list(PartnerStatus)))
    needs_reason = status in (PartnerStatus.rejected, PartnerStatus.partly_adopted)
    reason = draw(
        st.text(min_size=1, max_size=60) if needs_reason else st.none() | st.text(max_size=60)
    )
    zones = [
        UTC,
        timezone(timedelta(hours=1)),
        timezone(timedelta(hours=2)),
        timezone(timedelta(hours=-3, minutes=-30)),
        timezone(timedelta(hours=-9, minutes=-30)),
    ]
    try:
        consultation = draw(
            st.none()
            | consultations(
                st.text(min_size=1, max_size=60),
                advice_types=["verhuizing", "advies_hulp_binnen_maatregel"],
                parameters=True,
                reply_ids=st.text(min_size=1, max_size=100),
            )
        )
        return StatusUpdate(
            item_ref=draw(st.uuids()),
            status=status,
            reason_code=reason_code(draw, status),
            consultation=consultation,
            occurred_at=draw(
                st.datetimes(
                    min_value=datetime(2000, 1, 1),
                    max_value=datetime(2100, 1, 1),
                    timezones=st.sampled_from(zones),
                )
            ),
            partner_message_id=draw(st.text(min_size=1, max_size=100)),
            reason=reason,
            detail=draw(st.none() | st.text(max_size=60)),
        )
    except ValidationError:
        reject()  # e.g. a whitespace-only reason: not a valid update to begin with


VALID = object()  # stands for the plugin's valid status message in HOSTILE_BODIES

# Bodies no JSON format may accept, whatever its keys: each with the words of its error.
HOSTILE_BODIES: list[tuple[object, str, str]] = [
    (VALID, "application/xml", "content type"),
    (VALID, "text/plain", "content type"),
    (VALID, "application/json; charset=latin-1", "charset"),
    (b"", CT, "leeg"),
    (b"\xff\xfe{}", CT, "UTF-8"),
    (b"\xc3\x28", CT, "UTF-8"),
    (b'{"status": ', CT, "geen geldige JSON"),
    (b"{'status': 1}", CT, "geen geldige JSON"),
    (b"[]", CT, "JSON-object"),
    (b'"overgenomen"', CT, "JSON-object"),
    (b"[" * 100_000 + b"]" * 100_000, CT, "JSON"),
    (b"{" * 50_000, CT, "JSON"),
    (b'{"a":' * 30 + b"1" + b"}" * 30, CT, "genest"),
    (b'{"x": NaN}', CT, "geen geldige JSON"),
    (b'{"x": Infinity}', CT, "geen geldige JSON"),
    (b'{"x": ' + b"9" * 5000 + b"}", CT, "geen geldige JSON"),
    (b" " * (safejson.MAX_BYTES + 1), CT, "groter"),
    (b'{"status": "ontvangen", "status": "afgewezen"}', CT, "'status' komt dubbel"),
    (b'{"reden": "a", "reden": "b"}', CT, "'reden' komt dubbel"),
]


class JsonFormatCases:
    """The shared cases; a subclass sets these:"""

    fmt: ClassVar[ModuleType]  # the plugin's `format` module
    item: ClassVar[UUID]  # an advice item id
    status_defaults: ClassVar[dict[str, Any]]  # a valid status message, as a dict
    reason: ClassVar[str]  # a reason a partner could give for a rejection

    def status_body(self, **overrides: Any) -> bytes:
        return status_body(self.status_defaults, **overrides)

    # --- withdrawal ---------------------------------------------------------------------------

    def test_withdrawal_is_read_as_withdrawal(self) -> None:
        message = self.fmt.translate_withdrawal(withdrawal(self.item))
        received = self.fmt.read_request(message.body, message.content_type)
        assert received.kind == "withdrawal"
        assert received.item_ref == self.item
        assert received.advice_type is None
        assert received.categories == frozenset()
        assert json.loads(message.body)["berichttype"] == "intrekking"

    # --- status messages ----------------------------------------------------------------------

    def test_status_mapping_is_complete_and_one_to_one(self) -> None:
        assert set(self.fmt.STATUS_OUT) == set(PartnerStatus)
        assert len(set(self.fmt.STATUS_OUT.values())) == len(PartnerStatus)

    @pytest.mark.parametrize("detail", [None, "Besproken met de casusregisseur."])
    @pytest.mark.parametrize("status", list(PartnerStatus))
    def test_status_round_trip_per_status(self, status: PartnerStatus, detail: str | None) -> None:
        needs_reason = status in (PartnerStatus.rejected, PartnerStatus.partly_adopted)
        update = StatusUpdate(
            item_ref=self.item,
            status=status,
            occurred_at=datetime(2026, 11, 24, 14, 5, tzinfo=timezone(timedelta(hours=1))),
            partner_message_id=f"MSG-{status.value}",
            reason=self.reason if needs_reason else None,
            detail=detail,
            reason_code=RejectionReason.professional_secrecy
            if status is PartnerStatus.rejected
            else None,
        )
        message = self.fmt.render_status(update)
        assert message.content_type == CT
        assert json.loads(message.body)["status"] == self.fmt.STATUS_OUT[status].value
        assert self.fmt.parse_status(message.body, message.content_type) == [update]

    @shared(max_examples=200)
    @given(status_updates())
    def test_status_round_trip(self, update: StatusUpdate) -> None:
        message = self.fmt.render_status(update)
        assert self.fmt.parse_status(message.body, message.content_type) == [update]

    @pytest.mark.parametrize(("body", "content_type", "expected"), HOSTILE_BODIES)
    def test_parse_status_rejects_hostile_bodies(
        self, body: object, content_type: str, expected: str
    ) -> None:
        raw = self.status_body() if body is VALID else body
        assert isinstance(raw, bytes)
        with pytest.raises(PayloadError, match=expected):
            self.fmt.parse_status(raw, content_type)

    def test_read_request_rejects_unknown_message_kind(self) -> None:
        with pytest.raises(PayloadError, match="berichttype"):
            self.fmt.read_request(self.status_body(), CT)

    # --- hostile input: nothing but PayloadError ----------------------------------------------

    @shared(max_examples=200)
    @given(st.binary(max_size=300))
    def test_arbitrary_bytes_raise_only_payload_error(self, body: bytes) -> None:
        only_payload_errors(self.fmt.parse_status, body)
        only_payload_errors(self.fmt.read_request, body)

    @shared(max_examples=200)
    @given(json_values)
    def test_arbitrary_json_raises_only_payload_error(self, value: Any) -> None:
        body = json.dumps(value).encode()
        only_payload_errors(self.fmt.parse_status, body)
        only_payload_errors(self.fmt.read_request, body)

    @shared(max_examples=200)
    @given(st.text(alphabet='{}[]":,0123456789.-eE truefalsn\\u', max_size=80))
    def test_json_ish_text_raises_only_payload_error(self, text: str) -> None:
        only_payload_errors(self.fmt.parse_status, text.encode())
        only_payload_errors(self.fmt.read_request, text.encode())

    @shared(max_examples=300)
    @given(st.data())
    def test_mutated_status_raises_only_payload_error(self, data: st.DataObject) -> None:
        codes = [code.value for code in self.fmt.STATUS_OUT.values()]
        keys = [*self.status_defaults, "reden", "toelichting", "reden_code", "overleg", "x"]
        overrides = data.draw(
            st.dictionaries(
                st.sampled_from(keys),
                json_values
                | st.sampled_from([*codes, str(self.item), "beroepsgeheim"])
                | st.fixed_dictionaries(
                    {"soort": st.sampled_from(["vraag", "tegenvoorstel", "terugkoppeling"])},
                    optional={"tekst": json_values, "tegenvoorstel": json_values | st.just({})},
                ),
            )
        )
        body = {**self.status_defaults, **overrides}
        try:
            [update] = self.fmt.parse_status(json.dumps(body).encode(), CT)
        except PayloadError:
            return
        assert update.item_ref is not None
        assert update.partner_message_id

    # --- consultation ---------------------------------------------------------------

    def test_rejection_without_reason_code_names_the_field(self) -> None:
        body = self.status_body(status="afgewezen", reden=self.reason)
        with pytest.raises(PayloadError, match="reden_code"):
            self.fmt.parse_status(body, CT)
        [update] = self.fmt.parse_status(
            self.status_body(status="afgewezen", reden=self.reason, reden_code="beroepsgeheim"),
            CT,
        )
        assert update.reason_code is RejectionReason.professional_secrecy

    def test_counter_proposal_is_read(self) -> None:
        overleg = {
            "soort": "tegenvoorstel",
            "tekst": "Liever een lagere termijn.",
            "antwoord_op": "abc",
            "tegenvoorstel": {"gewenste_datum": "2026-12-01", "parameters": {"a": 1}},
        }
        [update] = self.fmt.parse_status(self.status_body(status="in_overleg", overleg=overleg), CT)
        assert update.status is PartnerStatus.in_consultation
        c = update.consultation
        assert c is not None and c.kind is ConsultationKind.counter_proposal
        assert c.proposal is not None and c.proposal.parameters == {"a": 1}
        assert c.in_reply_to == "abc"

    @pytest.mark.parametrize(
        "overleg",
        [
            {"soort": "tegenvoorstel", "tekst": "x"},
            {"soort": "vraag", "tekst": "x", "tegenvoorstel": {"gewenste_datum": "2026-12-01"}},
            {"soort": "terugkoppeling", "tekst": "x"},  # only the hub reports back
            {"soort": "tegenvoorstel", "tekst": "x", "tegenvoorstel": {}},
            {"soort": "vraag"},
        ],
    )
    def test_invalid_consultation_is_refused(self, overleg: dict[str, Any]) -> None:
        with pytest.raises(PayloadError):
            self.fmt.parse_status(self.status_body(status="in_overleg", overleg=overleg), CT)

    def test_consultation_message_is_read_by_the_partner(self) -> None:
        out = OutboundConsultation(
            item_ref=self.item,
            item_number=7,
            partner_id="p",
            sender="0153",
            message_ref=UUID(int=5),
            kind=ConsultationKind.report_back,
            sent_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
            text="Uw signaal is besproken; de cliënt krijgt budgetcoaching.",
            in_reply_to="MSG-1",
        )
        message = self.fmt.translate_consultation(out)
        received = self.fmt.read_request(message.body, message.content_type)
        assert received.kind == "consultation" and received.item_ref == self.item
        assert received.fields["soort"] == "terugkoppeling"
        assert received.fields["tekst"] == out.text
        assert received.fields["antwoord_op"] == "MSG-1"
