"""The partner's home: Due soon / Overdue / Done, in a fixed number of statements.

Only the partner's own responses (or the couple's joint one) are read; in *turns* mode partner
B also needs to know whether A has submitted, which is asked as a yes/no per occurrence. Done
grows without bound, so it is a keyset page read in the database (`pagination.keyset_page`);
Due soon and Overdue hold only what is still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, not_, or_, select
from sqlalchemy.orm import aliased, joinedload

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import CoupleMember, User
from therapy_portal.models.homework import (
    Assignment,
    AssignmentStatus,
    Feedback,
    Occurrence,
    Response,
    ResponseStatus,
)
from therapy_portal.models.vocabulary import Progress, Slot
from therapy_portal.pagination import Page, keyset_page

DONE_PER_PAGE = 20


@dataclass(frozen=True)
class HomeItem:
    occurrence: Occurrence
    response: Response | None
    state: Progress
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


def _first_of_assignment() -> ColumnElement[bool]:
    """No other occurrence of the same assignment comes before this one (due date, then id)."""
    earlier = aliased(Occurrence)
    return not_(
        exists().where(
            earlier.assignment_id == Occurrence.assignment_id,
            or_(
                earlier.due_on < Occurrence.due_on,
                and_(earlier.due_on == Occurrence.due_on, earlier.id < Occurrence.id),
            ),
        )
    )


def _done() -> ColumnElement[bool]:
    """Submitted work, and cancelled work: what they wrote, plus one line per cancelled
    assignment (its first occurrence) so one they never started still shows."""
    cancelled = Assignment.status == AssignmentStatus.CANCELLED
    return or_(
        and_(not_(cancelled), Response.status == ResponseStatus.SUBMITTED),
        # A stopped booster (`services.boosters`) that was never started is not shown.
        and_(
            cancelled,
            or_(Response.id.is_not(None), and_(not_(Assignment.booster), _first_of_assignment())),
        ),
    )


def _open() -> ColumnElement[bool]:
    return and_(
        Assignment.status != AssignmentStatus.CANCELLED,
        or_(Response.id.is_(None), Response.status != ResponseStatus.SUBMITTED),
    )


def _homework(actor: User, member: CoupleMember):
    """The couple's occurrences, each with this partner's own (or the joint) response."""
    return (
        select(Occurrence, Response)
        .join(Assignment, Assignment.id == Occurrence.assignment_id)
        .outerjoin(
            Response,
            and_(
                Response.occurrence_id == Occurrence.id,
                Response.author_label.in_((member.label, Slot.JOINT)),
            ),
        )
        .where(
            Occurrence.couple_id == member.couple_id, Occurrence.practice_id == actor.practice_id
        )
    )


def _first_submitted() -> ColumnElement[bool]:
    first = aliased(Response)
    return exists().where(
        first.occurrence_id == Occurrence.id,
        first.author_label == Slot.A,
        first.first_submitted_at.is_not(None),
    )


def partner_home(
    actor: User, done_after: int | None = None, *, member: CoupleMember | None = None
) -> PartnerHome:
    """The partner's occurrences, sorted into Due soon, Overdue and Done (a page of it).

    ``member`` is the partner's membership when the caller has loaded it already
    (`policy.membership_for_partner_or_404`). Three statements besides that one.
    """
    member = member or policy.membership_for_partner_or_404(actor)
    label = member.label
    with_version = joinedload(Occurrence.assignment).joinedload(Assignment.version)
    open_rows = db.session.execute(
        _homework(actor, member)
        .add_columns(_first_submitted())
        .where(_open())
        .options(with_version)
        .order_by(Occurrence.due_on, Occurrence.id)
    ).all()
    done_page = keyset_page(
        _homework(actor, member).where(_done()),
        [Occurrence.due_on],
        Occurrence.id,
        after=done_after,
        per_page=DONE_PER_PAGE,
        descending=True,
        options=[with_version],
        rows=True,
        id_of=lambda row: row[0].id,
    )
    shown = [row[0].id for row in open_rows] + [row[0].id for row in done_page.items]
    with_feedback = _with_feedback(member, shown)

    def item(occurrence: Occurrence, response: Response | None, first: bool) -> HomeItem:
        state = policy.partner_progress(occurrence.assignment, label, response, first)
        return HomeItem(occurrence, response, state, occurrence.id in with_feedback)

    home = PartnerHome(today=practice_today(actor), done_page=done_page)
    _sort_open(home, [item(*row) for row in open_rows])
    home.done = [item(occurrence, response, False) for occurrence, response in done_page.items]
    return home


def _sort_open(home: PartnerHome, items: list[HomeItem]) -> None:
    """Overdue as they are; upcoming work once per assignment (its next one, with a count)."""
    upcoming: dict[int, list[HomeItem]] = {}
    for item in items:
        if item.occurrence.due_on < home.today:
            home.overdue.append(item)
        else:
            upcoming.setdefault(item.occurrence.assignment_id, []).append(item)
    home.due_soon = sorted(
        (
            HomeItem(i[0].occurrence, i[0].response, i[0].state, i[0].has_feedback, len(i) - 1)
            for i in upcoming.values()
        ),
        key=lambda i: (i.occurrence.due_on, i.occurrence.id),
    )


def _with_feedback(member: CoupleMember, occurrence_ids: list[int]) -> set[int]:
    """Which of the shown occurrences have feedback this partner may read."""
    if not occurrence_ids:
        return set()
    return set(
        db.session.scalars(
            select(Feedback.occurrence_id)
            .where(
                Feedback.couple_id == member.couple_id,
                Feedback.occurrence_id.in_(occurrence_ids),
                Feedback.audience.in_(policy.feedback_audiences(member.label)),
            )
            .group_by(Feedback.occurrence_id)
        )
    )
