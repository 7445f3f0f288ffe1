"""The text of invitation emails, and the link, made only when the email is delivered.

The outbox stores an invitation email with a placeholder where the link goes (`mail_links`). At
delivery `invitation_link` makes a fresh token, stores only its SHA-256 on the invitation and
returns the link, so no table ever holds a usable link. An invitation that was
revoked, replaced, used or has expired, or whose address no longer matches, is not sent at all.

When another practice's account already logs in with the address, the email carries no link: it
says what to do instead. Only the address's owner reads that; the inviting practice is told the
same thing as for a new address.
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import exists, select

from therapy_portal.extensions import db
from therapy_portal.i18n import N_, for_person, gettext, ngettext
from therapy_portal.mail_links import LINK_PLACEHOLDER
from therapy_portal.models import Invitation, OutboxEmail, Role, User, utcnow
from therapy_portal.sessions import hash_token

# Catalogue messages: the email is written in the invited person's language (`for_person`),
# its link sentence too, when the worker delivers it.
SUBJECTS = {
    Role.CLIENT: N_("Your invitation to Therapy Portal"),
    "staff": N_("You're invited to your practice's Therapy Portal"),
}
INTROS = {
    Role.CLIENT: N_(
        "You have been invited to Therapy Portal, where you can do the work your "
        "therapist shares with you between sessions."
    ),
    "staff": N_("Your practice has added you to Therapy Portal."),
}
ELSEWHERE = N_(
    "This email address already has a Therapy Portal account, and an address can have only one "
    "account, so this invitation has no link. To accept it, give the person who invited you a "
    "different email address, one you don't use with Therapy Portal yet, and ask them to send the "
    "invitation again. Your existing account is unchanged, and nothing in it has been shared."
)


def _audience(user: User) -> str:
    return Role.CLIENT if user.role == Role.CLIENT else "staff"


def subject_for(user: User) -> str:
    """The subject in the current language (call inside `for_person(user)`)."""
    return gettext(SUBJECTS[_audience(user)])


def stored_body(user: User) -> str:
    """What the outbox keeps: the greeting and the placeholder, never a link (current language)."""
    return gettext("Hello,") + f"\n\n{gettext(INTROS[_audience(user)])}\n\n{LINK_PLACEHOLDER}"


def login_taken(user: User) -> bool:
    """True when another account (of any practice) already logs in with this user's address."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    User.email == user.email,
                    User.id != user.id,
                    User.password_hash.is_not(None),
                )
            )
        )
    )


def is_open(invitation: Invitation) -> bool:
    """Not used, replaced or revoked, not expired, and still bound to its account's address."""
    return (
        invitation.used_at is None
        and invitation.replaced_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > utcnow()
        and invitation.email == invitation.user.email
    )


def invitation_link(email: OutboxEmail) -> str | None:
    """The link of an invitation email, made now; None when the email must not go out."""
    if email.invitation_id is None:
        return None
    invitation = db.session.get(Invitation, email.invitation_id)
    if invitation is None or not is_open(invitation) or email.to_address != invitation.email:
        return None
    with for_person(invitation.user):
        if login_taken(invitation.user):
            return gettext(ELSEWHERE)
        days = current_app.config["INVITATION_TTL_DAYS"]
        sentence = ngettext(
            "Choose your password here. The link works once and expires in %(num)d day:",
            "Choose your password here. The link works once and expires in %(num)d days:",
            days,
        )
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{sentence}\n{base}/invitations/{token}"
