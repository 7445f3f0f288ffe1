"""Validated measures: instrument registry, exact scoring and reliable change (pure Python).

Stable interface (DESIGN §6): ``score(instrument, answers)`` for "csi4", "csi16", "ras", "phq9",
"gad7". Charts live in :mod:`therapy_portal.measures.charts` (imported on demand: it needs pygal).
"""

from __future__ import annotations

from .change import DEFAULT_NORMS, clinically_significant, reliable_change
from .instruments import INSTRUMENTS, Instrument, get_instrument
from .scoring import Score, score

__all__ = [
    "DEFAULT_NORMS",
    "INSTRUMENTS",
    "Instrument",
    "Score",
    "clinically_significant",
    "get_instrument",
    "reliable_change",
    "score",
]
