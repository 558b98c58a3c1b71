"""Wijkhub's hook specifications: the whole contract between the hub and a plugin.

A plugin is a module (registered in the `wijkhub` entry-point group) that implements one or
more of these hooks with `@wijkhub.hub.plugin_api.spec.hookimpl`. The built-in partner plugins are
registered exactly like a third-party one. Policy is not a hook: consent and minimisation are
decided by the core before any plugin code runs; a plugin declares what it needs and gets
only what the core permits.
"""

from collections.abc import Iterable

import pluggy

from wijkhub.hub.plugin_api.types import PartnerType

PROJECT = "wijkhub"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def wijkhub_partner_types() -> Iterable[PartnerType]:
    """Register one or more partner types with their advice types and format.

    Contract:

    - Called once at start-up; yield (or return a list of) `PartnerType` objects.
    - A partner type name must be unique across all installed plugins: a second plugin that
      claims the same name stops the hub with an error naming both plugins.
    - `translate_advice`, `parse_status` and `translate_withdrawal` are pure functions. They
      never see the full client record, only an `OutboundAdvice` with a minimised
      `ClientView`; they must not add data that is not in their input.
    - `parse_status` raises `PayloadError` (and nothing else) for input it cannot accept.

    Example::

        from wijkhub.hub.plugin_api.spec import hookimpl
        from wijkhub.hub.plugin_api.types import (
            AdviceType, DeadlineRule, FormatInfo, PartnerMessage, PartnerType,
        )
        from wijkhub.schemas.categories import DataCategory as C

        @hookimpl
        def wijkhub_partner_types():
            yield PartnerType(
                name="leerplicht",
                title_nl="Leerplicht",
                advice_types=(
                    AdviceType(
                        name="verzuimgesprek",
                        title_nl="Verzuimgesprek plannen",
                        required_categories=frozenset({C.identification, C.household}),
                        deadline=DeadlineRule(days=5),
                    ),
                ),
                request_format=FormatInfo("leerplicht-json", "1.0", "application/json"),
                status_format=FormatInfo("leerplicht-status-json", "1.0", "application/json"),
                translate_advice=lambda a: PartnerMessage(a.model_dump_json().encode(),
                                                          "application/json"),
                parse_status=parse_status,
                translate_withdrawal=translate_withdrawal,
            )
    """
    raise NotImplementedError  # pragma: no cover - a spec has no body
