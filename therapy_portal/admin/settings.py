"""Practice settings for the admin: name, address, phone, time zone, logo, paper size for PDFs,
the crisis text, and the default session reminders; and the logo, served to the practice's
own signed-in people.

The logo is decoded and re-encoded with Pillow before it is stored: only PNG and JPEG, at most
`MAX_LOGO_BYTES` and `MAX_LOGO_SIDE` pixels a side, so what is served is a plain image with no
metadata, whatever was uploaded.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from zoneinfo import available_timezones

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from PIL import Image, UnidentifiedImageError
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from therapy_portal import audit, boundary, policy
from therapy_portal.errors import ValidationFailed
from therapy_portal.i18n import gettext, lazy_gettext
from therapy_portal.models import PaperSize, Role, User

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 2000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
TIMEZONES = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
LOGO_HINT = "PNG or JPEG, up to 512 KB and 2000 × 2000 pixels. Shown on every page and PDF."

bp = Blueprint("practice_settings", __name__)


class SettingsForm(FlaskForm):
    name = StringField(
        lazy_gettext("Practice name"),
        description=lazy_gettext("Up to 200 characters."),
        validators=[DataRequired(lazy_gettext("Enter the practice's name.")), Length(max=200)],
    )
    address = TextAreaField(lazy_gettext("Address"), validators=[Optional(), Length(max=500)])
    phone = StringField(lazy_gettext("Phone"), validators=[Optional(), Length(max=40)])
    timezone = SelectField(
        lazy_gettext("Time zone"),
        description=lazy_gettext(
            "Session times, due dates and the audit log are shown in this zone."
        ),
        choices=[SelectChoice(zone, zone) for zone in TIMEZONES],
        validate_choice=True,
    )
    # Not named "logo": the form is filled from the practice, whose `logo` is the stored bytes.
    new_logo = FileField(lazy_gettext("Logo"), description=LOGO_HINT)
    remove_logo = BooleanField(lazy_gettext("Remove the current logo"))
    paper_size = RadioField(
        lazy_gettext("Paper size for PDFs"),
        choices=[
            SelectChoice(PaperSize.LETTER.value, lazy_gettext("Letter")),
            SelectChoice(PaperSize.A4.value, lazy_gettext("A4")),
        ],
        validators=[DataRequired(lazy_gettext("Choose a paper size."))],
    )
    crisis_text = TextAreaField(
        lazy_gettext("Crisis text"),
        description=lazy_gettext(
            "Shown wherever people write to the practice, e.g. who to call in an "
            "emergency. Up to 1000 characters."
        ),
        validators=[Optional(), Length(max=1000)],
    )
    remind_24h = BooleanField(lazy_gettext("Remind partners 24 hours before a session"))
    remind_2h = BooleanField(lazy_gettext("Remind partners 2 hours before a session"))


@dataclass(frozen=True)
class SettingsInput:
    name: str
    address: str
    phone: str
    timezone: str
    paper_size: str
    crisis_text: str
    remind_24h: bool
    remind_2h: bool
    logo: bytes | None = None  # new upload, as sent
    remove_logo: bool = False


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """The logo re-encoded, with its media type; `ValidationFailed` for anything else."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationFailed(gettext("The logo is larger than 512 KB."), field="new_logo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            kind = image.format
            if kind not in LOGO_FORMATS:
                raise ValidationFailed(gettext("Upload a PNG or JPEG image."), field="new_logo")
            if max(image.size) > MAX_LOGO_SIDE:
                raise ValidationFailed(
                    gettext("The logo is larger than 2000 × 2000 pixels."), field="new_logo"
                )
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Warning) as error:
        raise ValidationFailed(gettext("Upload a PNG or JPEG image."), field="new_logo") from error
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=90)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue(), LOGO_FORMATS[kind]


def update_settings(actor: User, data: SettingsInput) -> None:
    """Change the actor's own practice (admins only); audited with the names of the fields."""
    if actor.role != Role.ADMIN:
        raise ValidationFailed(gettext("Only an admin can change practice settings."))
    if data.timezone not in TIMEZONES:
        raise ValidationFailed(gettext("Choose a time zone from the list."), field="timezone")
    practice = actor.practice
    values = {k: v for k, v in vars(data).items() if k not in ("logo", "remove_logo")}
    if data.logo:
        values["logo"], values["logo_type"] = clean_logo(data.logo)
    elif data.remove_logo:
        values["logo"], values["logo_type"] = None, ""
    changed = sorted(k for k, v in values.items() if getattr(practice, k) != v)
    for key in changed:
        setattr(practice, key, values[key])
    audit.record(
        "admin.practice_settings",
        actor=actor,
        object_type="practice",
        object_id=practice.id,
        fields=",".join(changed),
    )


def _input(form: SettingsForm) -> SettingsInput:
    upload = form.new_logo.data
    return SettingsInput(
        name=form.name.data.strip(),
        address=form.address.data or "",
        phone=(form.phone.data or "").strip(),
        timezone=form.timezone.data,
        paper_size=form.paper_size.data,
        crisis_text=form.crisis_text.data or "",
        remind_24h=form.remind_24h.data,
        remind_2h=form.remind_2h.data,
        logo=upload.read(MAX_LOGO_BYTES + 1) if upload else None,
        remove_logo=form.remove_logo.data,
    )


@bp.route("/admin/settings", methods=["GET", "POST"])
@policy.requires(Role.ADMIN)
def edit():
    form = SettingsForm(obj=current_user.practice)

    def page():
        return render_template("admin/settings.html", form=form, practice=current_user.practice)

    if not form.is_submitted():
        return page()
    return boundary.submit(
        form,
        lambda: update_settings(current_user, _input(form)),
        render=page,
        then=url_for("practice_settings.edit"),
        done=gettext("Practice settings saved."),
    )


@bp.get("/practice/logo")
@policy.requires(Role.ADMIN, Role.THERAPIST, Role.CLIENT)
def logo():
    practice = current_user.practice
    if not practice.logo_type or practice.logo is None:
        abort(404)
    return Response(practice.logo, mimetype=practice.logo_type)
