"""Forms for practice administration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from therapy_portal.admin.audit_view import AuditFilter


class InviteTherapistForm(FlaskForm):
    name = StringField(
        "Name",
        description="Up to 120 characters.",
        validators=[
            DataRequired("Enter the therapist's name."),
            Length(max=120, message="Keep it to 120 characters or fewer."),
        ],
    )
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter the therapist's email."),
            Length(max=254),
            Email("Enter a valid email address, like name@example.com."),
        ],
    )
    credentials = StringField(
        "Credentials (optional)",
        description="For example LMFT. Up to 80 characters.",
        validators=[Optional(), Length(max=80)],
    )


class AuditFilterForm(FlaskForm):
    """Filters for the audit log: identifiers only, read from the query string."""

    class Meta:
        csrf = False

    actor_id = SelectField("Who", coerce=int, default=0)
    couple_id = SelectField("Couple", coerce=int, default=0)
    action = StringField(
        "Action",
        description="Exact name, for example note.view.",
        validators=[Optional(), Length(max=64)],
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def to_filter(self) -> AuditFilter:
        return AuditFilter(
            actor_id=self.actor_id.data or None,
            couple_id=self.couple_id.data or None,
            action=(self.action.data or "").strip() or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )
