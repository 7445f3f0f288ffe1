"""What the partner's home reads: one "Due now" list mixing homework and check-ins by due date,
feedback from the therapist, who the therapist and practice are, and the panels other areas add.

Homework comes from `homework.services.partner_home` (Overdue, Due soon, Done); check-ins from
`measures.checkins.due_checkins`. Both read only the partner's own rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from sqlalchemy import select

from therapy_portal.appointments import queries as appointment_queries
from therapy_portal.consents import services as consents
from therapy_portal.extensions import db
from therapy_portal.homework.services import partner_home
from therapy_portal.homework.services.partner_home import HomeItem, PartnerHome
from therapy_portal.measures.checkins import due_checkins
from therapy_portal.messages import unread
from therapy_portal.models import CoupleMember, CoupleTherapist, User
from therapy_portal.policy.couples import membership_for_partner
from therapy_portal.timezones import practice_zone
from therapy_portal.ui import dates

HOMEWORK_STATES = {
    "returned": "Returned for more",
    "draft": "Draft saved",
    "waiting": "Partner A writes first",
    "not_started": "Not started",
}


@dataclass(frozen=True)
class DueItem:
    kind: str  # "Homework" or "Check-in"
    title: str
    due_on: date
    overdue: bool
    state: str
    endpoint: str
    params: dict[str, Any]
    later: int = 0  # further times the same homework is due after this one


@dataclass(frozen=True)
class Panel:
    """A section another area adds to the home (next session, messages): lines with links."""

    key: str
    title: str
    lines: list[tuple[str, str, dict[str, Any]]]  # (text, endpoint, params)
    empty: str


@dataclass
class Home:
    due_now: list[DueItem]
    feedback: list[HomeItem]
    homework: PartnerHome
    therapists: list[str]
    practice_name: str
    panels: list[Panel] = field(default_factory=list)


def next_session(partner: User) -> Panel:
    """The partner's next session (joint or their own), with its page."""
    upcoming = appointment_queries.next_for_partner(partner)
    lines = []
    if upcoming is not None:
        zone = practice_zone(partner.practice.timezone)
        when = upcoming.starts_at.replace(tzinfo=upcoming.starts_at.tzinfo or UTC).astimezone(zone)
        lines.append(
            (
                f"{dates.when(when, zone)} with {upcoming.therapist.name}",
                "my_sessions.detail",
                {"appointment_id": upcoming.id},
            )
        )
    return Panel("session", "Your next session", lines, "No session is scheduled yet.")


def new_messages(partner: User) -> Panel:
    """New messages in the partner's own threads (never the other partner's private one)."""
    counts = unread.unread_for_partner(partner)
    lines = []
    if counts.get("couple"):
        lines.append(
            (
                f"{counts['couple']} new in your couple's thread",
                "messages.partner_thread",
                {"kind": "couple"},
            )
        )
    if counts.get("private"):
        lines.append(
            (
                f"{counts['private']} new in your private thread",
                "messages.partner_thread",
                {"kind": "private"},
            )
        )
    return Panel("messages", "Messages", lines, "No new messages.")


def consents_waiting(partner: User) -> Panel | None:
    """The partner's own consents to sign (or sign again); never the other partner's."""
    member = membership_for_partner(partner)
    if member is None:
        return None
    lines = [
        (f"{c.label}: {c.state_label.lower()}", "consents.document", {"consent_kind": c.kind})
        for c in consents.waiting(partner, member)
    ]
    return Panel("consents", "Consents to sign", lines, "All your consents are signed.")


# Panels from other areas, in page order, each `provider(partner) -> Panel | None`.
PANELS: list[Callable[[User], Panel | None]] = [consents_waiting, next_session, new_messages]


def _homework_item(item: HomeItem, overdue: bool) -> DueItem:
    return DueItem(
        "Homework",
        item.title,
        item.occurrence.due_on,
        overdue,
        HOMEWORK_STATES.get(item.state, ""),
        "homework.answer",
        {"occurrence_id": item.occurrence.id},
        item.later,
    )


def due_now(partner: User, homework: PartnerHome) -> list[DueItem]:
    """Overdue and upcoming homework and open check-ins, soonest due first."""
    items = [_homework_item(i, True) for i in homework.overdue]
    items += [_homework_item(i, False) for i in homework.due_soon]
    items += [
        DueItem(
            "Check-in",
            c.instrument.name,
            c.closes_on,
            False,
            "Open now",
            "measures.answer",
            {"checkin_id": c.schedule.id},
        )
        for c in due_checkins(partner)
    ]
    return sorted(items, key=lambda i: (i.due_on, i.kind, i.title))


def therapist_names(member: CoupleMember) -> list[str]:
    """The couple's therapists, primary first (one statement)."""
    rows = db.session.execute(
        select(User.name, User.credentials, CoupleTherapist.role)
        .join(CoupleTherapist, CoupleTherapist.therapist_id == User.id)
        .where(CoupleTherapist.couple_id == member.couple_id, User.active)
        .order_by(CoupleTherapist.role.desc(), User.name)
    ).all()
    return [f"{name}, {cred}" if cred else name for name, cred, _ in rows]


def home_for(partner: User, member: CoupleMember, done_after: int | None) -> Home:
    homework = partner_home(partner, done_after)
    feedback = [i for i in homework.overdue + homework.due_soon + homework.done if i.has_feedback]
    return Home(
        due_now(partner, homework),
        feedback,
        homework,
        therapist_names(member),
        partner.practice.name,
        [panel for provider in PANELS if (panel := provider(partner)) is not None],
    )
