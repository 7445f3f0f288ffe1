"""The one form of the area: a message. The rules (empty, too long, closed couple) live in the
service, so a refusal shows next to the field with the text kept."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from therapy_portal.i18n import lazy_gettext
from therapy_portal.models.messages import BODY_LIMIT

HINT = f"Plain text, up to {BODY_LIMIT:,} characters."


class MessageForm(FlaskForm):
    body = TextAreaField(lazy_gettext("Your message"), description=HINT, render_kw={"rows": 6})
