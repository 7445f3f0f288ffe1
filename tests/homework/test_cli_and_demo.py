"""`flask homework load-library` is safe to run again; `flask seed-demo` brings homework."""

from __future__ import annotations

from sqlalchemy import func, select

from therapy_portal.extensions import db
from therapy_portal.models.homework import Assignment, ExerciseTemplate, Occurrence, Response


def test_load_library_command_is_safe_to_run_again(app, runner):
    first = runner.invoke(args=["homework", "load-library"])
    assert first.exit_code == 0 and "added" in first.output
    second = runner.invoke(args=["homework", "load-library"])
    assert second.exit_code == 0 and "0 added, 0 updated" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExerciseTemplate)) >= 12


def test_seed_demo_loads_the_library_and_homework_in_several_states(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 6
        statuses = set(db.session.scalars(select(Response.status)))
        assert statuses == {"draft", "submitted", "returned"}
        assert set(db.session.scalars(select(Assignment.status))) == {"active", "cancelled"}
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Occurrence)
                .where(Occurrence.reviewed_at.is_not(None))
            )
            == 1
        )
        assert (
            db.session.scalar(select(func.count()).where(ExerciseTemplate.slug.is_not(None))) >= 12
        )
