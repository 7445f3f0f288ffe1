"""A seeded world where every kind of private text carries its own canary string.

Couple One (therapist T, partners A and B) holds partner A's private homework (one answer per
visibility rule, a list item, photos under two rules and on a draft, drafts, a kept conflict copy,
feedback and a return note for A only), A's check-ins with a safety flag, session notes (a joint
note with an individually screened risk screening and a part marked "not for partner copies", a
session A attended alone, an unsigned draft), a psychotherapy note, three records copies (the full
record, A's and B's), and a session for A alone (its details and meeting link) next to a joint one.
A's private message thread holds A's message and the therapist's reply. Outsiders get their own
couples and practices so that every route has ids to walk.

Canaries are upper-case letters and digits only: PDF text extraction may break lines at hyphens
and join ligatures, so the checks compare text with all whitespace removed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import time, timedelta

from PIL import Image
from sqlalchemy import select

from tests import clock, privacy_walk
from tests.factories import build_people, make_user, partner
from tests.homework.factories import assign, loaded_response, make_version, seat
from therapy_portal import policy
from therapy_portal.admin import emergency
from therapy_portal.extensions import db
from therapy_portal.homework import services as homework
from therapy_portal.homework.photo_images import clean_photo
from therapy_portal.homework.services.photos import PhotoChanges, Upload
from therapy_portal.measures import checkins
from therapy_portal.measures import services as measures
from therapy_portal.models import Couple, Role, User, utcnow
from therapy_portal.models.homework import Occurrence, Response
from therapy_portal.models.notes import NoteExport
from therapy_portal.notes import copies, jobs, records
from therapy_portal.notes import services as notes


def _photo(colour: str) -> bytes:
    """A small PNG of one colour (each private photo its own, so each has its own canary)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return out.getvalue()


# Partner A's photos: therapist-only, shared after both (before B submits), on a draft.
PHOTO_SOURCES = {
    "therapist only": _photo("#aa2200"),
    "shared after both, before B submits": _photo("#22aa00"),
    "on a draft": _photo("#0022aa"),
}
# A photo reads as the fingerprint of the bytes served (`privacy_walk.text_of`); re-encoding is
# deterministic, so the served image and thumbnail are known before the world is built.
PHOTO_CANARIES = {
    f"photo {kind}: {part}": privacy_walk.photo_canary(getattr(clean_photo(data), part))
    for kind, data in PHOTO_SOURCES.items()
    for part in ("image", "thumbnail")
}

A_NAME = "Zebulon Canaryward"
COUPLE_NAME = "Couple Canarywood"
# Private to partner A and the therapist: nobody else may ever read them, anywhere.
PRIVATE = {
    "answer: therapist only": "CANARYTHERAPISTONLY7301",
    "answer: shared after both, before B submits": "CANARYAFTERBOTH9142",
    "answer: released by the therapist, before release": "CANARYRELEASED4406",
    "answer: list item": "CANARYLISTITEM0223",
    "answer: shared at once, still a draft": "CANARYDRAFTATONCE5161",
    "draft": "CANARYDRAFT5862",
    "conflict copy": "CANARYCONFLICT8803",
    "feedback to A": "CANARYFEEDBACKTOA3170",
    "return note to A": "CANARYRETURNNOTE6624",
    "check-in total (CSI-16)": "73 of 81",
    "check-in total (PHQ-9)": "19 of 27",
    "safety flag": "Safety alert",
    "note field screened individually": "CANARYRISKSCREENED2290",
    "note field marked not for partner copies": "CANARYMARKEDPART7715",
    "session A attended alone": "CANARYAONLYSESSION4048",
    "draft session note": "CANARYNOTEDRAFT1937",
    "psychotherapy note": "CANARYPSYCHOTHERAPY6055",
    "one-partner session's details": "CANARYAONLYAPPOINTMENT5517",
    "one-partner session's meeting link": "CANARYAONLYMEETINGLINK8826",
    "message in A's private thread": "CANARYPRIVATEMESSAGE4471",
    "therapist's reply in A's private thread": "CANARYPRIVATEREPLY5832",
    **PHOTO_CANARIES,
}
# In the joint record (B's own copy carries it) but on no page a partner or outsider can open.
JOINT_NOTE = "CANARYJOINTPLAN3391"
# The joint session's link: both partners see it, outsiders never (not a canary of A's).
JOINT_LINK = "https://meet.example.org/joint-room-2231"
# Who A is: B knows, outsiders must not.
IDENTITY = {"partner A's name": A_NAME, "couple's name": COUPLE_NAME}

PROMPTS = [
    {"key": "private", "type": "long_text", "label": "Only for my therapist",
     "visibility": "therapist_only", "max_length": 500},
    {"key": "after_both", "type": "long_text", "label": "Shared after both submit",
     "visibility": "shared_after_both", "max_length": 500},
    {"key": "released", "type": "short_text", "label": "Shared when released",
     "visibility": "released_by_therapist"},
    {"key": "at_once", "type": "short_text", "label": "Shared at once",
     "visibility": "shared_at_once"},
    {"key": "things", "type": "list", "label": "Three things", "items": 3,
     "visibility": "shared_after_both"},
    {"key": "private_photo", "type": "photos", "label": "A photo for my therapist",
     "visibility": "therapist_only", "required": False},
    {"key": "shared_photo", "type": "photos", "label": "A photo for us both",
     "visibility": "shared_after_both", "required": False},
]  # fmt: skip
CSI16_A = [6, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 1]  # 73 of 81
CSI16_B = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1]  # 40 of 81
PHQ9_A = [3, 3, 3, 2, 2, 2, 1, 1, 2]  # 19 of 27, item 9 = 2: a safety alert


@dataclass
class Seeded:
    """Emails of the people who walk, and the ids of the records copies (safe outside a session)."""

    emails: dict[str, str]
    copies: dict[str, int]


def _answers() -> dict[str, list[str]]:
    return {
        "p_private": [PRIVATE["answer: therapist only"]],
        "p_after_both": [PRIVATE["answer: shared after both, before B submits"]],
        "p_released": [PRIVATE["answer: released by the therapist, before release"]],
        "p_things-0": [PRIVATE["answer: list item"]],
        "p_at_once": ["Shared with B at once, so no canary here"],
    }


def _with_photos(kinds: dict[str, str]) -> PhotoChanges:
    return PhotoChanges({key: [Upload("photo.png", PHOTO_SOURCES[k])] for key, k in kinds.items()})


def _homework(therapist: User, couple: Couple, a: User, b: User) -> None:
    version = make_version(therapist, prompts=PROMPTS, title="Canary exercise")
    occ = []
    for _ in range(4):
        assignment = assign(therapist, couple, version)
        occ.append(
            db.session.scalar(select(Occurrence).where(Occurrence.assignment_id == assignment.id))
        )
    homework.save_draft(b, seat(b, occ[0]), {"p_after_both": ["B is still thinking"]}, 0)
    with_photos = _with_photos(
        {"private_photo": "therapist only", "shared_photo": "shared after both, before B submits"}
    )
    submitted = homework.AnswerInput(_answers(), 0, "canary-submit-0000000001", True, with_photos)
    assert homework.answer(a, seat(a, occ[0]), submitted).done
    homework.save_draft(a, seat(a, occ[1]), {"p_private": [PRIVATE["draft"]]}, 0)
    homework.save_draft(a, seat(a, occ[1]), {"p_private": [PRIVATE["conflict copy"]]}, 0)  # stale
    at_once = PRIVATE["answer: shared at once, still a draft"]
    homework.save_draft(a, seat(a, occ[2]), {"p_at_once": [at_once]}, 0)
    draft_photo = _with_photos({"shared_photo": "on a draft"})
    saved = homework.AnswerInput({"p_at_once": [at_once]}, 1, photos=draft_photo)
    assert homework.answer(a, seat(a, occ[2]), saved).done
    loaded = policy.occurrence_for_therapist_or_404(therapist, occ[0].id)
    homework.add_feedback(therapist, loaded, PRIVATE["feedback to A"], "A", "private")
    assert homework.submit(a, seat(a, occ[3]), _answers(), 0, "canary-submit-0000000004").saved
    returned = db.session.scalar(
        select(Response).where(Response.occurrence_id == occ[3].id, Response.author_label == "A")
    )
    homework.return_response(
        therapist, loaded_response(therapist, returned), PRIVATE["return note to A"]
    )


def _checkins(therapist: User, couple: Couple, a: User, b: User) -> None:
    start = notes.practice_today(therapist) - timedelta(days=1)
    csi16 = measures.schedule_checkin(therapist, couple, "csi16", 1, start)
    phq9 = measures.schedule_checkin(therapist, couple, "phq9", 2, start)
    checkins.submit_checkin(a, csi16, CSI16_A)
    checkins.submit_checkin(b, csi16, CSI16_B)
    checkins.submit_checkin(a, phq9, PHQ9_A)  # raises the safety alert and emails T


def _note(therapist: User, couple: Couple, days_ago: int, attendees: str, **text) -> int:
    facts = notes.SessionFacts(
        notes.practice_today(therapist) - timedelta(days=days_ago),
        time(10, 0),
        time(10, 50),
        attendees,
        "90847",
        "in_person",
        "dap",
    )
    note = notes.create_note(therapist, couple, facts)
    sections = {"data": text.get("data", "Both spoke."), "assessment": "", "plan": JOINT_NOTE}
    data = notes.NoteInput(facts, sections, risk_screening=text.get("risk", ""))
    notes.save_draft(therapist, note, data, note.version)
    if text.get("sign", True):
        notes.sign_note(therapist, note)
    return note.id


def _session_notes(therapist: User, couple: Couple) -> None:
    joint = _note(
        therapist,
        couple,
        3,
        "both",
        risk=PRIVATE["note field screened individually"],
        data=PRIVATE["note field marked not for partner copies"],
    )
    copies.set_marks(
        therapist, policy.note_for_therapist_or_404(therapist, joint), {"section:data"}
    )
    _note(therapist, couple, 2, "A", data=PRIVATE["session A attended alone"])
    _note(therapist, couple, 1, "both", data=PRIVATE["draft session note"], sign=False)
    records.add_private_note(
        therapist, couple, notes.practice_today(therapist), PRIVATE["psychotherapy note"]
    )


def _messages(therapist: User, couple: Couple, a: User, b: User) -> None:
    from therapy_portal.messages import services as messages
    from therapy_portal.policy import messages as threads

    private = threads.thread_for_partner_or_404(a, "private")
    messages.send(a, private, PRIVATE["message in A's private thread"])
    reply = threads.thread_for_therapist_or_404(therapist, couple.id, "A")
    messages.send(therapist, reply, PRIVATE["therapist's reply in A's private thread"])
    messages.send(b, threads.thread_for_partner_or_404(b, "couple"), "B writes to everyone")


def _records_copies(therapist: User, couple: Couple) -> dict[str, int]:
    from therapy_portal.consents.demo import sign_all

    sign_all(couple)  # every consent, so the walk meets signed consents and their PDFs
    for label in "AB":
        records.record_authorization(therapist, couple, label, "written", clock.today())
    made = {}
    for scope in ("full", "A", "B"):
        seen = None if scope == "full" else copies.fingerprint(therapist, couple, scope)
        made[scope] = records.start_release(therapist, couple, scope, seen).id
        db.session.commit()
        jobs.launch(made[scope])
    assert all(db.session.get(NoteExport, i).status == "done" for i in made.values())
    return made


def _sessions(therapist: User, couple: Couple) -> None:
    """A joint online session and one for A alone (its details and link are A's), reminded."""
    from tests.appointments.factories import make_session
    from therapy_portal.appointments import reminders

    soon = utcnow() + timedelta(hours=20)
    make_session(therapist, couple, starts_at=soon, modality="online", link=JOINT_LINK)
    make_session(
        therapist,
        couple,
        starts_at=soon + timedelta(hours=2),
        attendees="A",
        modality="online",
        link="https://meet.example.org/" + PRIVATE["one-partner session's meeting link"],
        details=PRIVATE["one-partner session's details"],
    )
    reminders.queue_session_reminders()


def seed() -> Seeded:
    """Build the world (inside an app context) and commit it."""
    world = build_people(
        practice="Practice One",
        credentials="LMFT",
        couple=COUPLE_NAME,
        policy="limited_secrets",
        other_couple="Couple Other",
        far=("Practice Far", "Therapist F", "Couple Far"),
    )
    home, far = world.practice, world.far_practice
    therapist, other_therapist = world.therapist, world.other_therapist
    couple, far_couple = world.couple, world.far_couple
    a, b = world.a, world.b
    a.name = A_NAME
    _homework(therapist, couple, a, b)
    _checkins(therapist, couple, a, b)
    _session_notes(therapist, couple)
    _sessions(therapist, couple)
    _messages(therapist, couple, a, b)
    db.session.commit()
    made = _records_copies(therapist, couple)
    # Another admin's emergency access to couple One: its pages are walked by everyone else.
    emergency_admin = make_user(home, Role.ADMIN, name="Admin Emergency")
    emergency.start(emergency_admin, couple.id, "Client in crisis, therapist unreachable today")
    people = {
        "partner_a": a,
        "therapist": therapist,
        "partner_b": b,
        "other_couples_partner": world.other_partner,
        "other_couples_therapist": other_therapist,
        "practice_admin": make_user(home, Role.ADMIN, name="Admin Home"),
        "other_practice_admin": make_user(far, Role.ADMIN, name="Admin Far"),
        "other_practice_partner": partner(far_couple, "B"),
    }
    db.session.commit()
    return Seeded({k: u.email for k, u in people.items()}, made)
