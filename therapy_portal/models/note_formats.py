"""Note formats and the session facts' choices, as data (clinical.md §4.1–4.2).

Data about the notes vocabulary, with no application imports: the policy (what a partner's copy
carries) and the notes area both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from therapy_portal.models.notes import (
    AddendumKind,
    Attendees,
    AuthorizationMethod,
    Modality,
    NoteFormat,
    ServiceCode,
)


def N_(text: str) -> str:
    """Mark `text` for the catalogue (`pybabel extract` reads `N_`); it is translated where it is
    shown. The models layer may not import `therapy_portal.i18n`, hence this local copy."""
    return text


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    guidance: str
    # Screened with each partner alone: never in the other partner's copy of a joint note.
    individually_screened: bool = False


@dataclass(frozen=True)
class Part:
    """A note field outside the format's sections, as the note form and a records copy see it."""

    key: str
    title: str
    individually_screened: bool = False


@dataclass(frozen=True)
class FormatDefinition:
    key: NoteFormat
    name: str
    sections: tuple[Section, ...]


_PLAN = Section(
    "plan",
    N_("Plan"),
    N_(
        "Interventions planned, homework assigned (exercise, cadence, due date), referrals, "
        "next steps."
    ),
)

FORMATS: dict[str, FormatDefinition] = {
    f.key: f
    for f in (
        FormatDefinition(
            NoteFormat.SOAP,
            "SOAP",
            (
                Section(
                    "subjective",
                    N_("Subjective"),
                    N_(
                        "Each partner's report in their own words: concerns, quotes, "
                        "how the homework went."
                    ),
                ),
                Section(
                    "objective",
                    N_("Objective"),
                    N_(
                        "What you observed: affect, interaction pattern (e.g. pursue–withdraw), "
                        "escalation or repair, measure scores from check-ins."
                    ),
                ),
                Section(
                    "assessment",
                    N_("Assessment"),
                    N_("Your clinical interpretation, progress toward treatment-plan goals, risk."),
                ),
                _PLAN,
            ),
        ),
        FormatDefinition(
            NoteFormat.DAP,
            "DAP",
            (
                Section(
                    "data",
                    N_("Data"),
                    N_(
                        "What was said, observed and measured: each partner's report and "
                        "your observations."
                    ),
                ),
                Section(
                    "assessment",
                    N_("Assessment"),
                    N_("Your clinical interpretation, progress toward treatment-plan goals, risk."),
                ),
                _PLAN,
            ),
        ),
        FormatDefinition(
            NoteFormat.BIRP,
            "BIRP",
            (
                Section(
                    "behavior",
                    N_("Behavior"),
                    N_("Presenting behaviours and observations of each partner and of the couple."),
                ),
                Section(
                    "intervention",
                    N_("Intervention"),
                    N_(
                        "What you did, e.g. an EFT enactment, soft start-up coaching, "
                        "unified detachment."
                    ),
                ),
                Section(
                    "response",
                    N_("Response"),
                    N_("How each partner responded to the interventions."),
                ),
                _PLAN,
            ),
        ),
        FormatDefinition(
            NoteFormat.GIRP,
            "GIRP",
            (
                Section(
                    "goal",
                    N_("Goal"),
                    N_("The treatment-plan goal or goals this session addressed."),
                ),
                Section(
                    "intervention",
                    N_("Intervention"),
                    N_("What you did toward the goal, including homework reviewed."),
                ),
                Section(
                    "response",
                    N_("Response"),
                    N_("How each partner responded; progress toward the goal."),
                ),
                _PLAN,
            ),
        ),
    )
}

FORMAT_CHOICES = [
    (f.key, f"{f.name}: {' / '.join(s.title for s in f.sections)}") for f in FORMATS.values()
]
# The fields every format has after its sections, in the order the note shows them.
FIELD_PARTS: tuple[Part, ...] = (
    Part("interventions", N_("Interventions")),
    Part("risk_screening", N_("Risk screening"), individually_screened=True),
    Part("next_session", N_("Next session")),
    Part("digest", N_("Since the last session")),
)
ATTENDEES = {
    Attendees.BOTH: N_("Both partners"),
    Attendees.A: N_("Partner A only"),
    Attendees.B: N_("Partner B only"),
}
SERVICE_CODES = {
    ServiceCode.CONJOINT: N_("90847: conjoint psychotherapy, client present"),
    ServiceCode.WITHOUT_CLIENT: N_("90846: psychotherapy without the client present"),
}
MODALITIES = {Modality.IN_PERSON: N_("In person"), Modality.VIDEO: N_("Video")}
ADDENDUM_KINDS = {
    AddendumKind.CORRECTION: N_("Correction"),
    AddendumKind.LATE_ENTRY: N_("Late entry"),
    AddendumKind.CLARIFICATION: N_("Clarification"),
}
AUTHORIZATION_METHODS = {
    AuthorizationMethod.WRITTEN: N_("Signed written authorization"),
    AuthorizationMethod.ELECTRONIC: N_("Electronic signature"),
    AuthorizationMethod.VERBAL: N_("Verbal, documented in session"),
}

# Longest text accepted in one field: about 50 printed pages, far above a real note.
FIELD_LIMIT = 200_000
