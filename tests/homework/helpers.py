"""Helpers for HTTP homework tests: create an assignment for the `site` couple in one call."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.homework.factories import assign, make_version
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Occurrence


def new_occurrence(app, site, **kwargs) -> int:
    """An assignment of the standard test exercise to the site couple; its first occurrence."""
    with app.app_context():
        therapist = db.session.get(User, site.ids["therapist"])
        couple = db.session.get(Couple, site.couple_id)
        version = make_version(
            therapist, kwargs.pop("prompts", None), mode=kwargs.pop("template_mode", "each_partner")
        )
        assignment = assign(therapist, couple, version, **kwargs)
        occurrence_id = db.session.scalar(
            select(Occurrence.id)
            .where(Occurrence.assignment_id == assignment.id)
            .order_by(Occurrence.sequence)
        )
        db.session.commit()
        return occurrence_id


def form_of(answers: dict[str, list[str]], **extra) -> MultiDict:
    pairs = [(k, v) for k, values in answers.items() for v in values]
    return MultiDict(pairs + list(extra.items()))


def page_text(response) -> str:
    """A response's page as text, entities unescaped (to look for what the user reads)."""
    return unescape(response.get_data(as_text=True))
