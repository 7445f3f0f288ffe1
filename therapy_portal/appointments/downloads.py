"""The HTTP side of calendar files: how an `.ics` is sent, and absolute links to pages."""

from __future__ import annotations

from flask import Response, current_app, url_for

from therapy_portal.models.appointments import Appointment


def page_url(endpoint: str, **values) -> str:
    """An absolute link on the portal's public address (the one emails use)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def ics_response(data: bytes, appointment: Appointment | None = None) -> Response:
    """A calendar file: one session's to download, or a feed shown inline to calendar apps;
    not cached anywhere, never sniffed as something else."""
    response = Response(data, mimetype="text/calendar")
    if appointment is not None:
        response.headers["Content-Disposition"] = (
            f'attachment; filename="session-{appointment.id}.ics"'
        )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
