"""An exported SVG made safe to paste into an HTML page: only drawing elements, no script, no links out.

Plotly's SVG (from kaleido) holds only shapes and text, but its text can come from the
researcher (case and measure names), and plotly reads a few HTML tags in it. So the SVG is
parsed and written again from an allow-list: drawing and text elements only; no event
handlers; links and ``url(…)`` references only to ids inside the same SVG. Everything kept is
escaped again on the way out, so no text can turn into markup.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

__all__ = ["ALLOWED_ELEMENTS", "inline_svg"]

ALLOWED_ELEMENTS = frozenset({
    "svg", "g", "defs", "clipPath", "mask", "pattern", "marker", "symbol", "use", "title", "desc",
    "rect", "path", "line", "circle", "ellipse", "polygon", "polyline", "text", "tspan",
    "linearGradient", "radialGradient", "stop",
})  # fmt: skip
_OUTSIDE_REFERENCE = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"(?:java|vb)script\s*:|data\s*:", re.IGNORECASE)


def _local(name: str) -> str:
    """The name without its ``{namespace}``."""
    return name.rsplit("}", 1)[-1]


def _safe_attribute(name: str, value: str) -> bool:
    if name.lower().startswith("on"):
        return False
    if name == "href":
        return value.strip().startswith("#")
    return not _OUTSIDE_REFERENCE.search(value) and not _SCRIPT_URL.search(value)


def _write(element: ET.Element, out: list[str]) -> None:
    tag = _local(element.tag)
    if tag not in ALLOWED_ELEMENTS:
        if element.tail:
            out.append(html.escape(element.tail, quote=False))
        return
    attributes = []
    for raw_name, value in element.attrib.items():
        name = _local(raw_name)
        if _safe_attribute(name, value):
            attributes.append(f' {name}="{html.escape(value, quote=True)}"')
    out.append(f"<{tag}{''.join(attributes)}>")
    if element.text:
        out.append(html.escape(element.text, quote=False))
    for child in element:
        _write(child, out)
    out.append(f"</{tag}>")
    if element.tail:
        out.append(html.escape(element.tail, quote=False))


def inline_svg(data: bytes | str, *, label: str = "") -> str:
    """The SVG as markup for an HTML page, rebuilt from the allow-list.

    Parameters
    ----------
    data : bytes or str
        An SVG document (e.g. from :func:`samskaping.figure_export.export_figure`).
    label : str
        Accessible name: set as ``aria-label`` on the root with ``role="img"`` (the figure's
        text alternative); empty leaves them out.

    Raises
    ------
    ValueError
        When ``data`` is not XML or its root is not ``<svg>``.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not an SVG document ({exc})") from None
    if _local(root.tag) != "svg":
        raise ValueError(f"not an SVG document (root element <{_local(root.tag)}>)")
    root.attrib = {k: v for k, v in root.attrib.items() if _local(k) not in ("role", "aria-label")}
    if label:
        root.set("role", "img")
        root.set("aria-label", label)
    out: list[str] = []
    _write(root, out)
    return "".join(out)
