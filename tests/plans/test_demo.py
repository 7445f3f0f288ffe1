"""The demo has a signed plan with two goals and a note awaiting a supervisor's co-signature."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from therapy_portal.extensions import db
from therapy_portal.models import User
from therapy_portal.models.plans import GoalLink, PlanGoal, PlanVersion
from therapy_portal.models.supervision import CoSignature
from therapy_portal.plans import signing
from therapy_portal.supervision import services


def test_seed_demo_adds_a_signed_plan_and_work_awaiting_cosignature(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        [version] = db.session.scalars(
            select(PlanVersion).options(selectinload(PlanVersion.goals))
        ).all()
        goals = db.session.scalars(select(PlanGoal).where(PlanGoal.version_id == version.id)).all()
        assert version.is_signed and len(goals) == 2
        assert signing.verified(version)
        assert db.session.scalar(select(GoalLink.assignment_id)) is not None
        [waiting] = db.session.scalars(select(CoSignature)).all()
        assert waiting.awaiting and waiting.kind == "note"
        maya = db.session.scalar(
            select(User).where(User.email == "maya.chen@riverside.example.org")
        )
        assert [w.object_id for w in services.queue(maya)] == [waiting.object_id]
