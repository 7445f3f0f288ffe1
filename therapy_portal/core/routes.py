"""Health check and the root URL."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from therapy_portal.extensions import db
from therapy_portal.policy import public

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="degraded", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        from therapy_portal.auth.flow import home_url

        return redirect(home_url(current_user))
    return redirect(url_for("auth.login"))


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the same SVG as the <link>."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")


@bp.get("/dev/style")
@public
def style_page():
    """The living style page: every component of the design system (development only)."""
    if not current_app.config.get("STYLE_PAGE"):
        abort(404)
    from therapy_portal.core.style import sample_chart, sample_form

    return render_template("core/style.html", form=sample_form(), chart=sample_chart())
