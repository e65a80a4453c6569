"""Sniffing survey export files: encoding, delimiter, sheet, header rows and companion files.

The helpers here turn bytes into rows of text cells and find where the header is; they know
nothing about the survey instrument. :mod:`samskaping.importing` builds the raw table from them.
Every problem with the input is raised as :class:`~samskaping.errors.DataFileError` with a
one-line message.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import struct
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import python_calamine as calamine

from samskaping.errors import DataFileError
from samskaping.file_safety import check_workbook
from samskaping.sheet_grid import banded_grid, sheet_grid

__all__ = [
    "GENERIC_OPTIONS",
    "HEADER_SLACK",
    "MAX_CELLS",
    "MAX_LEADING_ROWS",
    "TEXT_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "FileKind",
    "HeaderLayout",
    "allow_long_cells",
    "compound_file_is_sound",
    "decode_text",
    "find_header",
    "looks_like_workbook",
    "read_records",
    "read_workbook",
    "sniff_delimiter",
    "text_kind",
]

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
DELIMITERS = (",", ";", "\t")
SAMPLE_CHARS = 32_768
MAX_LEADING_ROWS = 5  # blank or title rows that may stand above the header
HEADER_SLACK = MAX_LEADING_ROWS + 11  # rows a file may have beyond the answers: title rows and 1-10 header rows
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
MAX_CELLS = 50_000_000  # rows x columns of one sheet that calamine is allowed to allocate
_ENDOFCHAIN, _FREESECT = 0xFFFFFFFE, 0xFFFFFFFF  # special sector ids of compound files
# BIFF8 records holding one cell: FORMULA, BLANK, NUMBER, LABEL, BOOLERR, RK, LABELSST, RSTRING.
_BIFF_CELLS = frozenset({0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6})
_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
# A two- to four-byte UTF-8 sequence: Windows-1252 text almost never holds one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
MIXED_ENCODING = "utf-8 and cp1252 (by line)"
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_IMPORT_ID = re.compile(r"""^\{\s*['"]ImportId['"]\s*:""")
GENERIC_OPTIONS = frozenset({"response", "responses", "open-ended response", "svar"})
_MONKEY_SIGNALS = GENERIC_OPTIONS | {"other (please specify)"}
# Sheets that hold documentation rather than answers (matched on the lower-cased name).
# fmt: off
_INFO_SHEETS = frozenset({
    "about", "info", "information", "readme", "read_me", "notes", "instructions", "codebook", "kodebok", "labels",
    "structure", "variables", "variabler", "metadata", "om", "read me", "om data",
})
# fmt: on


class FileKind(StrEnum):
    """What a file holds: survey answers, or a companion file that labels them."""

    DATA = "data"
    SURVEYXACT_LABELS = "surveyxact_labels"
    SURVEYXACT_STRUCTURE = "surveyxact_structure"
    NETTSKJEMA_CODEBOOK = "nettskjema_codebook"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class HeaderLayout:
    """Where the header is: ``start`` (0-based row index), ``rows`` header rows, and the tool seen."""

    start: int
    rows: int
    tool: str = ""


def looks_like_workbook(content: bytes) -> bool:
    """True for a zip container (xlsx, xlsm, ods) or an OLE2 compound file (xls, encrypted xlsx)."""
    return content.startswith(ZIP_MAGIC) or content.startswith(OLE2_MAGIC)


def decode_text(content: bytes, name: str) -> tuple[str, str]:
    """Decode a text table: BOM first, then strict UTF-8, then UTF-8 and Windows-1252 line by line
    (when some lines are UTF-8 and others not), then Windows-1252.

    Returns
    -------
    tuple of (str, str)
        The text and the encoding used (``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-16-be``,
        ``utf-8``, :data:`MIXED_ENCODING` or ``cp1252``).

    Raises
    ------
    DataFileError
        For an empty or binary file, or text in none of those encodings.
    """
    if not content.strip():
        raise DataFileError(f"{name}: the file is empty")
    if content.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    elif b"\x00" in content:  # anywhere: UTF-16 without a byte order mark, or binary data
        sample = content[:SAMPLE_CHARS]
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        if max(odd, even) < 0.3 * (len(sample) // 2) or min(odd, even) > 0.05 * max(odd, even):
            line = content.count(b"\n", 0, content.index(b"\x00")) + 1
            raise DataFileError(f"{name}: not a text table (the file holds binary data: a NUL byte in line {line})")
        encodings = ("utf-16-le",) if odd > even else ("utf-16-be",)
    else:
        encodings = ("utf-8", MIXED_ENCODING, "cp1252")
    for encoding in encodings:
        try:
            text = _mixed(content) if encoding == MIXED_ENCODING else content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text[:SAMPLE_CHARS])) > 0.01 * min(len(text), SAMPLE_CHARS):
            break
        if "\x00" in text:  # a NUL character in UTF-16 text
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise DataFileError(
                f"{name}: not a text table (the file holds binary data: a NUL character in line {line})"
            )
        return text, encoding
    raise DataFileError(f"{name}: not a text table (binary data or an unknown text encoding)")


def _mixed(content: bytes) -> str:
    """Lines in UTF-8 and lines in Windows-1252 (a file appended to by two programs), each decoded in its own.

    Raises UnicodeDecodeError unless some line with non-ASCII bytes is UTF-8 and some is not.
    """
    if not _UTF8_SEQUENCE.search(content):
        raise UnicodeDecodeError("utf-8", content[:1], 0, 1, "no line is UTF-8")
    lines, utf8 = [], 0
    for line in content.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252"))
    if not utf8:
        raise UnicodeDecodeError("utf-8", content[:1], 0, 1, "no line is UTF-8")
    return "\n".join(lines)


def _count_outside_quotes(text: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _consistent(sample: str, delimiter: str) -> bool:
    rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))[:-1] or [[]]
    widths = Counter(len(r) for r in rows if any(c.strip() for c in r))
    if not widths:
        return False
    width, count = widths.most_common(1)[0]
    return width > 1 and count >= 0.8 * sum(widths.values())


def sniff_delimiter(text: str) -> str:
    """The delimiter of a text table, one of ``,`` ``;`` and tab.

    ``csv.Sniffer`` decides on a sample when its answer splits most rows into the same number of
    fields; otherwise the delimiter seen most often outside quotes wins (comma when none is seen).
    """
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in DELIMITERS and _consistent(sample + "\n", sniffed):
        return sniffed
    counts = {d: _count_outside_quotes(sample, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_records(text: str, delimiter: str, limit: int, name: str) -> tuple[list[list[str]], bool]:
    """Parse a text table into records (a quoted cell with line breaks stays one record).

    Returns the first ``limit`` records and whether there were more.
    """
    allow_long_cells(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        records = list(itertools.islice(reader, limit + 1))
    except csv.Error as exc:
        raise DataFileError(f"{name}: not a readable text table ({exc})") from None
    return records[:limit], len(records) > limit


def allow_long_cells(text: str) -> None:
    """Let Python's csv module read cells as long as ``text`` (by default it stops at 131,072 characters).

    The limit is the csv module's, for the whole process; it is only ever raised, and a cell is
    never longer than the text holding it.
    """
    if len(text) >= csv.field_size_limit():
        csv.field_size_limit(len(text) + 1)


def text_kind(text: str, name: str) -> FileKind:
    """Recognise SurveyXact label/structure files and the old Nettskjema codebook by content."""
    lines = [line for line in text[:SAMPLE_CHARS].splitlines() if line.strip()]
    if not lines:
        return FileKind.UNKNOWN
    if lines[0].startswith("* ") and (
        re.search(r"\(id \d+\)", lines[0]) or any(line.startswith("* Variab") for line in lines[:3])
    ):
        return FileKind.NETTSKJEMA_CODEBOOK
    delimiter = sniff_delimiter(text)
    records = [r for r in csv.reader(io.StringIO("\n".join(lines[:60])), delimiter=delimiter) if r]
    first = [c.strip().lower() for c in records[0]]
    if {"questionname", "variablename"} <= set(first):
        return FileKind.SURVEYXACT_STRUCTURE
    shaped = [
        r
        for r in records
        if len(r) >= 3
        and re.fullmatch(r"[A-Za-z][\w.]*", r[0].strip())
        and re.fullmatch(r"-?\d+", r[1].strip())
        and all(not c.strip() for c in r[3:])
    ]
    variables = Counter(r[0] for r in shaped)
    if len(shaped) >= 0.9 * len(records) and (len(records) > len(variables) or "label" in name.lower()):
        return FileKind.SURVEYXACT_LABELS
    return FileKind.DATA


def compound_file_is_sound(content: bytes) -> bool:
    """Check an OLE2 compound file (xls) before calamine reads it.

    A damaged sector chain (a loop, or a sector past the end), or a cell record outside the
    sheet limits of Excel 97–2003, makes calamine allocate memory without bound and take the
    whole process down, so such a file is refused here first.
    """
    stream = _workbook_stream(content)
    return stream is not None and _biff_is_sound(stream)


def _workbook_stream(content: bytes) -> bytes | None:
    """The BIFF ``Workbook`` stream (``b""`` when there is none), or None when a chain is broken."""
    if len(content) < 1024 or struct.unpack_from("<HH", content, 30) not in ((9, 6), (12, 6)):
        return None
    shift = content[30]
    size, count = 1 << shift, len(content) // (1 << shift) - 1  # sector i starts at byte (i + 1) * size
    n_dir, n_fat, dir_start, _, _, minifat_start, n_minifat, difat_start, n_difat = struct.unpack_from(
        "<9I", content, 40
    )
    per_sector = size // 4
    if max(n_dir, n_fat, n_minifat, n_difat) > count:
        return None

    def sector(sid: int) -> tuple[int, ...]:
        return struct.unpack_from(f"<{per_sector}I", content, (sid + 1) * size)

    difat, sid, seen = list(struct.unpack_from("<109I", content, 76)), difat_start, set()
    while sid not in (_ENDOFCHAIN, _FREESECT):
        if sid >= count or sid in seen:
            return None
        seen.add(sid)
        *entries, sid = sector(sid)
        difat.extend(entries)
    fat_sectors = [d for d in difat if d != _FREESECT]
    # A sound file needs at most one FAT sector per `per_sector` sectors, and never lists one twice.
    if len(fat_sectors) > count // per_sector + 2 or len(set(fat_sectors)) < len(fat_sectors):
        return None
    if any(d >= count for d in fat_sectors):
        return None
    fat = [entry for d in fat_sectors for entry in sector(d)]
    used: dict[int, set[int]] = {size: set(), 64: set()}  # no sector belongs to two chains

    def chain(start: int, table: list[int], limit: int, unit: int) -> list[int] | None:
        sids: list[int] = []
        while start != _ENDOFCHAIN:
            if start >= min(limit, len(table)) or start in used[unit]:
                return None
            used[unit].add(start)
            sids.append(start)
            start = table[start]
        return sids

    def read(sids: list[int], data: bytes, unit: int, offset: int) -> bytes:
        return b"".join(data[(s + offset) * unit : (s + offset + 1) * unit] for s in sids)

    directory_sids = chain(dir_start, fat, count, size)
    minifat_sids = chain(minifat_start, fat, count, size) if minifat_start != _ENDOFCHAIN else []
    if not directory_sids or minifat_sids is None:
        return None
    directory = read(directory_sids, content, size, 1)
    minifat = list(struct.unpack(f"<{len(minifat_sids) * per_sector}I", read(minifat_sids, content, size, 1)))
    ministream, workbook = b"", b""
    for offset in range(0, len(directory), 128):
        kind = directory[offset + 66]
        start, length, high = struct.unpack_from("<III", directory, offset + 116)
        if kind not in (2, 5) or (kind == 2 and length == 0):
            continue  # only streams (2) and the root entry (5) own sectors
        if length > len(content) or (high and shift == 12):
            return None
        small = kind == 2 and length < 4096  # small streams live in 64-byte sectors of the root's mini stream
        unit = 64 if small else size
        sids = chain(start, minifat, len(ministream) // 64, 64) if small else chain(start, fat, count, size)
        if sids is None or len(sids) * unit < length:
            return None
        if kind == 5:
            ministream = read(sids, content, size, 1)[:length]
        elif directory[offset : offset + 16] in ("Workbook".encode("utf-16-le"), "Book\0\0\0\0".encode("utf-16-le")):
            workbook = read(sids, ministream if small else content, unit, 0 if small else 1)[:length]
    return workbook


def _biff_is_sound(stream: bytes) -> bool:
    """Cell records stay within 65,536 rows and 256 columns (BIFF8), as Excel 97–2003 writes them."""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == 0x0200 and len(body) >= 12:  # DIMENSIONS: first row, last row + 1, first col, last col + 1
            first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", body)
            if not (first_row <= last_row <= 65_536 and first_col <= last_col <= 256):
                return False
        elif kind in _BIFF_CELLS and len(body) >= 4 and struct.unpack_from("<H", body, 2)[0] > 255:
            return False
        elif kind in (0x00BD, 0x00BE) and len(body) >= 6 and struct.unpack_from("<H", body, len(body) - 2)[0] > 255:
            return False  # MULRK, MULBLANK end with their last column
        pos += 4 + length
    return True


def _raise_unreadable(exc: BaseException, name: str) -> None:
    if isinstance(exc, calamine.PasswordError) or "password" in str(exc).lower():
        raise DataFileError(f"{name}: the workbook is password-protected; save it without a password") from None
    reason = (str(exc).splitlines() or [type(exc).__name__])[0][:100]
    raise DataFileError(f"{name}: not a readable spreadsheet (damaged or not a workbook: {reason})") from None


def read_workbook(
    content: bytes, name: str, sheet: str | None, max_rows: int, max_columns: int
) -> tuple[list[list[str]], str, tuple[str, ...], list[str]]:
    """Read the sheet holding the answers as rows of text cells, row 0 being spreadsheet row 1.

    Without ``sheet``, hidden sheets and documentation sheets (About, Info, Readme, Labels …)
    are passed over and the one with the most non-empty cells is chosen.

    Returns
    -------
    tuple
        Rows, the chosen sheet, all sheet names in order, and notes on the choice.
    """
    if content.startswith(OLE2_MAGIC) and any(s in content for s in _ENCRYPTED_STREAMS):
        raise DataFileError(f"{name}: the workbook is password-protected; save it without a password")
    if content.startswith(OLE2_MAGIC) and not compound_file_is_sound(content):
        raise DataFileError(f"{name}: not a readable spreadsheet (damaged or not a workbook: broken .xls structure)")
    if content.startswith(ZIP_MAGIC):
        # calamine (0.37) inflates parts without limit and sizes a sheet by its farthest cell, aborting the
        # process when that is too big (one value in XFD1048576 asks for 550 GB): the archive is checked first.
        rows, columns = check_workbook(content, name, max_rows + HEADER_SLACK, max_columns, MAX_CELLS)
        if columns > max_columns:
            raise DataFileError(f"{name}: a sheet has more than {max_columns:,} columns (the limit)")
        if rows > max_rows + HEADER_SLACK:
            raise DataFileError(f"{name}: a sheet has more than {max_rows:,} rows (the limit)")
        if rows * columns > MAX_CELLS:
            raise DataFileError(
                f"{name}: a sheet has values as far out as row {rows:,}, column {columns:,}; "
                "delete stray cells outside the table and save again"
            )
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        meta = list(book.sheets_metadata)
    except BaseException as exc:  # calamine raises its own types, and pyo3 panics are BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        _raise_unreadable(exc, name)
        raise  # pragma: no cover - _raise_unreadable always raises
    names = tuple(m.name for m in meta)
    if not names:
        raise DataFileError(f"{name}: the workbook has no sheets")
    hidden = [m.name for m in meta if m.visible != calamine.SheetVisibleEnum.Visible]
    if sheet is not None:
        if sheet not in names:
            raise DataFileError(f"{name}: no sheet named '{sheet}' (sheets: {', '.join(names)})")
        candidates, notes = [sheet], [f"sheet '{sheet}' as requested"]
    else:
        candidates = [n for n in names if n not in hidden and n.strip().lower() not in _INFO_SHEETS]
        candidates, notes = candidates or list(names), []
    # Only the best sheet so far is kept in memory (a national survey's sheet is hundreds of MB of
    # XML); a large xlsx sheet is read in bands of rows, so calamine never holds all of it at once.
    best: tuple[int, str, np.ndarray | None] | None = None
    try:
        for candidate in candidates:
            rows = banded_grid(content, candidate) if content.startswith(ZIP_MAGIC) else None
            if rows is not None:
                height, width = rows.shape
            else:
                data = book.get_sheet_by_name(candidate)
                height, width = data.height, data.width
                if height <= max_rows + HEADER_SLACK and width <= max_columns:
                    rows = sheet_grid(data)
                del data
            if height > max_rows + HEADER_SLACK or width > max_columns:
                score, rows = height * width, None  # too big: the limit is checked below
            else:
                score = int(((rows != "") & (rows != None)).sum())  # noqa: E711 - elementwise
            if best is None or score > best[0]:  # the first of equal scores wins
                best = (score, candidate, rows)
            del rows
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        if str(exc).strip() in names:  # calamine names only the sheet whose part is missing
            raise DataFileError(
                f"{name}: not a readable spreadsheet (damaged: the part holding sheet '{str(exc).strip()}' is missing)"
            ) from None
        _raise_unreadable(exc, name)
    filled, chosen, raw_rows = best
    if raw_rows is None:
        size = book.get_sheet_by_name(chosen)
        what = f"more than {max_columns:,} columns" if size.width > max_columns else f"more than {max_rows:,} rows"
        raise DataFileError(f"{name}: sheet '{chosen}' has {what} (the limit)")
    if not filled:
        raise DataFileError(f"{name}: sheet '{chosen}' is empty")
    if sheet is None and len(names) > 1:
        extra = f" ({len(hidden)} hidden)" if hidden else ""
        notes.append(f"sheet '{chosen}' chosen among {len(names)}{extra}")
    return raw_rows, chosen, names, notes


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c.strip())


def find_header(records: list[list[str]], header_rows: int | None = None) -> HeaderLayout:
    """Find the header: skip blank and title rows above it, then count 1–3 header rows.

    Qualtrics (third row of ``{"ImportId": …}``) has 3 header rows; SurveyMonkey (second row of
    option texts and ``Response`` under questions whose first-row cells are partly blank) has 2.
    ``header_rows`` overrides the count; title rows are still skipped.
    """
    start = 0
    while start < min(len(records) - 1, MAX_LEADING_ROWS) and _filled(records[start]) <= 1:
        start += 1
    if _filled(records[start]) < 2:  # no row that looks like a header below: keep row 1
        start = 0
    if header_rows is not None:
        return HeaderLayout(start, header_rows, "as requested")
    rows = records[start : start + 3]
    if len(rows) == 3:
        cells = [c.strip() for c in rows[2] if c.strip()]
        if cells and sum(bool(_IMPORT_ID.match(c)) for c in cells) >= 0.5 * len(cells):
            return HeaderLayout(start, 3, "Qualtrics")
    if len(rows) >= 2:
        top, second = rows[0], rows[1]
        options = [c.strip().lower() for c in second]
        blanks_filled = any(not top[j].strip() and options[j] for j in range(min(len(top), len(second))))
        if blanks_filled and _MONKEY_SIGNALS & set(options):
            return HeaderLayout(start, 2, "SurveyMonkey")
        names = [c.strip() for c in top if c.strip()]
        if names and names[0] == "V1" and sum(bool(re.fullmatch(r"V\d+", c)) for c in names) >= 0.5 * len(names):
            return HeaderLayout(start, 2, "Qualtrics legacy")
    return HeaderLayout(start, 1)
