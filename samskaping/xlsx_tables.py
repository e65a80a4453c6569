"""Writing a table into an openpyxl worksheet, formatted for reading (used by the study workbook).

One table per sheet: an optional title row, a bold header row with a fill, frozen panes below
the header (and right of the first column where it is an id), number formats by column,
column widths from the content and wrapped text where asked. Numbers stay numbers at full
precision (only the display format rounds); missing values are empty cells; every text cell
that a spreadsheet could read as a formula is written as text (:func:`samskaping.export.neutralise_formula`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from samskaping.export import neutralise_formula

__all__ = ["COUNT_FORMAT", "MEAN_FORMAT", "P_FORMAT", "cell_value", "number_format", "write_table"]

MEAN_FORMAT = "0.00"
P_FORMAT = "0.0000"
COUNT_FORMAT = "0"
# Columns shown with the count or p-value format by id; any other float column gets MEAN_FORMAT.
_COUNT_COLUMNS = frozenset({"n", "n_a", "n_b", "n_mun", "n_se", "removed", "quartile", "k"})
_P_COLUMNS = frozenset({"p", "p_exact", "p_holm", "p_bh", "p_error", "min_attainable_p"})
_HEADER_FILL = PatternFill("solid", start_color="D9E2F3", end_color="D9E2F3")
_TITLE_FILL = PatternFill("solid", start_color="FCE4D6", end_color="FCE4D6")
# Characters XML 1.0 cannot hold (openpyxl refuses them); written as Excel's _xHHHH_ escape instead.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_TEXT, _CUT = 32_767, " […]"  # Excel holds at most 32,767 characters in a cell
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_WIDTH_SAMPLE = 500  # rows looked at to size a column


def number_format(column: str) -> str:
    """The display format of a numeric column: counts '0', p-values '0.0000', anything else '0.00'."""
    if column in _COUNT_COLUMNS:
        return COUNT_FORMAT
    if column in _P_COLUMNS:
        return P_FORMAT
    return MEAN_FORMAT


def cell_value(value: object) -> object:
    """A Python value openpyxl can write: numbers stay numbers, missing becomes ``None``.

    numpy scalars become Python ones; NaN, infinities and pandas' NA become ``None``; dates stay
    dates (with a time zone: ISO text); text loses the control characters XML cannot hold (as
    ``_xHHHH_``, Excel's escape) and is cut to Excel's 32,767 characters, marked " […]"; anything
    else becomes its text.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones
    if isinstance(value, datetime | date):
        return value
    text = value if isinstance(value, str) else str(value)
    text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if len(text) > _MAX_TEXT:
        text = text[: _MAX_TEXT - len(_CUT)] + _CUT
    return text


def write_table(
    sheet: Worksheet,
    frame: pd.DataFrame,
    *,
    title: str | None = None,
    empty_text: str | None = None,
    freeze_first_column: bool = True,
    wrap: Iterable[str] = (),
    formats: Mapping[str, str] | None = None,
) -> None:
    """Write ``frame`` (without its index) into an empty ``sheet``, formatted.

    Parameters
    ----------
    sheet : Worksheet
        The sheet to fill.
    frame : DataFrame
        The table; its column names are the header.
    title : str, optional
        A line above the header (e.g. that the sheet holds researcher-only data).
    empty_text : str, optional
        Written in the first column below the header when the table has no rows (e.g. "none").
    freeze_first_column : bool
        Freeze the first column too (when it identifies the row, e.g. the case).
    wrap : columns
        Columns whose text wraps (long sentences, multi-line cells).
    formats : mapping, optional
        Number formats by column, over :func:`number_format`'s defaults.
    """
    formats = dict(formats or {})
    wrapped = set(wrap)
    top = 1
    if title is not None:
        cell = sheet.cell(1, 1, cell_value(title))
        cell.font = Font(bold=True)
        cell.fill = _TITLE_FILL
        neutralise_formula(cell)
        top = 2
    columns = [str(c) for c in frame.columns]
    for index, name in enumerate(columns, start=1):
        cell = sheet.cell(top, index, cell_value(name))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        neutralise_formula(cell)
    widths = [len(name) for name in columns]
    rows = frame.itertuples(index=False, name=None)
    for offset, record in enumerate(rows, start=1):
        for index, raw in enumerate(record, start=1):
            value = cell_value(raw)
            if value is None:
                continue
            cell = sheet.cell(top + offset, index, value)
            name = columns[index - 1]
            if isinstance(value, int | float) and not isinstance(value, bool):
                default = COUNT_FORMAT if isinstance(value, int) else number_format(name)
                cell.number_format = formats.get(name, default)
                _keep_full_precision(cell, value)
            elif isinstance(value, datetime | date):
                cell.number_format = "yyyy-mm-dd"
            else:
                neutralise_formula(cell)
                if name in wrapped:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if offset <= _WIDTH_SAMPLE:
                widths[index - 1] = max(widths[index - 1], _display_width(value))
    if frame.empty and empty_text is not None:
        sheet.cell(top + 1, 1, cell_value(empty_text))
        widths[0] = max(widths[0] if widths else 0, len(empty_text))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(_MAX_WIDTH, max(_MIN_WIDTH, width + 2))
    sheet.freeze_panes = sheet.cell(top + 1, 2 if freeze_first_column else 1).coordinate


def _keep_full_precision(cell: Cell, value: float | int) -> None:
    """Write a float with all 17 significant digits where openpyxl's 16 would change it.

    openpyxl 3.1 writes numbers as ``"%.16g"``, which turns e.g. 0.30000000000000004 into 0.3.
    The cell keeps its numeric type; only the text of its ``<v>`` element is the exact ``repr``.
    """
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        cell._value = repr(value)  # written verbatim by openpyxl's cell writer (data type stays "n")


def _display_width(value: object) -> int:
    """Characters a value needs on screen: the longest line of a text, about 8 for a number."""
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    if isinstance(value, bool):
        return 5
    if isinstance(value, float):
        return 8
    return len(str(value))
