"""Forms for signing in, accepting an invitation and changing a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from therapy_portal.passwords import password_problem


def _policy(form, field) -> None:
    from wtforms.validators import ValidationError

    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 12 characters. A short sentence works well.",
        validators=[DataRequired("Choose a password."), _policy],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            DataRequired("Repeat the password."),
            EqualTo("password", "The passwords differ."),
        ],
    )


class ChangePasswordForm(ChoosePasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )


class NameForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        description="The 6-digit code from your authenticator app, or one of your recovery codes.",
        validators=[DataRequired("Enter the code."), Length(max=20)],
    )
    remember = BooleanField("Remember this device for 30 days")


class EnrolForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        validators=[DataRequired("Enter the 6-digit code your app shows."), Length(max=20)],
    )


class ReauthEnrolForm(EnrolForm):
    current = PasswordField(
        "Your password", validators=[DataRequired("Enter your password to confirm.")]
    )


class ReauthForm(FlaskForm):
    current = PasswordField(
        "Your password", validators=[DataRequired("Enter your password to confirm.")]
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])


class ResetPasswordForm(ChoosePasswordForm):
    code = StringField(
        "Code from your authenticator app (or a recovery code)",
        validators=[Optional(), Length(max=20)],
    )


class PracticeSecurityForm(FlaskForm):
    remember_device_allowed = BooleanField(
        "Let people skip the second step for 30 days on a device they choose to remember"
    )
