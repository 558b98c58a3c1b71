"""`wijkhub log verify`: the processing log held against what the database cannot change.

Every checkpoint, from the database and from the witness directory, must carry a valid
signature of a log key in the key ring (a retired key only for trees no larger than when it
was retired). The tree is then recomputed from the entries themselves and its root compared
with every valid checkpoint (hub/core/processing_log.py:verify); and the stored subtrees must
prove every older checkpoint consistent with the newest (RFC 9162 consistency proofs), the
proofs receipts are made of. Every finding is Dutch and names what and where.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core import log_tree, witness
from wijkhub.hub.core.checkpoints import Checkpoint, CheckpointError, LogKey, check
from wijkhub.hub.core.merkle import verify_consistency
from wijkhub.hub.core.processing_log import Claim, VerifyResult, verify
from wijkhub.hub.store.tables import LOG_CHECKPOINT

DB_LABEL = "checkpoint {id} in de database"
WITNESS_LABEL = "getuige {name}"
CHECKPOINT_REFUSED = "{label}: {why}"
ROW_DIFFERS = "{label}: de kolommen wijken af van de ondertekende tekst"
NOT_CONSISTENT = (
    "{label} (grootte {old}) en {newest} (grootte {new}): het consistentiebewijs uit de "
    "opgeslagen boom klopt niet"
)
TREE_DAMAGED = "de opgeslagen boom mist deelbomen voor een bewijs van {old} naar {new}"
NO_CHECKPOINT = "geen enkele geldige ondertekende checkpoint: niets om de log tegen te houden"


@dataclass
class LogReport:
    ok: bool
    tree: VerifyResult
    findings: list[str]
    checkpoints: int  # valid checkpoints checked (database and witnesses)
    witnessed: int  # of which from the witness directory
    newest: int | None  # size of the newest valid checkpoint
    refused: list[str] = field(default_factory=list)


def _valid(
    label: str, note: str, origin: str, keys: Sequence[LogKey], findings: list[str]
) -> Checkpoint | None:
    try:
        cp, _ = check(note, origin, keys)
    except CheckpointError as exc:
        findings.append(CHECKPOINT_REFUSED.format(label=label, why=exc))
        return None
    return cp


async def verify_log(
    conn: AsyncConnection,
    origin: str,
    keys: Sequence[LogKey],
    witness_dir: Path,
    batch: int = 5000,
) -> LogReport:
    findings: list[str] = []
    valid: list[tuple[str, Checkpoint]] = []
    for r in (await conn.execute(select(LOG_CHECKPOINT).order_by(LOG_CHECKPOINT.c.id))).all():
        label = DB_LABEL.format(id=r.id)
        cp = _valid(label, r.note, origin, keys, findings)
        if cp is None:
            continue
        if cp.size != r.tree_size or cp.root.hex() != r.root_hash:
            findings.append(ROW_DIFFERS.format(label=label))
        valid.append((label, cp))
    from_db = len(valid)
    for w in witness.read_all(witness_dir):
        label = WITNESS_LABEL.format(name=w.name)
        cp = _valid(label, w.note, origin, keys, findings)
        if cp is not None:
            valid.append((label, cp))
    refused = list(findings)

    tree = await verify(conn, batch, [Claim(label, cp.size, cp.root) for label, cp in valid])
    findings.extend(tree.findings)

    # The proofs receipts are made of come from the stored subtrees: they must lead from
    # every checkpoint that fits the recomputed tree to the newest such checkpoint.
    covered = [(label, cp) for label, cp in valid if tree.roots.get(cp.size) == cp.root]
    if covered:
        newest_label, newest = max(covered, key=lambda lc: lc[1].size)
        seen: set[int] = set()
        for label, cp in sorted(covered, key=lambda lc: lc[1].size):
            if cp.size in seen or cp.size == newest.size:
                continue
            seen.add(cp.size)
            try:
                proof = await log_tree.consistency(conn, cp.size, newest.size)
            except log_tree.TreeError:
                findings.append(TREE_DAMAGED.format(old=cp.size, new=newest.size))
                break
            if not verify_consistency(cp.size, newest.size, cp.root, newest.root, proof):
                findings.append(
                    NOT_CONSISTENT.format(
                        label=label, old=cp.size, newest=newest_label, new=newest.size
                    )
                )
    if not valid and tree.size > 0:
        findings.append(NO_CHECKPOINT)
    return LogReport(
        ok=not findings,
        tree=tree,
        findings=findings,
        checkpoints=len(valid),
        witnessed=len(valid) - from_db,
        newest=max((cp.size for _, cp in valid), default=None),
        refused=refused,
    )
