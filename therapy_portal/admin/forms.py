"""Forms for practice administration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from therapy_portal.admin.audit_view import AuditFilter
from therapy_portal.i18n import lazy_gettext


class InviteTherapistForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        description=lazy_gettext("Up to 120 characters."),
        validators=[
            DataRequired(lazy_gettext("Enter the therapist's name.")),
            Length(max=120, message=lazy_gettext("Keep it to 120 characters or fewer.")),
        ],
    )
    email = EmailField(
        lazy_gettext("Email"),
        validators=[
            DataRequired(lazy_gettext("Enter the therapist's email.")),
            Length(max=254),
            Email(lazy_gettext("Enter a valid email address, like name@example.com.")),
        ],
    )
    credentials = StringField(
        lazy_gettext("Credentials (optional)"),
        description=lazy_gettext("For example LMFT. Up to 80 characters."),
        validators=[Optional(), Length(max=80)],
    )


class AuditFilterForm(FlaskForm):
    """Filters for the audit log: identifiers only, read from the query string."""

    class Meta:
        csrf = False

    actor_id = SelectField(lazy_gettext("Who"), coerce=int, default=0)
    couple_id = SelectField(lazy_gettext("Couple"), coerce=int, default=0)
    action = StringField(
        lazy_gettext("Action"),
        description=lazy_gettext("Exact name, for example note.view."),
        validators=[Optional(), Length(max=64)],
    )
    date_from = DateField(lazy_gettext("From"), validators=[Optional()])
    date_to = DateField(lazy_gettext("To"), validators=[Optional()])

    def to_filter(self) -> AuditFilter:
        return AuditFilter(
            actor_id=self.actor_id.data or None,
            couple_id=self.couple_id.data or None,
            action=(self.action.data or "").strip() or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )
