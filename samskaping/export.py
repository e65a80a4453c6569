"""Writing results to files, by the conventions of methods.md §10.

CSV: UTF-8 with BOM (Norwegian Excel opens it correctly), comma, dot decimal, full precision,
``true``/``false``. The directory is created if missing and files in it are overwritten.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl.cell.cell import Cell

from samskaping.instrument import Instrument
from samskaping.safe_text import is_formula_like, neutralise_csv_frame

__all__ = ["is_formula_like", "neutralise_formula", "template_workbook", "to_csv_bytes", "to_xlsx_bytes", "write_csv"]


def neutralise_formula(cell: Cell) -> None:
    """Make an openpyxl cell holding formula-like text a plain text cell (methods.md §10).

    The cell becomes a string cell (``data_type`` "s") marked with Excel's quote prefix, so no
    spreadsheet evaluates it; the text itself is kept unchanged. Other cells are left alone.
    """
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes by the §10 conventions (BOM, comma, full precision, true/false).

    Text cells and column names that a spreadsheet could take for a formula (starting with
    ``= + - @``, a tab or a carriage return) get a leading ``'`` (formula injection;
    :func:`samskaping.safe_text.neutralise_csv_text`); numbers, also negative ones, are unchanged.
    """
    out = neutralise_csv_frame(frame)
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "true", False: "false"})
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` (without its index) as a CSV file by the §10 conventions.

    Booleans become ``true``/``false``; missing values become empty cells; floats keep full
    precision (Python's shortest round-trip form).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_csv_bytes(frame))
    return path


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Tables as one xlsx workbook (one sheet per entry, without the index), as bytes.

    Numbers stay numbers at full precision; missing values are empty cells. Text beginning with
    ``= + - @``, a tab or a carriage return is written as a text cell marked with Excel's quote
    prefix, so no spreadsheet evaluates it as a formula (methods.md §10); the text itself is kept
    unchanged. Sheet names are cut to Excel's 31 characters.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            for row in writer.sheets[name[:31]].iter_rows():
                for cell in row:
                    neutralise_formula(cell)
    return buffer.getvalue()


def template_workbook(instrument: Instrument, lang: str = "en") -> bytes:
    """A blank canonical workbook for answers entered by hand, as xlsx bytes.

    Sheet 1 ("Survey") has the canonical header (``respondent_id``, ``case``, ``group``,
    ``q01`` … ``q82``, ``q02_other``) and no rows; sheet 2 ("Items") gives each column's
    wording and allowed values in ``lang`` (en or nb).
    """
    columns = ["respondent_id", "case", "group", *instrument.item_ids, "q02_other"]
    rows = [
        {"column": "respondent_id", "question": _TEMPLATE_TEXT[lang]["respondent_id"], "allowed": ""},
        {"column": "case", "question": _TEMPLATE_TEXT[lang]["case"], "allowed": ""},
        {
            "column": "group",
            "question": _TEMPLATE_TEXT[lang]["group"],
            "allowed": "municipality, social_enterprise, other",
        },
    ]
    for item in instrument.items:
        fmt = instrument.formats[item.format]
        if fmt.kind == "choice":
            allowed = "; ".join(f"{code} = {label.get(lang)}" for code, label in fmt.labels.items())
        elif fmt.kind == "scale":
            named = "; ".join(f"{code} = {label.get(lang)}" for code, label in fmt.labels.items())
            allowed = f"{fmt.minimum:g}–{fmt.maximum:g} ({named}); {_TEMPLATE_TEXT[lang]['blank']}"
        else:
            allowed = _TEMPLATE_TEXT[lang]["free_text"]
        rows.append({"column": item.id, "question": item.text.get(lang), "allowed": allowed})
    rows.append({"column": "q02_other", "question": _TEMPLATE_TEXT[lang]["q02_other"], "allowed": ""})
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame(columns=columns).to_excel(writer, sheet_name="Survey", index=False)
        pd.DataFrame(rows).to_excel(writer, sheet_name="Items", index=False)
        writer.sheets["Survey"].freeze_panes = "A2"
    return buffer.getvalue()


_TEMPLATE_TEXT = {
    "en": {"respondent_id": "Any unique id per respondent (no names)", "case": "The case (collaboration) name",
           "group": "The respondent's side", "blank": "blank = missing", "free_text": "free text",
           "q02_other": "Text of Q2's 'other' answer"},
    "nb": {"respondent_id": "En unik id per respondent (ikke navn)", "case": "Navnet på caset (samarbeidet)",
           "group": "Respondentens side", "blank": "blankt = mangler", "free_text": "fritekst",
           "q02_other": "Teksten i svaret «Andre» på spørsmål 2"},
}  # fmt: skip
