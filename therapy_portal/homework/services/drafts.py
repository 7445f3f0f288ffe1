"""Saving a draft and submitting an answer, safe when two requests arrive at the same moment.

Drafts store the raw input exactly as typed (so an over-long or unfinished answer is never
lost). Every save names the draft version it started from, and the version check and the write
are one guarded ``UPDATE … WHERE version = :v``: of two saves of one version exactly one is
stored, on PostgreSQL (the second waits for the row, then matches nothing) and on SQLite (writers
take turns). The other keeps its text as a `DraftConflict` copy of its author and changes nothing
else. A save whose text is already the stored draft is not a conflict: nothing could be lost.

A submission carries an idempotency key: a repeat of the same key, even one racing the first,
answers as the first did and stores nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from therapy_portal import audit
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework.services.common import (
    check_draft_size,
    clean_fields,
    refresh_counters,
    validate_answers,
)
from therapy_portal.homework.services.photos import PhotoChanges, change_photos, with_photos
from therapy_portal.homework.services.responses import (
    ALREADY_SUBMITTED,
    PartnerView,
    open_for_partner,
)
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import User, utcnow
from therapy_portal.models.homework import DraftConflict, Response, ResponseStatus, Submission
from therapy_portal.policy import PartnerSeat

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
OUT_OF_DATE = N_("This form is out of date. Reload the page and submit again.")


@dataclass
class SaveResult:
    response: Response
    conflict: DraftConflict | None = None
    duplicate: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def saved(self) -> bool:
        return self.conflict is None and not self.errors


@dataclass(frozen=True)
class AnswerInput:
    """One press of Save draft or Submit on the answer page: the raw fields as typed, the draft
    version the page started from, and (to submit) the page's idempotency key."""

    fields: Any
    version: int
    idempotency_key: str = ""
    submitting: bool = False
    photos: PhotoChanges = field(default_factory=PhotoChanges)


@dataclass
class Answered:
    """What a save or submit did, and the page data as it stands after it (to show again)."""

    result: SaveResult
    view: PartnerView
    submitting: bool
    photo_errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.result.saved and not self.photo_errors


def _own_response(actor: User, view: PartnerView) -> Response:
    if view.own is not None:
        return view.own
    response = Response(
        practice_id=view.occurrence.practice_id,
        couple_id=view.occurrence.couple_id,
        occurrence_id=view.occurrence.id,
        author_label=view.response_label,
        draft={},
        version=0,
        last_edited_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:  # another tab created it a moment ago
        response = db.session.scalar(
            select(Response).where(
                Response.occurrence_id == view.occurrence.id,
                Response.author_label == view.response_label,
            )
        )
    view.own = response
    return response


def _write(actor: User, response: Response, version: int, **values: Any) -> bool:
    """Write ``values`` and the next version if the row is still at ``version``, in one
    statement; then reload the row (the latest committed one when the write lost)."""
    db.session.flush()
    written = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.version == version)
        .values(version=version + 1, updated_at=utcnow(), last_edited_by_id=actor.id, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(response)
    return written == 1


def _conflict(
    actor: User, view: PartnerView, response: Response, fields: dict, version: int
) -> SaveResult:
    """Keep the losing text as a conflict copy; the page shows it beside the saved draft."""
    conflict = DraftConflict(
        practice_id=response.practice_id,
        response_id=response.id,
        author_id=actor.id,
        fields=fields,
        based_on_version=version,
    )
    db.session.add(conflict)
    db.session.flush()
    audit.record(
        "homework.draft_conflict",
        actor=actor,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        version=version,
    )
    view.conflicts.append(conflict)
    return SaveResult(response, conflict=conflict)


def _fields(view: PartnerView, raw_fields: Any) -> dict[str, list[str]]:
    """This template's raw fields from the input, once the partner may change their answer."""
    if view.blocked:
        raise InvalidState(view.blocked)
    fields = with_photos(view.prompts, clean_fields(view.prompts, raw_fields), view.own)
    check_draft_size(fields)
    return fields


def save_draft(actor: User, seat: PartnerSeat, raw_fields: Any, version: int) -> SaveResult:
    """Save the raw input as the draft. A stale ``version`` keeps the text as a conflict copy."""
    return _save(actor, open_for_partner(actor, seat, audit_view=False), raw_fields, version)


def _save(actor: User, view: PartnerView, raw_fields: Any, version: int) -> SaveResult:
    fields = _fields(view, raw_fields)
    response = _own_response(actor, view)
    if _write(actor, response, version, draft=fields) or response.draft == fields:
        return SaveResult(response)
    return _conflict(actor, view, response, fields, version)


def answer(actor: User, seat: PartnerSeat, posted: AnswerInput) -> Answered:
    """Save draft or Submit from the answer page, in one call: what it did, and the page data
    after it (the partner's view is read once)."""
    view = open_for_partner(actor, seat, audit_view=False)
    own = partial(_own_response, actor, view)
    problems = change_photos(actor, view.prompts, view.blocked, own, posted.photos)
    submitting = posted.submitting and not problems  # a refused photo: saved, not submitted
    if submitting:
        result = _submit(actor, view, posted.fields, posted.version, posted.idempotency_key)
    else:
        result = _save(actor, view, posted.fields, posted.version)
    return Answered(result, view, submitting, problems)


def _replay(view: PartnerView, idempotency_key: str) -> SaveResult | None:
    """The first answer to this key, if a submission with it is stored (None if not)."""
    earlier = db.session.scalar(
        select(Response)
        .join(Submission, Submission.response_id == Response.id)
        .where(Submission.idempotency_key == idempotency_key)
        .execution_options(populate_existing=True)
    )
    if earlier is None:
        return None
    if earlier.occurrence_id != view.occurrence.id or earlier.author_label != view.response_label:
        raise ValidationFailed(gettext(OUT_OF_DATE))
    view.own = earlier
    return SaveResult(earlier, duplicate=True)


def _submitted_values(answers: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    return {
        "answers": answers,
        "status": ResponseStatus.SUBMITTED,
        "submitted_at": now,
        "first_submitted_at": func.coalesce(Response.first_submitted_at, now),
        # The new text is the one at the next version; a release of earlier text doesn't cover it.
        "answers_version": Response.version + 1,
    }


def submit(
    actor: User, seat: PartnerSeat, raw_fields: Any, version: int, idempotency_key: str
) -> SaveResult:
    """Submit the answer once. A repeated key answers as the first submit did.

    Invalid answers are saved as the draft (nothing typed is lost) and returned as errors.
    """
    view = open_for_partner(actor, seat, audit_view=False)
    return _submit(actor, view, raw_fields, version, idempotency_key)


def _submit(
    actor: User, view: PartnerView, raw_fields: Any, version: int, idempotency_key: str
) -> SaveResult:
    if not isinstance(idempotency_key, str) or not _KEY.match(idempotency_key):
        raise ValidationFailed(gettext(OUT_OF_DATE))
    replay = _replay(view, idempotency_key)
    if replay is not None:
        return replay
    fields = _fields(view, raw_fields)
    response = _own_response(actor, view)
    answers, errors = validate_answers(view.prompts, fields)
    values = {"draft": fields, **({} if answers is None else _submitted_values(answers))}
    if not _write(actor, response, version, **values):
        lost = _after_lost_write(actor, view, response, fields, version, idempotency_key)
        if lost is not None:
            return lost
        # The text stored is exactly this text (a repeat, or another tab): build on it.
        if answers is not None and not _write(actor, response, response.version, **values):
            return _conflict(actor, view, response, fields, version)
    if answers is None:
        return SaveResult(response, errors=errors)
    return _record_submission(actor, view, response, answers, idempotency_key)


def _after_lost_write(
    actor: User, view: PartnerView, response: Response, fields: dict, version: int, key: str
) -> SaveResult | None:
    """The answer when a submit's write lost to another save (None: go on from the row)."""
    # The same submit may have won a moment ago (a double click): answer as it did.
    replay = _replay(view, key)
    if replay is not None:
        return replay
    if response.draft != fields:
        return _conflict(actor, view, response, fields, version)
    if response.status == ResponseStatus.SUBMITTED:
        raise InvalidState(gettext(ALREADY_SUBMITTED))
    return None


def _record_submission(
    actor: User, view: PartnerView, response: Response, answers: dict, idempotency_key: str
) -> SaveResult:
    try:
        with db.session.begin_nested():
            db.session.add(
                Submission(
                    practice_id=response.practice_id,
                    response_id=response.id,
                    idempotency_key=idempotency_key,
                    answers=answers,
                    submitted_by_id=actor.id,
                )
            )
    except IntegrityError:  # the key was stored by another answer: a form from elsewhere
        raise ValidationFailed(gettext(OUT_OF_DATE)) from None
    view.occurrence.reviewed_at = None  # new work to review
    refresh_counters(view.occurrence)
    db.session.flush()
    audit.record(
        "homework.submit",
        actor=actor,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        occurrence_id=view.occurrence.id,
        version=response.version,
    )
    return SaveResult(response)
