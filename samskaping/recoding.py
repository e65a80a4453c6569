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
    then labels with small typos.
    """
    text = pd.Series(list(values), dtype="str").str.strip()
    codes = np.full(len(text), np.nan)
    how = np.full(len(text), "unreadable", dtype=object)
    todo = np.ones(len(text), dtype=bool)

    def settle(mask: np.ndarray, value: float | np.ndarray, kind: str) -> None:
        nonlocal todo
        mask = mask & todo
        codes[mask] = value if np.isscalar(value) else np.asarray(value)[mask]
        how[mask] = kind
        todo = todo & ~mask

    if value_codes:
        mapped = text.map(lambda v: value_codes.get(v, "unset"))
        has = (mapped != "unset").to_numpy()
        settle(has, mapped.where(has, np.nan).astype(float).to_numpy(), "value_code")
        how[has & np.isnan(codes)] = "missing_code"
    lowered = text.str.lower()
    settle(lowered.isin([c.lower() for c in missing_codes]).to_numpy(), np.nan, "missing_code")
    not_relevant = lowered.isin([c.lower() for c in not_relevant_codes]).to_numpy()
    na_code = fmt.not_applicable_code
    settle(not_relevant, np.nan if na_code is None else float(na_code), "not_relevant")
    settle(lowered.isin(MISSING_TOKENS).to_numpy(), np.nan, "missing")
    comma = text.str.match(_DECIMAL_COMMA).to_numpy()
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)
    if file_labels:
        # The file's own labels win over its codes: the code → label pairs tell what a code means.
        lookup = label_lookup(fmt)
        by_label = text.map(lambda v: lookup.get(normalise_label(file_labels.get(v, "")), np.nan))
        settle(by_label.notna().to_numpy(), by_label.to_numpy(dtype=float), "file_label")
    settle(~np.isnan(numbers) & comma, numbers, "decimal_comma")
    settle(~np.isnan(numbers), numbers, "number")
    if todo.any():
        lookup = label_lookup(fmt)
        labels = list(lookup)
        remaining = np.flatnonzero(todo)
        for raw in pd.unique(text.iloc[remaining]):
            key = normalise_label(raw)
            cells = todo & (text == raw).to_numpy()
            if key in lookup:
                settle(cells, lookup[key], "label")
            elif key:
                close = difflib.get_close_matches(key, labels, n=1, cutoff=_FUZZY_CUTOFF)
                if close:
                    settle(cells, lookup[close[0]], "fuzzy_label")
    return Decoded(codes=codes, how=how)
