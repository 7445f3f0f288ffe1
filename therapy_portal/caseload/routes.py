"""The therapist's caseload: list and search, add, view, edit, close and reopen couples."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.caseload import listing, overview, services
from therapy_portal.caseload.access_log import who_has_seen
from therapy_portal.caseload.forms import CoupleForm, PartnerForm, SearchForm
from therapy_portal.homework.services import counts_for_couples
from therapy_portal.homework.services.boosters import SUMMARY as BOOSTER_SUMMARY
from therapy_portal.i18n import gettext
from therapy_portal.measures.maintenance import SUMMARY as MAINTENANCE_SUMMARY
from therapy_portal.measures.services import open_safety_alerts
from therapy_portal.models import Couple, Role

bp = Blueprint("caseload", __name__, url_prefix="/couples")
therapist_only = policy.requires(Role.THERAPIST)


def _co_therapist_choices(form: CoupleForm, primary_id: int) -> None:
    others = [t for t in services.practice_therapists(current_user) if t.id != primary_id]
    form.co_therapist_id.choices = [SelectChoice(0, gettext("No co-therapist"))] + [
        SelectChoice(t.id, t.display_with_credentials) for t in others
    ]


def _couple_url(couple: Couple) -> str:
    return url_for("caseload.detail", couple_id=couple.id)


@bp.route("", methods=["GET", "POST"])
@therapist_only
@audit.reads("caseload.view")
def index():
    # The search term is a name or an address, so it lives in the session, never in the URL.
    search = SearchForm(data=session.get("caseload_filter", {}))
    if request.method == "POST" and search.validate_on_submit():
        session["caseload_filter"] = {"q": search.q.data or "", "status": search.status.data}
        return redirect(url_for("caseload.index"))
    filters = session.get("caseload_filter", {})
    page = listing.list_caseload(
        current_user,
        q=filters.get("q", ""),
        status=filters.get("status", "active"),
        after=request.args.get("after", type=int),
    )
    return render_template(
        "caseload/index.html",
        page=page,
        search=search,
        filters=filters,
        safety_alerts=open_safety_alerts(current_user),
        homework_counts=counts_for_couples(current_user, [c.id for c in page.couples]),
    )


@bp.post("/search/clear")
@therapist_only
def clear_search():
    if FlaskForm().validate_on_submit():
        session.pop("caseload_filter", None)
    return redirect(url_for("caseload.index"))


@bp.route("/new", methods=["GET", "POST"])
@therapist_only
def create():
    pending = take_pending_form() if request.method == "GET" else None
    form = CoupleForm(formdata=pending) if pending else CoupleForm()
    _co_therapist_choices(form, current_user.id)

    def page():
        return render_template("caseload/form.html", form=form, couple=None)

    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: services.create_couple(current_user, form.to_input()),
        render=page,
        then=_couple_url,
        done=gettext("Couple added. Each partner has been sent their own invitation."),
        status=422,
    )


@bp.get("/<int:couple_id>")
@therapist_only
def detail(couple_id: int):
    couple = services.view_couple(current_user, couple_id)
    return render_template(
        "caseload/detail.html",
        couple=couple,
        glance=overview.at_a_glance(current_user, couple),
        tabs=overview.tabs(couple, "caseload.detail"),
        action_form=FlaskForm(),
        can_edit=policy.can_edit_couple(current_user, couple),
        can_see_access_log=policy.can_see_access_log(current_user, couple),
    )


@bp.get("/<int:couple_id>/access-log")
@therapist_only
def access_log(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    viewers = who_has_seen(current_user, couple)
    return render_template("caseload/access_log.html", couple=couple, viewers=viewers)


def _care_team_choices(form: CoupleForm, couple: Couple) -> bool:
    """Offer the co-therapists; whether the actor may change the care team at all."""
    _co_therapist_choices(form, listing.primary_therapist_id(couple))
    can_change_team = policy.can_change_care_team(current_user, couple)
    if not can_change_team:  # shown as text; the service refuses any other value anyway
        form.keep_care_team(listing.form_data(couple))
    return can_change_team


def _after_edit(couple: Couple):
    def then(update) -> str:
        for label in update.revoked_labels:
            flash(
                gettext(
                    "Partner %(label)s's email address changed, so the invitation sent to the old "
                    "address no longer works. Send a new invitation with "
                    "\u201cRe-send invitation\u201d under Partner %(label)s.",
                    label=label,
                ),
                "warning",
            )
        return _couple_url(couple)

    return then


@bp.route("/<int:couple_id>/edit", methods=["GET", "POST"])
@therapist_only
@audit.reads("couple.edit_view", "couple", "couple_id")
def edit(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = CoupleForm(obj=listing.form_data(couple)) if request.method == "GET" else CoupleForm()
    can_change_team = _care_team_choices(form, couple)

    def page():
        return render_template(
            "caseload/form.html", form=form, couple=couple, can_change_team=can_change_team
        )

    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: services.update_couple(current_user, couple, form.to_input()),
        render=page,
        then=_after_edit(couple),
        done=gettext("Changes saved."),
        status=422,
    )


@bp.route("/<int:couple_id>/partners/new", methods=["GET", "POST"])
@therapist_only
@audit.reads("couple.add_partner_form", "couple", "couple_id")
def add_partner(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = PartnerForm()

    def page():
        return render_template("caseload/add_partner.html", form=form, couple=couple)

    if request.method == "GET":
        return page()
    partner = services.PartnerInput(form.name.data, form.email.data, form.language.data)
    return boundary.submit(
        form,
        lambda: services.add_second_partner(current_user, couple, partner),
        render=page,
        then=_couple_url(couple),
        done=gettext("Partner added and invited."),
        status=422,
    )


@bp.post("/<int:couple_id>/close")
@therapist_only
def close(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    maintenance = request.form.get("maintenance") == "yes"
    if not confirm.given():
        return confirm.ask(
            title=f"Close {couple.display_name}?",
            consequences=_closing_consequences(maintenance),
            button="Close the couple",
            back=_couple_url(couple),
        )
    return boundary.press(
        lambda: services.close_couple(current_user, couple, maintenance=maintenance),
        then=_couple_url(couple),
        done=gettext("The couple is closed. You can reopen it at any time."),
    )


def _closing_consequences(maintenance: bool) -> list[str]:
    if maintenance:
        first = gettext(
            "Nothing new can be assigned or scheduled for this couple. The maintenance plan "
            "starts: %(checkins)s and %(boosters)s (the couple's latest homework again), which "
            "either partner can stop at any time; other homework and check-ins can no longer "
            "be answered.",
            checkins=MAINTENANCE_SUMMARY,
            boosters=BOOSTER_SUMMARY,
        )
    else:
        first = (
            "Nothing new can be assigned or scheduled for this couple, and its partners "
            "can no longer answer homework or check-ins."
        )
    return [
        first,
        gettext("Upcoming sessions are cancelled and each partner is told by email."),
        "Partners can still sign in to read their past work.",
        "You can reopen the couple at any time.",
    ]


@bp.post("/<int:couple_id>/reopen")
@therapist_only
def reopen(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    return boundary.press(
        lambda: services.reopen_couple(current_user, couple),
        then=_couple_url(couple),
        done=gettext("The couple is active again."),
    )


@bp.post("/<int:couple_id>/partners/<label>/resend")
@therapist_only
def resend_invitation(couple_id: int, label: str):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    return boundary.press(
        lambda: services.resend_invitation(current_user, couple, label.upper()[:1]),
        then=_couple_url(couple),
        done=gettext("A new invitation was sent. The previous link no longer works."),
    )
