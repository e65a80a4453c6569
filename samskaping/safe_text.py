"""User text made harmless where it is shown or exported (issue 9: injection).

Case names, free text, notes, column headers and group labels come from the researcher's files
and from the respondents. Two places could take such text for code:

* a spreadsheet opening a CSV file evaluates a cell starting with ``= + - @``, a tab or a carriage
  return as a formula (formula injection, e.g. ``=HYPERLINK(...)``): :func:`neutralise_csv_text`
  puts a single quote in front, as OWASP advises, while numbers such as ``-0.5`` stay numbers;
* Markdown (Streamlit's ``st.markdown``, ``st.caption``, alerts, headings, widget labels) turns
  ``[text](url)`` into a link, ``![x](url)`` into an image that loads from anywhere, and raw HTML
  into tags: :func:`escape_markdown` backslash-escapes every ASCII punctuation character
  (CommonMark §2.4: an escaped punctuation character is always literal), so the text shows as
  typed.

The xlsx exports mark formula-like text cells as text instead (``samskaping.export``); the HTML
reports escape through Jinja2's autoescaping.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["FORMULA_STARTS", "escape_markdown", "is_formula_like", "neutralise_csv_frame", "neutralise_csv_text"]

# A text cell starting with one of these could be taken for a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
# Every ASCII punctuation character (CommonMark's escapable set) but the comma, which Markdown never
# reads, and a decimal point between digits (``3.19`` can start no list), so numbers stay as written.
_PUNCTUATION = re.compile(r"((?!(?<=\d)\.(?=\d))[!-+\--/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")


def is_formula_like(value: object) -> bool:
    """True for text that a spreadsheet could take for a formula (it starts with ``= + - @``, tab or CR)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise_csv_text(value: object) -> object:
    """``value`` for a CSV cell: formula-like text gets a leading ``'``; numbers and other values are kept.

    A text that is a plain number (``-0.5``, ``+3``, ``-1e-3``) is a number, not a formula, and
    stays as it is so that spreadsheets and pandas still read it as a number.
    """
    if not is_formula_like(value) or _NUMBER.fullmatch(value.strip()):
        return value
    return "'" + value


def _needs_care(value: object) -> bool:
    return is_formula_like(value) or (isinstance(value, str) and "\r" in value)


def _csv_cell(value: object) -> object:
    """A text cell neutralised, with carriage returns as line feeds (see :func:`neutralise_csv_frame`)."""
    value = neutralise_csv_text(value)
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def neutralise_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe to open in a spreadsheet.

    Formula-like text gets a leading ``'`` (:func:`neutralise_csv_text`). A carriage return inside
    a text becomes a line feed: Python's CSV writer quotes a cell with a line feed (the line
    terminator) but not one with a bare CR, which a spreadsheet takes for the end of the row — the
    rest of the text (``x\r=HYPERLINK(…)``) would start a new row as a formula.
    """
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column])):
            continue
        values = out[column]
        if any(_needs_care(value) for value in values.dropna().unique()):  # each distinct text once
            out[column] = values.astype("object").map(_csv_cell, na_action="ignore")
    out.columns = [_csv_cell(c) for c in out.columns]
    return out


def escape_markdown(text: object) -> str:
    """``text`` as Markdown that shows exactly that text: no link, image, HTML, heading or emphasis.

    Every ASCII punctuation character is backslash-escaped (a literal character in CommonMark and
    so in Streamlit, which also leaves ``:icon:``, ``:red[…]`` and ``$…$`` alone once escaped),
    except commas and decimal points between digits, which Markdown never reads; line breaks become
    spaces, so a text cannot start a new Markdown block.
    """
    return _PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))
