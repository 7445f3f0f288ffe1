"""Health check and the root URL."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, url_for
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
