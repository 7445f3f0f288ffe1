"""The partner's home: what is due now, feedback, who their therapist is, what they have done."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from therapy_portal import audit, policy
from therapy_portal.homework.wording import CADENCE_WORDS
from therapy_portal.models import Role
from therapy_portal.partner.home import home_for

bp = Blueprint("partner", __name__)


@bp.get("/home")
@policy.requires(Role.CLIENT)
@audit.reads("partner.home_view")
def home():
    member = policy.membership_for_partner_or_404(current_user)
    page = home_for(current_user, member, request.args.get("after", type=int))
    return render_template(
        "partner/home.html",
        member=member,
        couple=member.couple,
        page=page,
        cadence_words=CADENCE_WORDS,
    )
