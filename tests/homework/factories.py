"""Homework test data: templates with chosen prompts, assignments, answers."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Assignment, ExerciseVersion, Occurrence

SCALE = {
    "key": "close",
    "type": "scale",
    "label": "How close did you feel?",
    "min": 0,
    "max": 10,
    "min_label": "Not at all",
    "max_label": "Very",
}
PROMPTS = [
    {
        "key": "private",
        "type": "long_text",
        "label": "Only for my therapist",
        "visibility": "therapist_only",
        "max_length": 500,
    },
    {
        "key": "after_both",
        "type": "long_text",
        "label": "Shared after both submit",
        "visibility": "shared_after_both",
        "max_length": 500,
    },
    {
        "key": "released",
        "type": "short_text",
        "label": "Shared when released",
        "visibility": "released_by_therapist",
    },
    {**SCALE, "visibility": "shared_after_both"},
    {
        "key": "things",
        "type": "list",
        "label": "Three things",
        "items": 3,
        "visibility": "shared_after_both",
    },
]


def make_version(
    therapist: User,
    prompts: list[dict[str, Any]] | None = None,
    mode: str = "each_partner",
    title: str = "Test exercise",
    cadence: str = "once",
) -> ExerciseVersion:
    template = services.create_template(
        therapist,
        services.TemplateInput(
            title=title,
            family="gratitude",
            summary="",
            instructions="Do the thing.",
            default_mode=mode,
            default_cadence=cadence,
            prompts=PROMPTS if prompts is None else prompts,
        ),
    )
    return services.latest_version(template)


def assign(
    therapist: User,
    couple: Couple,
    version: ExerciseVersion,
    *,
    mode: str | None = None,
    visibility: dict[str, str] | None = None,
    due_in: int = 3,
    cadence: str = "once",
    ends_in: int | None = None,
    note: str = "",
) -> Assignment:
    today = practice_today(therapist)
    return services.assign(
        therapist,
        couple,
        services.AssignInput(
            version_id=version.id,
            mode=mode or version.default_mode,
            visibility=visibility or {p["key"]: p["visibility"] for p in version.prompts},
            due_on=today + timedelta(days=due_in),
            cadence=cadence,
            ends_on=None if ends_in is None else today + timedelta(days=ends_in),
            note=note,
        ),
    )


def first_occurrence(assignment: Assignment) -> Occurrence:
    """The assignment's first occurrence, with its assignment (as the loaders give it)."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    return db.session.scalar(
        select(Occurrence)
        .where(Occurrence.assignment_id == assignment.id)
        .order_by(Occurrence.sequence)
        .options(
            joinedload(Occurrence.assignment).options(
                joinedload(Assignment.version), joinedload(Assignment.couple)
            )
        )
    )


def answers(
    tag: str = "", close: str = "5", things: tuple[str, ...] = ("Tea", "Walk")
) -> dict[str, list[str]]:
    """Valid raw fields for PROMPTS, each text carrying ``tag``."""
    fields = {
        "p_private": [f"private {tag}"],
        "p_after_both": [f"after both {tag}"],
        "p_released": [f"released {tag}"],
        "p_close": [close],
    }
    for i, thing in enumerate(things):
        fields[f"p_things-{i}"] = [thing]
    return fields


def key() -> str:
    return secrets.token_urlsafe(24)


def seat(partner: User, occurrence: Occurrence | int) -> policy.PartnerSeat:
    """The occurrence as the partner's loader gives it to the services (404 if not theirs)."""
    occurrence_id = occurrence if isinstance(occurrence, int) else occurrence.id
    return policy.occurrence_for_partner_or_404(partner, occurrence_id)


def loaded_response(therapist: User, response):
    """A response as the therapist's loader gives it to the services (with its assignment)."""
    return policy.homework_response_for_therapist_or_404(therapist, response.id)


def submit(user: User, occurrence: Occurrence, fields: dict, version: int | None = None):
    view = services.open_for_partner(user, seat(user, occurrence), audit_view=False)
    current = view.own.version if view.own else 0
    return services.submit(
        user, seat(user, occurrence), fields, current if version is None else version, key()
    )


def today_for(user: User) -> date:
    return practice_today(user)
