"""Homework answers and drafts are stored as ciphertext (see tests/notes/test_encryption.py)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.homework.factories import answers, assign, first_occurrence, make_version, submit
from therapy_portal.extensions import db


def test_homework_answers_and_drafts_are_encrypted(hw):
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))
    submit(hw.a, occurrence, answers("canary-7731"))
    db.session.commit()
    for table, column in (
        ("response", "answers"),
        ("response", "draft"),
        ("submission", "answers"),
    ):
        raw = sa.column(column)
        values = db.session.scalars(sa.select(raw).select_from(sa.table(table, raw))).all()
        assert values and all(v.startswith("enc1:") for v in values if v is not None)
        assert not any("canary" in v for v in values if v)
