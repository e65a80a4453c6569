"""Reading a large xlsx sheet in bands of rows, so memory stays bounded.

calamine (through python-calamine, which has no streaming reader) builds a whole sheet in
native memory: for every cell a positioned value, then the rectangular range, together about
70 bytes a cell. A national survey of 100 000 respondents is 8.7 million cells, so reading its
sheet at once peaks at about 620 MB before Python sees a value.

Here the sheet's XML is inflated as a stream and cut between rows into bands of about
:data:`BAND_BYTES`. Each band goes to calamine as a small workbook of its own: the original
archive's other parts (workbook, relationships, styles, shared strings) byte for byte, and the
sheet part holding only that band's rows. Cells keep their own references, so every band
knows where its cells stand, and calamine converts each value exactly as it would in the
whole sheet (dates by the same styles and 1900/1904 setting, shared strings by the same table).

A sheet is read whole instead (:func:`sheet_bands` returns ``None``) when it is small, when the
workbook is not an xlsx archive whose sheet part can be found, or when the sheet's XML holds
comments or CDATA sections, where a ``</row>`` could stand inside text.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import python_calamine as calamine
from defusedxml.ElementTree import fromstring

__all__ = ["BAND_BYTES", "OTHER_PARTS_FACTOR", "Band", "NotBandable", "sheet_bands"]

BAND_BYTES = 16 << 20  # sheet XML per band: about 5 000 survey rows, 40 MB of calamine memory
OTHER_PARTS_FACTOR = 4  # a band is at least this many times the other parts, which every band parses again
_CHUNK = 1 << 20
_ROOT_RELATIONSHIPS = "_rels/.rels"
_OPENING = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)worksheet\b")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*>")
_UNSAFE = (b"<!--", b"<![CDATA[")  # text in which "</row>" would not close a row


class NotBandable(Exception):
    """The sheet turned out not to be safe to cut into bands; read it whole."""


@dataclass(frozen=True, slots=True)
class Band:
    """Rows of one band: ``rows[i][j]`` is the cell at (``first_row`` + i, ``first_column`` + j), 0-based."""

    first_row: int
    first_column: int
    rows: list[list[object]]


def sheet_bands(content: bytes, sheet: str) -> Iterator[Band] | None:
    """The sheet ``sheet`` of the xlsx workbook ``content`` as bands of rows, or ``None`` to read it whole.

    The workbook must have passed :func:`samskaping.file_safety.check_workbook`. Iterating may
    raise :class:`NotBandable` (the caller then reads the sheet whole) and calamine's own errors.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = _sheet_parts(archive)
        info = archive.getinfo(parts[sheet]) if sheet in parts else None
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
        return None
    if info is None:
        return None
    # Every band workbook carries the parts calamine reads when it opens one, not the other sheets.
    sheet_parts = set(parts.values())
    others = [i for i in archive.infolist() if i.filename not in sheet_parts and not i.is_dir()]
    band_bytes = max(BAND_BYTES, OTHER_PARTS_FACTOR * sum(i.file_size for i in others))
    if info.file_size <= 2 * band_bytes:
        return None
    return _bands(archive, info, others, band_bytes, sheet)


def _bands(
    archive: zipfile.ZipFile, sheet_part: zipfile.ZipInfo, others: list[zipfile.ZipInfo], band_bytes: int, sheet: str
) -> Iterator[Band]:
    other_bytes = {i.filename: archive.read(i) for i in others}
    for xml in _band_xml(archive, sheet_part, band_bytes):
        workbook = io.BytesIO()
        with zipfile.ZipFile(workbook, "w", zipfile.ZIP_STORED) as out:
            for name, data in other_bytes.items():
                out.writestr(name, data)
            out.writestr(sheet_part.filename, xml)
        del xml
        workbook.seek(0)
        band = calamine.CalamineWorkbook.from_filelike(workbook).get_sheet_by_name(sheet)
        del workbook
        if band.start is None:
            continue
        yield Band(band.start[0], band.start[1], band.to_python(skip_empty_area=True))


def _band_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo, band_bytes: int) -> Iterator[bytes]:
    """The sheet part as whole documents, each holding the rows of one band (and the part's head)."""
    with archive.open(part) as stream:
        head = b""
        while (opening := _OPENING.search(head)) is None:
            chunk = stream.read(_CHUNK)
            if not chunk or len(head) > band_bytes:
                raise NotBandable("no <sheetData> near the start")
            head += chunk
        if opening.group(2) or any(u in head[: opening.start()] for u in _UNSAFE):
            raise NotBandable("an empty sheet, or comments before the rows")
        root = _ROOT.search(head, 0, opening.start())
        if root is None:
            raise NotBandable("no <worksheet> root")
        prefix = opening.group(1)
        rest, head = head[opening.end() :], _DIMENSION.sub(b"", head[: opening.end()])
        tail = b"</" + prefix + b"sheetData></" + root.group(1) + b"worksheet>"
        row_end = b"</" + prefix + b"row>"
        end_of_rows = b"</" + prefix + b"sheetData>"
        pending, size, finished = [rest], len(rest), False
        while not finished:
            chunk = stream.read(_CHUNK)
            pending.append(chunk)
            size += len(chunk)
            if size < band_bytes and chunk:
                continue
            text = b"".join(pending)
            # A marker may straddle two chunks: the whole pending text is looked at each time.
            if any(u in text for u in _UNSAFE):
                raise NotBandable("comments or CDATA among the rows")
            if (stop := text.find(end_of_rows)) >= 0:
                text, finished = text[:stop], True
            elif not chunk:
                raise NotBandable("no </sheetData>")
            at = 0
            while len(text) - at >= band_bytes or (finished and at < len(text)):
                cut = text.rfind(row_end, at, at + band_bytes)
                if cut < 0:
                    cut = text.find(row_end, at + band_bytes)  # a row longer than a band
                if cut >= 0:
                    cut += len(row_end)
                elif finished:
                    cut = len(text)
                else:
                    break  # the row goes on in the next chunk
                yield head + text[at:cut] + tail
                at = cut
            pending, size = [text[at:]], len(text) - at


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the archive part holding it, through the package's relationships."""
    workbook = _targets(archive, _ROOT_RELATIONSHIPS, "", "/officeDocument")
    if len(workbook) != 1:
        return {}
    workbook_part = next(iter(workbook.values()))
    folder, file = posixpath.split(workbook_part)
    sheets = _targets(archive, posixpath.join(folder, "_rels", file + ".rels"), folder, "/worksheet")
    parts = {}
    for element in fromstring(archive.read(workbook_part)).iter():
        if _local(element.tag) != "sheet":
            continue
        ids = [value for key, value in element.attrib.items() if key.startswith("{") and _local(key) == "id"]
        if ids and ids[0] in sheets and "name" in element.attrib:
            parts[element.attrib["name"]] = sheets[ids[0]]
    return parts


def _targets(archive: zipfile.ZipFile, relationships: str, folder: str, kind: str) -> dict[str, str]:
    """Relationship id → target part, for relationships whose type ends with ``kind``."""
    found = {}
    for element in fromstring(archive.read(relationships)).iter():
        attributes = element.attrib
        if _local(element.tag) == "Relationship" and attributes.get("Type", "").endswith(kind):
            target = attributes.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attributes.get("Id", "")] = posixpath.normpath(path)
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
