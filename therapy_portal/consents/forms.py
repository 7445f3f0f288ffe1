"""Forms of consents. The rules (the name must be the partner's own, a title and text are
needed) live in the services, so a refusal shows next to its field with what was typed kept."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField

from therapy_portal.i18n import lazy_gettext
from therapy_portal.models.consents import BODY_LIMIT, TITLE_LIMIT


class SignForm(FlaskForm):
    typed_name = StringField(
        lazy_gettext("Type your full name to sign"),
        description=lazy_gettext(
            "Your name as the practice has it; capital letters and spaces don't matter."
        ),
        render_kw={"autocomplete": "name"},
    )


class PublishForm(FlaskForm):
    title = StringField(lazy_gettext("Title"), description=f"Up to {TITLE_LIMIT} characters.")
    body = TextAreaField(
        lazy_gettext("Text partners read and sign"),
        description=f"Plain text, up to {BODY_LIMIT:,} characters. A blank line starts a new "
        "paragraph.",
        render_kw={"rows": 18},
    )
    material = BooleanField(
        lazy_gettext(
            "This is a material change: every partner signs again before online sessions or "
            "records releases go ahead"
        )
    )
