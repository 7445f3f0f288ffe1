"""Published translations of the instruments' wording (`Instrument.in_language`).

Pure data, like `instruments`: the same items in the same order, the response options in the
printed order of the English ones (so each keeps its English option's score).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Wording:
    """A published translation of an instrument's wording: same items, same option order."""

    name: str
    instructions: str
    items: tuple[str, ...]
    options: tuple[str, ...]  # the labels, in the printed order of the English options


# fmt: off
# Spanish: the published Spanish (US) versions of the PHQ-9 and GAD-7 from the same source
# (phqscreeners.com, free to use). To verify word for word against the published PDFs before
# clinical use (docs/outcomes.md). They address the reader as "usted", as published.
_FRECUENCIA = ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días")
PHQ9_ES = Wording(
    name="Cuestionario sobre la salud del paciente (PHQ-9)",
    instructions="Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a "
                 "los siguientes problemas?",
    items=(
        "Poco interés o placer en hacer cosas",
        "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
        "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
        "Se ha sentido cansado(a) o con poca energía",
        "Sin apetito o ha comido en exceso",
        "Se ha sentido mal con usted mismo(a) — o que es un fracaso o que ha quedado mal con "
        "usted mismo(a) o con su familia",
        "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
        "periódico o ver la televisión",
        "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
        "contrario — muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
        "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
    ),
    options=_FRECUENCIA,
)
GAD7_ES = Wording(
    name="Escala del trastorno de ansiedad generalizada (GAD-7)",
    instructions="Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado los "
                 "siguientes problemas?",
    items=(
        "Sentirse nervioso(a), intranquilo(a) o con los nervios de punta",
        "No poder dejar de preocuparse o no poder controlar la preocupación",
        "Preocuparse demasiado por diferentes cosas",
        "Dificultad para relajarse",
        "Estar tan inquieto(a) que es difícil permanecer sentado(a) tranquilamente",
        "Molestarse o ponerse irritable fácilmente",
        "Sentir miedo como si algo terrible fuera a pasar",
    ),
    options=("Nunca", "Varios días", "Más de la mitad de los días", "Casi todos los días"),
)
# fmt: on

#: (instrument key, language) -> its published wording in that language.
WORDINGS: dict[tuple[str, str], Wording] = {("phq9", "es"): PHQ9_ES, ("gad7", "es"): GAD7_ES}


def reworded(instrument: Any, code: str) -> Any:
    """``instrument`` (an `instruments.Instrument`) in the published wording for ``code``, or
    itself when there is none. Each item and option keeps its number and score, so scoring is
    unchanged; raises ``ValueError`` if the wording doesn't fit."""
    wording = WORDINGS.get((instrument.key, code))
    if wording is None:
        return instrument
    items = tuple(
        replace(
            item,
            text=text,
            options=tuple(
                (score, label)
                for (score, _), label in zip(item.options, wording.options, strict=True)
            ),
        )
        for item, text in zip(instrument.items, wording.items, strict=True)
    )
    return replace(
        instrument, name=wording.name, instructions=wording.instructions, items=items, language=code
    )
