"""Today's sections of sessions: those with no signed note yet, and the next 7 days'."""

from __future__ import annotations

from therapy_portal.appointments import queries as appointment_queries
from therapy_portal.i18n import gettext
from therapy_portal.policy import consents
from therapy_portal.today.section_types import SHOWN, Day, Item, Section


def sessions_without_note(day: Day) -> Section:
    missing = day.read("no-note")
    return Section(
        "no-note",
        gettext("Sessions with no note yet"),
        len(missing),
        [
            Item(
                a.couple_name,
                gettext("Session on %(day)s", day=day.local(a.starts_at, moment=True)),
                "appointments.detail",
                {"appointment_id": a.id},
                flag=gettext("Session over 72 hours ago")
                if appointment_queries.note_overdue(a, day.now)
                else "",
            )
            for a in missing[:SHOWN]
        ],
        gettext("Every session that has happened has a signed note."),
        more=("appointments.week", gettext("All sessions")),
    )


def telehealth_flag(lacking: list[str] | None) -> str:
    """The warning beside an online session whose partners' telehealth consent is missing."""
    if not lacking:
        return ""
    return gettext(
        "Online, but the telehealth consent of partner %(who)s is missing or withdrawn",
        who=" and ".join(lacking),
    )


def upcoming_sessions(day: Day) -> Section:
    upcoming = day.read("sessions")
    lacking = consents.missing_for_sessions(upcoming[:SHOWN])
    return Section(
        "sessions",
        gettext("Sessions today and in the next 7 days"),
        len(upcoming),
        [
            Item(
                a.couple_name,
                day.local(a.starts_at, moment=True),
                "appointments.detail",
                {"appointment_id": a.id},
                flag=telehealth_flag(lacking.get(a.id)),
            )
            for a in upcoming[:SHOWN]
        ],
        gettext("No sessions in the next 7 days. Schedule one from a couple's Sessions tab."),
        more=("appointments.week", gettext("This week's schedule")),
    )
