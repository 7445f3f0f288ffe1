"""Forms for practice administration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional


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
