"""Forms for adding and editing couples."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from therapy_portal.caseload.services import CoupleInput, PartnerInput
from therapy_portal.i18n import gettext, lazy_gettext

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
NAME_LIMIT = "Up to 120 characters."


def _not_future(form, field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(gettext("The date agreed can't be in the future."))


def _ask(label: str) -> str:
    """'Partner A's name' → "Enter partner A's name."; "Couple's display name" → "Enter the
    couple's display name." (a partner's letter stays a capital)."""
    words = label[0].lower() + label[1:]
    named = words.startswith("partner ") and words[8:9].isupper()
    return f"Enter {'' if named else 'the '}{words}."


def _name(label: str, required: bool = True) -> StringField:
    first = DataRequired(_ask(label)) if required else Optional()
    return StringField(
        label,
        description=NAME_LIMIT,
        validators=[
            first,
            Length(max=120, message=gettext("Keep it to 120 characters or fewer.")),
        ],
    )


def _email(label: str, required: bool = True) -> EmailField:
    first = DataRequired(_ask(label)) if required else Optional()
    return EmailField(
        label,
        validators=[
            first,
            Length(max=254),
            Email(gettext("Enter a valid email address, like name@example.com.")),
        ],
    )


class CoupleForm(FlaskForm):
    display_name = _name("Couple's display name")
    partner_a_name = _name("Partner A's name")
    partner_a_email = _email("Partner A's email")
    partner_b_name = _name("Partner B's name (optional)", required=False)
    partner_b_email = _email("Partner B's email (optional)", required=False)
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
                "Give both a name and an email for partner B, or leave both empty.",
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
            b = PartnerInput(self.partner_b_name.data, self.partner_b_email.data)
        return CoupleInput(
            display_name=self.display_name.data,
            partner_a=PartnerInput(self.partner_a_name.data, self.partner_a_email.data),
            partner_b=b,
            confidentiality_policy=self.confidentiality_policy.data,
            policy_agreed_on=self.policy_agreed_on.data,
            co_therapist_id=self.co_therapist_id.data or None,
        )


class PartnerForm(FlaskForm):
    name = _name("Partner's name")
    email = _email("Partner's email")


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
