"""Links made only when an email is delivered, so no table ever holds a usable one.

An email that carries a personal link (an invitation, a password reset, a sign-in link) is queued
with `LINK_PLACEHOLDER` where the link goes. At delivery the outbox asks the link maker registered
for the email's `kind`: it makes a fresh token, stores only its hash and returns the text that
takes the placeholder's place, or None when the email must not go out any more (the outbox then
cancels it). Emails of other kinds are delivered as stored.
"""

from __future__ import annotations

from collections.abc import Callable

from therapy_portal.models import OutboxEmail

LINK_PLACEHOLDER = "[Your personal link is added when this email is sent. It is never stored.]"

LinkMaker = Callable[[OutboxEmail], str | None]

_MAKERS: dict[str, LinkMaker] = {}


def link_maker(kind: str) -> Callable[[LinkMaker], LinkMaker]:
    """Register the function that makes the link of emails of `kind` at delivery."""

    def register(maker: LinkMaker) -> LinkMaker:
        _MAKERS[kind] = maker
        return maker

    return register


def body_for_delivery(email: OutboxEmail) -> str | None:
    """The text to deliver now (with a new link when its kind has one); None to cancel."""
    maker = _MAKERS.get(email.kind)
    if maker is None:
        return email.body
    text = maker(email)
    return None if text is None else email.body.replace(LINK_PLACEHOLDER, text)
