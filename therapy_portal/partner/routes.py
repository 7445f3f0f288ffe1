"""The partner's home: what is due soon, what is overdue, and what they have done."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from therapy_portal import audit, policy
from therapy_portal.homework import services
from therapy_portal.models import Role

bp = Blueprint("partner", __name__)


@bp.get("/home")
@policy.requires(Role.CLIENT)
@audit.reads("partner.home_view")
def home():
    member = policy.membership_for_partner_or_404(current_user)
    home = services.partner_home(current_user, request.args.get("page", 1, type=int))
    return render_template("partner/home.html", member=member, couple=member.couple, home=home)
