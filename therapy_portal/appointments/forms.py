"""Forms for sessions. Field validators check shape; the services check the rules
(`appointments.rules`), and their refusals are shown next to the field they name."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Optional

from therapy_portal.appointments.rules import DETAILS_LIMIT, Repeat, SessionInput
from therapy_portal.i18n import gettext, lazy_gettext
from therapy_portal.models import Couple
from therapy_portal.models.appointments import MODALITY_LABELS, AppointmentStatus
from therapy_portal.models.note_formats import FORMAT_CHOICES, SERVICE_CODES

REPEAT_CHOICES = [
    SelectChoice(Repeat.NONE.value, lazy_gettext("Does not repeat")),
    SelectChoice(Repeat.WEEKLY.value, lazy_gettext("Every week")),
    SelectChoice(Repeat.EVERY_N_WEEKS.value, lazy_gettext("Every few weeks")),
]


class DetailsForm(FlaskForm):
    """When and how a session takes place: shared by scheduling and rescheduling."""

    starts_on = DateField(lazy_gettext("Date"), validators=[Optional()])
    start_time = TimeField(lazy_gettext("Start time"), validators=[Optional()])
    duration_minutes = IntegerField(
        lazy_gettext("Duration in minutes"),
        default=50,
        description=lazy_gettext("From 1 minute to 480 (8 hours)."),
        validators=[Optional()],
    )
    modality = RadioField(
        lazy_gettext("Where"),
        choices=[SelectChoice(k.value, v) for k, v in MODALITY_LABELS.items()],
        default="in_person",
        validators=[InputRequired(lazy_gettext("Choose in person or online."))],
    )
    meeting_link = StringField(
        lazy_gettext("Meeting link"),
        description=lazy_gettext(
            "For an online session. Shown only to the people in the session after "
            "they sign in; never in an email or a calendar feed."
        ),
        validators=[Optional()],
    )
    service_code = RadioField(
        lazy_gettext("Service code"),
        choices=[SelectChoice(k, v) for k, v in SERVICE_CODES.items()],
        default="90847",
        validators=[InputRequired(lazy_gettext("Choose the service code."))],
    )
    details = TextAreaField(
        lazy_gettext("Details for the people in the session"),
        description=f"Optional, up to {DETAILS_LIMIT:,} characters, e.g. the room. Shown on "
        "their session page only.",
        validators=[Optional()],
    )
    allow_overlap = BooleanField(lazy_gettext("Schedule it anyway, overlapping my other session"))

    def session_input(self, **more) -> SessionInput:
        return SessionInput(
            starts_on=self.starts_on.data,
            start_time=self.start_time.data,
            duration_minutes=self.duration_minutes.data,
            modality=self.modality.data or "",
            meeting_link=self.meeting_link.data or "",
            service_code=self.service_code.data or "",
            details=self.details.data or "",
            allow_overlap=bool(self.allow_overlap.data),
            **more,
        )


class ScheduleForm(DetailsForm):
    attendees = RadioField(
        lazy_gettext("Who the session is for"),
        default="both",
        validators=[InputRequired(lazy_gettext("Choose who the session is for."))],
    )
    repeat = RadioField(lazy_gettext("Repeats"), choices=REPEAT_CHOICES, default=Repeat.NONE.value)
    every_weeks = IntegerField(
        lazy_gettext("Every how many weeks"),
        description=lazy_gettext("For “every few weeks”: 2 to 12."),
        validators=[Optional()],
    )
    ends_on = DateField(lazy_gettext("Last date"), validators=[Optional()])
    occurrences = IntegerField(
        lazy_gettext("Number of sessions"),
        description=lazy_gettext(
            "A repeating session needs an end: a last date or a number of sessions."
        ),
        validators=[Optional()],
    )
    recorded = BooleanField(lazy_gettext("This session already happened: I am recording it"))

    def for_couple(self, couple: Couple) -> ScheduleForm:
        self.attendees.choices = [SelectChoice("both", gettext("Both partners"))] + [
            SelectChoice(m.label, f"{m.user.name} only (partner {m.label})") for m in couple.members
        ]
        return self

    def schedule_input(self) -> SessionInput:
        return self.session_input(
            attendees=self.attendees.data or "",
            repeat=self.repeat.data or Repeat.NONE,
            every_weeks=self.every_weeks.data,
            ends_on=self.ends_on.data,
            occurrences=self.occurrences.data,
            recorded=bool(self.recorded.data),
        )


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        lazy_gettext("What happened"),
        choices=[
            SelectChoice(AppointmentStatus.ATTENDED.value, lazy_gettext("Attended")),
            SelectChoice(AppointmentStatus.LATE_CANCELLED.value, lazy_gettext("Late-cancelled")),
            SelectChoice(AppointmentStatus.NO_SHOW.value, lazy_gettext("No-show")),
        ],
        validators=[InputRequired(lazy_gettext("Choose what happened."))],
    )


class CancelForm(FlaskForm):
    rest_of_series = BooleanField(lazy_gettext("Also cancel the later sessions of this series"))


class StartNoteForm(FlaskForm):
    format = RadioField(
        lazy_gettext("Note format"),
        choices=[SelectChoice(k, v) for k, v in FORMAT_CHOICES],
        default="dap",
        validators=[InputRequired(lazy_gettext("Choose a note format."))],
    )


class ReminderForm(FlaskForm):
    remind_24h = BooleanField(lazy_gettext("24 hours before"))
    remind_2h = BooleanField(lazy_gettext("2 hours before"))


class PageForm(FlaskForm):
    """A button with no fields (CSRF only)."""
