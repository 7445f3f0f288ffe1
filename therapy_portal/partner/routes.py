"""The partner's home: what is due now, feedback, who their therapist is, what they have done."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.homework.services import boosters
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.partner.home import home_for

bp = Blueprint("partner", __name__)


@bp.get("/home")
@policy.requires(Role.CLIENT)
@audit.reads("partner.home_view")
def home():
    member = policy.membership_for_partner_or_404(current_user)
    page = home_for(current_user, member, request.args.get("after", type=int))
    # A closed couple's booster exercises (one statement, only once the couple is closed).
    upcoming = [] if member.couple.is_active else boosters.running_boosters(current_user)
    return render_template(
        "partner/home.html",
        member=member,
        couple=member.couple,
        page=page,
        boosters=upcoming,
        action_form=FlaskForm(),
    )


@bp.post("/home/boosters/stop")
@policy.requires(Role.CLIENT)
def stop_boosters():
    policy.membership_for_partner_or_404(current_user)
    back = url_for("partner.home")
    if not confirm.given():
        return confirm.ask(
            title=gettext("Stop the booster exercises?"),
            consequences=[
                gettext("No more booster exercises will arrive, for you or your partner."),
                gettext("Your therapist will see that they were stopped. Your past answers stay."),
            ],
            button=gettext("Stop the booster exercises"),
            back=back,
        )
    return boundary.press(
        lambda: boosters.stop_boosters(current_user),
        then=back,
        done=gettext("The booster exercises are stopped."),
    )
