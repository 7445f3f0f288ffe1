"""Access expectations for consents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.access.core import ADMIN, PARTNERS, THERAPIST_C1, only
from tests.factories import World
from therapy_portal.consents import services
from therapy_portal.extensions import db
from therapy_portal.models import CoupleMember
from therapy_portal.models.consents import ConsentKind

EXPECTED = {
    # A partner's consents are named by kind and always their own.
    "consents.partner_index": PARTNERS,
    "consents.document": PARTNERS,
    "consents.sign": PARTNERS,
    "consents.withdraw": PARTNERS,
    # Partner A's signature: only partner A downloads it (B is refused, never told it exists).
    "consents.own_pdf": only(("partner_a",)),
    "consents.therapist_pdf": THERAPIST_C1,
    "consent_documents.documents": ADMIN,
    "consent_documents.edit": ADMIN,
    "consent_documents.publish": ADMIN,
}


def params(world: World) -> dict:
    member = db.session.scalar(
        select(CoupleMember)
        .where(CoupleMember.user_id == world.ids["partner_a"])
        .options(selectinload(CoupleMember.couple))
    )
    signature = services.sign(member.user, member, ConsentKind.TELEHEALTH, member.user.name)
    db.session.commit()
    return {"consent_kind": ConsentKind.TELEHEALTH.value, "signature_id": signature.id}
