"""Reading a large xlsx sheet in bands (samskaping.sheet_bands, sheet_grid) gives exactly what reading it whole gives.

The reference throughout is calamine reading the whole sheet (the path every small workbook
takes), and for the hand-made workbook also the values openpyxl wrote. Bands are forced on
small workbooks by shrinking the band size, so a few hundred rows make many bands.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from samskaping import sheet_bands, sheet_grid
from samskaping.importing import read_table

SHEET = 'Svar & <"svar">'


def _whole(content: bytes, sheet: str) -> np.ndarray:
    """The reference: calamine reads the whole sheet (the path of every small workbook)."""
    import python_calamine as calamine

    return sheet_grid.sheet_grid(calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(sheet))


def _banded(content: bytes, sheet: str, band_bytes: int, monkeypatch: pytest.MonkeyPatch) -> np.ndarray | None:
    with monkeypatch.context() as patch:
        patch.setattr(sheet_bands, "BAND_BYTES", band_bytes)
        patch.setattr(sheet_bands, "OTHER_PARTS_FACTOR", 0)
        return sheet_grid.banded_grid(content, sheet)


def _band_count(content: bytes, sheet: str, band_bytes: int, monkeypatch: pytest.MonkeyPatch) -> int:
    with monkeypatch.context() as patch:
        patch.setattr(sheet_bands, "BAND_BYTES", band_bytes)
        patch.setattr(sheet_bands, "OTHER_PARTS_FACTOR", 0)
        bands = sheet_bands.sheet_bands(content, sheet)
        return -1 if bands is None else sum(1 for _ in bands)


def _same(grid: np.ndarray | None, reference: np.ndarray) -> None:
    assert grid is not None
    assert grid.shape == reference.shape
    assert [[type(v) for v in row] for row in grid.tolist()] == [[type(v) for v in row] for row in reference.tolist()]
    assert grid.tolist() == reference.tolist()


def _survey_workbook(rows: int = 400, epoch=None) -> bytes:
    """A title row, a header in row 3 from column B, mixed values, blank rows, and an About sheet first."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    about = book.active
    about.title = "About"
    about["A1"] = "Exported for the test"
    sheet = book.create_sheet(SHEET)
    sheet["A1"] = "Survey 2026 – samskaping"
    header = ["id", "case", "group", "q01", "q02", "q03", "text", "answered", "weight", "flag"]
    for j, name in enumerate(header):
        sheet.cell(row=3, column=2 + j, value=name)
    for i in range(rows):
        r = 4 + i
        if i % 50 == 49:
            continue  # a blank row
        values = [
            f"R{i:05d}",
            f"Samarbeid {i % 7} & <co>",
            "kommune" if i % 3 else "sosial entreprise",
            i % 5 + 1,
            None if i % 11 == 0 else (i % 4) + 0.5,
            "vet ikke" if i % 13 == 0 else i % 5 + 1,
            f'Tekst "{i}" med æøå\nog linjeskift' if i % 4 == 0 else None,
            dt.datetime(2026, 1, 1) + dt.timedelta(days=i, minutes=i),
            1.0 / (i + 3),
            i % 2 == 0,
        ]
        for j, value in enumerate(values):
            if value is not None:
                sheet.cell(row=r, column=2 + j, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(content: bytes, change) -> bytes:
    """The workbook with its second sheet's XML passed through ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = change(data)
            target.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("band_bytes", [64, 700, 5_000, 40_000])
def test_bands_equal_the_whole_sheet(band_bytes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _survey_workbook()
    assert _band_count(content, SHEET, band_bytes, monkeypatch) > 1
    _same(_banded(content, SHEET, band_bytes, monkeypatch), _whole(content, SHEET))


def test_the_values_are_those_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Source: the values openpyxl wrote in _survey_workbook, as cell_text shows them."""
    grid = _banded(_survey_workbook(), SHEET, 300, monkeypatch)
    assert grid is not None
    assert grid[0, 0] == "Survey 2026 – samskaping"
    assert grid[2, 1:5].tolist() == ["id", "case", "group", "q01"]
    assert grid[3, 1:11].tolist() == [
        "R00000", "Samarbeid 0 & <co>", "sosial entreprise", "1", "", "vet ikke",
        'Tekst "0" med æøå\nog linjeskift', "2026-01-01", "0.3333333333333333", "True",
    ]  # fmt: skip
    assert grid[3 + 49].tolist() == [""] * 11  # the blank row
    assert grid.shape == (402, 11)  # the last of rows 4-403 (i = 399) is a blank row, so 402 rows


def test_1904_dates_follow_the_workbook(monkeypatch: pytest.MonkeyPatch) -> None:
    content = _survey_workbook(epoch=CALENDAR_MAC_1904)
    grid = _banded(content, SHEET, 500, monkeypatch)
    _same(grid, _whole(content, SHEET))
    assert grid[4, 8].startswith("2026-01-02")  # written as 2026-01-02 00:01 (openpyxl, 1904 calendar)


def test_prefixed_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Some writers prefix every element (<x:row>): the bands keep the prefix."""

    def prefix(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)([A-Za-z]\w*)([\s>/])", rb"<\1x:\2\3", xml)
        return xml.replace(b'xmlns="http://schemas.openxmlformats.org', b'xmlns:x="http://schemas.openxmlformats.org')

    content = _rewrite_sheet(_survey_workbook(), prefix)
    assert b"<x:sheetData>" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet2.xml")
    assert _band_count(content, SHEET, 800, monkeypatch) > 1
    _same(_banded(content, SHEET, 800, monkeypatch), _whole(content, SHEET))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda xml: xml.replace(b'<row r="200"', b'<!-- </row> --><row r="200"', 1), id="comment"),
        pytest.param(lambda xml: xml.replace(b"</sheetData>", b'<row r="5"><c r="Z5"><v>9</v></c></row></sheetData>'),
                     id="row-out-of-order"),
    ],
)  # fmt: skip
def test_unsafe_sheets_are_read_whole(change, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _rewrite_sheet(_survey_workbook(), change)
    assert _banded(content, SHEET, 500, monkeypatch) is None
    whole = read_table("survey.xlsx", content)
    with monkeypatch.context() as patch:
        patch.setattr(sheet_bands, "BAND_BYTES", 500)
        patch.setattr(sheet_bands, "OTHER_PARTS_FACTOR", 0)
        tried = read_table("survey.xlsx", content)
    pd.testing.assert_frame_equal(tried.frame, whole.frame)


def test_small_sheets_and_other_formats_are_read_whole() -> None:
    content = _survey_workbook(rows=20)
    assert sheet_bands.sheet_bands(content, SHEET) is None  # far below 2 × BAND_BYTES
    assert sheet_bands.sheet_bands(content, "no such sheet") is None
    assert sheet_bands.sheet_bands(b"PK\x03\x04 not a zip", SHEET) is None


def test_read_table_is_the_same_with_bands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the importer: the header found, the sheet chosen and every cell are unchanged."""
    content = _survey_workbook()
    whole = read_table("survey.xlsx", content)
    with monkeypatch.context() as patch:
        patch.setattr(sheet_bands, "BAND_BYTES", 1_000)
        patch.setattr(sheet_bands, "OTHER_PARTS_FACTOR", 0)
        banded = read_table("survey.xlsx", content)
    assert banded.sheet == whole.sheet == SHEET
    pd.testing.assert_frame_equal(banded.frame, whole.frame)


def test_real_exports_read_the_same_in_bands(shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted((shared_dir / "fixtures" / "real-exports").rglob("*.xlsx"))
    assert files, "the real exports include xlsx files"
    for path in files:
        content = path.read_bytes()
        whole = read_table(path.name, content)
        assert _band_count(content, whole.sheet, 200, monkeypatch) > 1, path.name
        with monkeypatch.context() as patch:
            patch.setattr(sheet_bands, "BAND_BYTES", 200)
            patch.setattr(sheet_bands, "OTHER_PARTS_FACTOR", 0)
            banded = read_table(path.name, content)
        pd.testing.assert_frame_equal(banded.frame, whole.frame, obj=path.name)


_CELL = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)


@given(
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=6), min_size=2, max_size=40),
    band_bytes=st.integers(1, 3_000),
)
def test_any_table_reads_the_same_in_bands(rows: list[list[object]], band_bytes: int) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheet_bands, "BAND_BYTES", band_bytes)
        patch.setattr(sheet_bands, "OTHER_PARTS_FACTOR", 0)
        grid = sheet_grid.banded_grid(content, "Data")
    whole = _whole(content, "Data")
    if grid is None:  # too small to cut at this band size (sheet part ≤ 2 bands)
        return
    _same(grid, whole)
