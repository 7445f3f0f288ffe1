"""Today's sections, most urgent first, each made by one small provider listed in `SECTIONS`.

A provider takes the `Day` (the therapist, the time, and reads shared between providers) and
returns a `Section`: a title, a count, the first few items with where each leads, and what to
do when there is nothing. Providers name endpoints, never build URLs; the template does.
Each provider runs a fixed number of statements whatever the caseload's size.

Sessions (those lacking a note, and today's and the next 7 days') and unread messages come
from their own areas' query modules. The providers' reads are listed in `READS` and run
together before any provider (one round trip on PostgreSQL); a provider takes its result with
`day.read(key)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from therapy_portal.appointments import queries as appointment_queries
from therapy_portal.homework.services.summary import queue_summary_read
from therapy_portal.i18n import gettext
from therapy_portal.measures.outcome_alerts import open_outcome_alerts_read
from therapy_portal.measures.safety import open_safety_alerts_read
from therapy_portal.messages import unread
from therapy_portal.models import User
from therapy_portal.plans.review_due import due_for_review_read
from therapy_portal.prepared import Read
from therapy_portal.supervision.services import queue_read as cosign_queue_read
from therapy_portal.timezones import practice_today
from therapy_portal.today import reads
from therapy_portal.today.section_types import SHOWN, Day, Item, Section
from therapy_portal.today.sections_care import awaiting_cosignature, plans_due
from therapy_portal.today.sections_sessions import sessions_without_note, upcoming_sessions

__all__ = ["SHOWN", "Day", "Item", "Section", "READS", "SECTIONS", "build"]


def safety_alerts(day: Day) -> Section:
    alerts = day.read("alerts")
    return Section(
        "alerts",
        # Not "Safety alert…": that phrase marks a shown alert (the item's flag), which the
        # privacy canaries look for on every page of people who must not see one.
        gettext("Open safety alerts"),
        len(alerts),
        [
            Item(
                gettext(
                    "%(couple)s: Partner %(label)s", couple=a.couple_name, label=a.partner_label
                ),
                f"{a.reason}, {day.local(a.created_at, moment=True)}",
                "measures.response_detail",
                {"measure_response_id": a.response_id},
                flag=gettext("Safety alert"),
            )
            for a in alerts[:SHOWN]
        ],
        gettext(
            "No open safety alerts. A check-in answer that needs attention appears here at once."
        ),
        urgent=True,
    )


def outcome_alerts(day: Day) -> Section:
    alerts = day.read("outcomes")
    return Section(
        "outcomes",
        gettext("Outcome alerts"),
        len(alerts),
        [
            Item(
                f"{a.couple_name}: {a.who}, {a.title}",
                a.detail,
                "measures.dismiss_outcome",
                {"outcome_alert_id": a.id},
            )
            for a in alerts[:SHOWN]
        ],
        gettext(
            "No outcome alerts. Check-ins that show reliable worsening, no reliable improvement "
            "after several sessions, or a widening gap between partners appear here."
        ),
    )


def answers_to_review(day: Day) -> Section:
    queue = day.read("queue")
    return Section(
        "review",
        gettext("Answers waiting for review"),
        queue.waiting_total,
        [
            Item(
                f"{i.couple_name}: {i.title}",
                gettext("Waiting since %(day)s", day=day.local(i.since)) if i.since else "",
                "homework.review",
                {"occurrence_id": i.occurrence_id},
            )
            for i in queue.waiting
        ],
        gettext("Nothing to review. Submitted homework appears here, oldest first."),
        more=("homework.review_queue", gettext("All homework to review")),
    )


def overdue_homework(day: Day) -> Section:
    queue = day.read("queue")
    return Section(
        "overdue",
        gettext("Overdue homework"),
        queue.overdue_total,
        [
            Item(
                f"{i.couple_name}: {i.title}",
                gettext("Was due %(day)s", day=day.local(i.since)),
                "homework.assignment_detail",
                {"assignment_id": i.assignment_id},
            )
            for i in queue.overdue
        ],
        gettext(
            "No overdue homework. To give a couple something to work on, open the couple and "
            "choose Assign homework."
        ),
        more=("homework.review_queue", gettext("All overdue homework")),
    )


def checkins(day: Day) -> Section:
    gaps, total = day.read("checkins")
    return Section(
        "checkins",
        gettext("Check-ins missed or due"),
        total,
        [
            Item(
                gettext(
                    "%(couple)s: Partner %(label)s, %(instrument)s",
                    couple=g.couple_name,
                    label=g.label,
                    instrument=g.instrument,
                ),
                (
                    gettext("Missed: the period ended %(day)s", day=day.local(g.closes_on))
                    if g.missed
                    else gettext("Due: closes %(day)s", day=day.local(g.closes_on))
                ),
                "measures.progress_page",
                {"couple_id": g.couple_id},
                flag=gettext("Missed") if g.missed else "",
            )
            for g in gaps
        ],
        gettext(
            "Every check-in is answered. To measure progress, open a couple and schedule a "
            "check-in from Check-ins and progress."
        ),
    )


def unsigned_notes(day: Day) -> Section:
    drafts, total = day.read("drafts")
    return Section(
        "notes",
        gettext("Draft notes not signed"),
        total,
        [
            Item(
                d.couple_name,
                gettext("Session on %(day)s", day=day.local(d.session_date)),
                "notes.edit",
                {"note_id": d.note_id},
                flag=gettext("Session over 72 hours ago") if d.overdue else "",
            )
            for d in drafts
        ],
        gettext(
            "Every note is signed. After a session, start its note from the couple's Session notes."
        ),
        more=("notes.index", gettext("All session notes")),
    )


def unread_messages(day: Day) -> Section:
    threads = day.read("messages")
    names = reads.couple_names(day.therapist, {t.couple_id for t in threads})
    return Section(
        "messages",
        gettext("Unread messages"),
        sum(t.unread for t in threads),
        [
            Item(
                names.get(t.couple_id, ""),
                gettext("%(n)s new, couple thread", n=t.unread)
                if t.scope == "couple"
                else gettext(
                    "%(n)s new, Partner %(label)s's private thread", n=t.unread, label=t.scope
                ),
                "messages.therapist_thread",
                {"couple_id": t.couple_id, "scope": t.scope},
            )
            for t in threads[:SHOWN]
        ],
        gettext("No unread messages."),
        more=("messages.inbox", gettext("All messages")),
    )


# The page, in this order: most urgent first.
SECTIONS: list[Callable[[Day], Section]] = [
    safety_alerts,
    outcome_alerts,
    answers_to_review,
    overdue_homework,
    checkins,
    unsigned_notes,
    awaiting_cosignature,
    sessions_without_note,
    upcoming_sessions,
    unread_messages,
    plans_due,
]


# What the providers read with `day.read(key)`: run together before any provider, so PostgreSQL
# answers them in one round trip (prepared.run_together).
READS: dict[str, Callable[[Day], Read]] = {
    "alerts": lambda day: open_safety_alerts_read(day.therapist),
    "outcomes": lambda day: open_outcome_alerts_read(day.therapist),
    "queue": lambda day: queue_summary_read(day.therapist, SHOWN),
    "checkins": lambda day: reads.checkin_gaps_read(day.therapist, day.now, SHOWN),
    "drafts": lambda day: reads.unsigned_drafts_read(day.therapist, day.now, SHOWN),
    "cosign": lambda day: cosign_queue_read(day.therapist),
    "messages": lambda day: unread.unread_for_therapist_read(day.therapist),
    "plans": lambda day: due_for_review_read(day.therapist, practice_today(day.therapist), SHOWN),
    "no-note": lambda day: appointment_queries.sessions_without_signed_note_read(
        day.therapist, day.now
    ),
    "sessions": lambda day: appointment_queries.upcoming_for_therapist_read(
        day.therapist, 7, day.now
    ),
}


def build(therapist: User, now: datetime) -> list[Section]:
    """Every section of the therapist's Today page, in `SECTIONS` order."""
    day = Day(therapist, now)
    day.load(READS)
    return [provider(day) for provider in SECTIONS]
