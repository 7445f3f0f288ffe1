"""Demo data for `make run`: a small practice that looks like a real one.

Every demo account uses the same password, printed by `flask demo-logins`. Other areas add their
demo content through `demo_hook` (homework, notes, check-ins; wired in `therapy_portal.areas`),
so this module stays about people.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pyotp
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
# Staff sign in with a second step, in the demo too. These published demo keys go into an
# authenticator app (or use the current codes `flask demo-logins` prints). Never use them for
# real accounts: real staff enrol with a fresh key at their first sign-in.
DEMO_TOTP_SECRETS = {
    "admin@riverside.example.org": "DEMOADMINRIVERSIDEPORTALTOTPKEY2",
    "maya.chen@riverside.example.org": "DEMOMAYACHENRIVERSIDEPORTALKEY22",
    "jordan.alvarez@riverside.example.org": "DEMOJORDANALVAREZRIVERSIDEKEY222",
}
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
    """Add a demo-content hook (`therapy_portal.areas` names them; adding one twice keeps one)."""
    if func not in _HOOKS:
        _HOOKS.append(func)
    return func


def add_couple(
    therapist: User,
    display_name: str,
    partners: dict[str, User],
    *,
    co_therapist: User | None = None,
    policy: str = "no_secrets",
    agreed_on: date | None = None,
    status: str = CoupleStatus.ACTIVE,
    closed_at: datetime | None = None,
) -> Couple:
    """A couple with its care team and its partners ("A"/"B" → account), flushed.

    The demo builds its couples with it, and so do the tests' factories (`tests/factories.py`).
    """
    couple = Couple(
        practice_id=therapist.practice_id,
        display_name=display_name,
        confidentiality_policy=policy,
        policy_agreed_on=agreed_on,
        status=status,
        closed_at=closed_at,
    )
    db.session.add(couple)
    db.session.flush()
    team = [(therapist, "primary")] + ([(co_therapist, "co")] if co_therapist else [])
    for member, role in team:
        db.session.add(
            CoupleTherapist(
                practice_id=couple.practice_id,
                couple_id=couple.id,
                therapist_id=member.id,
                role=role,
            )
        )
    for label, person in partners.items():
        db.session.add(
            CoupleMember(
                practice_id=couple.practice_id, couple_id=couple.id, user_id=person.id, label=label
            )
        )
    db.session.flush()
    return couple


def _demo_user(
    practice: Practice, role: str, name: str, email: str, password_hash: str | None, **extra
) -> User:
    """A demo account; staff get the demo's fixed TOTP secret."""
    user = User(
        practice_id=practice.id,
        role=role,
        name=name,
        email=email,
        password_hash=password_hash,
        totp_secret=DEMO_TOTP_SECRETS.get(email) if role != Role.CLIENT else None,
        **extra,
    )
    db.session.add(user)
    db.session.flush()
    return user


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
    staff = [
        _demo_user(practice, role, name, email, password_hash, credentials=credentials)
        for role, name, email, credentials in STAFF
    ]
    couples = []
    for name, policy_key, a, b, primary, co, closed in COUPLES:
        partners = {
            label: _demo_user(practice, Role.CLIENT, *person, password_hash)
            for label, person in (("A", a), ("B", b))
            if person is not None
        }
        couple = add_couple(
            staff[primary],
            name,
            partners,
            co_therapist=staff[co] if co is not None else None,
            policy=policy_key,
            agreed_on=date.today() - timedelta(days=40),
            status=CoupleStatus.CLOSED if closed else CoupleStatus.ACTIVE,
            closed_at=utcnow() if closed else None,
        )
        couples.append((couple, list(partners.values())))
    # One partner who has not joined yet, with an open invitation.
    pending = _demo_user(practice, Role.CLIENT, "Morgan Cole", "morgan.cole@example.com", None)
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
    lines.append("Staff also give a 6-digit code. Add a key to an authenticator app, or use the")
    lines.append("current code below (run `flask demo-logins` again for a fresh one):")
    for _role, _name, email, _ in STAFF:
        secret = DEMO_TOTP_SECRETS[email]
        lines.append(f"  {email:<36} key {secret}  code now {pyotp.TOTP(secret).now()}")
    lines.append("Partners:")
    for _name, _policy, a, b, *_rest in COUPLES[:3]:
        for person in (a, b):
            if person:
                lines.append(f"  {'partner':<10} {person[1]:<36} {person[0]}")
    lines.append("")
    return "\n".join(lines)
