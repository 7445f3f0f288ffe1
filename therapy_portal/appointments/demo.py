"""Demo sessions of the demo therapist: a past session with the signed note started from it, a
past session without a note (Patel & Nguyen), and a weekly online series from tomorrow for the
first couple."""

from __future__ import annotations

from datetime import time, timedelta

from therapy_portal.appointments import notes_link, services
from therapy_portal.appointments.rules import Repeat, SessionInput
from therapy_portal.extensions import db
from therapy_portal.notes import services as notes
from therapy_portal.notes.services import NoteInput, SessionFacts
from therapy_portal.policy import appointments as policy
from therapy_portal.timezones import practice_today

DEMO_LINK = "https://video.example.org/riverside/maya-chen"
DEMO_NOTE = {
    "data": "First joint session. Priya and Minh described the week; both named the evening "
    "routine as the hardest time.",
    "assessment": "Engaged, no current risk reported.",
    "plan": "Daily appreciation log; meet again next week.",
}


def add_demo_sessions(world: dict) -> None:
    therapist = world["staff"][1]
    first, third = world["couples"][0][0], world["couples"][2][0]
    today = practice_today(therapist)

    def past(couple, days_ago: int):
        data = SessionInput(today - timedelta(days=days_ago), time(17, 0), 50, recorded=True)
        return services.schedule(therapist, couple, data)[0]

    attended = policy.appointment_for_therapist_or_404(therapist, past(third, 10).id)
    note = notes_link.start_note(therapist, attended, "dap")
    facts = SessionFacts(
        note.session_date, note.start_time, note.end_time, "both", "90847", "in_person", "dap"
    )
    notes.save_draft(therapist, note, NoteInput(facts, DEMO_NOTE), note.version)
    notes.sign_note(therapist, note)
    past(third, 3)  # no note yet: the Today page lists it
    weekly = SessionInput(
        today + timedelta(days=1),
        time(17, 0),
        50,
        modality="online",
        meeting_link=DEMO_LINK,
        repeat=Repeat.WEEKLY,
        occurrences=8,
        allow_overlap=True,
    )
    services.schedule(therapist, first, weekly)
    db.session.flush()
