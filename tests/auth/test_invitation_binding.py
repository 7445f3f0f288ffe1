"""An invitation is bound to the address it was sent to (issue 8, defect 1). Service level."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import make_practice, make_user, one_partner_couple_input
from tests.mailbox import delivered_to, latest_link
from therapy_portal import policy
from therapy_portal.auth import invitations
from therapy_portal.caseload import services as caseload
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Role

TYPO = "ivy@exmaple.com"
RIGHT = "ivy@example.com"


@pytest.fixture
def therapist(ctx):
    return make_user(make_practice(), Role.THERAPIST)


def _new_couple(therapist, *, deliver: bool = True):
    """A couple whose partner A's address is mistyped, loaded as views load it, and the token
    delivered to the mistyped address (None when not delivered yet)."""
    couple_id = caseload.create_couple(therapist, one_partner_couple_input(TYPO)).id
    db.session.commit()
    token = _token(TYPO) if deliver else None
    return policy.couple_for_therapist_or_404(therapist, couple_id), token


def _token(address: str) -> str:
    link = latest_link(address)
    assert link, f"no invitation delivered to {address}"
    return link.rsplit("/", 1)[1]


def test_correcting_the_address_revokes_the_mistyped_invitation(therapist):
    couple, mistyped = _new_couple(therapist)

    caseload.update_couple(therapist, couple, one_partner_couple_input(RIGHT))
    db.session.commit()

    assert invitations.look_up(mistyped).state is invitations.InvitationState.REVOKED
    with pytest.raises(ValidationFailed):
        invitations.accept(mistyped, "a long private sentence")


def test_changing_the_address_back_does_not_revive_the_old_invitation(therapist):
    couple, mistyped = _new_couple(therapist)
    caseload.update_couple(therapist, couple, one_partner_couple_input(RIGHT))
    caseload.update_couple(therapist, couple, one_partner_couple_input(TYPO))
    db.session.commit()
    assert invitations.look_up(mistyped).state is invitations.InvitationState.REVOKED


def test_the_therapist_is_told_which_invitations_were_revoked(therapist):
    couple, _ = _new_couple(therapist, deliver=False)
    renamed_only = caseload.update_couple(therapist, couple, one_partner_couple_input(TYPO))
    assert renamed_only.revoked_labels == []
    corrected = caseload.update_couple(therapist, couple, one_partner_couple_input(RIGHT))
    assert corrected.revoked_labels == ["A"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.revoke"))
    assert event is not None and event.couple_id == couple.id


def test_an_invitation_not_yet_sent_to_the_old_address_is_never_sent(therapist):
    couple, _ = _new_couple(therapist, deliver=False)
    caseload.update_couple(therapist, couple, one_partner_couple_input(RIGHT))
    db.session.commit()
    assert delivered_to(TYPO) == []


def test_a_new_invitation_goes_to_the_corrected_address_and_works(therapist):
    couple, _ = _new_couple(therapist, deliver=False)
    caseload.update_couple(therapist, couple, one_partner_couple_input(RIGHT))
    caseload.resend_invitation(therapist, couple, "A")
    db.session.commit()
    user = invitations.accept(_token(RIGHT), "a long private sentence")
    assert user.email == RIGHT


def test_an_address_changed_by_any_other_path_also_ends_the_invitation(therapist):
    """The binding holds in the lookup itself, not only in the couple form."""
    caseload.create_couple(therapist, one_partner_couple_input(TYPO))
    db.session.commit()
    mistyped = _token(TYPO)
    invitations.look_up(mistyped).invitation.user.email = RIGHT
    db.session.commit()
    assert invitations.look_up(mistyped).state is invitations.InvitationState.REVOKED
