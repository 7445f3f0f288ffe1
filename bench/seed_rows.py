"""Row generators for the benchmark seed: a year of one couple's homework, check-ins and notes.

Each couple gets a weekly exercise for 52 weeks (both partners answer), a weekly CSI-4 check-in
and a signed note every four weeks. The last weeks vary by couple, so every list page has work
on it: both answered and waiting for review, one partner late (waiting and overdue), or nobody
answered yet (overdue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

WEEKS = 52
NOTE_EVERY_WEEKS = 4


@dataclass
class Ids:
    """Next free id per table (the seed assigns ids itself, then resets the sequences)."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


@dataclass(frozen=True)
class Prototype:
    """What every couple's rows share: the exercise version and valid answers and scores."""

    version_by_practice: dict[int, int]
    visibility: dict[str, str]
    fields: dict[str, list[str]]
    answers: dict[str, Any]
    checkins: list[Any]  # scored CSI-4 results, cycled through
    today: date


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _state(couple_index: int, weeks_ago: int) -> tuple[str, str, bool]:
    """(partner A, partner B, reviewed) for an occurrence due ``weeks_ago`` weeks ago."""
    if weeks_ago >= 3:
        return "submitted", "submitted", True
    kind = couple_index % 3
    if kind == 0:
        return "submitted", "submitted", False
    if kind == 1:
        return "submitted", "draft", False
    return "draft", "none", False


def homework_rows(
    ids: Ids, proto: Prototype, couple: dict, couple_index: int
) -> tuple[list, list, list]:
    """(assignment, occurrences, responses) for one couple."""
    start = proto.today - timedelta(weeks=WEEKS - 2)
    assignment_id = ids.take("assignment")
    practice_id, couple_id = couple["practice_id"], couple["id"]
    assignment = {
        "id": assignment_id,
        "practice_id": practice_id,
        "couple_id": couple_id,
        "version_id": proto.version_by_practice[practice_id],
        "mode": "each_partner",
        "visibility": proto.visibility,
        "cadence": "weekly",
        "first_due_on": start,
        "ends_on": start + timedelta(weeks=WEEKS - 1),
        "created_by_id": couple["therapist_id"],
        "created_at": _at(start - timedelta(days=7), 10),
    }
    occurrences, responses = [], []
    for sequence in range(WEEKS):
        due = start + timedelta(weeks=sequence)
        occurrence_id = ids.take("occurrence")
        weeks_ago = (proto.today - due).days // 7
        submitted_at = []
        if due < proto.today:
            a, b, reviewed = _state(couple_index, weeks_ago)
            for label, status, hours in (("A", a, 18), ("B", b, 21)):
                if status == "none":
                    continue
                at = _at(due - timedelta(days=1), hours)
                if status == "submitted":
                    submitted_at.append(at)
                responses.append(_response(ids, couple, occurrence_id, label, status, at, proto))
        else:
            reviewed = False
        occurrences.append(
            {
                "id": occurrence_id,
                "practice_id": practice_id,
                "couple_id": couple_id,
                "assignment_id": assignment_id,
                "sequence": sequence + 1,
                "due_on": due,
                "reviewed_at": _at(due + timedelta(days=2), 9) if reviewed else None,
                "reviewed_by_id": couple["therapist_id"] if reviewed else None,
                "created_at": assignment["created_at"],
                "submitted_count": len(submitted_at),
                "waiting_since": min(submitted_at) if submitted_at else None,
            }
        )
    return [assignment], occurrences, responses


def _response(ids: Ids, couple, occurrence_id, label, status, at, proto: Prototype) -> dict:
    submitted = status == "submitted"
    return {
        "id": ids.take("response"),
        "practice_id": couple["practice_id"],
        "couple_id": couple["id"],
        "occurrence_id": occurrence_id,
        "author_label": label,
        "status": status,
        "draft": proto.fields,
        "answers": proto.answers if submitted else None,
        "version": 2 if submitted else 1,
        "last_edited_by_id": couple["partners"][label],
        "created_at": at - timedelta(minutes=30),
        "updated_at": at,
        "submitted_at": at if submitted else None,
        "first_submitted_at": at if submitted else None,
    }


def checkin_rows(ids: Ids, proto: Prototype, couple: dict) -> tuple[list, list]:
    """(schedule, responses): a weekly CSI-4 for a year, both partners."""
    starts_on = proto.today - timedelta(weeks=WEEKS)
    schedule = {
        "id": ids.take("measure_schedule"),
        "practice_id": couple["practice_id"],
        "couple_id": couple["id"],
        "instrument": "csi4",
        "interval_weeks": 1,
        "starts_on": starts_on,
        "created_by_id": couple["therapist_id"],
        "created_at": _at(starts_on - timedelta(days=1), 10),
    }
    rows = []
    for index in range(WEEKS):
        for n, label in enumerate(("A", "B")):
            result = proto.checkins[(index + n + couple["id"]) % len(proto.checkins)]
            rows.append(
                {
                    "id": ids.take("measure_response"),
                    "practice_id": couple["practice_id"],
                    "couple_id": couple["id"],
                    "schedule_id": schedule["id"],
                    "partner_id": couple["partners"][label],
                    "period_index": index,
                    "instrument": "csi4",
                    "answers": {str(i): v for i, v in enumerate(result.items, start=1)},
                    "total": result.total,
                    "band": result.band,
                    "distressed": result.distressed,
                    "mean": result.mean,
                    "flags": [],
                    "taken_at": _at(starts_on + timedelta(weeks=index, days=1), 19 + n),
                }
            )
    return [schedule], rows


NOTE_SECTIONS = {
    "data": "Both partners described the week; the weekend plan held. Practised a soft start-up.",
    "assessment": "Less defensiveness than last session; repair attempts were accepted.",
    "plan": "Continue the weekly appreciation exercise; check in on the weekend routine.",
}


def note_rows(ids: Ids, proto: Prototype, couple: dict, sign) -> list[dict]:
    """A signed DAP note every four weeks; ``sign`` is the app's note signer."""
    rows = []
    for week in range(NOTE_EVERY_WEEKS, WEEKS, NOTE_EVERY_WEEKS):
        day = proto.today - timedelta(weeks=WEEKS - week)
        signed_at = _at(day, 17)
        note = SimpleNamespace(
            id=ids.take("session_note"),
            practice_id=couple["practice_id"],
            couple_id=couple["id"],
            therapist_id=couple["therapist_id"],
            session_date=day,
            start_time=time(15, 0),
            end_time=time(15, 50),
            format="dap",
            attendees="both",
            service_code="90847",
            modality="in_person",
            sections=NOTE_SECTIONS,
            interventions="Gottman soft start-up; reflective listening.",
            risk_screening="No risk indicated.",
            next_session="Next week, same time",
            digest="",
            signed_by_id=couple["therapist_id"],
            signer_name=couple["therapist_name"],
            signer_credentials="LMFT",
            signed_at=signed_at,
        )
        row = dict(vars(note))
        row.update(
            status="signed",
            version=2,
            created_at=signed_at - timedelta(hours=1),
            updated_at=signed_at,
            signature=sign(note),
        )
        rows.append(row)
    return rows
