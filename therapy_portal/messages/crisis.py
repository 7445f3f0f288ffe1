"""The note every message page carries: messages are not for emergencies, and what to do."""

from __future__ import annotations

from therapy_portal.i18n import N_, gettext
from therapy_portal.models import Practice

DEFAULT_CRISIS_TEXT = N_(
    "If you are in danger or thinking about harming yourself or someone else, call 911 or your "
    "local emergency number now. In the US you can also call or text 988, the Suicide and "
    "Crisis Lifeline, at any hour."
)
NOT_FOR_EMERGENCIES = N_(
    "Messages are not for emergencies. Your therapist reads them during working hours and may "
    "not see yours for a day or more."
)

# Therapists see what partners are told, so they know what the portal promises.
FOR_THERAPISTS = (
    "Messages are not for emergencies. Partners see this note, with the crisis text below, on "
    "every message page."
)


def crisis_text(practice: Practice) -> str:
    """The practice's own crisis text (practice settings), or a sensible default."""
    return (practice.crisis_text or "").strip() or gettext(DEFAULT_CRISIS_TEXT)
