"""Reading survey files into a raw table of text cells.

Only the canonical layout (one header row, one row per respondent) is read here; every cell
is kept as text exactly as in the file, so validation can report raw values and nothing is
converted silently.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from samskaping.errors import DataFileError

__all__ = ["RawTable", "read_table"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as read from a file: every cell as text, blank cells as ``""``.

    ``first_data_row`` is the file row number (1-based, as a spreadsheet shows it) of the
    frame's first row, so a report can point at the row the researcher sees.
    """

    frame: pd.DataFrame
    source: str
    sheet: str | None = None
    first_data_row: int = 2

    def file_row(self, position: int) -> int:
        """The file row number of the row at 0-based ``position`` in :attr:`frame`."""
        return self.first_data_row + position


def read_table(path: Path | str, data: bytes | None = None) -> RawTable:
    """Read a canonical survey file (csv, tsv, txt, xlsx, xlsm, xls, ods) as text cells.

    Parameters
    ----------
    path : path
        The file; its suffix chooses the reader. With ``data`` given, only the name is used.
    data : bytes, optional
        The file's content (e.g. an upload) instead of reading ``path``.

    Raises
    ------
    DataFileError
        When the file cannot be read; the message says why in one line.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        content = data if data is not None else path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if suffix in CSV_SUFFIXES:
        frame, sheet = _read_csv(content, path.name), None
    elif suffix in EXCEL_SUFFIXES:
        frame, sheet = _read_workbook(content, path.name)
    else:
        known = ", ".join(CSV_SUFFIXES + EXCEL_SUFFIXES)
        raise DataFileError(f"{path.name}: unknown file type '{suffix or '(none)'}' (known: {known})")
    frame.columns = [str(c).strip() for c in frame.columns]
    return RawTable(frame=frame.reset_index(drop=True), source=path.name, sheet=sheet)


def _read_csv(content: bytes, name: str) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise DataFileError(f"{name}: text encoding not recognised")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        # Blank lines are kept (validation reports them), so every row keeps its file row number.
        return pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"{name}: not a readable CSV table ({str(exc).splitlines()[0]})") from None


def _read_workbook(content: bytes, name: str) -> tuple[pd.DataFrame, str]:
    try:
        sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, engine="calamine", dtype=object)
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise DataFileError(f"{name}: not a readable spreadsheet ({type(exc).__name__})") from None
    if not sheets:
        raise DataFileError(f"{name}: the workbook has no sheets")
    # The canonical data sit on the first sheet; demo files add an "About" sheet after it.
    sheet, frame = next(iter(sheets.items()))
    return frame.map(_cell_text), str(sheet)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
