"""Choosing a language: the account's page, and the anonymous pages' English | Español switch."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from therapy_portal import boundary, i18n
from therapy_portal.auth import flow, language
from therapy_portal.auth.blueprint import bp
from therapy_portal.auth.forms import LanguageForm
from therapy_portal.i18n import LANGUAGES, SESSION_KEY, gettext
from therapy_portal.models import Role
from therapy_portal.policy import public, requires


@bp.route("/account/language", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.THERAPIST, Role.CLIENT)
def language_choice():
    form = LanguageForm(language=current_user.locale or "")
    page = partial(render_template, "auth/language.html", form=form)
    if request.method == "GET":
        return page()

    def perform():
        language.set_language(current_user, form.language.data)
        i18n.refresh()  # the notice is said in the language just chosen
        flash(gettext("Your language choice is saved."))

    return boundary.submit(form, perform, render=page, then=url_for("auth.language_choice"))


@bp.post("/language")
@public
def switch_language():
    """The switch on anonymous pages: kept in the session; a signed-in person's is stored."""
    code = request.form.get("language", "")
    back = flow.safe_next(request.form.get("next")) or url_for("core.index")
    if code in LANGUAGES:
        if current_user.is_authenticated:
            language.set_language(current_user, code)
        session[SESSION_KEY] = code
    return redirect(back)
