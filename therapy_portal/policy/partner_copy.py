"""What a single partner's copy of the record may carry: the one place that decides it.

A records request is released either as the full record (every current partner authorized) or
as one partner's own copy (that partner authorized alone). The full record carries every part of
every signed note. A partner's copy carries:

| part of a signed note                               | in partner X's copy                    |
|-----------------------------------------------------|----------------------------------------|
| a note of a session X did not attend                | never (the whole note is left out)     |
| *Since the last session* digest                     | never: it lists both partners'         |
|                                                     | check-ins, alerts and homework         |
| a part the note form marks individually screened    | never for a joint session (both        |
| (risk screening: violence, coercive control,        | attended); kept for a session X        |
| self-harm, screened with each partner alone)        | attended alone (X's own disclosures)   |
| a part the therapist marked "not for partner copies"| never                                  |
| (any section, interventions, next session, addenda) |                                        |
| everything else (facts, sections, signature, ...)   | yes                                    |

Charts in a partner's copy draw that partner's answers alone, and the record summary lists only
what record providers say that partner may see. Psychotherapy notes are in no copy at all.

The therapist's marks are a release decision about the note, not part of what the note says: they
live in their own table (`note_copy_exclusion`), outside the signed content and its hash, so they
can be set on a draft or on a signed note without touching the signature.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select

from therapy_portal.models import Couple, Role, User
from therapy_portal.models.note_formats import FIELD_PARTS, FORMATS
from therapy_portal.models.notes import Attendees, ExportKind, RecordScope, SessionNote
from therapy_portal.policy.couples import can_view_couple

PARTNER_SCOPES = (RecordScope.A, RecordScope.B)
DIGEST_PART = "digest"
REASON_DIGEST = "the digest lists both partners' check-ins and homework"
REASON_SCREENED = "screened with each partner alone"
REASON_MARKED = "the therapist marked it not for partner copies"


def section_part(key: str) -> str:
    return f"section:{key}"


def addendum_part(position: int) -> str:
    return f"addendum:{position}"


# What the note form marks as individually screened, in any format.
SCREENED_PARTS = frozenset(
    {p.key for p in FIELD_PARTS if p.individually_screened}
    | {section_part(s.key) for f in FORMATS.values() for s in f.sections if s.individually_screened}
)


@dataclass(frozen=True)
class Part:
    """One part of a note as the therapist chooses what partner copies carry."""

    key: str
    title: str
    fixed_reason: str | None  # left out of every partner copy of this note, whatever is marked


def is_partner_scope(scope: str | None) -> bool:
    return scope in PARTNER_SCOPES


def partner_of(kind: str, scope: str | None) -> str | None:
    """The partner whose own copy an export is ("A"/"B"), or None (a full record, or no record)."""
    return scope if kind == ExportKind.RECORD and is_partner_scope(scope) else None


def notes_in_copy(stmt: Select[tuple[SessionNote]], scope: str) -> Select[tuple[SessionNote]]:
    """A partner's copy holds only sessions that partner attended; the full record holds all."""
    if is_partner_scope(scope):
        return stmt.where(SessionNote.attendees.in_((Attendees.BOTH, scope)))
    return stmt


@dataclass(frozen=True)
class CopyRule:
    """Which parts of one note one copy carries. `scope` is a `RecordScope`."""

    scope: str
    attendees: str
    marked: frozenset[str] = frozenset()

    @property
    def partner_copy(self) -> bool:
        return is_partner_scope(self.scope)

    def left_out(self, part: str) -> str | None:
        """Why a part is left out of this copy, or None when the copy carries it."""
        if not self.partner_copy:
            return None
        if part == DIGEST_PART:
            return REASON_DIGEST
        if part in SCREENED_PARTS and self.attendees == Attendees.BOTH:
            return REASON_SCREENED
        if part in self.marked:
            return REASON_MARKED
        return None

    @property
    def fingerprint(self) -> str:
        """What distinguishes this copy's rendering of a note (part of the PDF cache key)."""
        if not self.partner_copy:
            return "full"
        return "partner:" + ",".join(sorted(p for p in self.marked))


def left_out(rule: CopyRule | None, part: str) -> str | None:
    """Why a copy leaves `part` out, or None when it carries it (no rule: the full note)."""
    return rule.left_out(part) if rule is not None else None


def carried(rule: CopyRule | None, part: str, text: str) -> str:
    """The text a copy carries for `part`: the text, or nothing when the copy leaves it out."""
    return "" if left_out(rule, part) else text


def copy_rule(scope: str, note: SessionNote, marked: frozenset[str] = frozenset()) -> CopyRule:
    return CopyRule(scope, note.attendees, frozenset(marked))


def export_rule(
    kind: str, scope: str, note: SessionNote, marked: frozenset[str] = frozenset()
) -> CopyRule | None:
    """The copy rule of a note in an export: a records request's, or None (the whole note)."""
    return copy_rule(scope, note, marked) if kind == ExportKind.RECORD else None


def cache_suffix(rule: CopyRule | None) -> str:
    """What a copy adds to a note's PDF cache key: a partner's copy is a different document."""
    return f":{rule.fingerprint}" if rule is not None and rule.partner_copy else ""


def note_parts(note: SessionNote, addendum_positions: Iterable[int]) -> list[Part]:
    """Every part of a note, each with the fixed reason a partner copy leaves it out, if any."""
    joint = copy_rule("A", note)  # the fixed reasons are the same for either partner
    parts = [
        Part(section_part(s.key), s.title, joint.left_out(section_part(s.key)))
        for s in FORMATS[note.format].sections
    ]
    parts += [Part(p.key, p.title, joint.left_out(p.key)) for p in FIELD_PARTS]
    parts += [
        Part(addendum_part(position), f"Addendum {position}", None)
        for position in addendum_positions
    ]
    return parts


def markable_keys(note: SessionNote, addendum_positions: Iterable[int]) -> set[str]:
    """The parts a therapist may mark: every part without a fixed rule."""
    return {p.key for p in note_parts(note, addendum_positions) if p.fixed_reason is None}


def can_preview_copy(user: User, couple: Couple, scope: str, labels: Iterable[str]) -> bool:
    """A partner's copy is previewed by the couple's therapists, for a partner of the couple."""
    return can_view_couple(user, couple) and scope in set(labels)


def can_mark_parts(user: User, note: SessionNote) -> bool:
    """Any of the couple's therapists (the loader scoped the note), on a draft or a signed note."""
    return user.role == Role.THERAPIST and note.practice_id == user.practice_id
