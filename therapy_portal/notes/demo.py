"""Demo session notes: a signed history with an addendum and one draft for the first couple."""

from __future__ import annotations

from datetime import time, timedelta

from therapy_portal.models.notes import AddendumKind, Attendees, Modality, NoteFormat, ServiceCode
from therapy_portal.notes import addenda, services
from therapy_portal.notes.services import NoteInput, SessionFacts

_SESSIONS = [
    (
        21,
        {
            "data": (
                "Sam described feeling unheard when plans change at short notice; Alex said "
                "they withdraw when the conversation starts with criticism. Clear "
                "pursue-withdraw cycle in session. CSI-4 this week: Sam 12, Alex 14."
            ),
            "assessment": "Both partners engaged and able to name the cycle. No current risk.",
            "plan": (
                "Soft start-up practice twice this week; daily appreciation log. Meet in 7 days."
            ),
        },
    ),
    (
        14,
        {
            "data": "Both completed the appreciation log on most days. Alex used a soft start-up "
            "about the weekend schedule; Sam noticed and said it helped.",
            "assessment": "Early de-escalation; repair attempts are being received.",
            "plan": "Continue the log; add a weekly state-of-us check-in. Meet in 7 days.",
        },
    ),
]


def _facts(day, modality: Modality) -> SessionFacts:
    """A 50-minute DAP session with both partners, at 17:00."""
    return SessionFacts(
        day,
        time(17, 0),
        time(17, 50),
        Attendees.BOTH,
        ServiceCode.CONJOINT,
        modality,
        NoteFormat.DAP,
    )


def add_demo_notes(world: dict) -> None:
    therapist = world["staff"][1]
    couple = world["couples"][0][0]
    today = services.practice_today(therapist)
    signed = []
    for days_ago, sections in _SESSIONS:
        facts = _facts(today - timedelta(days=days_ago), Modality.IN_PERSON)
        note = services.create_note(therapist, couple, facts)
        services.save_draft(
            therapist,
            note,
            NoteInput(
                facts,
                sections,
                interventions="EFT cycle mapping; soft start-up coaching.",
                risk_screening="Screened individually for IPV and self-harm: none reported.",
                next_session="Same time next week",
            ),
            note.version,
        )
        signed.append(services.sign_note(therapist, note))
    addenda.add_addendum(
        therapist,
        signed[0],
        AddendumKind.CORRECTION,
        "Score recorded for the wrong partner",
        "The CSI-4 scores in the previous entry were swapped: Sam 14, Alex 12.",
    )
    facts = _facts(today - timedelta(days=7), Modality.VIDEO)
    draft = services.create_note(therapist, couple, facts)
    services.save_draft(
        therapist,
        draft,
        NoteInput(facts, {"data": "Session by video. Both reported a calmer week."}),
        draft.version,
    )
