"""Reading answer cells as codes: numbers, decimal commas, answer labels (with typos), missing codes.

Pure functions over arrays of text cells; validation decides what to report.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samskaping.instrument import ResponseFormat

__all__ = ["MISSING_TOKENS", "Decoded", "decode_numbers", "label_lookup", "normalise_label"]

# Cell texts that mean "no answer" in exports from R, SPSS, Stata, pandas and survey tools.
MISSING_TOKENS = ("", "na", "nan", "null", "none", ".", "#n/a")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
# Typos are accepted when the closest label is at least this similar (difflib ratio).
_FUZZY_CUTOFF = 0.85


@dataclass(frozen=True, slots=True)
class Decoded:
    """The codes read from one column, and how each cell was read.

    ``how`` per cell: ``number``, ``decimal_comma``, ``label``, ``fuzzy_label``, ``value_code``
    (researcher's code), ``not_relevant``, ``missing`` (blank or a missing code), ``missing_code``
    (a researcher-set missing code), ``unreadable`` (text that is no number and no label).
    """

    codes: np.ndarray
    how: np.ndarray


def normalise_label(text: str) -> str:
    """Lower case, accents folded (æ, ø, å kept), punctuation and repeated spaces removed."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def label_lookup(fmt: ResponseFormat, extra: Mapping[str, str] | None = None) -> dict[str, float]:
    """Normalised answer label → code, from the format's labels (nb, en) and aliases.

    ``extra`` adds labels from the file itself (e.g. SPSS value labels, code → label): those
    labels are read through the format's labels, so a file whose codes run the other way still
    gets the instrument's codes.
    """
    lookup: dict[str, float] = {}
    for code, text in fmt.labels.items():
        for label in (text.nb, text.en):
            lookup[normalise_label(label)] = float(code)
    for code, words in fmt.aliases.items():
        for word in words:
            lookup.setdefault(normalise_label(word), float(code))
    return lookup


def decode_numbers(
    values: Iterable[str],
    fmt: ResponseFormat,
    *,
    value_codes: Mapping[str, float | None] | None = None,
    missing_codes: Iterable[str] = (),
    not_relevant_codes: Iterable[str] = (),
    file_labels: Mapping[str, str] | None = None,
) -> Decoded:
    """Read a column of answer texts as codes of ``fmt`` (range checks are left to the caller).

    Order of reading: the researcher's ``value_codes`` (raw text → code or None), their
    ``missing_codes`` and ``not_relevant_codes`` ("not relevant / don't know": 3 on a 1–5 item,
    missing on items without such a code), blanks and common missing tokens, numbers
    (decimal comma allowed), the file's own value labels, then answer labels and aliases,
    then labels with small typos. Each distinct text is read once.
    """
    cells = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=object)
    index, uniques = pd.factorize(cells, use_na_sentinel=False)
    reader = _Reader(fmt, value_codes, missing_codes, not_relevant_codes, file_labels)
    read = [reader.read(value) for value in uniques]
    codes = np.array([code for code, _ in read], dtype=float)
    how = np.array([kind for _, kind in read], dtype=object)
    return Decoded(codes=codes[index], how=how[index])


class _Reader:
    """How one answer text reads as a code: the rules of :func:`decode_numbers`, in order."""

    def __init__(self, fmt, value_codes, missing_codes, not_relevant_codes, file_labels) -> None:
        self.value_codes = value_codes or {}
        self.missing = {c.lower() for c in missing_codes}
        self.not_relevant = {c.lower() for c in not_relevant_codes}
        na_code = fmt.not_applicable_code
        self.not_relevant_code = np.nan if na_code is None else float(na_code)
        self.file_labels = file_labels or {}
        self.lookup = label_lookup(fmt)
        self.labels = list(self.lookup)

    def read(self, value: object) -> tuple[float, str]:
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
        if text in self.value_codes:
            code = self.value_codes[text]
            missing = code is None or code != code  # None or NaN: the researcher's missing code
            return (np.nan, "missing_code") if missing else (float(code), "value_code")
        lowered = text.lower()
        if lowered in self.missing:
            return np.nan, "missing_code"
        if lowered in self.not_relevant:
            return self.not_relevant_code, "not_relevant"
        if lowered in MISSING_TOKENS:
            return np.nan, "missing"
        if self.file_labels:
            # The file's own labels win over its codes: the code → label pairs tell what a code means.
            code = self.lookup.get(normalise_label(self.file_labels.get(text, "")))
            if code is not None:
                return code, "file_label"
        number = _number(text)
        if number is not None:
            return number, "decimal_comma" if _DECIMAL_COMMA.match(text) else "number"
        key = normalise_label(text)
        if key in self.lookup:
            return self.lookup[key], "label"
        if key:
            close = difflib.get_close_matches(key, self.labels, n=1, cutoff=_FUZZY_CUTOFF)
            if close:
                return self.lookup[close[0]], "fuzzy_label"
        return np.nan, "unreadable"


def _number(text: str) -> float | None:
    """The text as a number (a decimal comma allowed), as :func:`pandas.to_numeric` reads it; else None."""
    if not text or not text.isascii() or "_" in text:
        return None  # float() would also take digit groups with "_" and non-ASCII digits
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return None if number != number else number
