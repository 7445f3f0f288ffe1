"""The one way a view sends a file: never cached, never sniffed, no names in the filename."""

from __future__ import annotations

from flask import Response


def download_response(data, filename: str, mimetype: str = "application/pdf") -> Response:
    """A download (bytes or an iterator of them) with no names in the filename, never cached,
    never sniffed."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
