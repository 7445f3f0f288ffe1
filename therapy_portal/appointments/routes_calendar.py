"""Private calendar feeds: make a new link (shown once), turn it off, and the feed itself.

The feed answers without a login: its token is the only key, so an unknown or revoked token is
a plain 404 and the feed holds no names, links or details (`appointments.calendar`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from therapy_portal import policy
from therapy_portal.appointments import calendar
from therapy_portal.appointments.downloads import ics_response, page_url
from therapy_portal.appointments.forms import PageForm
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.policy import appointments as scope

bp = Blueprint("calendar", __name__)
people_with_sessions = policy.requires(Role.THERAPIST, Role.CLIENT)


def _home() -> str:
    return url_for(
        "appointments.week" if current_user.role == Role.THERAPIST else "my_sessions.index"
    )


@bp.post("/calendar-feed")
@people_with_sessions
def make_feed():
    """Shown in the answer to the POST, never redirected: the link is kept nowhere, not even in
    the session that a redirect would carry it through."""
    if not PageForm().validate_on_submit():
        return redirect(_home())
    token = calendar.make_feed(current_user)
    link = page_url("calendar.feed", token=token)
    return render_template("appointments/feed_link.html", link=link, back=_home())


@bp.post("/calendar-feed/off")
@people_with_sessions
def revoke_feed():
    if PageForm().validate_on_submit() and calendar.revoke_feed(current_user):
        flash(gettext("Your calendar feed is off. Its link no longer works."))
    return redirect(_home())


@bp.get("/calendar/<token>.ics")
@policy.public
def feed(token: str):
    owner = scope.feed_owner_or_404(token)
    return ics_response(calendar.feed_ics(owner))
