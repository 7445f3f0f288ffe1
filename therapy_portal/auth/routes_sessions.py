"""The person's own signed-in sessions: end one, or every other (listed on the security page)."""

from __future__ import annotations

from flask import session, url_for
from flask_login import current_user

from therapy_portal import boundary
from therapy_portal.auth import own_sessions
from therapy_portal.auth.blueprint import bp
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.policy import requires

signed_in = requires(Role.ADMIN, Role.THERAPIST, Role.CLIENT)


def _this_row() -> int | None:
    return session.row_id  # type: ignore[attr-defined]


@bp.post("/account/sessions/<int:session_id>/end")
@signed_in
def end_session(session_id: int):
    back = url_for("auth.security")
    return boundary.press(
        lambda: own_sessions.end_session(current_user, session_id, _this_row()),
        then=back,
        done=gettext("That session was ended. The browser using it is signed out."),
    )


@bp.post("/account/sessions/end-others")
@signed_in
def end_other_sessions():
    return boundary.press(
        lambda: own_sessions.end_other_sessions(current_user, _this_row()),
        then=url_for("auth.security"),
        done=gettext("Every other session was ended. This one stays signed in."),
    )
