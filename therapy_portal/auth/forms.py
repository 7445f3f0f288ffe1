"""Forms for signing in, accepting an invitation and changing a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from therapy_portal.i18n import LANGUAGES
from therapy_portal.i18n import lazy_gettext as _l
from therapy_portal.passwords import password_problem


def _policy(form, field) -> None:
    from wtforms.validators import ValidationError

    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters. A short sentence works well."),
        validators=[DataRequired(_l("Choose a password.")), _policy],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The passwords differ.")),
        ],
    )


class ChangePasswordForm(ChoosePasswordForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )


class NameForm(FlaskForm):
    name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)]
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
    )
    remember = BooleanField(_l("Remember this device for 30 days"))


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(_l("Enter the 6-digit code your app shows.")), Length(max=20)],
    )


class ReauthEnrolForm(EnrolForm):
    current = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Enter your password to confirm."))]
    )


class ReauthForm(FlaskForm):
    current = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Enter your password to confirm."))]
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254)]
    )


class ResetPasswordForm(ChoosePasswordForm):
    code = StringField(
        _l("Code from your authenticator app (or a recovery code)"),
        validators=[Optional(), Length(max=20)],
    )


class PracticeSecurityForm(FlaskForm):
    remember_device_allowed = BooleanField(
        _l("Let people skip the second step for 30 days on a device they choose to remember")
    )


class LanguageForm(FlaskForm):
    language = RadioField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("The language my browser asks for")),
            *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
        ],
        default="",
    )
