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
from therapy_portal.i18n import lazy_gettext
from therapy_portal.models import Couple
from therapy_portal.models.appointments import MODALITY_LABELS, AppointmentStatus
from therapy_portal.models.note_formats import FORMAT_CHOICES, SERVICE_CODES

REPEAT_CHOICES = [
    SelectChoice(Repeat.NONE.value, "Does not repeat"),
    SelectChoice(Repeat.WEEKLY.value, "Every week"),
    SelectChoice(Repeat.EVERY_N_WEEKS.value, "Every few weeks"),
]


class DetailsForm(FlaskForm):
    """When and how a session takes place: shared by scheduling and rescheduling."""

    starts_on = DateField("Date", validators=[Optional()])
    start_time = TimeField("Start time", validators=[Optional()])
    duration_minutes = IntegerField(
        "Duration in minutes",
        default=50,
        description="From 1 minute to 480 (8 hours).",
        validators=[Optional()],
    )
    modality = RadioField(
        "Where",
        choices=[SelectChoice(k.value, v) for k, v in MODALITY_LABELS.items()],
        default="in_person",
        validators=[InputRequired("Choose in person or online.")],
    )
    meeting_link = StringField(
        "Meeting link",
        description="For an online session. Shown only to the people in the session after "
        "they sign in; never in an email or a calendar feed.",
        validators=[Optional()],
    )
    service_code = RadioField(
        "Service code",
        choices=[SelectChoice(k, v) for k, v in SERVICE_CODES.items()],
        default="90847",
        validators=[InputRequired("Choose the service code.")],
    )
    details = TextAreaField(
        "Details for the people in the session",
        description=f"Optional, up to {DETAILS_LIMIT:,} characters, e.g. the room. Shown on "
        "their session page only.",
        validators=[Optional()],
    )
    allow_overlap = BooleanField("Schedule it anyway, overlapping my other session")

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
        "Who the session is for",
        default="both",
        validators=[InputRequired("Choose who the session is for.")],
    )
    repeat = RadioField("Repeats", choices=REPEAT_CHOICES, default=Repeat.NONE.value)
    every_weeks = IntegerField(
        "Every how many weeks",
        description="For “every few weeks”: 2 to 12.",
        validators=[Optional()],
    )
    ends_on = DateField("Last date", validators=[Optional()])
    occurrences = IntegerField(
        "Number of sessions",
        description="A repeating session needs an end: a last date or a number of sessions.",
        validators=[Optional()],
    )
    recorded = BooleanField("This session already happened: I am recording it")

    def for_couple(self, couple: Couple) -> ScheduleForm:
        self.attendees.choices = [SelectChoice("both", "Both partners")] + [
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
        "What happened",
        choices=[
            SelectChoice(AppointmentStatus.ATTENDED.value, "Attended"),
            SelectChoice(AppointmentStatus.LATE_CANCELLED.value, "Late-cancelled"),
            SelectChoice(AppointmentStatus.NO_SHOW.value, "No-show"),
        ],
        validators=[InputRequired("Choose what happened.")],
    )


class CancelForm(FlaskForm):
    rest_of_series = BooleanField("Also cancel the later sessions of this series")


class StartNoteForm(FlaskForm):
    format = RadioField(
        "Note format",
        choices=[SelectChoice(k, v) for k, v in FORMAT_CHOICES],
        default="dap",
        validators=[InputRequired("Choose a note format.")],
    )


class ReminderForm(FlaskForm):
    remind_24h = BooleanField(lazy_gettext("24 hours before"))
    remind_2h = BooleanField(lazy_gettext("2 hours before"))


class PageForm(FlaskForm):
    """A button with no fields (CSRF only)."""
