"""Instrument definitions: items, printed options, bands, cut-offs and licence notes.

Every instrument is a frozen :class:`Instrument` registered under a short key ("csi4", "csi16",
"ras", "phq9", "gad7"). Options are ``(score, label)`` pairs in the order they are printed on the
published form, so a form can render them as printed and store the *printed score*, never the
option position. Pure data: no Flask, no database.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

from .wordings import reworded


class Direction(enum.StrEnum):
    """Which way a higher total points."""

    HIGHER_IS_BETTER = "higher_is_better"
    HIGHER_IS_WORSE = "higher_is_worse"


class SafetyFlag(enum.StrEnum):
    """A clinician-only flag a scored answer raises; never shown to a partner."""

    PHQ9_ITEM9 = "phq9_item9"


Option = tuple[int, str]


@dataclass(frozen=True, slots=True)
class Item:
    """One question. ``text`` is None when the wording may not be shipped (RAS)."""

    number: int
    text: str | None
    options: tuple[Option, ...]
    reverse_keyed: bool = False  # scored as (min + max) - answer, e.g. RAS 6 - x
    anchors: tuple[str, str] | None = None  # semantic-differential poles, left then right
    preamble: str | None = None  # instruction printed above this item on the form

    @property
    def min(self) -> int:
        return min(s for s, _ in self.options)

    @property
    def max(self) -> int:
        return max(s for s, _ in self.options)

    def keyed(self, answer: int) -> int:
        """The item's contribution to the total (reverses reverse-keyed items)."""
        return self.min + self.max - answer if self.reverse_keyed else answer


@dataclass(frozen=True, slots=True)
class Band:
    """An inclusive range of totals and its label."""

    low: int
    high: int
    label: str


@dataclass(frozen=True, slots=True)
class Instrument:
    """A validated measure and everything needed to show and score it."""

    key: str
    name: str
    citation: str
    attribution: str
    licence: str
    instructions: str
    items: tuple[Item, ...]
    direction: Direction
    display_text: bool
    bands: tuple[Band, ...] = ()
    cutoff: float | None = None  # distress cut-off: total < cutoff means distressed
    reports_mean: bool = False
    flag_rules: tuple[tuple[int, int, str], ...] = ()  # (item, minimum answer, flag)
    language: str = "en"  # the language of the wording (name, instructions, items, options)

    @property
    def min_total(self) -> int:
        return sum(min(i.keyed(i.min), i.keyed(i.max)) for i in self.items)

    @property
    def max_total(self) -> int:
        return sum(max(i.keyed(i.min), i.keyed(i.max)) for i in self.items)

    @property
    def reverse_keyed_items(self) -> tuple[int, ...]:
        return tuple(i.number for i in self.items if i.reverse_keyed)

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    def band_for(self, total: int) -> str | None:
        """The band label for a total, or None when the instrument has no bands."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band.label
        return None

    def in_language(self, code: str) -> Instrument:
        """Worded in ``code`` if a published translation is shipped (`wordings`), else itself."""
        return reworded(self, code)


_REGISTRY: dict[str, Instrument] = {}
INSTRUMENTS = MappingProxyType(_REGISTRY)


def register(instrument: Instrument) -> Instrument:
    """Check an instrument's internal consistency and add it to :data:`INSTRUMENTS`."""
    if instrument.key in _REGISTRY:
        raise ValueError(f"instrument already registered: {instrument.key}")
    numbers = [i.number for i in instrument.items]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"{instrument.key}: items must be numbered 1..N in order")
    for item in instrument.items:
        scores = sorted(s for s, _ in item.options)
        if scores != list(range(item.min, item.max + 1)):
            raise ValueError(f"{instrument.key} item {item.number}: scores must be contiguous")
    if instrument.bands:
        expected = instrument.min_total
        for band in instrument.bands:
            if band.low != expected or band.high < band.low:
                raise ValueError(f"{instrument.key}: bands must tile the total range")
            expected = band.high + 1
        if expected != instrument.max_total + 1:
            raise ValueError(f"{instrument.key}: bands must reach the maximum total")
    _REGISTRY[instrument.key] = instrument
    return instrument


def _opts(labels: Iterable[str], scores: Iterable[int]) -> tuple[Option, ...]:
    return tuple(zip(scores, labels, strict=True))


def _differential(number: int, left: str, right: str, high_on_left: bool, **kw: str) -> Item:
    """A semantic-differential item; the poles label the two end options."""
    scores = list(range(5, -1, -1)) if high_on_left else list(range(6))
    labels = [left, *(str(s) for s in scores[1:-1]), right]
    return Item(number, f"{left} – {right}", _opts(labels, scores), anchors=(left, right), **kw)


# The definitions below are data tables; keep them compact and readable as printed.
# fmt: off

# ---------------------------------------------------------------- Couples Satisfaction Index
_HAPPY = _opts(["Extremely Unhappy", "Fairly Unhappy", "A Little Unhappy", "Happy", "Very Happy",
                "Extremely Happy", "Perfect"], range(7))
_TRUE = _opts(["Not at all TRUE", "A little TRUE", "Somewhat TRUE", "Mostly TRUE",
               "Almost Completely TRUE", "Completely TRUE"], range(6))
_AMOUNT = _opts(["Not at all", "A little", "Somewhat", "Mostly", "Almost Completely",
                 "Completely"], range(6))
# Printed high-to-low: "All the time" is the left-most option and scores 5.
_HOW_OFTEN = _opts(["All the time", "Most of the time", "More often than not", "Occasionally",
                    "Rarely", "Never"], range(5, -1, -1))
_HAPPINESS = "Please indicate the degree of happiness, all things considered, of your relationship."
_WARM = "I have a warm and comfortable relationship with my partner."
_REWARDING = "How rewarding is your relationship with your partner?"
_SATISFIED = "In general, how satisfied are you with your relationship?"
_CSI = dict(
    citation="Funk, J. L., & Rogge, R. D. (2007). Testing the ruler with item response theory: "
             "Increasing precision of measurement for relationship satisfaction with the Couples "
             "Satisfaction Index. Journal of Family Psychology, 21(4), 572–583. "
             "doi:10.1037/0893-3200.21.4.572",
    attribution="Couples Satisfaction Index by Janette L. Funk and Ronald D. Rogge (2007).",
    licence="The authors make the CSI scales freely available for clinical and research use "
            "without further permission. Keep the wording unchanged and attributed. Commercial "
            "use is not addressed: ask the authors before offering a paid hosted service.",
    # Our own instruction: the CSI form has no general stem above item 1.
    instructions="Please answer each question about your relationship with your partner.",
    direction=Direction.HIGHER_IS_BETTER, display_text=True,
)
_SD_PREAMBLE = ("For each of the following items, select the answer that best describes how you "
                "feel about your relationship. Base your responses on your first impressions and "
                "immediate feelings about the item.")

CSI4 = register(Instrument(
    key="csi4", name="Couples Satisfaction Index (CSI-4)", **_CSI,
    items=(Item(1, _HAPPINESS, _HAPPY), Item(2, _WARM, _TRUE), Item(3, _REWARDING, _AMOUNT),
           Item(4, _SATISFIED, _AMOUNT)),
    cutoff=13.5, bands=(Band(0, 13, "distressed"), Band(14, 21, "not distressed")),
))

CSI16 = register(Instrument(
    key="csi16", name="Couples Satisfaction Index (CSI-16)", **_CSI,
    items=(
        Item(1, _HAPPINESS, _HAPPY),
        Item(2, "In general, how often do you think that things between you and your partner "
                "are going well?", _HOW_OFTEN),
        Item(3, "Our relationship is strong.", _TRUE),
        Item(4, "My relationship with my partner makes me happy.", _TRUE),
        Item(5, _WARM, _TRUE),
        Item(6, "I really feel like part of a team with my partner.", _TRUE),
        Item(7, _REWARDING, _AMOUNT),
        Item(8, "How well does your partner meet your needs?", _AMOUNT),
        Item(9, "To what extent has your relationship met your original expectations?", _AMOUNT),
        Item(10, _SATISFIED, _AMOUNT),
        _differential(11, "INTERESTING", "BORING", True, preamble=_SD_PREAMBLE),
        _differential(12, "BAD", "GOOD", False),
        _differential(13, "FULL", "EMPTY", True),
        _differential(14, "STURDY", "FRAGILE", True),
        _differential(15, "DISCOURAGING", "HOPEFUL", False),
        _differential(16, "ENJOYABLE", "MISERABLE", True),
    ),
    cutoff=51.5, bands=(Band(0, 51, "distressed"), Band(52, 81, "not distressed")),
))

# ------------------------------------------------------------ Relationship Assessment Scale
# Item wording is not shipped (no explicit licence found): a clinic with permission supplies
# it. Options are the form's letters A-E scored 1-5; items 4 and 7 are reverse keyed (6 - x).
RAS = register(Instrument(
    key="ras", name="Relationship Assessment Scale (RAS)",
    citation="Hendrick, S. S. (1988). A generic measure of relationship satisfaction. Journal of "
             "Marriage and the Family, 50(1), 93–98. doi:10.2307/352430",
    attribution="Relationship Assessment Scale by Susan S. Hendrick (1988).",
    licence="No explicit licence for the item wording was found, so only the scoring is "
            "shipped. A clinic that holds permission supplies the wording itself.",
    instructions="Answer each item by choosing the letter (A to E) that fits best.",
    items=tuple(Item(n, None, _opts("ABCDE", range(1, 6)), reverse_keyed=n in (4, 7))
                for n in range(1, 8)),
    direction=Direction.HIGHER_IS_BETTER, display_text=False, reports_mean=True,
))

# ------------------------------------------------------------------------- PHQ-9 and GAD-7
_FREQUENCY = _opts(["Not at all", "Several days", "More than half the days", "Nearly every day"],
                   range(4))
_PFIZER = dict(
    attribution="Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
                "colleagues, with an educational grant from Pfizer Inc.",
    licence="No permission required to reproduce, translate, display or distribute. Keep the "
            "wording unchanged and cite the source.",
    direction=Direction.HIGHER_IS_WORSE, display_text=True,
)
_PHQ9_TEXT = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
_GAD7_TEXT = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)

PHQ9 = register(Instrument(
    key="phq9", name="Patient Health Questionnaire (PHQ-9)", **_PFIZER,
    citation="Kroenke, K., Spitzer, R. L., & Williams, J. B. W. (2001). The PHQ-9: Validity of a "
             "brief depression severity measure. Journal of General Internal Medicine, 16(9), "
             "606–613.",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the "
                 "following problems?",
    items=tuple(Item(n, t, _FREQUENCY) for n, t in enumerate(_PHQ9_TEXT, start=1)),
    bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"),
           Band(15, 19, "moderately severe"), Band(20, 27, "severe")),
    # Not part of the published scoring: any answer above 0 on item 9 alerts the therapist.
    flag_rules=((9, 1, SafetyFlag.PHQ9_ITEM9),),
))

GAD7 = register(Instrument(
    key="gad7", name="Generalized Anxiety Disorder scale (GAD-7)", **_PFIZER,
    citation="Spitzer, R. L., Kroenke, K., Williams, J. B. W., & Löwe, B. (2006). A brief measure "
             "for assessing generalized anxiety disorder: The GAD-7. Archives of Internal "
             "Medicine, 166(10), 1092–1097.",
    instructions="Over the last 2 weeks, how often have you been bothered by the following "
                 "problems?",
    items=tuple(Item(n, t, _FREQUENCY) for n, t in enumerate(_GAD7_TEXT, start=1)),
    bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"),
           Band(15, 21, "severe")),
))

# fmt: on


def get_instrument(key: str) -> Instrument:
    """Look up a registered instrument; raises ``ValueError("unknown instrument: …")``."""
    try:
        return _REGISTRY[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown instrument: {key!r}") from None
