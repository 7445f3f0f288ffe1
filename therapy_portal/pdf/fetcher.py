"""Deny-all URL fetcher for WeasyPrint (security.md §6, R4).

WeasyPrint's default ``URLFetcher`` will fetch ``http(s)://``, ``ftp://``, ``file://`` and
``data:`` URLs found anywhere in the HTML or CSS it renders, which turns a template bug into
SSRF or local-file disclosure (embedded as a PDF attachment). ``AssetFetcher`` serves only
``app-asset:<name>`` keys from a fixed, in-package table, plus SVG images the caller generated
for this one document (charts), and refuses everything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.resources import files
from types import MappingProxyType

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

__all__ = [
    "ASSET_SCHEME",
    "AssetFetcher",
    "FatalURLFetchingError",
    "asset_bytes",
    "checked_extra_assets",
]

ASSET_SCHEME = "app-asset:"
_MAX_LOGGED_URL = 200

# name -> MIME type. Fixed at import time; never extended from user input.
_ASSET_TYPES: Mapping[str, str] = MappingProxyType({"print.css": "text/css"})


def _load_assets() -> Mapping[str, bytes]:
    """Read every shipped asset once, at import time."""
    folder = files(__package__).joinpath("assets")
    return MappingProxyType({name: folder.joinpath(name).read_bytes() for name in _ASSET_TYPES})


_ASSETS: Mapping[str, bytes] = _load_assets()

# Generated, per-document assets: SVG charts and JPEG thumbnails the portal re-encoded itself,
# names from a closed alphabet (no paths, no schemes).
_EXTRA_NAME = re.compile(r"[a-z0-9-]+\.(svg|jpg)")
EXTRA_ASSET_TYPE = "image/svg+xml"
_EXTRA_TYPES = MappingProxyType({"svg": EXTRA_ASSET_TYPE, "jpg": "image/jpeg"})


def asset_bytes(name: str) -> bytes:
    """Return the content of a shipped asset (``KeyError`` if it is not in the table)."""
    return _ASSETS[name]


def checked_extra_assets(assets: Mapping[str, bytes] | None) -> Mapping[str, bytes]:
    """Validate caller-generated assets (``ValueError`` on a bad name or a non-bytes value).

    Names must match ``^[a-z0-9-]+\\.(svg|jpg)$`` and must not shadow a shipped asset; they are
    served as ``image/svg+xml`` or ``image/jpeg``. An SVG is rendered with the same deny-all
    fetcher, so anything it references is refused like any other URL.
    """
    checked: dict[str, bytes] = {}
    for name, content in (assets or {}).items():
        if not isinstance(name, str) or not _EXTRA_NAME.fullmatch(name) or name in _ASSETS:
            raise ValueError(f"invalid PDF asset name: {str(name)[:_MAX_LOGGED_URL]!r}")
        if not isinstance(content, bytes):
            raise ValueError(f"PDF asset {name!r} must be bytes")
        checked[name] = content
    return MappingProxyType(checked)


class AssetFetcher(URLFetcher):
    """Serve ``app-asset:<name>`` from the package or ``extra_assets``; refuse every other URL.

    Refused URLs (truncated to 200 characters) are appended to ``self.refused``. With
    ``fail_closed=True`` a refusal raises ``FatalURLFetchingError``, which aborts the whole
    render (use in CI and tests); otherwise it raises ``ValueError``, which WeasyPrint
    catches and logs, skipping the resource (production).
    """

    def __init__(
        self, *, fail_closed: bool = False, extra_assets: Mapping[str, bytes] | None = None
    ) -> None:
        # No protocol is allowed and redirects are never followed, so even a call that
        # somehow reached URLFetcher.fetch()/open() could not touch the network or disk.
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)
        self.fail_closed = fail_closed
        self.refused: list[str] = []
        self.extra_assets = checked_extra_assets(extra_assets)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Return the named asset, or refuse the URL."""
        if url.startswith(ASSET_SCHEME):
            name = url[len(ASSET_SCHEME) :]
            content = _ASSETS.get(name)
            if content is not None:
                return URLFetcherResponse(
                    url, body=content, headers={"Content-Type": _ASSET_TYPES[name]}
                )
            content = self.extra_assets.get(name)
            if content is not None:
                kind = _EXTRA_TYPES[name.rsplit(".", 1)[1]]
                return URLFetcherResponse(url, body=content, headers={"Content-Type": kind})
        return self.refuse(url)

    def refuse(self, url: str) -> URLFetcherResponse:
        """Record ``url`` as refused and raise (never returns)."""
        shown = str(url)[:_MAX_LOGGED_URL]
        self.refused.append(shown)
        message = f"PDF resource refused: {shown}"
        if self.fail_closed:
            raise FatalURLFetchingError(message)
        raise ValueError(message)
