"""Treatment plans: the couple's plan, its editor, signing, amending, links, old versions, PDF."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.downloads import download_response
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.plans import export, links, reading, services
from therapy_portal.plans.forms import LinkForm, PageForm, PlanForm
from therapy_portal.plans.progress import current_version
from therapy_portal.policy import plans as plan_policy

bp = Blueprint("plans", __name__)
therapist_only = policy.requires(Role.THERAPIST)


@bp.get("/couples/<int:couple_id>/plan")
@therapist_only
@audit.reads("plan.view", "couple", "couple_id")
def couple_plan(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    version = current_version(current_user, couple.id)
    if version is not None:
        return redirect(url_for("plans.version", version_id=version.id))
    return render_template("plans/none.html", couple=couple, action_form=PageForm())


@bp.post("/couples/<int:couple_id>/plan")
@therapist_only
def start(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    return boundary.press(
        lambda: services.start_plan(current_user, couple),
        then=lambda v: url_for("plans.edit", version_id=v.id),
        back=url_for("plans.couple_plan", couple_id=couple_id),
    )


@bp.get("/plans/<int:version_id>")
@therapist_only
@audit.reads("plan.view", "plan_version", "version_id")
def version(version_id: int):
    page = reading.version_page(
        current_user, plan_policy.plan_version_for_therapist_or_404(current_user, version_id)
    )
    return render_template(
        "plans/version.html",
        page=page,
        action_form=PageForm(),
        link_form=LinkForm(formdata=None),
        choices=links.choices(current_user, page.couple.id) if page.is_latest else [],
        can_edit=plan_policy.can_edit_plan(current_user, page.version),
        can_amend=plan_policy.can_amend_plan(current_user, page.version, page.versions[0][1]),
    )


def _editor(version, form):
    return render_template("plans/edit.html", version=version, form=form)


@bp.route("/plans/<int:version_id>/edit", methods=["GET", "POST"])
@therapist_only
@audit.reads("plan.draft_view", "plan_version", "version_id")
def edit(version_id: int):
    version = plan_policy.plan_version_for_therapist_or_404(current_user, version_id)
    if not plan_policy.can_edit_plan(current_user, version):
        flash(gettext("This version is signed or not yours to edit: amend the plan to change it."))
        return redirect(url_for("plans.version", version_id=version.id))
    form = PlanForm()
    if request.method == "GET":
        form.fill(version)
        return _editor(version, form)
    return boundary.submit(
        form,
        lambda: services.save_draft(current_user, version, form.plan_input()),
        render=lambda: _editor(version, form),
        status=422,
        done=gettext("Plan draft saved."),
        then=url_for("plans.version", version_id=version.id),
    )


@bp.post("/plans/<int:version_id>/sign")
@therapist_only
def sign(version_id: int):
    version = plan_policy.plan_version_for_therapist_or_404(current_user, version_id)
    here = url_for("plans.version", version_id=version.id)
    if not confirm.given():
        return confirm.ask(
            title="Sign this plan?",
            consequences=[
                "This version is locked with your signature; changes need a new version."
            ],
            button="Sign the plan",
            back=here,
            destructive=False,
        )
    return boundary.press(
        lambda: services.sign_plan(current_user, version),
        then=here,
        done=gettext("The plan is signed."),
    )


@bp.post("/plans/<int:version_id>/amend")
@therapist_only
def amend(version_id: int):
    version = plan_policy.plan_version_for_therapist_or_404(current_user, version_id)
    return boundary.press(
        lambda: services.amend_plan(current_user, version),
        then=lambda v: url_for("plans.edit", version_id=v.id),
        back=url_for("plans.version", version_id=version.id),
        done=gettext("A new version was started from the signed one. The signed version is kept."),
    )


@bp.get("/plans/<int:version_id>/pdf")
@therapist_only
def pdf(version_id: int):
    version = plan_policy.plan_version_for_therapist_or_404(current_user, version_id)
    data, filename = export.export_plan_pdf(
        current_user, reading.version_page(current_user, version)
    )
    return download_response(data, filename)


@bp.post("/plans/goals/<int:goal_id>/links")
@therapist_only
def link(goal_id: int):
    goal, version = links.goal_for_therapist_or_404(current_user, goal_id)
    form = LinkForm()
    here = url_for("plans.version", version_id=version.id) + f"#goal-{goal.position}"
    return boundary.press(
        lambda: links.link(current_user, goal, version, form.work.data or ""),
        then=here,
        done=gettext("Linked to the goal."),
    )


@bp.post("/plans/goals/<int:goal_id>/links/<int:link_id>/delete")
@therapist_only
def unlink(goal_id: int, link_id: int):
    goal, version = links.goal_for_therapist_or_404(current_user, goal_id)
    return boundary.press(
        lambda: links.unlink(current_user, goal, version, link_id),
        then=url_for("plans.version", version_id=version.id),
        done=gettext("The link was removed."),
    )
