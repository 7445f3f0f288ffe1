"""Access expectations for session notes, exports, records requests and psychotherapy notes."""

from __future__ import annotations

from datetime import timedelta

from tests import clock
from tests.access.core import ANY_THERAPIST, THERAPIST_C1
from tests.factories import World
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.notes import NoteExport, PsychotherapyNote
from therapy_portal.notes import services

EXPECTED = {
    "notes.index": ANY_THERAPIST,
    "notes.export_range": ANY_THERAPIST,
    "notes.couple_notes": THERAPIST_C1,
    "notes.new": THERAPIST_C1,
    "notes.edit": THERAPIST_C1,
    "notes.insert_digest": THERAPIST_C1,
    "notes.sign": THERAPIST_C1,
    "notes.autosave": THERAPIST_C1,
    "notes.delete_draft": THERAPIST_C1,
    "notes.detail": THERAPIST_C1,
    "notes.add_addendum": THERAPIST_C1,
    "notes.pdf": THERAPIST_C1,
    "notes.export_couple": THERAPIST_C1,
    # An export job is visible to the therapist who asked for it, and nobody else.
    "notes.export_status": THERAPIST_C1,
    "notes.export_progress": THERAPIST_C1,
    "notes.export_download": THERAPIST_C1,
    "notes.records_request": THERAPIST_C1,
    "notes.record_authorization": THERAPIST_C1,
    "notes.release_record": THERAPIST_C1,
    # The full record for another system: the couple's therapist (released like the full record).
    "notes.records_fhir": THERAPIST_C1,
    "notes.copy_preview": THERAPIST_C1,
    "notes.mark_parts": THERAPIST_C1,
    "notes.private_notes": THERAPIST_C1,
    # Psychotherapy notes: the author only (here "therapist").
    "notes.private_note": THERAPIST_C1,
}


def params(world: World) -> dict:
    therapist = db.session.get(User, world.ids["therapist"])
    couple = db.session.get(Couple, world.couple_ids["c1"])
    note = services.create_note(
        therapist,
        couple,
        services.SessionFacts(
            clock.today() - timedelta(days=1), None, None, "both", "90847", "in_person", "dap"
        ),
    )
    job = NoteExport(
        practice_id=therapist.practice_id,
        requested_by_id=therapist.id,
        kind="couple",
        couple_id=couple.id,
    )
    private = PsychotherapyNote(
        practice_id=therapist.practice_id,
        couple_id=couple.id,
        author_id=therapist.id,
        session_date=clock.today(),
        body="Process note.",
    )
    db.session.add_all([job, private])
    db.session.commit()
    return {
        "note_id": note.id,
        "export_id": job.id,
        "private_note_id": private.id,
        "label": "A",
    }
