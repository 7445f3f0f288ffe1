"""The living style page's sample content: a form shown with its errors, a table, a chart.
Made-up values only; nothing here reads the database."""

from __future__ import annotations

import base64

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired

from therapy_portal.measures.charts import progress_chart_svg


class SampleForm(FlaskForm):
    """Every kind of control, validated empty so each shows its error."""

    class Meta:
        csrf = False

    name = StringField("Partner's name", validators=[DataRequired("Enter the partner's name.")])
    when = DateField("First session", validators=[InputRequired("Enter the date.")])
    starts = TimeField("Starts at", validators=[InputRequired("Enter the time.")])
    cadence = SelectField(
        "How often",
        choices=[
            SelectChoice("weekly", "Every week"),
            SelectChoice("fortnightly", "Every two weeks"),
        ],
        validate_choice=False,
    )
    mode = RadioField(
        "Who answers",
        choices=[
            SelectChoice("each", "Each partner on their own"),
            SelectChoice("joint", "Together"),
        ],
        validators=[InputRequired("Choose who answers.")],
    )
    reminder = BooleanField("Send a reminder the day before")
    notes = TextAreaField("Notes", description="Only you can see this.")


SAMPLE_SERIES = {
    "Sam Rivera": [("2026-10-05", 9.0), ("2026-10-19", 12.0), ("2026-11-02", 15.0)],
    "Alex Brooks": [("2026-10-05", 14.0), ("2026-10-19", 15.0), ("2026-11-02", 17.0)],
}


def sample_chart() -> str:
    """The sample progress chart as a data URI for an <img> (its styles apply under the CSP)."""
    svg = progress_chart_svg(
        "Couples Satisfaction Index (CSI-4)",
        SAMPLE_SERIES,
        13.5,
        y_range=(0, 21),
        show_gap=True,
        cutoff_label="Distress cut-off",
        chart_id="style-sample",
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def sample_form() -> SampleForm:
    form = SampleForm(data={})
    form.validate()
    return form
