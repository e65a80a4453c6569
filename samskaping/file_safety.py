"""Checks on a workbook archive before a native reader opens it, and file names safe to show.

xlsx, xlsm and ods files are zip archives of XML parts, and calamine inflates and parses them
in native code that aborts the whole process when an allocation fails. So before calamine sees
a zip workbook, :func:`check_workbook` reads the archive once itself:

- the archive's directory: at most :data:`MAX_PARTS` parts, each deflated or stored, not
  encrypted, its bytes inside the file; declared unpacked sizes (per part and in all) within
  :func:`unzipped_limit`, and no large part (nor a large archive) compressed more than
  :data:`MAX_RATIO` to 1;
- every part inflated as a stream, counting bytes, so a part that unpacks to more than its
  header declares (a forged zip bomb) is stopped at that point;
- every XML part's prolog through defusedxml: a DTD (entity expansion, external entities) is
  refused; small parts are parsed whole, so broken XML gets a plain message;
- the farthest cell holding a value in every sheet (xlsx cell references, ods repeated rows
  and columns), which :func:`samskaping.sniffing.read_workbook` checks against the limits.

Every problem raises :class:`~samskaping.errors.DataFileError` with a one-line message.
"""

from __future__ import annotations

import html
import io
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from samskaping.errors import DataFileError

__all__ = [
    "MAX_PARTS",
    "MAX_RATIO",
    "UNZIPPED_VARIABLE",
    "check_workbook",
    "safe_name",
    "unzipped_limit",
    "whole_number_setting",
]

UNZIPPED_VARIABLE = "SAMSKAPING_MAX_UNZIPPED_MB"
DEFAULT_UNZIPPED_MB = 2048  # a sheet at the cell limit (50 million cells) is about 1.7 GB of XML
MAX_PARTS = 10_000
MAX_RATIO = 100  # deflated XML of real sheets is 5-20 to 1; a zip bomb is about 1000 to 1
RATIO_FLOOR = 16 << 20  # parts unpacking to less than this may have any ratio (a cell of repeated text …)
ARCHIVE_RATIO_FLOOR = 64 << 20  # nor may all parts together, when they unpack to less than this
FULL_PARSE_BUDGET = 16 << 20  # bytes of small XML parts parsed whole, in all
_FULL_PARSE_PART = 1 << 20  # parts up to this size are parsed whole
_CHUNK = 1 << 20
_MAX_CARRY = 8 << 20
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]{1,3}[0-9]{1,7}:)?([A-Z]{1,3})([0-9]{1,7})"')
_ATTRIBUTE = r"""\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*')"""
# Cell and row tags of a worksheet (any namespace prefix), with their attributes.
_XLSX_TOKEN = re.compile(rb"<(?:\w+:)?(row|c)((?:" + _ATTRIBUTE.encode() + rb")*)\s*(/?)>")
_ODS_TOKEN = re.compile(
    rb"<table:(table|table-row|table-cell|covered-table-cell)((?:" + _ATTRIBUTE.encode() + rb")*)\s*(/?)>"
    rb"|</table:(table-row)\s*>"
)
_ODS_VALUE = re.compile(rb"\soffice:value-type\s*=")
# A cell without a reference first, or with a reference not plainly letters and digits.
_IRREGULAR_CELL = re.compile(rb'<c(?:(?! r=")[\s>/]| r="(?![A-Z]{1,10}[0-9]{1,12}"))')
_VALUED_REFERENCE = re.compile(rb'<c r="([A-Z]{1,10})([0-9]{1,12})"(?:' + _ATTRIBUTE.encode() + rb")*\s*>")
_ROW_NUMBER = re.compile(rb'<row r="([0-9]{1,12})"')
_PREFIXED_CELL = re.compile(rb"<[A-Za-z0-9_.-]+:c[\s>/]")
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F}


def safe_name(name: str, limit: int = 120) -> str:
    """A file or part name fit for a one-line message.

    Bytes that were not UTF-8 (surrogate escapes) show as ``\\xff``; control characters (line
    breaks, NUL) and direction overrides show as ``\\u202e``-style escapes; a very long name
    keeps its start and end (with the suffix) around ``…``.
    """
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code in _BIDI or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    text = "".join(out)
    return text if len(text) <= limit else f"{text[: limit - 30]}…{text[-29:]}"


def unzipped_limit() -> int:
    """The most bytes a workbook may unpack to: 2048 MB unless ``SAMSKAPING_MAX_UNZIPPED_MB`` says otherwise.

    Raises
    ------
    DataFileError
        When the variable is set but is not a whole number of at least 1.
    """
    return whole_number_setting(UNZIPPED_VARIABLE, DEFAULT_UNZIPPED_MB) << 20


def whole_number_setting(variable: str, default: int) -> int:
    """The environment variable ``variable`` as a whole number of at least 1 (``_`` allowed), else ``default``.

    Raises
    ------
    DataFileError
        When the variable is set but is not a whole number of at least 1.
    """
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise DataFileError(f"{variable} must be a whole number of at least 1, not '{text}'")
    return value


@dataclass(frozen=True, slots=True)
class _Part:
    name: str
    method: int
    start: int  # where the stored bytes begin
    stored: int  # declared stored (compressed) size
    size: int  # declared unpacked size
    crc: int


def check_workbook(content: bytes, name: str, row_limit: int, column_limit: int, cell_limit: int) -> tuple[int, int]:
    """Check a zip workbook (xlsx, xlsm, ods) before calamine opens it; return its sheets' extent.

    Parameters
    ----------
    content : bytes
        The file.
    name : str
        The file name for messages (already made safe by :func:`safe_name`).
    row_limit, column_limit, cell_limit : int
        As soon as a sheet reaches further than these (or rows × columns over ``cell_limit``),
        its extent so far is returned, so a hostile sheet is not read to its end.

    Returns
    -------
    tuple of (int, int)
        The last row and column (1-based) holding a value in any sheet; (0, 0) for none.

    Raises
    ------
    DataFileError
        For a damaged archive, a possible zip bomb, a DTD in an XML part, or broken XML.
    """
    limit = unzipped_limit()
    parts = _directory(content, name, limit)
    budget = FULL_PARSE_BUDGET
    rows = columns = 0
    unpacked = 0
    for part in parts:
        shown = safe_name(part.name, 80)
        full = part.size <= _FULL_PARSE_PART and budget >= part.size
        budget -= part.size if full else 0
        xml = _XmlCheck(name, shown, full and part.name.lower().endswith((".xml", ".rels")))
        # calamine finds xlsx sheets through the relationships, under any part name (content.xml too): every part
        # is scanned as a worksheet, and content.xml also as an ods table.
        scans = [_XlsxScan(row_limit, column_limit, cell_limit), *([_OdsScan()] if part.name == "content.xml" else [])]
        size = 0
        for chunk in _inflate(content, part, name, shown):
            size += len(chunk)
            if size > part.size:
                raise DataFileError(
                    f"{name}: refused: part {shown} unpacks to more than the {_mb(part.size)} its header declares "
                    "(a forged archive, possibly a zip bomb)"
                )
            if unpacked + size > limit:
                raise DataFileError(f"{name}: refused: the workbook unpacks to more than {_mb(limit)} (the limit)")
            xml.feed(chunk)
            for scan in scans:
                scan.feed(chunk)
                if _over(scan.rows, scan.columns, row_limit, column_limit, cell_limit):
                    return scan.rows, scan.columns  # refused by the caller; no need to read further
        unpacked += size
        xml.close()
        for scan in scans:
            scan.finish()
            rows, columns = max(rows, scan.rows), max(columns, scan.columns)
    return rows, columns


def _mb(size: int) -> str:
    """Bytes in the unit of SAMSKAPING_MAX_UNZIPPED_MB (2**20 bytes)."""
    return f"{size:,} bytes" if size < 1 << 20 else f"{size / (1 << 20):,.0f} MB"


def _directory(content: bytes, name: str, limit: int) -> list[_Part]:
    """The archive's parts from its central directory, checked before anything is inflated."""
    damaged = f"{name}: not a readable spreadsheet (damaged or not a workbook: the zip archive is damaged or cut off)"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        raise DataFileError(damaged) from None
    if len(infos) > MAX_PARTS:
        raise DataFileError(f"{name}: refused: the archive holds {len(infos):,} parts (the limit is {MAX_PARTS:,})")
    if any(info.filename.lower() == "xl/workbook.bin" for info in infos):  # calamine would read binary sheets unchecked
        raise DataFileError(
            f"{name}: not a readable spreadsheet (a binary Excel workbook, .xlsb, is not read here; save it as .xlsx)"
        )
    parts, declared, stored = [], 0, 0
    for info in infos:
        shown = safe_name(info.filename, 80)
        if info.flag_bits & 0x1:
            raise DataFileError(f"{name}: not a readable spreadsheet (part {shown} is encrypted)")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DataFileError(
                f"{name}: not a readable spreadsheet (part {shown} uses zip compression method "
                f"{info.compress_type}; workbooks use deflate)"
            )
        offset = info.header_offset
        if offset < 0 or offset + 30 > len(content) or content[offset : offset + 4] != b"PK\x03\x04":
            raise DataFileError(damaged)
        name_length, extra_length = struct.unpack_from("<HH", content, offset + 26)
        start = offset + 30 + name_length + extra_length
        if start + info.compress_size > len(content):
            raise DataFileError(damaged)
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise DataFileError(damaged)
        if info.file_size > limit:
            raise DataFileError(
                f"{name}: refused: part {shown} would unpack to {_mb(info.file_size)} (the limit is {_mb(limit)})"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise DataFileError(
                f"{name}: refused: part {shown} is compressed {ratio:,.0f} to 1 (more than {MAX_RATIO} to 1 "
                "is not a spreadsheet; possibly a zip bomb)"
            )
        declared += info.file_size
        stored += info.compress_size
        parts.append(_Part(info.filename, info.compress_type, start, info.compress_size, info.file_size, info.CRC))
    if declared > limit:
        raise DataFileError(
            f"{name}: refused: the workbook would unpack to {_mb(declared)} (the limit is {_mb(limit)}; "
            "possibly a zip bomb)"
        )
    if declared > ARCHIVE_RATIO_FLOOR and declared > MAX_RATIO * max(stored, 1):
        raise DataFileError(
            f"{name}: refused: the workbook is compressed {declared / max(stored, 1):,.0f} to 1 (more than "
            f"{MAX_RATIO} to 1 is not a spreadsheet; possibly a zip bomb)"
        )
    return parts


def _inflate(content: bytes, part: _Part, name: str, shown: str):
    """The part's unpacked bytes in chunks of at most 1 MB; the stream is followed to its real end.

    Raises DataFileError when the stream is broken, ends early, or its CRC-32 does not match.
    """
    damaged = f"{name}: not a readable spreadsheet (damaged or not a workbook: part {shown} is damaged)"
    crc = 0
    if part.method == zipfile.ZIP_STORED:
        view = memoryview(content)[part.start : part.start + part.stored]
        for at in range(0, len(view), _CHUNK):
            chunk = bytes(view[at : at + _CHUNK])
            crc = zlib.crc32(chunk, crc)
            yield chunk
    else:
        inflater = zlib.decompressobj(-15)
        at = part.start
        pending = b""
        while not inflater.eof:
            if not pending:
                if at >= len(content):
                    raise DataFileError(damaged)
                pending, at = content[at : at + _CHUNK], at + _CHUNK
            try:
                chunk = inflater.decompress(pending, _CHUNK)
            except zlib.error:
                raise DataFileError(damaged) from None
            pending = inflater.unconsumed_tail
            if chunk:
                crc = zlib.crc32(chunk, crc)
                yield chunk
            elif not pending and at >= len(content) and not inflater.eof:
                raise DataFileError(damaged)
    if crc != part.crc:
        raise DataFileError(damaged)


class _Stop(Exception):
    """Raised by the parser target at the root element: the prolog has been read."""


class _XmlCheck:
    """Feeds a part to defusedxml: the prolog only (``full`` False) or the whole part.

    A part not starting with ``<`` (after white space) is not XML and is passed over.
    """

    def __init__(self, name: str, part: str, full: bool) -> None:
        self.name, self.part, self.full = name, part, full
        self.parser: DefusedXMLParser | None = None
        self.done = False
        self.head = b""

    def start(self, tag: str, attrib: dict) -> None:
        """The root element (or any element in a full parse) has begun."""
        if not self.full:
            raise _Stop

    def close(self) -> None:
        if self.parser is not None and not self.done:
            self._run(None)

    def feed(self, chunk: bytes) -> None:
        if self.done:
            return
        if self.parser is None:
            self.head += chunk
            stripped = self.head.lstrip()
            if not stripped:
                return
            if not stripped.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe", b"\xfe\xff")):
                self.done = True  # not XML (an image, the ods mimetype …)
                return
            chunk, self.head = self.head, b""
            self.parser = DefusedXMLParser(target=_Target(self), forbid_dtd=True)
        self._run(chunk)

    def _run(self, chunk: bytes | None) -> None:
        try:
            if chunk is None:
                self.parser.close()
            else:
                self.parser.feed(chunk)
        except _Stop:
            self.done = True
        except DefusedXmlException:
            self.done = True
            raise DataFileError(
                f"{self.name}: refused: part {self.part} declares a DTD or XML entities, which workbooks never "
                "need (entity expansion or an external entity)"
            ) from None
        except (ParseError, ValueError, LookupError) as exc:  # LookupError: an unknown declared encoding
            self.done = True
            reason = (str(exc).splitlines() or ["broken XML"])[0][:80]
            raise DataFileError(
                f"{self.name}: not a readable spreadsheet (broken XML in {self.part}: {reason})"
            ) from None


class _Target:
    """The ElementTree parser target: hands ``start`` to the check, builds no tree."""

    def __init__(self, check: _XmlCheck) -> None:
        self.check = check

    def start(self, tag: str, attrib: dict) -> None:
        self.check.start(tag, attrib)

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        return None


class _Pieces:
    """Cuts a stream of XML bytes into pieces that end before a ``<``, so no tag is split."""

    def __init__(self) -> None:
        self.carry = b""

    def cut(self, chunk: bytes) -> bytes:
        buffer = self.carry + chunk
        at = buffer.rfind(b"<")
        if at <= 0:
            if len(buffer) > _MAX_CARRY:  # text without tags: nothing to keep
                self.carry = b""
                return buffer
            self.carry = buffer
            return b""
        self.carry = buffer[at:]
        return buffer[:at]

    def rest(self) -> bytes:
        rest, self.carry = self.carry, b""
        return rest


def _number(attributes: bytes, attribute: bytes) -> int | None:
    """The whole number in an attribute (character references decoded), or None when absent or not a number."""
    found = re.search(rb"\s" + re.escape(attribute) + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", attributes)
    if not found:
        return None
    text = html.unescape((found[1] if found[1] is not None else found[2]).decode("utf-8", "replace")).strip()
    if not text.isascii() or not text.isdigit():
        return None
    return int(text) if len(text) < 12 else 10**12


def _reference(text: str) -> tuple[int, int] | None:
    """(row, column) of a cell reference such as ``XFD1048576``, or None."""
    found = re.fullmatch(r"\$?([A-Za-z]{1,10})\$?([0-9]{1,12})", html.unescape(text).strip())
    if not found:
        return None
    column = 0
    for letter in found[1].upper():
        column = column * 26 + ord(letter) - 64
    return int(found[2]), column


def _no_longer(text: bytes, first: bytes, last: bytes) -> bytes:
    """A regex for the strings shorter than ``text``, or as long and starting no higher (over first-last)."""
    shorter = [rb"[%s-%s]{1,%d}" % (first, last, len(text) - 1)] if len(text) > 1 else []
    return b"|".join([*shorter, rb"[%s-%s][%s-%s]{%d}" % (first, text[:1], first, last, len(text) - 1)])


def _greater(text: bytes, alphabet: bytes) -> bytes:
    """A regex matching the strings as long as ``text`` over ``alphabet`` that sort after it."""
    options = []
    for i, char in enumerate(text):
        higher = alphabet[alphabet.index(char) + 1 :]
        if higher:
            options.append(re.escape(text[:i]) + b"[" + higher + b"][" + alphabet + b"]{%d}" % (len(text) - i - 1))
    return b"|".join(options) or b"(?!)"


class _XlsxScan:
    """The farthest cell holding a value in a worksheet, as calamine places cells.

    Fast path: a sheet whose ``<dimension>`` is within the limits and whose cells all start
    ``<c r="…"`` is only searched for a reference beyond the dimension (one regex pass, no match
    in a sound file). Otherwise every row and cell tag is walked: a cell without a reference
    follows the one before it, as calamine reads it.
    """

    def __init__(self, row_limit: int, column_limit: int, cell_limit: int) -> None:
        self.limits = (row_limit, column_limit, cell_limit)
        self.pieces = _Pieces()
        self.head = b""
        self.outside: re.Pattern[bytes] | None = None
        self.decided = False
        self.rows = self.columns = 0
        self.row = 0
        self.column = 0

    def feed(self, chunk: bytes) -> None:
        if not self.decided:
            self.head += chunk
            if len(self.head) < 65536 and b"<sheetData" not in self.head:
                return
            self._decide()
            chunk, self.head = self.head, b""
        self._scan(self.pieces.cut(chunk))

    def finish(self) -> None:
        if not self.decided:
            self._decide()
            chunk, self.head = self.head, b""
            self._scan(self.pieces.cut(chunk))
        self._scan(self.pieces.rest())

    def _decide(self) -> None:
        self.decided = True
        found = _DIMENSION.search(self.head)
        reach = _reference((found[1] + found[2]).decode()) if found else None
        if reach is None or not _within(*reach, *self.limits):
            return
        letters, digits = found[1], found[2].lstrip(b"0") or b"0"
        # Cheap: every reference has no more letters and digits than the dimension's, and starts no higher;
        # then no cell lies beyond (first letter then Zs, first digit then 9s), which may do as the bound.
        rows = int(digits[:1] + b"9" * (len(digits) - 1))
        columns = _reference((letters[:1] + b"Z" * (len(letters) - 1)).decode() + "1")[1]
        shape = rb"(?:%s)(?:%s)" % (_no_longer(letters, b"A", b"Z"), _no_longer(digits, b"0", b"9"))
        if _within(rows, columns, *self.limits):
            self.outside = re.compile(rb'<c(?:(?! r=")[\s>/]| r="(?!' + shape + rb'"))')
            self.rows, self.columns = rows, columns
            return
        # Exact: a reference beyond the dimension's column or row, or of any other form.
        self.outside = re.compile(
            rb'<c(?:(?! r=")[\s>/]| r="(?:(?:[A-Z]{%d,}|%s)[0-9]|[A-Z]+0*(?:[0-9]{%d,}|%s)"|(?![A-Z]+[0-9]+")))'
            % (
                len(letters) + 1,
                _greater(letters, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                len(digits) + 1,
                _greater(digits, b"0123456789"),
            )
        )
        self.rows, self.columns = reach  # an upper bound while nothing lies beyond

    def _scan(self, piece: bytes) -> None:
        if not piece:
            return
        if self.outside is not None:
            if not self.outside.search(piece) and not _PREFIXED_CELL.search(piece):
                return
            self.outside = None  # something is not as the dimension says: read every reference from here
        if not _IRREGULAR_CELL.search(piece) and not _PREFIXED_CELL.search(piece):
            # Every cell has a plain reference first: the farthest ones (of cells that are not empty) will do.
            if found := _VALUED_REFERENCE.findall(piece):
                letters, digits = zip(*found, strict=True)
                self.rows = max(self.rows, max(map(int, set(digits))))
                self.columns = max(self.columns, max(_reference(f"{x.decode()}1")[1] for x in set(letters)))
            if rows := _ROW_NUMBER.findall(piece):
                self.row = int(rows[-1])  # for cells without a reference in a later piece
            return
        for match in _XLSX_TOKEN.finditer(piece):
            tag, attributes, empty = match.groups()
            if tag == b"row":
                number = _number(attributes, b"r")
                self.row = number if number is not None else self.row + 1
                self.column = 0
                continue
            reference = re.search(rb"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')""", attributes)
            place = _reference((reference[1] or reference[2] or b"").decode("utf-8", "replace")) if reference else None
            if place is not None:
                row_here, self.column = place
            else:
                self.column += 1
                row_here = max(self.row, 1)
            if not empty:
                self.rows, self.columns = max(self.rows, row_here), max(self.columns, self.column)


class _OdsScan:
    """The farthest cell holding a value in any table of an ods ``content.xml``.

    Repeated rows and columns (``table:number-rows-repeated``, ``table:number-columns-repeated``)
    are counted as calamine expands them; empty cells (self-closing, without a value type) do
    not extend the table, as LibreOffice's trailing filler rows do not.
    """

    def __init__(self) -> None:
        self.pieces = _Pieces()
        self.rows = self.columns = 0
        self.row = 0
        self.repeat = 1
        self.column = 0
        self.width = 0

    def feed(self, chunk: bytes) -> None:
        self._scan(self.pieces.cut(chunk))

    def finish(self) -> None:
        self._scan(self.pieces.rest())

    def _end_row(self) -> None:
        if self.width:
            self.rows = max(self.rows, self.row + self.repeat)
            self.columns = max(self.columns, self.width)
        self.row += self.repeat
        self.repeat, self.column, self.width = 1, 0, 0

    def _scan(self, piece: bytes) -> None:
        for match in _ODS_TOKEN.finditer(piece):
            tag, attributes, empty, closing = match.groups()
            if closing:
                self._end_row()
            elif tag == b"table":
                self.row, self.repeat, self.column, self.width = 0, 1, 0, 0
            elif tag == b"table-row":
                self.repeat = max(_number(attributes, b"table:number-rows-repeated") or 1, 1)
                self.column, self.width = 0, 0
                if empty:
                    self._end_row()
            else:
                self.column += max(_number(attributes, b"table:number-columns-repeated") or 1, 1)
                if not empty or _ODS_VALUE.search(attributes):
                    self.width = self.column


def _within(rows: int, columns: int, row_limit: int, column_limit: int, cell_limit: int) -> bool:
    return not _over(rows, columns, row_limit, column_limit, cell_limit)


def _over(rows: int, columns: int, row_limit: int, column_limit: int, cell_limit: int) -> bool:
    return rows > row_limit or columns > column_limit or rows * columns > cell_limit
