"""Generated per-document assets (charts): served by name only, everything else still refused."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from therapy_portal.measures.charts import progress_chart_svg
from therapy_portal.pdf import AssetFetcher, render_pdf, render_pdf_bytes

if TYPE_CHECKING:
    from tests.pdf.conftest import Canary

RENDERERS: dict[str, Callable[..., bytes]] = {
    "in_process": render_pdf_bytes,
    "worker": render_pdf,
}


def _chart() -> bytes:
    return progress_chart_svg(
        "Couples Satisfaction Index (CSI-4)",
        {
            "Ana Lopez": [("2026-01-05", 12), ("2026-01-12", 15)],
            "Ben Kim": [("2026-01-05", 9), ("2026-01-12", 11)],
        },
        13.5,
        show_gap=True,
        cutoff_label="Distress cut-off",
    ).encode()


def _hostile_svgs(canary: Canary) -> dict[str, bytes]:
    """SVGs that reference the canary through the vectors an SVG has (split: a <use> or <style>
    that WeasyPrint cannot resolve makes it drop the whole image, hiding the <image> vectors)."""
    base = canary.url("")
    head = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="40" height="40">'
    )
    return {
        "hostile-images.svg": (
            f'{head}<image href="{base}/svg-image" width="10" height="10"/>'
            '<image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>'
        ).encode(),
        "hostile-styles.svg": (
            f"{head}<style>@import url({base}/svg-import); rect {{ fill: url({base}/svg-fill) }}"
            f'</style><use href="{base}/svg-use#x"/>'
            f'<rect width="10" height="10" style="fill: url({base}/svg-style)"/></svg>'
        ).encode(),
    }


def _document(body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Note</title></head>'
        f"<body><h1>Session note</h1>{body}</body></html>"
    )


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_fetcher_serves_a_generated_svg_by_name() -> None:
    chart = _chart()
    fetcher = AssetFetcher(extra_assets={"chart-csi4.svg": chart})
    response = fetcher.fetch("app-asset:chart-csi4.svg")
    assert response.content_type == "image/svg+xml"
    assert response.read() == chart
    assert fetcher.fetch("app-asset:print.css").content_type == "text/css"  # shipped still served
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "app-asset:chart-phq9.svg",  # a name that was not passed
        "app-asset:chart-csi4.svg/",
        "app-asset:CHART-CSI4.svg",
        "app-asset:../chart-csi4.svg",
        "APP-ASSET:chart-csi4.svg",
        "chart-csi4.svg",
        "http://127.0.0.1:1/chart-csi4.svg",
        "file:///etc/passwd",
        "data:image/svg+xml,<svg/>",
    ],
)
def test_with_generated_assets_every_other_url_is_still_refused(url: str) -> None:
    fetcher = AssetFetcher(extra_assets={"chart-csi4.svg": _chart()})
    with pytest.raises(ValueError, match="refused"):
        fetcher(url)
    assert fetcher.refused == [url]
    closed = AssetFetcher(fail_closed=True, extra_assets={"chart-csi4.svg": _chart()})
    with pytest.raises(FatalURLFetchingError):
        closed.fetch(url)


@pytest.mark.parametrize(
    "name",
    ["chart.png", "Chart.svg", "../chart.svg", "a/b.svg", "chart.svg\n", ".svg", "print.css", ""],
)
def test_generated_asset_names_outside_the_alphabet_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="invalid PDF asset name"):
        AssetFetcher(extra_assets={name: b"<svg/>"})
    with pytest.raises(ValueError, match="invalid PDF asset name"):
        render_pdf("<p>x</p>", title="t", assets={name: b"<svg/>"})


def test_generated_asset_must_be_bytes() -> None:
    with pytest.raises(ValueError, match="must be bytes"):
        AssetFetcher(extra_assets={"chart.svg": "<svg/>"})  # type: ignore[dict-item]


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_chart_is_drawn_in_the_pdf_and_fetches_nothing(renderer: str, canary: Canary) -> None:
    html = _document(
        '<figure><img src="app-asset:chart-csi4.svg" alt="CSI-4 totals for Ana Lopez and Ben Kim">'
        "<figcaption>CSI-4 chart</figcaption></figure>"
        f'<p>escaped: &lt;img src="{canary.url("/escaped")}"&gt;</p>'
    )
    pdf = RENDERERS[renderer](
        html, title="Session note", fail_closed=True, assets={"chart-csi4.svg": _chart()}
    )
    text = _text(pdf)
    assert "Ana Lopez" in text and "Ben Kim" in text and "Distress cut-off (13.5)" in text
    assert "CSI-4 chart" in text
    assert canary.hits == []


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_references_inside_a_generated_svg_are_refused(
    renderer: str, canary: Canary, caplog: pytest.LogCaptureFixture
) -> None:
    html = _document(
        '<img src="app-asset:hostile-images.svg" alt="x">'
        '<img src="app-asset:hostile-styles.svg" alt="y"><p>after the image</p>'
    )
    pdf = RENDERERS[renderer](html, title="t", assets=_hostile_svgs(canary))
    assert canary.hits == []
    assert "after the image" in _text(pdf)
    assert b"root:x:0:0" not in pdf and b"INTERNAL-SECRET" not in pdf
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("therapy_portal"))
    assert "refused external resources (schemes: file, http)" in ours
    assert "127.0.0.1" not in ours and "passwd" not in ours


def test_an_asset_that_was_not_passed_is_not_drawn(canary: Canary) -> None:
    html = _document('<img src="app-asset:chart-gad7.svg" alt="missing">')
    with pytest.raises(FatalURLFetchingError):
        render_pdf_bytes(html, title="t", fail_closed=True, assets={"chart-csi4.svg": _chart()})
    assert canary.hits == []
