"""Forms for sign-in help."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Email, Length

from therapy_portal.i18n import gettext, lazy_gettext


class PartnerLookupForm(FlaskForm):
    email = EmailField(
        lazy_gettext("Partner's email"),
        description=lazy_gettext("The exact address they sign in with."),
        validators=[
            DataRequired(lazy_gettext("Enter the partner's email.")),
            Length(max=254),
            Email(lazy_gettext("Enter a valid email address, like name@example.com.")),
        ],
    )


def reassign_form(waiting: list, candidates: list) -> FlaskForm:
    """One select per couple to give away, named `couple_<id>`, labelled with the couple's
    display name; an active co-therapist is chosen by default."""

    class ReassignForm(FlaskForm):
        def choices(self) -> dict[int, int]:
            return {item.couple_id: self[f"couple_{item.couple_id}"].data for item in waiting}

    options = [SelectChoice(0, gettext("Choose a therapist"))] + [
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
