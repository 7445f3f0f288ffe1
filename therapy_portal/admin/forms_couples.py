"""Forms for the admin's care-team and emergency-access pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from therapy_portal.admin.emergency import REASON_MAX, REASON_MIN
from therapy_portal.caseload.forms import POLICY_CHOICES
from therapy_portal.i18n import lazy_gettext


class CareTeamForm(FlaskForm):
    co_therapist_id = SelectField(lazy_gettext("Co-therapist"), coerce=int, default=0)
    confidentiality_policy = RadioField(
        lazy_gettext("Confidentiality policy"),
        choices=POLICY_CHOICES,
        validators=[DataRequired(lazy_gettext("Choose the policy the couple agreed to."))],
    )
    policy_agreed_on = DateField(
        lazy_gettext("Date the couple agreed to it"),
        validators=[DataRequired(lazy_gettext("Enter the date the couple agreed (YYYY-MM-DD)."))],
    )


class EmergencyAccessForm(FlaskForm):
    couple_id = SelectField(
        lazy_gettext("Couple"),
        coerce=int,
        validators=[DataRequired(lazy_gettext("Choose a couple."))],
    )
    reason = TextAreaField(
        lazy_gettext("Why you need emergency access"),
        description=f"{REASON_MIN} to {REASON_MAX} characters. The primary therapist is told.",
        validators=[
            DataRequired(lazy_gettext("Say why you need emergency access.")),
            Length(
                min=REASON_MIN,
                max=REASON_MAX,
                message=f"Use {REASON_MIN} to {REASON_MAX} characters.",
            ),
        ],
    )
