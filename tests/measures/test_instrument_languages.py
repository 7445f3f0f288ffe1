"""Questionnaires in the partner's language: the published Spanish PHQ-9 and GAD-7, the same
scores whatever the language, and a notice where only English exists (the CSI)."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from tests.factories import login
from tests.measures.factories import make_schedule
from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS
from therapy_portal.measures.scoring import score
from therapy_portal.models import Couple, User
from therapy_portal.models.measures import MeasureResponse


def _schedule(app, world, instrument: str, spanish: str = "partner_a") -> int:
    with app.app_context():
        schedule = make_schedule(
            db.session.get(Couple, world.couple_ids["c1"]), instrument=instrument
        )
        db.session.get(User, world.ids[spanish]).locale = "es"
        db.session.commit()
        return schedule.id


@pytest.mark.parametrize("key", ["phq9", "gad7"])
def test_spanish_wording_keeps_items_scores_and_scoring(key) -> None:
    english = INSTRUMENTS[key]
    spanish = english.in_language("es")
    assert spanish.language == "es" and spanish.key == key
    assert len(spanish.items) == len(english.items)
    for es, en in zip(spanish.items, english.items, strict=True):
        assert es.text != en.text
        assert [s for s, _ in es.options] == [s for s, _ in en.options]
        assert [label for _, label in es.options] != [label for _, label in en.options]
    answers = {n: (n % 4) for n in range(1, len(english.items) + 1)}
    assert sum(spanish.item(n).keyed(a) for n, a in answers.items()) == score(key, answers).total
    assert (spanish.bands, spanish.max_total, spanish.flag_rules) == (
        english.bands,
        english.max_total,
        english.flag_rules,
    )
    assert english.in_language("en") is english


def test_every_shipped_wording_fits_its_instrument() -> None:
    from therapy_portal.measures.wordings import WORDINGS

    for (key, code), wording in WORDINGS.items():
        worded = INSTRUMENTS[key].in_language(code)  # raises if the items or options don't fit
        assert worded.language == code and worded.name == wording.name


def test_an_instrument_without_a_translation_stays_english() -> None:
    for key in ("csi4", "csi16", "ras"):
        assert INSTRUMENTS[key].in_language("es") is INSTRUMENTS[key]


def test_a_spanish_partner_reads_the_spanish_phq9_and_scores_the_same(app, client, world):
    schedule_id = _schedule(app, world, "phq9")
    login(client, world.emails["partner_a"])
    html = unescape(client.get(f"/checkins/{schedule_id}").get_data(as_text=True))
    assert "Cuestionario sobre la salud del paciente (PHQ-9)" in html
    assert "Durante las últimas 2 semanas" in html
    assert "<legend>1. Poco interés o placer en hacer cosas</legend>" in html
    assert "Más de la mitad de los días" in html and "Nearly every day" not in html
    assert "only available in English" not in html
    listing = unescape(client.get("/checkins").get_data(as_text=True))
    assert "Cuestionario sobre la salud del paciente (PHQ-9)" in listing
    answers = {f"item_{n}": str(n % 4) for n in range(1, 10)}
    assert client.post(f"/checkins/{schedule_id}", data=answers).status_code == 302
    history = unescape(client.get("/checkins").get_data(as_text=True))
    assert "Cuestionario sobre la salud del paciente (PHQ-9)" in history  # past answers too

    client.post("/logout")
    login(client, world.emails["partner_b"])
    english = unescape(client.get(f"/checkins/{schedule_id}").get_data(as_text=True))
    assert "<legend>1. Little interest or pleasure in doing things</legend>" in english
    assert client.post(f"/checkins/{schedule_id}", data=answers).status_code == 302
    with app.app_context():
        totals = db.session.scalars(select(MeasureResponse.total)).all()
    assert len(totals) == 2 and totals[0] == totals[1]


def test_a_spanish_partner_is_told_the_csi_is_only_in_english(app, client, world):
    schedule_id = _schedule(app, world, "csi4")
    login(client, world.emails["partner_a"])
    html = unescape(client.get(f"/checkins/{schedule_id}").get_data(as_text=True))
    assert "Este cuestionario solo está disponible en inglés." in html
    assert "Please indicate the degree of happiness" in html  # the wording stays as published
    client.post("/logout")
    login(client, world.emails["partner_b"])
    english = unescape(client.get(f"/checkins/{schedule_id}").get_data(as_text=True))
    assert "only available in English" not in english and "disponible en inglés" not in english
