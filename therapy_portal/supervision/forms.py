"""Forms of supervision: the admin's choice of supervisor, a supervisor's comment."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from therapy_portal.i18n import lazy_gettext


class SupervisorForm(FlaskForm):
    supervisor = SelectField(lazy_gettext("Supervisor"), choices=[], validate_choice=False)


class CommentForm(FlaskForm):
    body = TextAreaField(
        lazy_gettext("Comment"),
        validators=[DataRequired(lazy_gettext("Write the comment.")), Length(max=4_000)],
    )


class PageForm(FlaskForm):
    """A button with no fields (co-sign)."""
