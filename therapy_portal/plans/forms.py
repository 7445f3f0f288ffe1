"""Forms of the plan editor: the plan's text, review date and goals (rows of fixed fields)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from therapy_portal.i18n import lazy_gettext
from therapy_portal.measures import INSTRUMENTS
from therapy_portal.models.plans import Comparator, TargetKind, TargetWho
from therapy_portal.plans.services import GoalInput, PlanInput
from therapy_portal.plans.targets import COMPARATOR_WORDS, KIND_WORDS, WHO_WORDS, Target

GOAL_ROWS = 5


class GoalForm(Form):
    description = StringField(lazy_gettext("Goal"), validators=[Optional(), Length(max=500)])
    # The service checks every choice (`targets.check_target`); an empty row has none.
    target_kind = SelectField(
        lazy_gettext("Measured by"),
        validate_choice=False,
        choices=[SelectChoice(k.value, KIND_WORDS[k]) for k in TargetKind],
    )
    instrument = SelectField(
        lazy_gettext("Check-in"),
        validate_choice=False,
        choices=[SelectChoice("", lazy_gettext("(homework goals: none)"))]
        + [SelectChoice(k, i.name) for k, i in INSTRUMENTS.items()],
    )
    who = SelectField(
        lazy_gettext("Whose score"),
        validate_choice=False,
        choices=[SelectChoice(w.value, WHO_WORDS[w]) for w in TargetWho],
    )
    comparator = SelectField(
        lazy_gettext("Comparison"),
        validate_choice=False,
        choices=[SelectChoice(c.value, COMPARATOR_WORDS[c]) for c in Comparator],
    )
    threshold = IntegerField(
        lazy_gettext("Target score, or % of homework done"),
        validators=[Optional(), NumberRange(min=0, max=100)],
    )

    def goal_input(self) -> GoalInput:
        return GoalInput(
            self.description.data or "",
            Target(
                self.target_kind.data,
                self.instrument.data or "",
                self.comparator.data,
                self.threshold.data,
                self.who.data,
            ),
        )


class PlanForm(FlaskForm):
    presenting_problems = TextAreaField(
        lazy_gettext("Presenting problems"), validators=[Length(max=20_000)]
    )
    goals = FieldList(FormField(GoalForm), min_entries=GOAL_ROWS, max_entries=GOAL_ROWS)
    interventions = TextAreaField(lazy_gettext("Interventions"), validators=[Length(max=20_000)])
    review_on = DateField(lazy_gettext("Review date"), validators=[Optional()])

    def plan_input(self) -> PlanInput:
        return PlanInput(
            self.presenting_problems.data or "",
            self.interventions.data or "",
            self.review_on.data,
            [row.form.goal_input() for row in self.goals],
        )

    def fill(self, version) -> None:
        """Show a saved version (goal rows beyond its goals stay empty)."""
        self.presenting_problems.data = version.presenting_problems
        self.interventions.data = version.interventions
        self.review_on.data = version.review_on
        for row, goal in zip(self.goals, version.goals, strict=False):
            sub = row.form
            sub.description.data, sub.target_kind.data = goal.description, goal.target_kind
            sub.instrument.data, sub.who.data = goal.instrument, goal.who
            sub.comparator.data, sub.threshold.data = goal.comparator, goal.threshold


class LinkForm(FlaskForm):
    """Link a piece of homework or a check-in schedule to a goal ("a:<id>" or "s:<id>")."""

    work = SelectField(lazy_gettext("Link homework or a check-in"), choices=[])


class PageForm(FlaskForm):
    """A button with no fields (sign, amend, unlink)."""
