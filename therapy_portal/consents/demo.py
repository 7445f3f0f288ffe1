"""Demo consents: the practice's default documents, and signatures through the partner's own
service. The first demo couple has signed everything (their weekly online sessions need it);
the second has signed all but the online-sessions consent of partner B, so the therapist sees
what is waiting. Tests sign with `sign_all` the same way."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from therapy_portal.consents import services
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember
from therapy_portal.models.consents import ConsentKind
from therapy_portal.policy import consents as rules


def sign_all(
    couple: Couple, kinds: Iterable[str] | None = None, labels: Iterable[str] = ("A", "B")
) -> None:
    """Each named partner signs the current version of each kind (all the couple's by default)."""
    members = db.session.scalars(
        select(CoupleMember)
        .where(CoupleMember.couple_id == couple.id, CoupleMember.label.in_(tuple(labels)))
        .options(selectinload(CoupleMember.couple))
    ).all()
    wanted = tuple(kinds) if kinds is not None else rules.kinds_for(couple)
    for member in members:
        for kind in wanted:
            services.sign(member.user, member, kind, member.user.name)


def seed_consents(world: dict) -> None:
    services.ensure_documents(world["practice"].id)
    first, second = world["couples"][0][0], world["couples"][1][0]
    sign_all(first)
    sign_all(second, labels=("A",))
    sign_all(second, [k for k in rules.kinds_for(second) if k != ConsentKind.TELEHEALTH], ("B",))
    db.session.flush()
