"""Static and interactive export of a plotly figure: PNG at a print width and dpi, SVG, PDF, HTML.

PNG, SVG and PDF are rendered by kaleido in headless Chromium. Starting Chromium takes seconds,
so one kaleido server is kept per process (:func:`start_server`, started lazily and once, under
a lock); each export after the first takes a fraction of a second. HTML needs no browser: it is
one self-contained file with plotly.js inlined, so it opens offline.

Sizes follow print: the figure is laid out at a CSS width of ``width_mm / 25.4 × 96`` px (the
figures of :mod:`samskaping.figures_continuum` are built for that width) and a PNG is scaled so
its pixel width is ``round(width_mm / 25.4 × dpi)``; its ``pHYs`` chunk records the dpi. SVG
and PDF are vector, at the same CSS size (a PDF page of ``width_mm``).
"""

from __future__ import annotations

import os
import shutil
import struct
import threading
import warnings
import zlib

import plotly.graph_objects as go

from samskaping.errors import SamskapingError

__all__ = ["FORMATS", "MIME_TYPES", "ExportError", "export_figure", "find_browser", "png_size", "start_server"]

FORMATS = ("png", "svg", "pdf", "html")
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}
CSS_DPI = 96
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_INSTALL_HINT = "install Debian's chromium (apt-get install -y chromium; scripts/setup.sh does it)"

_lock = threading.Lock()
_started = False


class ExportError(SamskapingError):
    """A figure cannot be exported (no browser for kaleido, bad size or format); one line for the user."""


def find_browser() -> str | None:
    """The browser kaleido will use: found the way kaleido's choreographer finds it, else on PATH."""
    path = os.environ.get("BROWSER_PATH")
    if path:
        return path if os.path.isfile(path) else None
    try:
        from choreographer.browsers.chromium import Chromium

        return Chromium.find_browser(skip_local=False)
    except Exception:  # an internal API of kaleido's helper; fall back to a plain search
        return next((found for name in _BROWSERS if (found := shutil.which(name))), None)


def start_server() -> None:
    """Start this process's kaleido server (once; later calls return at once).

    Raises
    ------
    ExportError
        When no Chromium / Chrome is found.
    """
    global _started
    if _started:
        return
    with _lock:
        if _started:
            return
        if find_browser() is None:
            raise ExportError(f"figure export needs a Chromium browser, none was found: {_INSTALL_HINT}")
        import kaleido

        try:
            kaleido.start_sync_server(silence_warnings=True)
        except Exception as exc:  # kaleido's own "requires Google Chrome" and the like
            raise ExportError(f"figure export could not start Chromium ({_first_line(exc)}): {_INSTALL_HINT}") from None
        _started = True


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def _size(fig: go.Figure, width_mm: float, height_mm: float | None) -> tuple[int, int]:
    if not width_mm > 0 or (height_mm is not None and not height_mm > 0):
        raise ExportError(f"the figure size must be positive, got width {width_mm} mm, height {height_mm} mm")
    width = round(width_mm / 25.4 * CSS_DPI)
    if height_mm is not None:
        height = round(height_mm / 25.4 * CSS_DPI)
    else:
        height = int(fig.layout.height or round(width * 0.62))
    return width, height


def export_figure(
    fig: go.Figure, fmt: str, *, width_mm: float = 170.0, dpi: int = 300, height_mm: float | None = None
) -> bytes:
    """The figure as ``png``, ``svg``, ``pdf`` or ``html`` bytes.

    Parameters
    ----------
    fig : Figure
        A figure with an explicit template and colours (``samskaping.figures``).
    fmt : {"png", "svg", "pdf", "html"}
        Output format.
    width_mm : float
        Print width; the CSS width is ``width_mm / 25.4 × 96`` px.
    dpi : int
        PNG only: the PNG is ``round(width_mm / 25.4 × dpi)`` pixels wide.
    height_mm : float, optional
        Print height; the figure's own layout height (CSS px) by default.

    Raises
    ------
    ExportError
        For an unknown format, a size that is not positive, or no browser to render with.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"unknown figure format '{fmt}': use one of {', '.join(FORMATS)}")
    if fmt == "html":
        return fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False}).encode("utf-8")
    if fmt == "png" and not (isinstance(dpi, int | float) and 10 <= dpi <= 2400):
        raise ExportError(f"dpi must be between 10 and 2400, got {dpi}")
    width, height = _size(fig, width_mm, height_mm)
    start_server()
    scale = 1.0
    if fmt == "png":
        target = round(width_mm / 25.4 * dpi)
        # Chromium floors width × scale to whole pixels; a quarter pixel above the target is safe
        # under flooring and rounding alike.
        scale = (target + 0.25) / width
    try:
        # One export at a time (the server renders one at a time anyway), so the warning filter below
        # cannot race with another export's.
        with _lock, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*kopts argument is ignored.*")  # harmless with a server
            data = fig.to_image(format=fmt, width=width, height=height, scale=scale)
    except Exception as exc:
        raise ExportError(f"figure export to {fmt.upper()} failed: {_first_line(exc)}") from None
    return _with_dpi(data, dpi) if fmt == "png" else data


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _with_dpi(png: bytes, dpi: float) -> bytes:
    """The PNG with a ``pHYs`` chunk saying ``dpi`` (replacing any), right after IHDR."""
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    out, pos = [png[:33]], 33  # signature (8) + IHDR (4 + 4 + 13 + 4)
    out.append(chunk)
    while pos < len(png):
        length = struct.unpack(">I", png[pos : pos + 4])[0]
        end = pos + 12 + length
        if png[pos + 4 : pos + 8] != b"pHYs":
            out.append(png[pos:end])
        pos = end
    return b"".join(out)
