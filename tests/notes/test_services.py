"""Note use cases without HTTP: drafts, conflicts, bad input, digest, signing, addenda."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select, update

from tests import clock
from tests.notes.factories import facts, make_note, note_input
from therapy_portal.errors import Conflict, InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.models.note_formats import FORMATS
from therapy_portal.models.notes import SessionNote
from therapy_portal.notes import addenda, reading, services, since_last
from therapy_portal.notes import digest as digests
from therapy_portal.ui import dates


def _actions(note_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_id == note_id, AuditEvent.object_type == "session_note")
            .order_by(AuditEvent.id)
        )
    )


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_keeps_its_own_sections(people, fmt):
    note = make_note(people["therapist"], people["couple"], fmt=fmt)
    assert list(note.sections) == [s.key for s in FORMATS[fmt].sections]
    assert all(FORMATS[fmt].sections[i].guidance for i in range(len(FORMATS[fmt].sections)))


def test_draft_save_bumps_version_and_audits(people):
    note = make_note(people["therapist"], people["couple"])
    version = note.version
    services.save_draft(people["therapist"], note, note_input(note, interventions="EFT"), version)
    assert note.version == version + 1
    assert note.interventions == "EFT"
    assert _actions(note.id).count("note.save") == 2


def test_stale_save_is_a_conflict_and_changes_nothing(people):
    note = make_note(people["therapist"], people["couple"])
    stale = note.version
    services.save_draft(people["therapist"], note, note_input(note, interventions="Tab one"), stale)
    with pytest.raises(Conflict) as caught:
        services.save_draft(
            people["therapist"], note, note_input(note, interventions="Tab two"), stale
        )
    assert caught.value.context["server_version"] == note.version
    assert note.interventions == "Tab one"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"session_date": None}, "session_date", "Enter the session date."),
        (
            {"session_date": clock.today() + timedelta(days=2)},
            "session_date",
            "The session date can't be in the future.",
        ),
        (
            {"start_time": time(11, 0), "end_time": time(10, 0)},
            "end_time",
            "The end time must be after the start time.",
        ),
        ({"attendees": "C"}, "attendees", "Choose one of the options."),
    ],
)
def test_bad_session_facts_are_refused_with_a_clear_message(people, changes, field, message):
    with pytest.raises(ValidationFailed) as caught:
        services.create_note(people["therapist"], people["couple"], facts(**changes))
    assert (caught.value.field, caught.value.message) == (field, message)


def test_signing_an_empty_note_is_refused(people):
    note = services.create_note(people["therapist"], people["couple"], facts())
    with pytest.raises(ValidationFailed, match="This note is empty"):
        services.sign_note(people["therapist"], note)
    assert note.status == "draft"


def test_signing_needs_start_and_end_time(people):
    note = make_note(people["therapist"], people["couple"])
    note.start_time = None
    with pytest.raises(ValidationFailed, match="start and end time"):
        services.sign_note(people["therapist"], note)


def test_sign_records_signer_credentials_time_and_hmac(people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    assert note.status == "signed"
    assert (note.signer_name, note.signer_credentials) == ("Robin Hale", "LMFT")
    assert note.signed_at is not None and len(note.signature) == 64
    assert "note.sign" in _actions(note.id)


def test_editing_a_signed_note_is_refused(people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    with pytest.raises(InvalidState, match="Add an addendum instead"):
        services.save_draft(people["therapist"], note, note_input(note), note.version)


def test_only_the_author_edits_a_draft(people):
    note = make_note(people["therapist"], people["couple"])
    with pytest.raises(InvalidState, match="Only the therapist who wrote"):
        services.save_draft(people["co"], note, note_input(note), note.version)


def test_addendum_to_a_draft_is_refused(people):
    note = make_note(people["therapist"], people["couple"])
    with pytest.raises(InvalidState, match="Addenda are for signed notes"):
        addenda.add_addendum(people["therapist"], note, "correction", "Typo", "Corrected text")


def test_addenda_are_numbered_in_order_and_co_therapist_may_add(people):
    note = make_note(people["therapist"], people["couple"], signed=True, addenda=1)
    second = addenda.add_addendum(people["co"], note, "late_entry", "Forgot", "Late text")
    assert second.position == 2 and second.author_credentials == "LPCC"


@pytest.mark.parametrize(
    ("kind", "reason", "body", "field"),
    [
        ("nonsense", "r", "b", "kind"),
        ("correction", " ", "b", "reason"),
        ("correction", "r", "  ", "body"),
    ],
)
def test_addendum_bad_input_names_the_field(people, kind, reason, body, field):
    note = make_note(people["therapist"], people["couple"], signed=True)
    with pytest.raises(ValidationFailed) as caught:
        addenda.add_addendum(people["therapist"], note, kind, reason, body)
    assert caught.value.field == field


def test_notes_of_another_therapists_couple_are_not_found(people):
    with pytest.raises(NotAllowed):
        services.create_note(people["outsider"], people["couple"], facts())
    note = make_note(people["therapist"], people["couple"])
    with pytest.raises(NotAllowed):
        reading.view_note(people["outsider"], note.id)


def test_overlong_field_is_refused_not_truncated(people):
    note = make_note(people["therapist"], people["couple"])
    huge = "x" * 200_001
    with pytest.raises(ValidationFailed) as caught:
        services.save_draft(
            people["therapist"], note, note_input(note, interventions=huge), note.version
        )
    assert caught.value.field == "interventions"


def test_digest_comes_from_registered_providers_for_the_window_since_last_session(
    people, homework_provider
):
    therapist, couple = people["therapist"], people["couple"]
    earlier = make_note(therapist, couple, session_date=clock.today() - timedelta(days=8))
    note = make_note(therapist, couple)
    text = since_last.build_digest(therapist, note)
    assert text.splitlines()[0] == f"Since the last session ({dates.day(earlier.session_date)})"
    assert "- Assigned: Soft start-up practice (due Friday)" in text
    assert "Measures" not in text  # a section with no lines is left out
    couple_id, since, until = homework_provider.calls[-1]
    assert couple_id == couple.id and since.date() == earlier.session_date and since < until


def test_digest_without_providers_says_nothing_was_recorded(people):
    note = make_note(people["therapist"], people["couple"])
    assert since_last.build_digest(people["therapist"], note).endswith(digests.EMPTY_DIGEST)


def test_inserting_the_digest_keeps_text_already_there(people, homework_provider):
    note = make_note(people["therapist"], people["couple"])
    data = note_input(note, digest="My own summary.")
    services.insert_digest(people["therapist"], note, data, note.version)
    assert note.digest.startswith(
        "My own summary.\n\nFrom the start of therapy to this session (no earlier note)"
    )
    assert "Completed by partner A: Daily appreciation log" in note.digest


def test_signed_digest_is_part_of_the_signed_content(people, homework_provider):
    note = make_note(people["therapist"], people["couple"])
    services.insert_digest(people["therapist"], note, note_input(note), note.version)
    services.sign_note(people["therapist"], note)
    note.digest = note.digest + " edited"
    from therapy_portal.notes import signing

    assert not signing.verify(note, []).ok
    db.session.rollback()


def test_list_notes_pages_newest_first(people):
    therapist, couple = people["therapist"], people["couple"]
    for days in (3, 1, 2):
        make_note(therapist, couple, session_date=clock.today() - timedelta(days=days))
    page = reading.list_notes(therapist, couple=couple, per_page=2)
    assert page.page.total == 3 and page.page.has_more
    assert [n.session_date for n in page.notes] == [
        clock.today() - timedelta(days=1),
        clock.today() - timedelta(days=2),
    ]
    rest = reading.list_notes(therapist, couple=couple, per_page=2, after=page.page.next_after)
    assert [n.session_date for n in rest.notes] == [clock.today() - timedelta(days=3)]
    assert not rest.page.has_more
    assert reading.list_notes(people["outsider"]).notes == []


def test_deleting_a_draft_is_allowed_but_not_a_signed_note(people):
    draft = make_note(people["therapist"], people["couple"])
    services.delete_draft(people["therapist"], draft)
    assert db.session.get(SessionNote, draft.id) is None
    signed = make_note(people["therapist"], people["couple"], signed=True)
    with pytest.raises(InvalidState):
        services.delete_draft(people["therapist"], signed)


def test_a_note_save_that_lands_between_reading_and_writing_is_a_conflict_not_an_error(people):
    note = make_note(people["therapist"], people["couple"])
    db.session.commit()
    version = note.version  # this request has read the note...
    with db.engine.begin() as other:  # ...when another tab's save commits
        other.execute(
            update(SessionNote)
            .where(SessionNote.id == note.id)
            .values(sections={"data": "From the other tab."}, version=version + 1)
        )
    with pytest.raises(Conflict, match="saved in another tab"):
        services.save_draft(
            people["therapist"], note, note_input(note, sections={"data": "Mine."}), version
        )
    db.session.rollback()
    assert db.session.get(SessionNote, note.id).sections == {"data": "From the other tab."}
