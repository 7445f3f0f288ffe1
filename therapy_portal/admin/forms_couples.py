"""Forms for the admin's care-team and emergency-access pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from therapy_portal.admin.emergency import REASON_MAX, REASON_MIN
from therapy_portal.caseload.forms import POLICY_CHOICES


class CareTeamForm(FlaskForm):
    co_therapist_id = SelectField("Co-therapist", coerce=int, default=0)
    confidentiality_policy = RadioField(
        "Confidentiality policy",
        choices=POLICY_CHOICES,
        validators=[DataRequired("Choose the policy the couple agreed to.")],
    )
    policy_agreed_on = DateField(
        "Date the couple agreed to it",
        validators=[DataRequired("Enter the date the couple agreed (YYYY-MM-DD).")],
    )


class EmergencyAccessForm(FlaskForm):
    couple_id = SelectField("Couple", coerce=int, validators=[DataRequired("Choose a couple.")])
    reason = TextAreaField(
        "Why you need emergency access",
        description=f"{REASON_MIN} to {REASON_MAX} characters. The primary therapist is told.",
        validators=[
            DataRequired("Say why you need emergency access."),
            Length(
                min=REASON_MIN,
                max=REASON_MAX,
                message=f"Use {REASON_MIN} to {REASON_MAX} characters.",
            ),
        ],
    )
