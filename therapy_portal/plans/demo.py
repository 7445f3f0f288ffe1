"""Demo treatment plan and supervision: the first couple has a signed plan with two goals (a
CSI-4 target, and a homework target linked to their appreciation log); the second therapist is
supervised by the first and has a signed note awaiting co-signature."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.models.homework import Assignment
from therapy_portal.models.notes import Attendees, Modality, NoteFormat, ServiceCode
from therapy_portal.models.plans import Comparator, GoalLink, TargetKind, TargetWho
from therapy_portal.models.supervision import Supervision
from therapy_portal.notes import services as notes
from therapy_portal.plans import services
from therapy_portal.plans.targets import Target
from therapy_portal.timezones import practice_today


def demo_plan(world: dict) -> None:
    therapist = world["staff"][1]
    couple = world["couples"][0][0]
    version = services.start_plan(therapist, couple)
    goals = [
        services.GoalInput(
            "Both partners feel more satisfied in the relationship",
            Target(TargetKind.MEASURE, "csi4", Comparator.AT_LEAST, 14, TargetWho.EACH),
        ),
        services.GoalInput(
            "A daily habit of noticing and saying what each appreciates",
            Target(TargetKind.HOMEWORK, "", Comparator.AT_LEAST, 80, TargetWho.EACH),
        ),
    ]
    services.save_draft(
        therapist,
        version,
        services.PlanInput(
            "Pursue-withdraw cycle around plans changing at short notice; criticism at the "
            "start of hard conversations.",
            "EFT cycle mapping and enactments; Gottman soft start-up; daily appreciation log.",
            practice_today(therapist) + timedelta(days=5),
            goals,
        ),
    )
    first_assignment = db.session.scalar(
        select(Assignment.id).where(Assignment.couple_id == couple.id).order_by(Assignment.id)
    )
    homework_goal = services.goals_of(version)[1]
    if first_assignment is not None:
        db.session.add(
            GoalLink(
                practice_id=couple.practice_id,
                goal_id=homework_goal.id,
                assignment_id=first_assignment,
            )
        )
    services.sign_plan(therapist, version)


def demo_supervision(world: dict) -> None:
    supervisor, supervised = world["staff"][1], world["staff"][2]
    db.session.add(
        Supervision(
            practice_id=supervised.practice_id,
            therapist_id=supervised.id,
            supervisor_id=supervisor.id,
            set_by_id=world["staff"][0].id,
        )
    )
    db.session.flush()
    couple = world["couples"][1][0]  # Jordan is its co-therapist
    day = practice_today(supervised) - timedelta(days=2)
    facts = notes.SessionFacts(
        day,
        time(16, 0),
        time(16, 50),
        Attendees.BOTH,
        ServiceCode.CONJOINT,
        Modality.IN_PERSON,
        NoteFormat.DAP,
    )
    note = notes.create_note(supervised, couple, facts)
    notes.save_draft(
        supervised,
        note,
        notes.NoteInput(
            facts,
            {
                "data": "Chidi and Elin mapped their cycle around money decisions.",
                "assessment": "Engaged; early recognition of the cycle. No current risk.",
                "plan": "Money talk with a soft start-up this week. Meet in 7 days.",
            },
            interventions="Cycle mapping.",
            risk_screening="Screened individually: none reported.",
        ),
        note.version,
    )
    notes.sign_note(supervised, note)  # awaits Maya Chen's co-signature
