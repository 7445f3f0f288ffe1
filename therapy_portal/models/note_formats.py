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
    "Plan",
    "Interventions planned, homework assigned (exercise, cadence, due date), referrals, "
    "next steps.",
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
                    "Subjective",
                    "Each partner's report in their own words: concerns, quotes, "
                    "how the homework went.",
                ),
                Section(
                    "objective",
                    "Objective",
                    "What you observed: affect, interaction pattern (e.g. pursue–withdraw), "
                    "escalation or repair, measure scores from check-ins.",
                ),
                Section(
                    "assessment",
                    "Assessment",
                    "Your clinical interpretation, progress toward treatment-plan goals, risk.",
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
                    "Data",
                    "What was said, observed and measured: each partner's report and "
                    "your observations.",
                ),
                Section(
                    "assessment",
                    "Assessment",
                    "Your clinical interpretation, progress toward treatment-plan goals, risk.",
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
                    "Behavior",
                    "Presenting behaviours and observations of each partner and of the couple.",
                ),
                Section(
                    "intervention",
                    "Intervention",
                    "What you did, e.g. an EFT enactment, soft start-up coaching, "
                    "unified detachment.",
                ),
                Section("response", "Response", "How each partner responded to the interventions."),
                _PLAN,
            ),
        ),
        FormatDefinition(
            NoteFormat.GIRP,
            "GIRP",
            (
                Section("goal", "Goal", "The treatment-plan goal or goals this session addressed."),
                Section(
                    "intervention",
                    "Intervention",
                    "What you did toward the goal, including homework reviewed.",
                ),
                Section(
                    "response", "Response", "How each partner responded; progress toward the goal."
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
    Part("interventions", "Interventions"),
    Part("risk_screening", "Risk screening", individually_screened=True),
    Part("next_session", "Next session"),
    Part("digest", "Since the last session"),
)
ATTENDEES = {
    Attendees.BOTH: "Both partners",
    Attendees.A: "Partner A only",
    Attendees.B: "Partner B only",
}
SERVICE_CODES = {
    ServiceCode.CONJOINT: "90847: conjoint psychotherapy, client present",
    ServiceCode.WITHOUT_CLIENT: "90846: psychotherapy without the client present",
}
MODALITIES = {Modality.IN_PERSON: "In person", Modality.VIDEO: "Video"}
ADDENDUM_KINDS = {
    AddendumKind.CORRECTION: "Correction",
    AddendumKind.LATE_ENTRY: "Late entry",
    AddendumKind.CLARIFICATION: "Clarification",
}
AUTHORIZATION_METHODS = {
    AuthorizationMethod.WRITTEN: "Signed written authorization",
    AuthorizationMethod.ELECTRONIC: "Electronic signature",
    AuthorizationMethod.VERBAL: "Verbal, documented in session",
}

# Longest text accepted in one field: about 50 printed pages, far above a real note.
FIELD_LIMIT = 200_000
