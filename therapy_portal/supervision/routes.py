"""Supervision for therapists: the co-signature queue, reviewing, co-signing and commenting."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from therapy_portal import audit, boundary, policy
from therapy_portal.cosigning import comments_on, cosignature_for
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.models.supervision import SignedKind
from therapy_portal.plans import reading as plan_reading
from therapy_portal.policy import plans as plan_policy
from therapy_portal.policy import supervision as rules
from therapy_portal.supervision import services
from therapy_portal.supervision.blueprint import bp
from therapy_portal.supervision.forms import CommentForm, PageForm

therapist_only = policy.requires(Role.THERAPIST)


@bp.get("")
@therapist_only
@audit.reads("supervision.queue")
def queue():
    return render_template("supervision/queue.html", items=services.queue(current_user))


def _note_page(note_id: int, form: CommentForm, status: int = 200):
    note = rules.note_for_reviewer_or_404(current_user, note_id)
    cosignature = cosignature_for(SignedKind.NOTE, note.id)
    return render_template(
        "supervision/note.html",
        note=note,
        cosignature=cosignature,
        comments=comments_on(note.id),
        form=form,
        action_form=PageForm(),
        can_cosign=rules.can_cosign(current_user, cosignature),
        can_comment=rules.can_comment(current_user, cosignature) and note.is_signed,
    ), status


@bp.get("/notes/<int:signed_note_id>")
@therapist_only
@audit.reads("supervision.note_view", "session_note", "signed_note_id")
def note(signed_note_id: int):
    return _note_page(signed_note_id, CommentForm(formdata=None))


@bp.post("/notes/<int:signed_note_id>/cosign")
@therapist_only
def cosign_note(signed_note_id: int):
    found = rules.note_for_reviewer_or_404(current_user, signed_note_id)
    return boundary.press(
        lambda: services.cosign(
            current_user, cosignature_for(SignedKind.NOTE, found.id), found.signature or ""
        ),
        then=url_for("supervision.note", signed_note_id=found.id),
        done=gettext("Co-signed. The note is final."),
    )


@bp.post("/notes/<int:signed_note_id>/comments")
@therapist_only
def comment(signed_note_id: int):
    found = rules.note_for_reviewer_or_404(current_user, signed_note_id)
    form = CommentForm()
    return boundary.submit(
        form,
        lambda: services.add_comment(
            current_user, found, cosignature_for(SignedKind.NOTE, found.id), form.body.data
        ),
        render=lambda: _note_page(found.id, form, 422),
        then=url_for("supervision.note", signed_note_id=found.id) + "#comments",
        done=gettext("Comment added. The note itself is unchanged."),
    )


@bp.get("/plans/<int:plan_version_id>")
@therapist_only
@audit.reads("supervision.plan_view", "plan_version", "plan_version_id")
def plan(plan_version_id: int):
    version = plan_policy.plan_version_for_reviewer_or_404(current_user, plan_version_id)
    page = plan_reading.version_page(current_user, version)
    return render_template(
        "supervision/plan.html",
        page=page,
        action_form=PageForm(),
        can_cosign=rules.can_cosign(current_user, page.cosignature),
    )


@bp.post("/plans/<int:plan_version_id>/cosign")
@therapist_only
def cosign_plan(plan_version_id: int):
    version = plan_policy.plan_version_for_reviewer_or_404(current_user, plan_version_id)
    return boundary.press(
        lambda: services.cosign(
            current_user, cosignature_for(SignedKind.PLAN, version.id), version.signature or ""
        ),
        then=url_for("supervision.plan", plan_version_id=version.id),
        done=gettext("Co-signed. The plan is final."),
    )
