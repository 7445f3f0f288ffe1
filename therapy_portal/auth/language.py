"""A person's language: stored on their account (audited), or kept in an anonymous session."""

from __future__ import annotations

from therapy_portal import audit
from therapy_portal.errors import ValidationFailed
from therapy_portal.i18n import LANGUAGES, gettext
from therapy_portal.models import User

BROWSER = "browser"  # the audit's word for "no stored choice: follow the browser"


def set_language(actor: User, code: str | None) -> bool:
    """Store `actor`'s language (None: follow the browser). Returns False when nothing changed.

    Pages, emails and PDF copies made for them follow it from the next request on."""
    code = code or None
    if code is not None and code not in LANGUAGES:
        raise ValidationFailed(gettext("Choose one of the languages listed."), field="language")
    if actor.locale == code:
        return False
    actor.locale = code
    audit.record(
        "auth.language_change",
        actor=actor,
        object_type="user",
        object_id=actor.id,
        kind=code or BROWSER,
    )
    return True
