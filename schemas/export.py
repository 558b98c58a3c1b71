"""Export the contract's JSON Schemas (one file per public model)."""

import json
from pathlib import Path

from pydantic import BaseModel

from wijkhub.schemas.advice import AdviceIn, AdviceOut
from wijkhub.schemas.client import Client, ClientIn
from wijkhub.schemas.client_view import ClientView
from wijkhub.schemas.consent import Consent, ConsentIn, ConsentWithdrawal
from wijkhub.schemas.consultation import ConsultationIn, OutboundConsultation
from wijkhub.schemas.outbound import OutboundAdvice, ReminderNotice, WithdrawalNotice
from wijkhub.schemas.status import StatusUpdate

PUBLIC_MODELS: tuple[type[BaseModel], ...] = (
    ClientIn,
    Client,
    ClientView,
    ConsentIn,
    Consent,
    ConsentWithdrawal,
    AdviceIn,
    AdviceOut,
    OutboundAdvice,
    WithdrawalNotice,
    ReminderNotice,
    StatusUpdate,
    ConsultationIn,
    OutboundConsultation,
)


def rendered() -> dict[str, str]:
    out = {}
    for model in PUBLIC_MODELS:
        schema = model.model_json_schema()
        schema["$id"] = f"https://wijkhub.example/schemas/v1/{model.__name__}.json"
        out[f"{model.__name__}.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def export(target: Path, *, check: bool = False) -> list[str]:
    """Write the schemas; with `check`, write nothing and return the stale file names."""
    files = rendered()
    stale = [
        name
        for name, text in files.items()
        if not (target / name).exists() or (target / name).read_text() != text
    ]
    extra = (
        [p.name for p in target.glob("*.json") if p.name not in files] if target.exists() else []
    )
    if check:
        return stale + extra
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(text)
    for name in extra:
        (target / name).unlink()
    return []
