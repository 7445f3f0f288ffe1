"""The *since last session* digest of a note: its window, and the text from every provider."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.notes import SessionNote
from therapy_portal.notes import digest as digests
from therapy_portal.timezones import practice_zone
from therapy_portal.ui import dates


def digest_window(note: SessionNote, tz: ZoneInfo) -> tuple[datetime | None, datetime]:
    """From the end of the couple's previous session to the start of this one."""
    previous = db.session.scalar(
        select(SessionNote)
        .where(
            SessionNote.couple_id == note.couple_id,
            SessionNote.id != note.id,
            SessionNote.session_date < note.session_date,
        )
        .order_by(SessionNote.session_date.desc(), SessionNote.id.desc())
        .limit(1)
    )
    until = datetime.combine(note.session_date, note.start_time or time(23, 59, 59), tz)
    since = None
    if previous is not None:
        since = datetime.combine(previous.session_date, previous.end_time or time(23, 59, 59), tz)
    return since, until


def build_digest(actor: User, note: SessionNote) -> str:
    """The digest text for this note's window, from every registered provider."""
    tz = practice_zone(actor.practice.timezone)
    since, until = digest_window(note, tz)
    couple = db.session.get(Couple, note.couple_id)
    sections = digests.collect(couple, since, until)
    heading = (
        f"Since the last session ({dates.day(since)})"
        if since
        else "From the start of therapy to this session (no earlier note)"
    )
    return digests.as_text(sections, heading)
