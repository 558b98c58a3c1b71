"""Build a partner's slice of the client record: only the fields of the permitted categories."""

from collections.abc import Iterable

from wijkhub.hub.plugin_api.types import AdviceType
from wijkhub.schemas.advice import THREAT_CATEGORY, Threat
from wijkhub.schemas.categories import DataCategory
from wijkhub.schemas.client import ClientIn
from wijkhub.schemas.client_view import CATEGORY_FIELDS, ClientView


def client_view(
    client: ClientIn, categories: Iterable[DataCategory], subject_ref: str
) -> ClientView:
    cats = sorted(set(categories))
    data: dict[str, object] = {"subject_ref": subject_ref, "categories": cats}
    for cat in cats:
        for name in CATEGORY_FIELDS[cat]:
            data[name] = getattr(client, name)
    # model_construct: the values were validated when the client was recorded.
    return ClientView.model_construct(**data)


def motivation_for(
    motivation: str, motivation_category: DataCategory, categories: Iterable[DataCategory]
) -> str | None:
    return motivation if motivation_category in set(categories) else None


def threats_for(
    advice_type: AdviceType, threats: Iterable[Threat], categories: Iterable[DataCategory]
) -> list[Threat]:
    """A threat reveals part of the client's situation (eviction: housing; disconnection and
    lost insurance: finance). It goes to a partner only when its category is in the slice, or
    when it shortens that partner's statutory deadline (the Wgs: the Stadsbank must know why
    it has 3 working days)."""
    cats = set(categories)
    return [t for t in threats if THREAT_CATEGORY[t] in cats or t in advice_type.urgent_when]
