"""Walk every GET route of the app with real ids and read what each response says.

`urls()` fills each rule's parameters from the database (every row of the parameter's model), so
a new route is walked without being listed here; a parameter with no known source fails the
walk, which is the prompt to add one to `SOURCES`. `text_of()` reads pages, fragments and JSON as
text, PDFs through pypdf and ZIPs member by member.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from itertools import product

from flask import url_for
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.routing.converters import AnyConverter

from therapy_portal.extensions import db
from therapy_portal.models import (
    Couple,
    MeasureResponse,
    MeasureSchedule,
    OutcomeAlert,
    SafetyAlert,
    User,
    UserSession,
)
from therapy_portal.models.appointments import Appointment
from therapy_portal.models.audit import BreakGlassGrant
from therapy_portal.models.consents import ConsentKind, ConsentSignature
from therapy_portal.models.homework import (
    Assignment,
    DraftConflict,
    ExerciseTemplate,
    ExerciseVersion,
    Occurrence,
    Response,
)
from therapy_portal.models.notes import NoteExport, PsychotherapyNote, SessionNote
from therapy_portal.models.photos import AnswerPhoto
from therapy_portal.models.plans import GoalLink, PlanGoal, PlanVersion
from therapy_portal.models.security import PasskeyCredential

SOURCES = {
    "couple_id": Couple,
    "occurrence_id": Occurrence,
    "assignment_id": Assignment,
    "template_id": ExerciseTemplate,
    "exercise_version_id": ExerciseVersion,
    "homework_response_id": Response,
    "checkin_id": MeasureSchedule,
    "measure_response_id": MeasureResponse,
    "note_id": SessionNote,
    "export_id": NoteExport,
    "private_note_id": PsychotherapyNote,
    "draft_conflict_id": DraftConflict,
    "safety_alert_id": SafetyAlert,
    "outcome_alert_id": OutcomeAlert,
    "user_id": User,
    "grant_id": BreakGlassGrant,
    "passkey_id": PasskeyCredential,
    "session_id": UserSession,
    "appointment_id": Appointment,
    "photo_id": AnswerPhoto.public_id,  # photos are named by their random public id only
    "signature_id": ConsentSignature,
    "version_id": PlanVersion,
    "plan_version_id": PlanVersion,
    "goal_id": PlanGoal,
    "link_id": GoalLink,
    "signed_note_id": SessionNote,
}
# Values for parameters that are not row ids.
FIXED = {
    "token": ["no-such-invitation-0000"],
    "label": ["A", "B"],
    "consent_kind": [kind.value for kind in ConsentKind],
}
# Walking these would end or replace the walker's session (tested in tests/auth).
SKIP = {"GET": {"auth.logout"}, "POST": {"auth.logout", "auth.login"}}


def _values(app, rule) -> dict[str, list]:
    values = {}
    for name in sorted(rule.arguments):
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)
        elif name in FIXED:
            values[name] = FIXED[name]
        elif name in SOURCES:
            source = SOURCES[name]
            values[name] = list(db.session.scalars(select(getattr(source, "id", source))))
        else:
            raise AssertionError(f"{rule.rule}: add a value source for <{name}> to SOURCES")
    return values


def urls(app, method: str = "GET") -> list[str]:
    """Every URL of the app for `method`, with every id of each parameter's model."""
    found = set()
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static" or rule.endpoint in SKIP[method]:
                continue
            if method not in (rule.methods or ()):
                continue
            values = _values(app, rule)
            names = list(values)
            for combo in product(*(values[n] for n in names)):
                found.add(url_for(rule.endpoint, **dict(zip(names, combo, strict=True))))
    return sorted(found)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _zip_text(data: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = []
    for name in archive.namelist():
        member = archive.read(name)
        parts.append(_pdf_text(member) if name.endswith(".pdf") else member.decode("utf-8"))
    return "\n".join(parts)


def photo_canary(data: bytes) -> str:
    """What an image "says": a fingerprint of its bytes (a photo leak reads as this text)."""
    return "PHOTO" + hashlib.sha256(data).hexdigest().upper()


def text_of(response) -> str:
    """What a response says, whatever its form."""
    data = response.get_data()
    if response.mimetype.startswith("image/"):
        return photo_canary(data)
    if response.mimetype == "application/pdf":
        return _pdf_text(data)
    if response.mimetype == "application/zip":
        return _zip_text(data)
    return data.decode("utf-8", "replace")


def squash(text: str) -> str:
    """Text without whitespace (PDF extraction breaks lines anywhere)."""
    return "".join(text.split())


def leaks(text: str, canaries: dict[str, str]) -> list[str]:
    flat = squash(text)
    return [kind for kind, canary in canaries.items() if squash(canary) in flat]


def walk(client, all_urls: list[str], canaries: dict[str, str], who: str) -> dict[str, str]:
    """GET every URL; fail on a server error or any canary. Returns each URL's text."""
    pages, found = {}, []
    for url in all_urls:
        response = client.get(url)
        assert response.status_code < 500, f"{who}: {url} answered {response.status_code}"
        pages[url] = text_of(response)
        found += [f"{who} reached {kind} at {url}" for kind in leaks(pages[url], canaries)]
    assert found == [], "\n".join(found)
    return pages
