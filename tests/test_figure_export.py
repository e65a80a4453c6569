"""Exported figures read back: PNG size and dpi, SVG labels (and their boxes in headless Chromium),
a one-page PDF whose text has every label, and a self-contained HTML file.

Static export and the browser checks need Debian's chromium (and poppler-utils for the PDF): without
them the tests are skipped locally and fail on CI (``CI=true``).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import struct
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from samskaping import figure_export
from samskaping.continuum import POSITION_COLUMNS
from samskaping.figure_export import ExportError, export_figure, png_size
from samskaping.figures_continuum import continuum_figure, matrix_figure

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
SVG_NS = "{http://www.w3.org/2000/svg}"

# Twelve cases crowded between 40 and 57 on the continuum (and in one corner of the matrix), names of
# different widths with Norwegian letters, one placed outside and two shown both ways.
NAMES = [
    "Arbeidstrening i Bjørkelia", "Kvitberg × Snekkerbua", "Nordhei × Matbua", "Saltvika × Tunet",
    "Tindeland × Verkstedet Bro", "Vestbø × Gjenbruksloftet", "Fjordvik × Grønn Tråd", "Grønne hender i Granlia",
    "Storåsen × Lyktverket", "WWW Mimmi MMM", "Æsir og Åsgard", "Liten",
]  # fmt: skip


def _crowded() -> pd.DataFrame:
    rows = []
    for i, name in enumerate(NAMES):
        x = 40 + 1.5 * i
        both = i % 4 == 0
        rows.append({"case": name, "n": 5 + i, "thickness": x, "low": x - 6, "high": x + 6, "co_design": 45 + i,
                     "co_delivery": 50 + i % 3, "durability": 50.0, "manual_position": x + 10 if both else None,
                     "outside": i == 11, "shown": "both" if both else ("manual" if i == 11 else "computed"),
                     "hidden": False, "rationale": ""})  # fmt: skip
    rows.append({"case": "Skjult case", "n": 2, "hidden": True, "shown": "hidden", "outside": False})
    return pd.DataFrame(rows).reindex(columns=list(POSITION_COLUMNS))


CROWDED = _crowded()
SHOWN = NAMES  # "Skjult case" is hidden


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if figure_export.find_browser() is None or not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium (scripts/setup.sh does)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (requirements-dev.txt)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        _unavailable(f"{name} not found: install poppler-utils")
    return path


def _charts(lang: str = "en", width_mm: float = 170.0, caption: str | None = "") -> dict:
    # caption="" by default: the caption lists every case too, so a label test with it would prove nothing.
    return {
        "continuum": continuum_figure(CROWDED, lang, caption=caption, width_mm=width_mm),
        "matrix": matrix_figure(CROWDED, lang, caption=caption, width_mm=width_mm),
    }


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- PNG ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width_mm", "dpi"), [(170.0, 300), (85.0, 600), (120.0, 150), (174.0, 300)])
def test_png_pixel_width_is_width_mm_times_dpi(chromium, width_mm, dpi):
    chart = continuum_figure(CROWDED, "en", width_mm=width_mm)
    png = export_figure(chart.figure, "png", width_mm=width_mm, dpi=dpi)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == round(width_mm / 25.4 * dpi)  # 170 mm at 300 dpi: 2008 px
    assert (width, height) == png_size(png)
    # The height scales with the width: CSS height × pixel width / CSS width.
    assert height == pytest.approx(chart.figure.layout.height * width / round(width_mm / 25.4 * 96), abs=1.5)
    # The pHYs chunk says the dpi (pixels per metre), so layout programs print it at width_mm.
    at = png.index(b"pHYs")
    per_metre_x, per_metre_y, unit = struct.unpack(">IIB", png[at + 4 : at + 13])
    assert unit == 1 and per_metre_x == per_metre_y == round(dpi / 0.0254)


def test_height_mm_sets_the_height(chromium):
    png = export_figure(continuum_figure(CROWDED, "en").figure, "png", width_mm=170, dpi=300, height_mm=100)
    assert png_size(png)[1] == pytest.approx(100 / 25.4 * 300, abs=2)


# --- SVG ------------------------------------------------------------------------------------------


def _texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    return ["".join(node.itertext()) for node in root.iter(f"{SVG_NS}text")]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_svg_parses_and_has_every_shown_label(chromium, lang):
    for name, chart in _charts(lang).items():
        svg = export_figure(chart.figure, "svg")
        texts = {_squash(text) for text in _texts(svg)}
        for case in SHOWN:
            assert _squash(case) in texts, (name, case)
        assert _squash("Skjult case") not in texts, name
        root = ET.fromstring(svg)
        assert root.get("width") == str(round(170 / 25.4 * 96)), name


_BOXES = """() => {
  const svg = document.querySelector('svg');
  return Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim()).map(t => {
    const b = t.getBBox(), m = t.getCTM();
    const xs = [b.x, b.x + b.width].flatMap(x => [b.y, b.y + b.height].map(y => m.a * x + m.c * y + m.e));
    const ys = [b.x, b.x + b.width].flatMap(x => [b.y, b.y + b.height].map(y => m.b * x + m.d * y + m.f));
    const parent = t.closest('g.annotation');
    return {text: t.textContent, annotation: parent !== null, tick: t.closest('g.xtick, g.ytick') !== null,
            x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys)};
  });
}"""


def _rendered_boxes(browser, svg: bytes) -> list[dict]:
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><html><body style='margin:0'>{svg.decode('utf-8')}</body></html>")
        return page.evaluate(_BOXES)
    finally:
        page.close()


def _overlap(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


@pytest.mark.parametrize("width_mm", [170.0, 85.0])
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_no_two_label_boxes_overlap_in_chromium(browser, lang, width_mm):
    charts = _charts(lang, width_mm, caption=None)  # with the generated caption, which must not collide either
    for name, chart in charts.items():
        boxes = _rendered_boxes(browser, export_figure(chart.figure, "svg", width_mm=width_mm))
        labels = [b for b in boxes if b["annotation"] and _squash(b["text"]) in {_squash(n) for n in SHOWN}]
        assert sorted(_squash(b["text"]) for b in labels) == sorted(_squash(n) for n in SHOWN), name
        for a, b in itertools.combinations(labels, 2):
            assert not _overlap(a, b), (name, width_mm, a["text"], b["text"])
        # Nor with the rest of the text: title, caption, axis ends, the outside zone, tick labels.
        others = [b for b in boxes if b not in labels]
        if name == "matrix":  # region names sit under the data; a label may cover one, never another label
            others = [b for b in others if not _is_region(b["text"], lang)]
        for a in labels:
            for b in others:
                assert not _overlap(a, b), (name, width_mm, a["text"], b["text"])
        if name == "continuum":
            for a, b in itertools.combinations([b for b in others if b["annotation"] or b["tick"]], 2):
                assert not _overlap(a, b), (name, width_mm, a["text"], b["text"])


def _is_region(text: str, lang: str) -> bool:
    from samskaping.figures_continuum import REGION_NAMES

    return _squash(text) in {_squash(names[0 if lang == "en" else 1]) for names in REGION_NAMES.values()}


# --- PDF ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_pdf_has_one_page_and_every_label(chromium, tmp_path, lang):
    pdfinfo, pdftotext = _tool("pdfinfo"), _tool("pdftotext")
    for name, chart in _charts(lang).items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(export_figure(chart.figure, "pdf"))
        info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
        size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
        assert size and float(size.group(1)) == pytest.approx(170 / 25.4 * 72, abs=1.5)  # 170 mm wide
        text = subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip
        for case in SHOWN:
            assert _squash(case) in _squash(text), (name, case)
        assert "Skjult" not in text


# --- HTML -----------------------------------------------------------------------------------------


def test_html_is_self_contained_and_has_the_labels():
    for name, chart in _charts("nb").items():
        html = export_figure(chart.figure, "html").decode("utf-8")
        assert html.lstrip().lower().startswith("<html") or html.lstrip().lower().startswith("<!doctype")
        assert not re.search(r"<script[^>]+src=", html), f"{name}: loads a script from elsewhere"
        assert len(html) > 1_000_000  # plotly.js inlined
        for case in SHOWN:  # plotly writes the figure as JSON with non-ASCII escaped
            assert case in html or json.dumps(case)[1:-1] in html, (name, case)


def test_html_renders_offline_in_chromium(browser):
    html = export_figure(continuum_figure(CROWDED, "en", caption="").figure, "html").decode("utf-8")
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.abort() if route.request.url.startswith("http") else route.continue_())
        page.set_content(html, wait_until="load")
        page.wait_for_selector("g.annotation", timeout=20_000)
        shown = page.evaluate(
            "() => Array.from(document.querySelectorAll('g.annotation text')).map(t => t.textContent)"
        )
    finally:
        page.close()
    for case in SHOWN:
        assert _squash(case) in {_squash(text) for text in shown}, case


# --- errors and timing ----------------------------------------------------------------------------


def test_bad_format_and_size_are_one_line_errors():
    figure = continuum_figure(CROWDED, "en").figure
    with pytest.raises(ExportError, match=r"^unknown figure format 'jpg'"):
        export_figure(figure, "jpg")
    with pytest.raises(ExportError, match="positive"):
        export_figure(figure, "png", width_mm=0)
    with pytest.raises(ExportError, match="dpi"):
        export_figure(figure, "png", dpi=0)


def test_missing_browser_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(figure_export, "_started", False)
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ExportError) as error:
        export_figure(continuum_figure(CROWDED, "en").figure, "svg")
    message = str(error.value)
    assert "\n" not in message and "chromium" in message.lower() and "setup.sh" in message
    assert export_figure(continuum_figure(CROWDED, "en").figure, "html")  # HTML needs no browser


def test_later_exports_reuse_the_server(chromium):
    figure = continuum_figure(CROWDED, "en").figure
    export_figure(figure, "svg")  # the server is up (started here or by an earlier test)
    started = time.perf_counter()
    for fmt in ("png", "svg", "pdf"):
        export_figure(figure, fmt)
    assert time.perf_counter() - started < 5  # about 0.3 s each; a new Chromium per export would take 2–3 s each
