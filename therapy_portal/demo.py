"""Demo data for `make run`: a small practice that looks like a real one.

Every demo account uses the same password, printed by `flask demo-logins`. Other areas add their
demo content through `demo_hook` (homework, notes, check-ins), so this module stays about people.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import current_app

from therapy_portal.auth import invitations
from therapy_portal.extensions import db
from therapy_portal.models import (
    Couple,
    CoupleMember,
    CoupleStatus,
    CoupleTherapist,
    Practice,
    Role,
    User,
    utcnow,
)
from therapy_portal.passwords import hash_password

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - printed for the demo on purpose
_HOOKS: list[Callable[[dict], None]] = []

STAFF = [
    ("admin", "Dana Whitfield", "admin@riverside.example.org", ""),
    ("therapist", "Maya Chen", "maya.chen@riverside.example.org", "LMFT"),
    ("therapist", "Jordan Alvarez", "jordan.alvarez@riverside.example.org", "LPCC"),
]
# (display name, policy, partner A, partner B or None, primary therapist index, co index, closed)
COUPLES = [
    (
        "Rivera & Brooks",
        "no_secrets",
        ("Sam Rivera", "sam.rivera@example.com"),
        ("Alex Brooks", "alex.brooks@example.com"),
        1,
        None,
        False,
    ),
    (
        "Okafor & Lindqvist",
        "limited_secrets",
        ("Chidi Okafor", "chidi.okafor@example.com"),
        ("Elin Lindqvist", "elin.lindqvist@example.com"),
        1,
        2,
        False,
    ),
    (
        "Patel & Nguyen",
        "no_secrets",
        ("Priya Patel", "priya.patel@example.com"),
        ("Minh Nguyen", "minh.nguyen@example.com"),
        1,
        None,
        False,
    ),
    (
        "Harper & Cole",
        "limited_secrets",
        ("Jamie Harper", "jamie.harper@example.com"),
        None,
        1,
        None,
        False,
    ),
    (
        "Moreau & Silva",
        "no_secrets",
        ("Claire Moreau", "claire.moreau@example.com"),
        ("Rafael Silva", "rafael.silva@example.com"),
        2,
        None,
        False,
    ),
    (
        "Becker & Adeyemi",
        "no_secrets",
        ("Lena Becker", "lena.becker@example.com"),
        ("Tunde Adeyemi", "tunde.adeyemi@example.com"),
        1,
        None,
        True,
    ),
]


def demo_hook(func: Callable[[dict], None]) -> Callable[[dict], None]:
    _HOOKS.append(func)
    return func


def seed() -> dict:
    """Create the demo practice. Returns the created objects by role for other hooks."""
    password_hash = hash_password(DEMO_PASSWORD)
    practice = Practice(
        name="Riverside Couples Therapy",
        timezone="America/New_York",
        address="120 River Street, Suite 4, Hudson, NY 12534",
        phone="(518) 555-0142",
    )
    db.session.add(practice)
    db.session.flush()
    staff = []
    for role, name, email, credentials in STAFF:
        user = User(
            practice_id=practice.id,
            role=role,
            name=name,
            email=email,
            credentials=credentials,
            password_hash=password_hash,
        )
        db.session.add(user)
        staff.append(user)
    db.session.flush()
    couples = []
    for name, policy_key, a, b, primary, co, closed in COUPLES:
        couple = Couple(
            practice_id=practice.id,
            display_name=name,
            confidentiality_policy=policy_key,
            policy_agreed_on=date.today() - timedelta(days=40),
            status=CoupleStatus.CLOSED if closed else CoupleStatus.ACTIVE,
            closed_at=utcnow() if closed else None,
        )
        db.session.add(couple)
        db.session.flush()
        db.session.add(
            CoupleTherapist(
                practice_id=practice.id,
                couple_id=couple.id,
                therapist_id=staff[primary].id,
                role="primary",
            )
        )
        if co is not None:
            db.session.add(
                CoupleTherapist(
                    practice_id=practice.id,
                    couple_id=couple.id,
                    therapist_id=staff[co].id,
                    role="co",
                )
            )
        partners = []
        for label, person in (("A", a), ("B", b)):
            if person is None:
                continue
            user = User(
                practice_id=practice.id,
                role=Role.CLIENT,
                name=person[0],
                email=person[1],
                password_hash=password_hash,
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                CoupleMember(
                    practice_id=practice.id, couple_id=couple.id, user_id=user.id, label=label
                )
            )
            partners.append(user)
        couples.append((couple, partners))
    # One partner who has not joined yet, with an open invitation.
    pending = User(
        practice_id=practice.id,
        role=Role.CLIENT,
        name="Morgan Cole",
        email="morgan.cole@example.com",
        password_hash=None,
    )
    db.session.add(pending)
    db.session.flush()
    harper = couples[3][0]
    db.session.add(
        CoupleMember(practice_id=practice.id, couple_id=harper.id, user_id=pending.id, label="B")
    )
    invitations.issue(pending, created_by=staff[1], couple_id=harper.id, label="B")
    db.session.flush()
    world = {"practice": practice, "staff": staff, "couples": couples}
    for hook in _HOOKS:
        hook(world)
    return world


def logins_text() -> str:
    lines = [
        "",
        f"Therapy Portal is running at {current_app.config['PUBLIC_BASE_URL']}",
        f"Demo logins (password for all: {DEMO_PASSWORD}):",
    ]
    for role, name, email, _ in STAFF:
        lines.append(f"  {role:<10} {email:<36} {name}")
    for _name, _policy, a, b, *_rest in COUPLES[:3]:
        for person in (a, b):
            if person:
                lines.append(f"  {'partner':<10} {person[1]:<36} {person[0]}")
    lines.append("")
    return "\n".join(lines)
