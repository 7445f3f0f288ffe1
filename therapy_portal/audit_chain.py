"""The audit log's hash chain: one per practice, appended in turn, verified end to end.

Before a flush writes new audit events, `_chain_new_events` moves the practice's chain-head row
on with an UPDATE, which locks it (a row lock on PostgreSQL, the database write lock on SQLite),
numbers the events after the old head and links each to the hash of the one before. Concurrent
requests of one practice therefore append one after the other; the lock is held until their
commit. On PostgreSQL the events' INSERT and the head's new hash go in one statement (a
data-modifying CTE), so an audited request pays two round trips for its chain, not three.
`verify()` walks every chain and names the first event that does not fit: a changed row fails
its own hash, a deleted row leaves a gap in `chain_seq`, and a deleted tail leaves the head
pointing past the last row.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, make_transient_to_detached

from therapy_portal import prepared
from therapy_portal.extensions import db
from therapy_portal.models import AuditChainHead, AuditEvent, utcnow

GENESIS = "0" * 64
_HEAD = AuditChainHead.__table__
_EVENT = AuditEvent.__table__


def event_hash(e: AuditEvent) -> str:
    """SHA-256 over a canonical JSON of the event's fields and the previous event's hash."""
    fields = {
        "practice_id": e.practice_id,
        "actor_id": e.actor_id,
        "actor_role": e.actor_role,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "couple_id": e.couple_id,
        "outcome": e.outcome,
        "at": e.at.isoformat(),
        "request_id": e.request_id,
        "ip": e.ip,
        "detail": e.detail,
        "chain_id": e.chain_id,
        "chain_seq": e.chain_seq,
        "prev_hash": e.prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# Built once: every audited request runs these, and building them cost more than running them.
_RESERVE = (
    update(_HEAD)
    .where(_HEAD.c.chain_id == bindparam("chain"))
    .values(seq=_HEAD.c.seq + bindparam("count"))
    .returning(_HEAD.c.seq, _HEAD.c.last_hash)
)
_MOVE_HEAD = (
    update(_HEAD).where(_HEAD.c.chain_id == bindparam("chain")).values(last_hash=bindparam("last"))
)
_INSERTED = [c for c in _EVENT.columns if c.key != "id"]
# One event (the common case) with the head's new hash, as a data-modifying CTE (PostgreSQL).
_INSERT_ONE = (
    insert(_EVENT)
    .values({c.key: bindparam(f"e_{c.key}", type_=c.type) for c in _INSERTED})
    .add_cte(_MOVE_HEAD.cte("moved_head"))
    .returning(_EVENT.c.id, _EVENT.c.chain_seq)
)


def _reserve(conn, chain_id: int, count: int) -> tuple[int, str]:
    """Move the chain head `count` places on and return where it was.

    The UPDATE comes first so that it takes the lock (the row lock on PostgreSQL, the write
    lock on SQLite) before anything is read: a concurrent writer of the same practice waits
    here until this transaction commits, then reads the head this one left.
    """
    values = {"chain": chain_id, "count": count}
    row = _run(conn, _RESERVE, values)
    if row is None:  # the practice's first event
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            insert(_HEAD)
            .values(chain_id=chain_id, seq=0, last_hash=GENESIS)
            .on_conflict_do_nothing(index_elements=["chain_id"])
        )
        row = _run(conn, _RESERVE, values)
    seq, last_hash = row
    return seq - count, last_hash


def _run(conn, stmt, values: dict) -> tuple | None:
    """The first row of one of the chain's prebuilt statements (`prepared.execute`: compiled
    once on PostgreSQL, where every audited request runs them)."""
    found = prepared.execute(conn, stmt, values)
    return found[0] if found else None


def _chain_new_events(session: Session, flush_context, instances) -> None:
    pending = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not pending:
        return
    by_chain: dict[int, list[AuditEvent]] = defaultdict(list)
    for e in pending:
        e.at = e.at or utcnow()
        e.detail = e.detail or {}
        for column in _EVENT.columns:  # the column defaults, before they are hashed
            default = column.default
            if getattr(e, column.key) is None and default is not None and default.is_scalar:
                setattr(e, column.key, default.arg)
        e.chain_id = e.practice_id or 0
        by_chain[e.chain_id].append(e)
    conn = session.connection()
    for chain_id in sorted(by_chain):  # a fixed order, so two chains never deadlock
        events = by_chain[chain_id]
        seq, last = _reserve(conn, chain_id, len(events))
        for e in events:
            seq += 1
            e.chain_seq, e.prev_hash = seq, last
            e.hash = last = event_hash(e)
        if conn.dialect.name == "postgresql":
            _insert_with_head(session, conn, events)
        else:  # SQLite has no data-modifying CTE: the flush inserts the events
            conn.execute(_MOVE_HEAD, {"chain": chain_id, "last": last})


def _insert_with_head(session: Session, conn, events: list[AuditEvent]) -> None:
    """INSERT the chain's new events with the head's UPDATE as a CTE (one round trip; the head
    row is locked by `_reserve` already), then hand them to the session as loaded rows, so the
    flush does not insert them again."""
    if len(events) == 1:
        e = events[0]
        values = {f"e_{c.key}": getattr(e, c.key) for c in _INSERTED}
        values.update(chain=e.chain_id, last=e.hash)
        rows = prepared.execute(conn, _INSERT_ONE, values)
    else:
        stmt = (
            insert(_EVENT)
            .values([{c.key: getattr(e, c.key) for c in _INSERTED} for e in events])
            .add_cte(
                update(_HEAD)
                .where(_HEAD.c.chain_id == events[0].chain_id)
                .values(last_hash=events[-1].hash)
                .cte("moved_head")
            )
            .returning(_EVENT.c.id, _EVENT.c.chain_seq)
        )
        rows = conn.execute(stmt)
    ids = {seq: event_id for event_id, seq in rows}
    for e in events:
        session.expunge(e)
        e.id = ids[e.chain_seq]
        make_transient_to_detached(e)
        session.add(e)


def install() -> None:
    """Chain every audit event any session writes (called once by the app factory)."""
    if not event.contains(Session, "before_flush", _chain_new_events):
        event.listen(Session, "before_flush", _chain_new_events)


@dataclass(frozen=True)
class Break:
    chain_id: int
    event_id: int | None
    seq: int
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id else f"sequence number {self.seq}"
        return f"Practice chain {self.chain_id}: {where}: {self.problem}"


def _verify_chain(chain_id: int, head: AuditChainHead | None) -> tuple[int, Break | None]:
    expected_seq, expected_prev, checked = 1, GENESIS, 0
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.chain_id == chain_id, AuditEvent.chain_seq.is_not(None))
        .order_by(AuditEvent.chain_seq)
        .execution_options(yield_per=1000)
    )
    for e in rows:
        if e.chain_seq != expected_seq:
            gap = f"{expected_seq}" + (
                f"-{e.chain_seq - 1}" if e.chain_seq > expected_seq + 1 else ""
            )
            return checked, Break(
                chain_id, e.id, e.chain_seq, f"the event(s) before it ({gap}) are missing"
            )
        if e.prev_hash != expected_prev:
            return checked, Break(
                chain_id, e.id, e.chain_seq, "it does not link to the event before it"
            )
        if event_hash(e) != e.hash:
            return checked, Break(chain_id, e.id, e.chain_seq, "its contents were changed")
        expected_seq, expected_prev, checked = expected_seq + 1, e.hash, checked + 1
    if head is not None and (head.seq != expected_seq - 1 or head.last_hash != expected_prev):
        return checked, Break(
            chain_id, None, expected_seq, f"the newest events up to {head.seq} are missing"
        )
    return checked, None


def verify() -> tuple[int, list[Break]]:
    """Check every chain; return how many events verified and the first break of each chain."""
    heads = {h.chain_id: h for h in db.session.scalars(select(AuditChainHead))}
    chains = set(heads) | set(db.session.scalars(select(AuditEvent.chain_id).distinct()))
    total, breaks = 0, []
    for chain_id in sorted(chains):
        checked, broken = _verify_chain(chain_id, heads.get(chain_id))
        total += checked
        if broken:
            breaks.append(broken)
    return total, breaks
