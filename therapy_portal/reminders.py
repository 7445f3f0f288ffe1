"""Reminder hooks: each area provides a function that queues its reminders in the outbox
(`therapy_portal.areas` says which).

`flask send-reminders` calls `queue_due_reminders()` and then delivers the outbox. Each hook must be
idempotent (use the outbox's dedupe key), so running the command twice sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable

_HOOKS: list[Callable[[], int]] = []


def reminder_hook(func: Callable[[], int]) -> Callable[[], int]:
    """Add a reminder hook (`therapy_portal.areas` names them; adding one twice keeps one)."""
    if func not in _HOOKS:
        _HOOKS.append(func)
    return func


def queue_due_reminders() -> int:
    from therapy_portal.extensions import db

    total = sum(hook() for hook in _HOOKS)
    db.session.commit()
    return total
