"""Sign-in help and leaving staff: find a partner by email, end a person's sessions, give a
therapist's couples to other therapists before they are deactivated."""

from __future__ import annotations

from functools import partial

from flask import render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.admin import reassign, services
from therapy_portal.admin.blueprint import bp, person_page
from therapy_portal.admin.forms_people import PartnerLookupForm, reassign_form
from therapy_portal.admin.partners import find_partner
from therapy_portal.i18n import gettext
from therapy_portal.models import Role

admin_only = policy.requires(Role.ADMIN)


@bp.route("/partners", methods=["GET", "POST"])
@admin_only
def partners():
    """No list and no names: the admin types the address the partner gave (docs/security.md)."""
    form = PartnerLookupForm()
    searched = request.method == "POST" and form.validate_on_submit()
    found = find_partner(current_user, form.email.data) if searched else None
    status = 422 if form.errors else 200
    return render_template(
        "admin/partners.html", form=form, found=found, searched=searched, action_form=FlaskForm()
    ), status


@bp.post("/users/<int:user_id>/end-sessions")
@admin_only
def end_sessions(user_id: int):
    return boundary.press(
        lambda: services.end_sessions(current_user, user_id),
        then=person_page,
        back=url_for("admin.therapists"),
        done=gettext("Signed out everywhere. The account stays active."),
    )


@bp.route("/users/<int:user_id>/couples", methods=["GET", "POST"])
@admin_only
@audit.reads("admin.reassign_view", "user", "user_id")
def reassign_couples(user_id: int):
    therapist = services.staff_for_admin_or_404(current_user, user_id)
    waiting = reassign.couples_to_reassign(current_user, therapist)
    form = reassign_form(waiting, reassign.candidates(current_user, therapist))
    page = partial(
        render_template, "admin/reassign.html", therapist=therapist, waiting=waiting, form=form
    )
    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: reassign.reassign(current_user, therapist, form.choices()),
        render=page,
        then=url_for("admin.therapists"),
        done=gettext(
            "Each couple has its new therapist. You can deactivate %(name)s now.",
            name=therapist.name,
        ),
        status=422,
    )


@bp.post("/security/end-all-sessions")
@admin_only
def end_all_sessions():
    if not confirm.given():
        return confirm.ask(
            title="Sign everyone out?",
            consequences=[
                "Every therapist, admin and partner of the practice is signed out at once.",
                "Nothing they saved is lost; unsaved typing is kept for their next sign-in.",
                "You stay signed in here.",
            ],
            button="Sign everyone out",
            back=url_for("admin.practice_security"),
        )
    return boundary.press(
        lambda: services.end_all_sessions(current_user, session.row_id),  # type: ignore[attr-defined]
        then=url_for("admin.practice_security"),
        done=gettext("Everyone else was signed out."),
    )
