"""A workbook sheet as a rectangular grid of cell texts, read whole or in bands.

:func:`samskaping.sniffing.read_workbook` chooses the sheet; this module turns calamine's cells
into the 2-D object array of texts the importer works on (row 0 is spreadsheet row 1, column 0
is column A), converting each distinct value of a column once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samskaping.sheet_bands import NotBandable, sheet_bands

__all__ = ["banded_grid", "cell_text", "cell_texts", "sheet_grid"]


def cell_text(value: object) -> str:
    """A spreadsheet or SPSS cell as text: blank for empty, whole floats without ``.0``."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sheet_grid(sheet) -> np.ndarray:
    """A calamine sheet as a rectangular 2-D object array of cell texts (:func:`cell_text`) from cell A1.

    The rows are streamed into one array (rather than ``to_python``'s list of lists) and turned
    into text every :data:`_GRID_CHUNK` rows, each distinct value of a column once: the cells' own
    objects (a float or a fresh string per cell) live only for one chunk, and equal texts share one
    object, so the array holds little more than one reference per cell.
    """
    if sheet.start is None or sheet.end is None:
        return np.empty((0, 0), dtype=object)
    first_column = sheet.start[1]
    grid = np.full((sheet.end[0] + 1, first_column + sheet.width), "", dtype=object)
    done = 0
    for i, row in enumerate(sheet.iter_rows()):
        grid[i, first_column : first_column + len(row)] = row
        if i + 1 - done == _GRID_CHUNK:
            cell_texts(grid[done : i + 1])
            done = i + 1
    cell_texts(grid[done:])
    return grid


def banded_grid(content: bytes, sheet: str) -> np.ndarray | None:
    """A large xlsx sheet read band by band (:mod:`samskaping.sheet_bands`) into the grid :func:`sheet_grid` gives.

    ``None`` when the sheet is small or not safe to cut: the caller then reads it whole.
    """
    bands = sheet_bands(content, sheet)
    if bands is None:
        return None
    pieces: list[tuple[int, int, np.ndarray]] = []
    try:
        for band in bands:
            if pieces and band.first_row < pieces[-1][0] + len(pieces[-1][2]):
                # Rows out of order: a later band would overwrite an earlier one's blanks. calamine sorts them.
                raise NotBandable("rows out of order")
            block = np.empty((len(band.rows), max(map(len, band.rows), default=0)), dtype=object)
            for i, row in enumerate(band.rows):
                block[i, : len(row)] = row
            pieces.append((band.first_row, band.first_column, cell_texts(block)))
    except NotBandable:
        return None
    if not pieces:
        return np.empty((0, 0), dtype=object)
    height = max(r + len(b) for r, _, b in pieces)
    grid = np.full((height, max(c + b.shape[1] for _, c, b in pieces)), "", dtype=object)
    while pieces:
        row, column, block = pieces.pop()
        grid[row : row + block.shape[0], column : column + block.shape[1]] = block
    return grid


_GRID_CHUNK = 8_192  # rows converted to text at a time while a sheet is read
_TYPE_OF = np.frompyfunc(type, 1, 1)


def cell_texts(grid: np.ndarray) -> np.ndarray:
    """Every cell as text by :func:`cell_text`, converting each distinct value of a column once.

    The array is converted in place (a view of a larger array is converted there), so the cells'
    original objects are freed column by column, and equal texts of a column share one object.
    """
    out = grid
    for j in range(grid.shape[1]):
        column = grid[:, j]
        if bool in set(pd.unique(_TYPE_OF(column))):
            # True == 1 == 1.0 for hashing: a column holding booleans is converted cell by cell.
            out[:, j] = [cell_text(v) for v in column]
            continue
        index, uniques = pd.factorize(column, use_na_sentinel=False)
        out[:, j] = np.array([cell_text(v) for v in uniques], dtype=object)[index]
    return out
