"""Audit events: who did what to which object, with the request's id and address. Never PHI.

Services call `record()`; it adds an event to the current transaction. Denials are recorded with
`record_denied()`, which also survives the rollback that follows a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, has_request_context, make_response, request
from flask_login import current_user

from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent

# Keys allowed in `detail`: identifiers and reasons, never free text a person wrote.
_DETAIL_KEYS = frozenset(
    {
        "reason",
        "role",
        "label",
        "count",
        "format",
        "instrument",
        "status",
        "mode",
        "audience",
        "kind",
        "sha256",
        "notes",
        "from_status",
        "to_status",
        "version",
        "occurrence_id",
        "assignment_id",
        "response_id",
        "note_id",
        "fields",
        "partner",
        "grant_id",
    }
)


def _context() -> dict[str, str]:
    if not has_request_context():
        return {"request_id": "cli", "ip": ""}
    return {"request_id": getattr(g, "request_id", ""), "ip": request.remote_addr or ""}


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_role": "anonymous", "practice_id": None}
    return {"actor_id": actor.id, "actor_role": actor.role, "practice_id": actor.practice_id}


def build_event(
    action: str,
    *,
    actor: Any = None,
    object_type: str = "",
    object_id: int | None = None,
    couple_id: int | None = None,
    outcome: str = "success",
    practice_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    unknown = set(detail) - _DETAIL_KEYS
    if unknown:
        raise ValueError(f"audit detail keys not allowed: {sorted(unknown)}")
    fields = _actor_fields(actor)
    if practice_id is not None:
        fields["practice_id"] = practice_id
    return AuditEvent(
        action=action,
        object_type=object_type,
        object_id=object_id,
        couple_id=couple_id,
        outcome=outcome,
        detail=detail,
        **fields,
        **_context(),
    )


def record(action: str, **kwargs: Any) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = build_event(action, **kwargs)
    db.session.add(event)
    return event


def record_denied(action: str, **kwargs: Any) -> None:
    """Record a denial that must survive the rollback of the request that caused it."""
    event = build_event(action, outcome="denied", **kwargs)
    if has_request_context():
        g.setdefault("audit_after_rollback", []).append(event)
    else:
        db.session.add(event)


def flush_after_rollback() -> None:
    events = g.pop("audit_after_rollback", []) if has_request_context() else []
    if events:
        db.session.add_all(events)
        db.session.commit()


def reading_couple(couple_id: int | None) -> None:
    """Scoped loaders name the couple whose record a request reads, for `reads()` to record."""
    if has_request_context() and couple_id is not None:
        g.reading_couple_id = couple_id


def reads(action: str, object_type: str = "", id_arg: str | None = None) -> Callable:
    """Record that the signed-in person was shown PHI, once the view has produced its page.

    Only pages actually shown (status below 300) are recorded. The request boundary commits
    the event before the response leaves; if it cannot be written the request fails, so no read
    goes unrecorded.
    The couple comes from the URL (`couple_id`) or from the scoped loader that found the object.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            response = make_response(view(*args, **kwargs))
            if response.status_code < 300:
                record(
                    action,
                    actor=current_user,
                    object_type=object_type,
                    object_id=kwargs.get(id_arg) if id_arg else None,
                    couple_id=kwargs.get("couple_id", g.get("reading_couple_id")),
                )
            return response

        return wrapped

    return decorate
