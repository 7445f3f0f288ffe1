"""Small functions that build test data. Each flushes; callers commit when they need to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count

from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Practice, Role, User
from therapy_portal.passwords import hash_password

PASSWORD = "correct horse battery"
_seq = count(1)


def make_practice(name: str = "Harbor Practice") -> Practice:
    practice = Practice(name=name, timezone="America/New_York")
    db.session.add(practice)
    db.session.flush()
    return practice


def make_user(
    practice: Practice,
    role: str = Role.THERAPIST,
    *,
    name: str | None = None,
    email: str | None = None,
    password: str | None = PASSWORD,
    active: bool = True,
    credentials: str = "",
) -> User:
    n = next(_seq)
    user = User(
        practice_id=practice.id,
        role=role,
        name=name or f"{role.title()} {n}",
        email=(email or f"{role}{n}@example.com").lower(),
        credentials=credentials,
        password_hash=hash_password(password) if password else None,
        active=active,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_couple(
    therapist: User,
    *,
    name: str | None = None,
    partners: int = 2,
    co_therapist: User | None = None,
    policy: str = "no_secrets",
    status: str = "active",
) -> Couple:
    couple = Couple(
        practice_id=therapist.practice_id,
        display_name=name or f"Couple {next(_seq)}",
        confidentiality_policy=policy,
        policy_agreed_on=date.today() - timedelta(days=3),
        status=status,
    )
    db.session.add(couple)
    db.session.flush()
    db.session.add(
        CoupleTherapist(
            practice_id=couple.practice_id,
            couple_id=couple.id,
            therapist_id=therapist.id,
            role="primary",
        )
    )
    if co_therapist is not None:
        db.session.add(
            CoupleTherapist(
                practice_id=couple.practice_id,
                couple_id=couple.id,
                therapist_id=co_therapist.id,
                role="co",
            )
        )
    practice = db.session.get(Practice, couple.practice_id)
    for label in "AB"[:partners]:
        partner = make_user(practice, Role.CLIENT, name=f"Partner {label} of {couple.display_name}")
        db.session.add(
            CoupleMember(
                practice_id=couple.practice_id, couple_id=couple.id, user_id=partner.id, label=label
            )
        )
    db.session.flush()
    return couple


def one_partner_couple_input(email: str, name: str = "Ivy Invited"):
    """What the "add a couple" form gives the service: one partner, invited at `email`."""
    from therapy_portal.caseload.services import CoupleInput, PartnerInput

    return CoupleInput(
        display_name="Invited Pair",
        partner_a=PartnerInput(name, email),
        partner_b=None,
        confidentiality_policy="no_secrets",
        policy_agreed_on=date(2026, 9, 9),
    )


def partner(couple: Couple, label: str) -> User:
    from sqlalchemy import select

    return db.session.scalar(
        select(User)
        .join(CoupleMember, CoupleMember.user_id == User.id)
        .where(CoupleMember.couple_id == couple.id, CoupleMember.label == label)
    )


@dataclass
class World:
    """Identities for authorization tests, as ids and emails (safe outside a session)."""

    ids: dict[str, int]
    emails: dict[str, str]
    couple_ids: dict[str, int]


def build_world() -> World:
    p1 = make_practice("Practice One")
    p2 = make_practice("Practice Two")
    admin = make_user(p1, Role.ADMIN, name="Admin One")
    therapist = make_user(p1, Role.THERAPIST, name="Therapist X", credentials="LMFT")
    other_therapist = make_user(p1, Role.THERAPIST, name="Therapist Y")
    far_therapist = make_user(p2, Role.THERAPIST, name="Therapist Z")
    c1 = make_couple(therapist, name="Couple One")
    c2 = make_couple(other_therapist, name="Couple Two")
    c3 = make_couple(far_therapist, name="Couple Three")
    users = {
        "admin": admin,
        "therapist": therapist,
        "other_therapist": other_therapist,
        "far_therapist": far_therapist,
        "partner_a": partner(c1, "A"),
        "partner_b": partner(c1, "B"),
        "other_partner": partner(c2, "A"),
    }
    db.session.commit()
    return World(
        ids={k: u.id for k, u in users.items()},
        emails={k: u.email for k, u in users.items()},
        couple_ids={"c1": c1.id, "c2": c2.id, "c3": c3.id},
    )


def login(client, email: str, password: str = PASSWORD, follow: bool = False):
    return client.post(
        "/login", data={"email": email, "password": password}, follow_redirects=follow
    )
