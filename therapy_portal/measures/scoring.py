"""Exact scoring of the registered instruments, as pure functions.

Answers are the item scores *as printed on the form* (for the RAS: the raw 1–5 answer before
reverse keying). All items are required: none of these instruments publishes a prorating rule,
and the cut-offs assume complete data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .instruments import Instrument, get_instrument


@dataclass(frozen=True, slots=True)
class Score:
    """The result of scoring one completed questionnaire."""

    instrument: str
    total: int  # RAS: the sum after reverse keying (7–35)
    mean: float | None  # RAS only: mean of the keyed items, 2 dp
    band: str | None  # severity band (PHQ-9, GAD-7) or "distressed"/"not distressed" (CSI)
    distressed: bool | None  # CSI only: total below the distress cut-off
    flags: tuple[str, ...]  # e.g. ("phq9_item9",): route to the clinician, never the partner
    cutoff: float | None  # the distress cut-off used, if any
    max_total: int
    items: tuple[int, ...]  # validated answers as printed, in item order


def score(instrument: str, answers: Sequence[int] | Mapping[int | str, int]) -> Score:
    """Score ``answers`` for the instrument registered under ``instrument``.

    ``answers`` is a sequence of item scores in item order, or a mapping from item number (an
    int, or its decimal string "1".."N") to item score. Raises ``ValueError`` naming the item for
    a missing, extra, non-integer or out-of-range answer, and ``ValueError("unknown instrument:
    …")`` for an unknown key.
    """
    inst = get_instrument(instrument)
    items = validate_answers(inst, answers)
    keyed = [item.keyed(answer) for item, answer in zip(inst.items, items, strict=True)]
    total = sum(keyed)
    mean = round(total / len(keyed), 2) if inst.reports_mean else None
    distressed = None if inst.cutoff is None else total < inst.cutoff
    flags = tuple(flag for number, minimum, flag in inst.flag_rules if items[number - 1] >= minimum)
    return Score(
        instrument=inst.key,
        total=total,
        mean=mean,
        band=inst.band_for(total),
        distressed=distressed,
        flags=flags,
        cutoff=inst.cutoff,
        max_total=inst.max_total,
        items=items,
    )


def validate_answers(
    inst: Instrument, answers: Sequence[int] | Mapping[int | str, int]
) -> tuple[int, ...]:
    """Return the answers as a tuple in item order, or raise ``ValueError`` naming the item."""
    count = len(inst.items)
    if isinstance(answers, Mapping):
        by_number = _normalise_keys(inst, answers)
    elif isinstance(answers, Sequence) and not isinstance(answers, str | bytes | bytearray):
        if len(answers) > count:
            raise ValueError(_extra(inst, count + 1))
        by_number = {n: answers[n - 1] for n in range(1, len(answers) + 1)}
    else:
        raise TypeError("answers must be a sequence of item scores or a mapping by item number")

    result: list[int] = []
    for item in inst.items:
        if item.number not in by_number:
            raise ValueError(f"item {item.number} is missing")
        value = by_number[item.number]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"item {item.number}: {value!r} is not an integer")
        if not item.min <= value <= item.max:
            raise ValueError(f"item {item.number}: {value} is out of range {item.min}–{item.max}")
        result.append(int(value))
    return tuple(result)


def _normalise_keys(inst: Instrument, answers: Mapping[object, object]) -> dict[int, object]:
    count = len(inst.items)
    by_number: dict[int, object] = {}
    for key, value in answers.items():
        if isinstance(key, int) and not isinstance(key, bool):
            number = key
        elif isinstance(key, str) and key.isascii() and key.isdigit() and key == str(int(key)):
            number = int(key)
        else:
            raise ValueError(f"item {key!r} is not an item number")
        if not 1 <= number <= count:
            raise ValueError(_extra(inst, number))
        if number in by_number:
            raise ValueError(f"item {number} is given twice")
        by_number[number] = value
    return by_number


def _extra(inst: Instrument, number: int) -> str:
    return f"item {number} is not part of {inst.key} (items 1–{len(inst.items)})"
