"""The partner's home: Due soon / Overdue / Done, in a fixed number of statements.

Only the partner's own responses (or the couple's joint one) are read; in *turns* mode partner
B also needs to know whether A has submitted, which is asked as a yes/no per occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased, joinedload

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import User
from therapy_portal.models.homework import (
    JOINT,
    Assignment,
    Feedback,
    Occurrence,
    Response,
    ResponseStatus,
)
from therapy_portal.pagination import Page, page_of_loaded

DONE_PER_PAGE = 20


@dataclass(frozen=True)
class HomeItem:
    occurrence: Occurrence
    response: Response | None
    state: str  # "not_started", "draft", "returned", "waiting", "submitted", "cancelled"
    has_feedback: bool
    later: int = 0  # further open occurrences of the same assignment after this one

    @property
    def title(self) -> str:
        return self.occurrence.assignment.version.title


@dataclass
class PartnerHome:
    due_soon: list[HomeItem] = field(default_factory=list)
    overdue: list[HomeItem] = field(default_factory=list)
    done: list[HomeItem] = field(default_factory=list)
    done_page: Page | None = None
    today: date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.due_soon or self.overdue or self.done)


def partner_home(actor: User, done_after: int | None = None) -> PartnerHome:
    """The partner's occurrences, sorted into Due soon, Overdue and Done (3 statements)."""
    member = policy.membership_for_partner_or_404(actor)
    label = member.label
    today = practice_today(actor)
    first = aliased(Response)
    a_submitted = exists().where(
        first.occurrence_id == Occurrence.id,
        first.author_label == "A",
        first.first_submitted_at.is_not(None),
    )
    rows = db.session.execute(
        select(Occurrence, Response, a_submitted)
        .join(Assignment, Assignment.id == Occurrence.assignment_id)
        .outerjoin(
            Response,
            and_(
                Response.occurrence_id == Occurrence.id, Response.author_label.in_((label, JOINT))
            ),
        )
        .where(
            Occurrence.couple_id == member.couple_id, Occurrence.practice_id == actor.practice_id
        )
        .options(joinedload(Occurrence.assignment).joinedload(Assignment.version))
        .order_by(Occurrence.due_on, Occurrence.id)
    ).all()
    with_feedback = set(
        db.session.scalars(
            select(Feedback.occurrence_id)
            .where(
                Feedback.couple_id == member.couple_id,
                Feedback.audience.in_(policy.feedback_audiences(label)),
            )
            .group_by(Feedback.occurrence_id)
        )
    )
    home = PartnerHome(today=today)
    upcoming: dict[int, list[HomeItem]] = {}
    cancelled_shown: set[int] = set()
    for occurrence, response, a_done in rows:
        assignment = occurrence.assignment
        if assignment.is_cancelled:
            state = "cancelled"
        elif response is not None and response.status == ResponseStatus.SUBMITTED:
            state = "submitted"
        elif assignment.mode == "turns" and label == "B" and not a_done:
            state = "waiting"
        elif response is None or (not response.draft and response.status == "draft"):
            state = "not_started"
        else:
            state = response.status
        item = HomeItem(occurrence, response, state, occurrence.id in with_feedback)
        if state == "submitted":
            home.done.append(item)
        elif state == "cancelled":
            # Show what they wrote, and one line per cancelled assignment they never started.
            if response is not None or assignment.id not in cancelled_shown:
                home.done.append(item)
            cancelled_shown.add(assignment.id)
        elif occurrence.due_on < today:
            home.overdue.append(item)
        else:
            upcoming.setdefault(assignment.id, []).append(item)
    for items in upcoming.values():
        head = items[0]
        home.due_soon.append(
            HomeItem(
                head.occurrence, head.response, head.state, head.has_feedback, later=len(items) - 1
            )
        )
    home.due_soon.sort(key=lambda i: (i.occurrence.due_on, i.occurrence.id))
    home.done.sort(key=lambda i: (i.occurrence.due_on, i.occurrence.id), reverse=True)
    home.done_page = page_of_loaded(
        home.done, after=done_after, per_page=DONE_PER_PAGE, id_of=lambda i: i.occurrence.id
    )
    home.done = home.done_page.items
    return home
