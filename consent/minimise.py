"""Build a partner's slice of the client record: only the fields of the permitted categories."""

from collections.abc import Iterable

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
