"""Whether an address is a client elsewhere never leaks across practices (issue 8, defect 7).

Service and database level. The acting practice gets the same answer for an address known in
another practice as for a new one; the address's owner learns what happens by email.
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tests.factories import (
    PASSWORD,
    make_couple,
    make_practice,
    make_user,
    one_partner_couple_input,
    partner,
)
from tests.mailbox import delivered_to, latest_link
from therapy_portal import policy
from therapy_portal.admin import services as admin
from therapy_portal.auth import invitations
from therapy_portal.auth import services as auth
from therapy_portal.caseload import listing as caseload_listing
from therapy_portal.caseload import services as caseload
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import Role

NEW_ADDRESS = "nobody.yet@example.com"


@pytest.fixture
def two_practices(ctx):
    """A joined client of practice one, and a therapist and admin of practice two."""
    one, two = make_practice("Harbor One"), make_practice("Lakeside Two")
    client_one = partner(make_couple(make_user(one, Role.THERAPIST)), "A")
    therapist_two = make_user(two, Role.THERAPIST)
    admin_two = make_user(two, Role.ADMIN)
    db.session.commit()
    return client_one, therapist_two, admin_two


def _pending(therapist, couple_id: int) -> dict:
    """What the therapist's couple page shows per partner: (joined, invitation open)."""
    db.session.commit()
    couple = policy.couple_for_therapist_or_404(therapist, couple_id)
    return {k: (v.joined, v.pending) for k, v in caseload_listing.invitation_status(couple).items()}


def test_adding_a_client_of_another_practice_answers_as_for_a_new_address(two_practices):
    client_one, therapist_two, _ = two_practices
    known = caseload.create_couple(therapist_two, one_partner_couple_input(client_one.email)).id
    unknown = caseload.create_couple(therapist_two, one_partner_couple_input(NEW_ADDRESS)).id
    assert (
        _pending(therapist_two, known) == _pending(therapist_two, unknown) == {"A": (False, True)}
    )


def test_adding_a_second_partner_known_elsewhere_answers_as_for_a_new_address(two_practices):
    client_one, therapist_two, _ = two_practices
    couple_id = caseload.create_couple(therapist_two, one_partner_couple_input(NEW_ADDRESS)).id
    db.session.commit()
    couple = policy.couple_for_therapist_or_404(therapist_two, couple_id)
    caseload.add_second_partner(
        therapist_two, couple, caseload.PartnerInput("Pat Known", client_one.email)
    )
    assert _pending(therapist_two, couple_id) == {"A": (False, True), "B": (False, True)}


def test_admin_inviting_a_therapist_known_elsewhere_answers_as_for_a_new_address(two_practices):
    client_one, _, admin_two = two_practices
    known = admin.invite_therapist(admin_two, name="Known", email=client_one.email)
    unknown = admin.invite_therapist(admin_two, name="Unknown", email=NEW_ADDRESS)
    assert known.has_password is unknown.has_password is False


def test_the_account_holder_gets_an_email_without_a_link_saying_what_to_do(two_practices):
    client_one, therapist_two, _ = two_practices
    caseload.create_couple(therapist_two, one_partner_couple_input(client_one.email))
    db.session.commit()
    assert latest_link(client_one.email) is None
    (body,) = delivered_to(client_one.email)
    assert "already has a Therapy Portal account" in body
    assert "different email address" in body
    assert "Harbor One" not in body and "Lakeside Two" not in body
    # Their own account is untouched and still theirs.
    assert auth.authenticate(client_one.email, PASSWORD).id == client_one.id


def test_inside_the_acting_practice_an_address_in_use_is_still_refused(two_practices):
    client_one, _, _ = two_practices
    therapist_one = make_user(client_one.practice, Role.THERAPIST)
    with pytest.raises(ValidationFailed, match="already has an account"):
        caseload.create_couple(therapist_one, one_partner_couple_input(client_one.email))


def test_the_database_allows_one_login_per_address(two_practices):
    client_one, _, _ = two_practices
    make_user(make_practice(), Role.CLIENT, email=client_one.email, password=None)
    db.session.commit()
    with pytest.raises(IntegrityError):
        make_user(make_practice(), Role.CLIENT, email=client_one.email, password=PASSWORD)
    db.session.rollback()


def test_one_practice_holds_one_account_per_address(two_practices):
    client_one, _, _ = two_practices
    with pytest.raises(IntegrityError):
        make_user(client_one.practice, Role.THERAPIST, email=client_one.email, password=None)
    db.session.rollback()


def test_two_pending_invitations_for_one_address_the_first_accepted_wins(ctx):
    therapists = [make_user(make_practice(), Role.THERAPIST) for _ in range(2)]
    for therapist in therapists:
        caseload.create_couple(therapist, one_partner_couple_input(NEW_ADDRESS))
        db.session.commit()
        token = latest_link(NEW_ADDRESS).rsplit("/", 1)[1]
        if therapist is therapists[0]:
            first = token
    second = latest_link(NEW_ADDRESS).rsplit("/", 1)[1]
    assert first != second
    joined = invitations.accept(first, "a long private sentence")
    db.session.commit()
    assert invitations.look_up(second).state is invitations.InvitationState.TAKEN
    with pytest.raises(ValidationFailed):
        invitations.accept(second, "another long sentence")
    assert auth.authenticate(NEW_ADDRESS, "a long private sentence").id == joined.id
