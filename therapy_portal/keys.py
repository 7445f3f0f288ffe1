"""Re-encrypting stored values under the current key, in batches, while the portal runs.

Each batch is its own short transaction, and each row is rewritten only if it still holds the
ciphertext that was read (compare-and-set): a row the portal saved in the meantime was already
written under the current key and is left alone. Plaintext rows from before encryption existed
are encrypted on the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Text, and_, func, select, type_coerce, update

from therapy_portal import crypto
from therapy_portal.extensions import db
from therapy_portal.models import Base
from therapy_portal.models.encrypted import encrypted_columns


@dataclass
class RotationReport:
    rewritten: int = 0
    remaining: int = 0


def _stale(raw, current: str):
    """Rows whose stored value is not under the current key (plaintext included)."""
    return and_(raw.is_not(None), raw.not_like(f"{crypto.PREFIX}{current}:%"))


def _rotate_column(table, column, batch_size: int) -> int:
    ring = crypto.keyring()
    raw = type_coerce(column, Text)
    pk = table.c.id
    rewritten, after = 0, 0
    while True:
        rows = db.session.execute(
            select(pk, raw.label("raw"))
            .where(pk > after, _stale(raw, ring.current))
            .order_by(pk)
            .limit(batch_size)
        ).all()
        if not rows:
            return rewritten
        for row_id, stored in rows:
            plaintext = (
                ring.decrypt(stored, column.type.purpose) if crypto.is_encrypted(stored) else stored
            )
            result = db.session.execute(
                update(table)
                .where(pk == row_id, raw == stored)
                .values(
                    {column.name: type_coerce(ring.encrypt(plaintext, column.type.purpose), Text)}
                )
            )
            rewritten += result.rowcount
        db.session.commit()
        after = rows[-1][0]


def rotate(batch_size: int = 500) -> RotationReport:
    """Re-encrypt every encrypted column's stale rows under the current key."""
    report = RotationReport()
    for table, column in encrypted_columns(Base.metadata):
        report.rewritten += _rotate_column(table, column, batch_size)
    report.remaining = count_stale()
    return report


def count_stale() -> int:
    """How many stored values are not yet under the current key."""
    current = crypto.keyring().current
    total = 0
    for table, column in encrypted_columns(Base.metadata):
        raw = type_coerce(column, Text)
        total += (
            db.session.scalar(select(func.count()).select_from(table).where(_stale(raw, current)))
            or 0
        )
    return total
