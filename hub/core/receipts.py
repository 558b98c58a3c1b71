"""Receipts: a leaf of the processing log with its inclusion proof and a signed checkpoint,
so whoever holds it can prove the entry is in the log, and the hub cannot deny it.

A receipt is JSON:

    {"format": "wijkhub-receipt/v1", "origin": ..., "leaf_index": 41,
     "leaf": "<the leaf content, canonical JSON>", "leaf_hash": "<hex>",
     "tree_size": 57, "inclusion_proof": ["<base64>", ...], "checkpoint": "<signed note>"}

`check` needs nothing but the receipt and the log's published verifier key: the key signs
the checkpoint, the proof leads from SHA-256(0x00 || leaf) to the checkpoint's root.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from wijkhub.hub.core import checkpoints, log_tree
from wijkhub.hub.core.merkle import leaf_hash, verify_inclusion
from wijkhub.hub.core.processing_log import leaf_content
from wijkhub.hub.store.tables import LOG, LOG_CHECKPOINT

FORMAT = "wijkhub-receipt/v1"

# Messages (Dutch: `wijkhub log prove` / `check-receipt` show them).
NO_SUCH_LEAF = "regel {n} (positie {index}) staat (nog) niet in de boom"
NO_SUCH_DELIVERY = "geen levering aan deze partner met dit span-id"
NOT_PLACED_YET = "de levering staat nog niet in een ondertekende checkpoint; probeer het zo opnieuw"
NOT_YET_SIGNED = "positie {index} valt nog niet onder een ondertekende checkpoint"
RECEIPT_OK = (
    "Ontvangstbewijs geldig: regel {n} (positie {index}) staat in {origin} ({size} regels)."
)
RECEIPT_MALFORMED = "ontvangstbewijs onleesbaar: {field}"
RECEIPT_KEY = "de checkpoint is niet ondertekend met deze sleutel ({name})"
RECEIPT_SIZE = "de boomgrootte in het ontvangstbewijs wijkt af van de checkpoint"
RECEIPT_LEAF = "de regel past niet bij zijn leafhash"
RECEIPT_PROOF = "het inclusiebewijs leidt niet naar de wortel van de checkpoint"


class ReceiptError(ValueError):
    """Dutch message: what is wrong with the receipt (or why none can be made)."""


@dataclass(frozen=True)
class Checked:
    origin: str
    leaf_index: int
    tree_size: int
    leaf: dict[str, Any]

    def message(self) -> str:
        return RECEIPT_OK.format(
            n=self.leaf_index + 1, index=self.leaf_index, origin=self.origin, size=self.tree_size
        )


async def for_delivery(conn: AsyncConnection, partner_id: str, span_id: str) -> dict[str, Any]:
    """The receipt of what `partner_id` was sent in the message whose `traceparent` carried
    `span_id`; only that partner's own delivery entries are found."""
    index = (
        await conn.execute(
            select(LOG.c.leaf_index).where(
                LOG.c.partner_id == partner_id,
                LOG.c.span_id == span_id,
                LOG.c.name.like("delivery.%"),
            )
        )
    ).scalar()
    if index is None:
        exists = (
            await conn.execute(
                select(LOG.c.seq).where(
                    LOG.c.partner_id == partner_id,
                    LOG.c.span_id == span_id,
                    LOG.c.name.like("delivery.%"),
                )
            )
        ).first()
        raise ReceiptError(NOT_PLACED_YET if exists else NO_SUCH_DELIVERY)
    return await make(conn, index)


async def make(conn: AsyncConnection, index: int) -> dict[str, Any]:
    """The receipt of the leaf at `index`, against the newest signed checkpoint."""
    row = (await conn.execute(select(LOG).where(LOG.c.leaf_index == index))).mappings().first()
    if row is None:
        raise ReceiptError(NO_SUCH_LEAF.format(n=index + 1, index=index))
    cp_row = (
        await conn.execute(
            select(LOG_CHECKPOINT)
            .where(LOG_CHECKPOINT.c.tree_size > index)
            .order_by(LOG_CHECKPOINT.c.tree_size.desc(), LOG_CHECKPOINT.c.id.desc())
            .limit(1)
        )
    ).first()
    if cp_row is None:
        raise ReceiptError(NOT_YET_SIGNED.format(index=index))
    cp = checkpoints.parse(cp_row.note)
    proof = await log_tree.inclusion(conn, index, cp.size)
    return {
        "format": FORMAT,
        "origin": cp.origin,
        "leaf_index": index,
        "leaf": leaf_content(row).decode(),
        "leaf_hash": row["leaf_hash"],
        "tree_size": cp.size,
        "inclusion_proof": [base64.b64encode(p).decode() for p in proof],
        "checkpoint": cp_row.note,
    }


def check(receipt: dict[str, Any], verifier_key: str) -> Checked:
    """Verify with nothing but the published key; ReceiptError says what does not hold."""
    name, public = checkpoints.parse_vkey(verifier_key)
    try:
        if receipt.get("format") != FORMAT:
            raise ReceiptError(RECEIPT_MALFORMED.format(field="format"))
        index = int(receipt["leaf_index"])
        size = int(receipt["tree_size"])
        leaf = str(receipt["leaf"]).encode()
        claimed = bytes.fromhex(str(receipt["leaf_hash"]))
        proof = [base64.b64decode(p, validate=True) for p in receipt["inclusion_proof"]]
        note = str(receipt["checkpoint"])
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        if isinstance(exc, ReceiptError):
            raise
        raise ReceiptError(RECEIPT_MALFORMED.format(field=exc)) from None
    try:
        cp = checkpoints.parse(note)
    except checkpoints.CheckpointError as exc:
        raise ReceiptError(str(exc)) from None
    if cp.origin != name or not checkpoints.signed_by(cp, name, public):
        raise ReceiptError(RECEIPT_KEY.format(name=name))
    if cp.size != size:
        raise ReceiptError(RECEIPT_SIZE)
    if leaf_hash(leaf) != claimed:
        raise ReceiptError(RECEIPT_LEAF)
    if not verify_inclusion(index, size, claimed, proof, cp.root):
        raise ReceiptError(RECEIPT_PROOF)
    return Checked(cp.origin, index, size, json.loads(leaf))
