"""Turning a raw table into the canonical data set, reporting every problem.

Validation never raises for bad data: each rejected or changed value becomes an issue with a
stable code, a severity, the row number as in the file, the column, the raw value and the
action taken. The raw table is left unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from samskaping.errors import DataFileError
from samskaping.importing import RawTable
from samskaping.instrument import Instrument, ResponseFormat

__all__ = [
    "GROUPS",
    "ID_COLUMNS",
    "ISSUE_COLUMNS",
    "IssueCode",
    "Severity",
    "Validated",
    "ValidationReport",
    "validate_canonical",
]

GROUPS = ("municipality", "social_enterprise", "other")
ID_COLUMNS = ("respondent_id", "case", "group")
ISSUE_COLUMNS = ("code", "severity", "row", "column", "value", "action", "message")

# Spellings of the three groups that a hand-made canonical file may use.
_GROUP_ALIASES = {
    "municipality": "municipality", "municipal": "municipality", "kommune": "municipality",
    "kommunen": "municipality", "kommunal": "municipality",
    "social_enterprise": "social_enterprise", "social enterprise": "social_enterprise",
    "social-enterprise": "social_enterprise", "sosial virksomhet": "social_enterprise",
    "sosial entreprenør": "social_enterprise", "virksomhet": "social_enterprise", "se": "social_enterprise",
    "other": "other", "annen": "other", "annet": "other", "andre": "other",
}
# Cell texts that mean "no answer" in exports from R, SPSS, Stata and pandas.
_MISSING_TOKENS = ("", "na", "nan", "null", "none", ".", "#n/a")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


class Severity(StrEnum):
    """How serious an issue is. Errors make the CLI exit with code 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class IssueCode(StrEnum):
    """Stable codes for every kind of data problem."""

    MISSING_COLUMN = "missing_column"
    UNKNOWN_COLUMN = "unknown_column"
    DUPLICATE_COLUMN = "duplicate_column"
    BLANK_ROW = "blank_row"
    MISSING_RESPONDENT_ID = "missing_respondent_id"
    DUPLICATE_RESPONDENT_ID = "duplicate_respondent_id"
    MISSING_CASE = "missing_case"
    UNKNOWN_GROUP = "unknown_group"
    RECODED_GROUP = "recoded_group"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    NOT_AN_OPTION = "not_an_option"
    LABEL_RECODED = "label_recoded"
    DECIMAL_COMMA = "decimal_comma"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every issue found, one row each, with the columns of :data:`ISSUE_COLUMNS`.

    Kept as a DataFrame (not one object per issue) so a large file with many problems stays
    cheap to build, cache and export.
    """

    issues: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when no issue has severity ``error``."""
        return not bool((self.issues["severity"] == Severity.ERROR).any())

    def counts(self) -> pd.DataFrame:
        """Number of issues per code and severity."""
        return self.issues.groupby(["code", "severity"], as_index=False).size().rename(columns={"size": "count"})

    def summary(self) -> str:
        """One line: how many errors, warnings and notes."""
        by = self.issues["severity"].value_counts()
        return ", ".join(f"{int(by.get(s, 0))} {s.value}(s)" for s in Severity)


@dataclass(frozen=True, slots=True)
class Validated:
    """The canonical data set and the report of what was changed on the way.

    ``data`` is indexed by the file row number, so every respondent can be traced back.
    """

    data: pd.DataFrame
    report: ValidationReport


class _Issues:
    """Collects issues as column-wise chunks, then builds one frame."""

    def __init__(self) -> None:
        self.chunks: list[pd.DataFrame] = []

    def add(self, code: IssueCode, severity: Severity, rows, column: str, values, action: str, message: str) -> None:
        rows = np.atleast_1d(np.asarray(rows))
        if rows.size == 0:
            return
        values = np.broadcast_to(np.asarray(values, dtype=object), rows.shape)
        self.chunks.append(
            pd.DataFrame(
                {"code": code.value, "severity": severity.value, "row": rows.astype("int64"), "column": column,
                 "value": values, "action": action, "message": message}
            )
        )

    def report(self) -> ValidationReport:
        if not self.chunks:
            empty = pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str") for c in ISSUE_COLUMNS})
            return ValidationReport(empty)
        frame = pd.concat(self.chunks, ignore_index=True)
        frame["value"] = frame["value"].astype("str")
        return ValidationReport(frame.sort_values(["row", "column"], kind="stable", ignore_index=True))


def validate_canonical(raw: RawTable, instrument: Instrument) -> Validated:
    """Check a canonical survey table and convert it to typed columns.

    Parameters
    ----------
    raw : RawTable
        The file as text cells (:func:`samskaping.importing.read_table`).
    instrument : Instrument
        Defines the item columns and their valid codes.

    Returns
    -------
    Validated
        The canonical data (``respondent_id``, ``case``, ``group``, ``q01`` … ``q82`` as
        numbers or text, ``q02_other``, ``attr_*``) and the report of every issue.

    Raises
    ------
    DataFileError
        Only when nothing can be done: no ``case`` or ``group`` column, or no item column.
    """
    issues = _Issues()
    frame = raw.frame
    header = {str(c).strip().lower(): c for c in frame.columns}
    for position, column in enumerate(frame.columns):
        if list(frame.columns).index(column) != position:
            issues.add(IssueCode.DUPLICATE_COLUMN, Severity.ERROR, raw.first_data_row - 1, str(column), "",
                       "ignored", "The column name appears twice; only the first column is used.")
    frame = frame.loc[:, ~frame.columns.duplicated()]
    item_ids = instrument.item_ids
    present_items = [i for i in item_ids if i in header]
    for required in ("case", "group"):
        if required not in header:
            raise DataFileError(f"{raw.source}: missing required column '{required}'")
    if not present_items:
        raise DataFileError(f"{raw.source}: no column matches an instrument item (expected q01 … q82)")

    rows = np.arange(len(frame)) + raw.first_data_row
    cells = frame.rename(columns={v: k for k, v in header.items()})
    stripped = cells.apply(lambda s: s.astype("str").str.strip())
    blank_row = stripped.eq("").all(axis=1).to_numpy()
    issues.add(IssueCode.BLANK_ROW, Severity.INFO, rows[blank_row], "", "", "row_dropped",
               "The row is empty and was left out.")
    stripped = stripped.loc[~blank_row]
    rows = rows[~blank_row]

    data = pd.DataFrame(index=pd.Index(rows, name="row"))
    data["respondent_id"] = _respondent_ids(stripped, rows, issues)
    data["case"] = _cases(stripped, rows, issues)
    data["group"] = _groups(stripped, rows, issues)
    for item_id in item_ids:
        if item_id not in stripped:
            issues.add(IssueCode.MISSING_COLUMN, Severity.WARNING, raw.first_data_row - 1, item_id, "",
                       "set_missing", "The item column is missing; all its answers count as missing.")
            fmt = instrument.format_of(item_id)
            data[item_id] = np.nan if fmt.numeric else pd.Series(pd.NA, index=data.index, dtype="str")
            continue
        fmt = instrument.format_of(item_id)
        column = stripped[item_id].to_numpy()
        if fmt.numeric:
            data[item_id] = _numbers(column, rows, item_id, fmt, issues)
        else:
            data[item_id] = _texts(column)
    extras = [c for c in stripped.columns if c == "q02_other" or c.startswith("attr_")]
    for column in extras:
        data[column] = _texts(stripped[column].to_numpy())
    known = set(item_ids) | set(ID_COLUMNS) | set(extras)
    for column in stripped.columns:
        if column not in known:
            issues.add(IssueCode.UNKNOWN_COLUMN, Severity.INFO, raw.first_data_row - 1, column, "", "ignored",
                       "The column is not part of the canonical layout and was left out.")
    return Validated(data=data, report=issues.report())


def _texts(values: np.ndarray) -> pd.Series:
    series = pd.Series(values, dtype="str")
    return series.where(~series.str.lower().isin(_MISSING_TOKENS)).to_numpy()


def _respondent_ids(cells: pd.DataFrame, rows: np.ndarray, issues: _Issues) -> np.ndarray:
    if "respondent_id" not in cells:
        issues.add(IssueCode.MISSING_COLUMN, Severity.WARNING, rows[:1] - 1, "respondent_id", "", "generated",
                   "No respondent_id column; respondents are named by their row number.")
        return np.array([f"row{r}" for r in rows], dtype=object)
    ids = cells["respondent_id"].to_numpy(dtype=object).copy()
    blank = ids == ""
    ids[blank] = [f"row{r}" for r in rows[blank]]
    issues.add(IssueCode.MISSING_RESPONDENT_ID, Severity.WARNING, rows[blank], "respondent_id", "", "generated",
               "The respondent id is blank; the respondent is named by the row number.")
    duplicated = pd.Series(ids).duplicated().to_numpy()
    issues.add(IssueCode.DUPLICATE_RESPONDENT_ID, Severity.ERROR, rows[duplicated], "respondent_id", ids[duplicated],
               "renamed", "The respondent id is used on an earlier row; this row is kept under id@row.")
    ids[duplicated] = [f"{i}@row{r}" for i, r in zip(ids[duplicated], rows[duplicated], strict=True)]
    return ids


def _cases(cells: pd.DataFrame, rows: np.ndarray, issues: _Issues) -> np.ndarray:
    cases = cells["case"].to_numpy(dtype=object).copy()
    blank = cases == ""
    issues.add(IssueCode.MISSING_CASE, Severity.ERROR, rows[blank], "case", "", "kept",
               "The case is blank; the respondent counts in group tables but in no case.")
    cases[blank] = None
    return cases


def _groups(cells: pd.DataFrame, rows: np.ndarray, issues: _Issues) -> np.ndarray:
    raw = cells["group"]
    normalised = raw.str.lower().str.replace(r"\s+", " ", regex=True)
    mapped = normalised.map(_GROUP_ALIASES)
    recoded = (mapped.notna() & (mapped != raw)).to_numpy()
    issues.add(IssueCode.RECODED_GROUP, Severity.WARNING, rows[recoded], "group", raw.to_numpy()[recoded],
               "recoded", "The group was written another way and was read as " + "the matching group id.")
    unknown = mapped.isna().to_numpy()
    issues.add(IssueCode.UNKNOWN_GROUP, Severity.ERROR, rows[unknown], "group", raw.to_numpy()[unknown],
               "set_missing", "The group is not municipality, social_enterprise or other; it counts as missing.")
    return mapped.to_numpy(dtype=object)


def _label_lookup(fmt: ResponseFormat) -> dict[str, float]:
    lookup: dict[str, float] = {}
    for code, text in fmt.labels.items():
        for label in (text.nb, text.en):
            lookup[_normalise_label(label)] = float(code)
    for code, words in fmt.aliases.items():
        for word in words:
            lookup.setdefault(_normalise_label(word), float(code))
    return lookup


def _normalise_label(text: str) -> str:
    return re.sub(r"[\s.:]+", " ", text.lower()).strip()


def _numbers(values: np.ndarray, rows: np.ndarray, item_id: str, fmt: ResponseFormat, issues: _Issues) -> np.ndarray:
    text = pd.Series(values, dtype="str")
    missing = text.str.lower().isin(_MISSING_TOKENS).to_numpy()
    comma = text.str.match(_DECIMAL_COMMA).to_numpy()
    numbers = pd.to_numeric(text.where(~comma, text.str.replace(",", ".", regex=False)), errors="coerce").to_numpy(
        dtype=float, copy=True
    )
    issues.add(IssueCode.DECIMAL_COMMA, Severity.INFO, rows[comma], item_id, values[comma], "recoded",
               "A decimal comma was read as a decimal point.")
    unparsed = np.isnan(numbers) & ~missing
    if unparsed.any():
        labels = text[unparsed].map(lambda v: _label_lookup(fmt).get(_normalise_label(v), np.nan)).to_numpy(float)
        from_label = np.flatnonzero(unparsed)[~np.isnan(labels)]
        numbers[from_label] = labels[~np.isnan(labels)]
        issues.add(IssueCode.LABEL_RECODED, Severity.INFO, rows[from_label], item_id, values[from_label], "recoded",
                   "An answer label was read as its code.")
    bad_text = np.isnan(numbers) & ~missing
    issues.add(IssueCode.NOT_A_NUMBER, Severity.ERROR, rows[bad_text], item_id, values[bad_text], "set_missing",
               "The answer is not a number or a known answer label; it counts as missing.")
    low, high = fmt.valid_range()
    with np.errstate(invalid="ignore"):
        out_of_range = (numbers < low) | (numbers > high)
    issues.add(IssueCode.OUT_OF_RANGE, Severity.ERROR, rows[out_of_range], item_id, values[out_of_range],
               "set_missing", f"The answer is outside {low:g}–{high:g}; it counts as missing.")
    numbers[out_of_range] = np.nan
    if fmt.integer or fmt.kind == "choice":
        fractional = ~np.isnan(numbers) & (numbers != np.round(numbers))
        issues.add(IssueCode.NOT_AN_OPTION, Severity.ERROR, rows[fractional], item_id, values[fractional],
                   "set_missing", "The answer must be a whole number on this item; it counts as missing.")
        numbers[fractional] = np.nan
    return numbers
