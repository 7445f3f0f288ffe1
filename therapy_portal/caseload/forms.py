"""Forms for adding and editing couples."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from therapy_portal.caseload.services import CoupleInput, PartnerInput
from therapy_portal.i18n import LANGUAGES, gettext, lazy_gettext

POLICY_CHOICES = [
    SelectChoice(
        "no_secrets",
        lazy_gettext("No secrets: what one partner shares may be used in joint sessions"),
    ),
    SelectChoice(
        "limited_secrets",
        lazy_gettext("Limited secrets: individual disclosures stay private, within limits"),
    ),
]
NAME_LIMIT = lazy_gettext("Up to 120 characters.")
# Each language by its own name, as the language page lists them; "" leaves it to the browser.
LANGUAGE_CHOICES = [
    SelectChoice("", lazy_gettext("Their browser's language")),
    *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
]


def _not_future(form, field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(gettext("The date agreed can't be in the future."))


def _name(label, ask=None) -> StringField:
    first = DataRequired(ask) if ask is not None else Optional()
    return StringField(
        label,
        description=NAME_LIMIT,
        validators=[
            first,
            Length(max=120, message=gettext("Keep it to 120 characters or fewer.")),
        ],
    )


def _email(label, ask=None) -> EmailField:
    first = DataRequired(ask) if ask is not None else Optional()
    return EmailField(
        label,
        validators=[
            first,
            Length(max=254),
            Email(gettext("Enter a valid email address, like name@example.com.")),
        ],
    )


def _language(label) -> SelectField:
    """A new partner's language: their invitation is written in it, and their pages are until
    they choose their own under Account → Language."""
    return SelectField(
        label,
        choices=LANGUAGE_CHOICES,
        default="",
        description=lazy_gettext(
            "Their invitation is written in it, and the portal uses it until they choose their own."
        ),
    )


class CoupleForm(FlaskForm):
    display_name = _name(
        lazy_gettext("Couple's display name"), lazy_gettext("Enter the couple's display name.")
    )
    partner_a_name = _name(
        lazy_gettext("Partner A's name"), lazy_gettext("Enter partner A's name.")
    )
    partner_a_email = _email(
        lazy_gettext("Partner A's email"), lazy_gettext("Enter partner A's email.")
    )
    partner_a_language = _language(lazy_gettext("Partner A's language"))
    partner_b_name = _name(lazy_gettext("Partner B's name (optional)"))
    partner_b_email = _email(lazy_gettext("Partner B's email (optional)"))
    partner_b_language = _language(lazy_gettext("Partner B's language"))
    confidentiality_policy = RadioField(
        lazy_gettext("Confidentiality policy"),
        choices=POLICY_CHOICES,
        validators=[DataRequired(lazy_gettext("Choose the policy the couple agreed to."))],
    )
    policy_agreed_on = DateField(
        lazy_gettext("Date the couple agreed to it"),
        validators=[
            DataRequired(lazy_gettext("Enter the date the couple agreed (YYYY-MM-DD).")),
            _not_future,
        ],
    )
    co_therapist_id = SelectField(lazy_gettext("Co-therapist (optional)"), coerce=int, default=0)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if bool(self.partner_b_email.data) != bool(self.partner_b_name.data):
            missing = self.partner_b_email if self.partner_b_name.data else self.partner_b_name
            missing.errors = [
                *missing.errors,
                gettext("Give both a name and an email for partner B, or leave both empty."),
            ]
            return False
        return ok

    def keep_care_team(self, current) -> None:
        """For a co-therapist: the policy and co-therapist stay as they are."""
        self.confidentiality_policy.data = current.confidentiality_policy
        self.policy_agreed_on.data = current.policy_agreed_on
        self.co_therapist_id.data = current.co_therapist_id

    def to_input(self) -> CoupleInput:
        b = None
        if self.partner_b_name.data and self.partner_b_email.data:
            b = PartnerInput(
                self.partner_b_name.data, self.partner_b_email.data, self.partner_b_language.data
            )
        return CoupleInput(
            display_name=self.display_name.data,
            partner_a=PartnerInput(
                self.partner_a_name.data, self.partner_a_email.data, self.partner_a_language.data
            ),
            partner_b=b,
            confidentiality_policy=self.confidentiality_policy.data,
            policy_agreed_on=self.policy_agreed_on.data,
            co_therapist_id=self.co_therapist_id.data or None,
        )


class PartnerForm(FlaskForm):
    name = _name(lazy_gettext("Partner's name"), lazy_gettext("Enter the partner's name."))
    email = _email(lazy_gettext("Partner's email"), lazy_gettext("Enter the partner's email."))
    language = _language(lazy_gettext("Partner's language"))


class SearchForm(FlaskForm):
    q = StringField(
        lazy_gettext("Search by couple, partner name or email"),
        validators=[Optional(), Length(max=120)],
    )
    status = SelectField(
        lazy_gettext("Show"),
        choices=[
            SelectChoice("active", lazy_gettext("Active couples")),
            SelectChoice("closed", lazy_gettext("Closed couples")),
            SelectChoice("all", lazy_gettext("All")),
        ],
        default="active",
    )
