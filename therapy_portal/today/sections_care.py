"""Today's sections of care planning: plans due for review, work awaiting a co-signature."""

from __future__ import annotations

from therapy_portal.i18n import gettext
from therapy_portal.today.section_types import SHOWN, Day, Item, Section


def plans_due(day: Day) -> Section:
    due, total = day.read("plans")
    return Section(
        "plans",
        gettext("Treatment plans due for review"),
        total,
        [
            Item(
                d.couple_name,
                (
                    gettext("Review was due %(day)s", day=day.local(d.review_on))
                    if d.overdue
                    else gettext("Review due %(day)s", day=day.local(d.review_on))
                ),
                "plans.version",
                {"version_id": d.version_id},
                flag=gettext("Review date passed") if d.overdue else "",
            )
            for d in due
        ],
        gettext("No plan is due for review in the next 7 days."),
    )


def awaiting_cosignature(day: Day) -> Section:
    waiting = day.read("cosign")
    return Section(
        "cosign",
        gettext("Awaiting your co-signature"),
        len(waiting),
        [
            Item(
                w.couple_name,
                (
                    gettext("Session note by %(name)s", name=w.author_name)
                    if w.kind == "note"
                    else gettext("Treatment plan by %(name)s", name=w.author_name)
                ),
                "supervision.note" if w.kind == "note" else "supervision.plan",
                {"signed_note_id": w.object_id}
                if w.kind == "note"
                else {"plan_version_id": w.object_id},
            )
            for w in waiting[:SHOWN]
        ],
        gettext("Nothing awaits your co-signature."),
        more=("supervision.queue", gettext("All work awaiting your co-signature")),
    )
