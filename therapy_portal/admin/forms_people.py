"""Forms for sign-in help."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Email, Length


class PartnerLookupForm(FlaskForm):
    email = EmailField(
        "Partner's email",
        description="The exact address they sign in with.",
        validators=[
            DataRequired("Enter the partner's email."),
            Length(max=254),
            Email("Enter a valid email address, like name@example.com."),
        ],
    )


def reassign_form(waiting: list, candidates: list) -> FlaskForm:
    """One select per couple to give away, named `couple_<id>`, labelled with the couple's
    display name; an active co-therapist is chosen by default."""

    class ReassignForm(FlaskForm):
        def choices(self) -> dict[int, int]:
            return {item.couple_id: self[f"couple_{item.couple_id}"].data for item in waiting}

    options = [SelectChoice(0, "Choose a therapist")] + [
        SelectChoice(t.id, t.display_with_credentials) for t in candidates
    ]
    for item in waiting:
        notes = ["Closed couple."] if item.closed else []
        if item.open_alerts:
            notes.append(f"Open safety alerts: {item.open_alerts}.")
        field = SelectField(
            item.display_name,
            coerce=int,
            choices=options,
            default=item.co_therapist_id or 0,
            description=" ".join(notes),
        )
        setattr(ReassignForm, f"couple_{item.couple_id}", field)
    return ReassignForm()
