"""The demo practice has sessions: a past one with its signed note, a past one without a note,
and a weekly online series starting tomorrow."""

from __future__ import annotations

from sqlalchemy import select

from therapy_portal.appointments import queries
from therapy_portal.extensions import db
from therapy_portal.models import User, utcnow
from therapy_portal.models.appointments import Appointment
from therapy_portal.models.notes import SessionNote


def test_seed_demo_adds_sessions(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        maya = db.session.scalar(
            select(User).where(User.email == "maya.chen@riverside.example.org")
        )
        sessions = list(db.session.scalars(select(Appointment).order_by(Appointment.starts_at)))
        now = utcnow()
        past = [a for a in sessions if a.ends_at <= now]
        upcoming = [a for a in sessions if a.starts_at > now]
        assert len(past) == 2 and all(a.recorded and a.status == "attended" for a in past)
        noted = db.session.get(SessionNote, past[0].note_id)
        assert noted is not None and noted.status == "signed"
        assert [a.id for a in queries.sessions_without_signed_note(maya, now)] == [past[1].id]
        assert len(upcoming) == 8 and {a.modality for a in upcoming} == {"online"}
        assert len({a.series_id for a in upcoming}) == 1
        assert queries.upcoming_for_therapist(maya, 7, now)[0].id == upcoming[0].id
