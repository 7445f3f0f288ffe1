"""Forms for session notes, addenda, exports, records requests and psychotherapy notes.

Field validators check shape and length; the services check the rules (dates, signing, state).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from therapy_portal.i18n import N_, gettext, lazy_gettext
from therapy_portal.models.note_formats import (
    ADDENDUM_KINDS,
    ATTENDEES,
    AUTHORIZATION_METHODS,
    FIELD_LIMIT,
    FIELD_PARTS,
    FORMAT_CHOICES,
    FORMATS,
    MODALITIES,
    SERVICE_CODES,
)
from therapy_portal.models.notes import AddendumKind, Attendees, Modality, ServiceCode
from therapy_portal.notes.services import NoteInput, SessionFacts

_TOO_LONG = f"Keep this under {FIELD_LIMIT:,} characters."
SCREENED = {p.key: p.individually_screened for p in FIELD_PARTS}


def _choices(mapping: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(k, lazy_gettext(v)) for k, v in mapping.items()]


def _long_text(label: str, description: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        validators=[Optional(), Length(max=FIELD_LIMIT, message=_TOO_LONG)],
    )


class FactsForm(FlaskForm):
    session_date = DateField(lazy_gettext("Session date"), validators=[Optional()])
    start_time = TimeField(lazy_gettext("Start time"), validators=[Optional()])
    end_time = TimeField(lazy_gettext("End time"), validators=[Optional()])
    attendees = RadioField(
        lazy_gettext("Who attended"),
        choices=_choices(ATTENDEES),
        default=Attendees.BOTH,
        validators=[InputRequired(lazy_gettext("Choose who attended."))],
    )
    service_code = RadioField(
        lazy_gettext("Service code"),
        choices=_choices(SERVICE_CODES),
        default=ServiceCode.CONJOINT,
        validators=[InputRequired(lazy_gettext("Choose the service code."))],
    )
    modality = RadioField(
        lazy_gettext("Modality"),
        choices=_choices(MODALITIES),
        default=Modality.IN_PERSON,
        validators=[InputRequired(lazy_gettext("Choose how the session took place."))],
    )

    def facts(self, fmt: str = "") -> SessionFacts:
        return SessionFacts(
            self.session_date.data,
            self.start_time.data,
            self.end_time.data,
            self.attendees.data,
            self.service_code.data,
            self.modality.data,
            fmt,
        )


class NewNoteForm(FactsForm):
    format = RadioField(
        lazy_gettext("Note format"),
        choices=[SelectChoice(k, v) for k, v in FORMAT_CHOICES],
        default="dap",
        validators=[InputRequired(lazy_gettext("Choose a note format."))],
    )


SCREENED_HINT = N_(
    " Screened with each partner alone: left out of a partner's own copy of the record."
)


def _screened(description: str, screened: bool) -> str:
    return description + gettext(SCREENED_HINT) if screened else description


def note_form_class(fmt: str) -> type[FactsForm]:
    """The edit form for one format: the session facts plus that format's sections."""
    attrs = {
        f"section_{s.key}": _long_text(
            gettext(s.title), _screened(gettext(s.guidance), s.individually_screened)
        )
        for s in FORMATS[fmt].sections
    }
    attrs.update(
        version=HiddenField(),
        interventions=_long_text(
            gettext("Interventions used"),
            gettext("e.g. EFT enactment; soft start-up coaching; homework review."),
        ),
        risk_screening=_long_text(
            gettext("Risk screening"),
            _screened(
                gettext(
                    "Self-harm, intimate partner violence and coercive control, substance use, "
                    "child safety."
                ),
                SCREENED["risk_screening"],
            ),
        ),
        next_session=StringField(
            gettext("Next session"),
            description=gettext("Up to 200 characters."),
            validators=[Optional(), Length(max=200)],
        ),
        digest=_long_text(
            gettext("Since last session"),
            gettext("Insert the digest of homework and measures, then edit it freely."),
        ),
    )
    return type(f"NoteForm_{fmt}", (FactsForm,), attrs)


def note_input(form: FactsForm, fmt: str) -> NoteInput:
    return NoteInput(
        facts=form.facts(fmt),
        sections={
            s.key: getattr(form, f"section_{s.key}").data or "" for s in FORMATS[fmt].sections
        },
        interventions=form.interventions.data or "",
        risk_screening=form.risk_screening.data or "",
        next_session=form.next_session.data or "",
        digest=form.digest.data or "",
    )


def form_version(form: FactsForm) -> int:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return -1


class AddendumForm(FlaskForm):
    kind = RadioField(
        lazy_gettext("Kind of addendum"),
        choices=_choices(ADDENDUM_KINDS),
        default=AddendumKind.CORRECTION,
        validators=[InputRequired(lazy_gettext("Choose the kind of addendum."))],
    )
    reason = StringField(
        lazy_gettext("Reason"),
        description=lazy_gettext("Why this is added, in a few words."),
        validators=[
            DataRequired(lazy_gettext("Say briefly why you are adding this.")),
            Length(max=300),
        ],
    )
    body = TextAreaField(
        lazy_gettext("Addendum"),
        validators=[
            DataRequired(lazy_gettext("Write the addendum.")),
            Length(max=FIELD_LIMIT, message=_TOO_LONG),
        ],
    )


class RangeExportForm(FlaskForm):
    date_from = DateField(
        lazy_gettext("From"),
        validators=[DataRequired(lazy_gettext("Enter the first date (YYYY-MM-DD)."))],
    )
    date_to = DateField(
        lazy_gettext("To"),
        validators=[DataRequired(lazy_gettext("Enter the last date (YYYY-MM-DD)."))],
    )


class AuthorizationForm(FlaskForm):
    partner_label = RadioField(
        lazy_gettext("Partner"), validators=[InputRequired(lazy_gettext("Choose the partner."))]
    )
    method = SelectField(lazy_gettext("How it was given"), choices=_choices(AUTHORIZATION_METHODS))
    authorized_on = DateField(
        lazy_gettext("Date of the authorization"),
        validators=[DataRequired(lazy_gettext("Enter the date (YYYY-MM-DD)."))],
    )


class ReleaseForm(FlaskForm):
    scope = HiddenField(validators=[DataRequired()])
    # A partner's copy: the fingerprint of the preview the therapist saw (it must still match).
    fingerprint = HiddenField()


class PartnerCopyForm(FlaskForm):
    """Which parts of one note partner copies leave out (choices: the note's markable parts)."""

    parts = SelectMultipleField(
        lazy_gettext("Leave out of partner copies"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service refuses a part the note does not have
    )


class PrivateNoteForm(FlaskForm):
    session_date = DateField(lazy_gettext("Session date"), validators=[Optional()])
    body = TextAreaField(
        lazy_gettext("Psychotherapy note"),
        validators=[
            DataRequired(lazy_gettext("Write the note.")),
            Length(max=FIELD_LIMIT, message=_TOO_LONG),
        ],
    )


class PageForm(FlaskForm):
    """Button-only POSTs (sign, delete, export)."""

    page = IntegerField(validators=[Optional()])
