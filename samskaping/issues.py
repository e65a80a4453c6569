"""The validation report: issue codes, severities, and the collector validation fills.

Every rejected or changed value becomes one row with a stable code, a severity, the file row,
the column, the raw value, the new value where there is one, a count and the action taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

__all__ = ["ISSUE_COLUMNS", "IssueCode", "IssueCollector", "Severity", "ValidationReport"]

ISSUE_COLUMNS = ("code", "severity", "row", "column", "value", "new_value", "count", "action", "message")


class Severity(StrEnum):
    """How serious an issue is. Errors make the CLI exit with code 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class IssueCode(StrEnum):
    """Stable codes for every kind of data problem."""

    MISSING_COLUMN = "missing_column"
    UNKNOWN_COLUMN = "unknown_column"
    METADATA_COLUMN = "metadata_column"
    IDENTIFYING_COLUMN = "identifying_column"
    DUPLICATE_COLUMN = "duplicate_column"
    BLANK_ROW = "blank_row"
    INCOMPLETE_RESPONSE = "incomplete_response"
    MISSING_RESPONDENT_ID = "missing_respondent_id"
    DUPLICATE_RESPONDENT_ID = "duplicate_respondent_id"
    MISSING_CASE = "missing_case"
    UNMAPPED_CASE = "unmapped_case"
    UNKNOWN_GROUP = "unknown_group"
    RECODED_GROUP = "recoded_group"
    NOT_A_NUMBER = "not_a_number"
    UNKNOWN_LABEL = "unknown_label"
    OUT_OF_RANGE = "out_of_range"
    NOT_AN_OPTION = "not_an_option"
    LABEL_RECODED = "label_recoded"
    FUZZY_LABEL = "fuzzy_label"
    FILE_LABEL = "file_label"
    REVERSED_CODES = "reversed_codes"
    DECIMAL_COMMA = "decimal_comma"
    VALUE_CODE = "value_code"
    NOT_RELEVANT = "not_relevant"
    MISSING_CODE = "missing_code"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every issue found, one row each, with the columns of :data:`ISSUE_COLUMNS`.

    Kept as a DataFrame (not one object per issue) so a large file with many problems stays
    cheap to build, cache and export. ``row`` is empty for issues about a whole column.
    """

    issues: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when no issue has severity ``error``."""
        return not bool((self.issues["severity"] == Severity.ERROR).any())

    def counts(self) -> pd.DataFrame:
        """Number of affected cells per code and severity."""
        return self.issues.groupby(["code", "severity"], as_index=False)["count"].sum()

    def summary(self) -> str:
        """One line: how many errors, warnings and notes."""
        by = self.issues["severity"].value_counts()
        return ", ".join(f"{int(by.get(s, 0))} {s.value}(s)" for s in Severity)


class IssueCollector:
    """Collects issues as column-wise chunks, then builds one frame."""

    def __init__(self) -> None:
        self.chunks: list[pd.DataFrame] = []

    def add(self, code, severity, rows, column, values, action, message, *, new_values=None, counts=None) -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype="float64"))
        if rows.size == 0:
            return
        values = np.broadcast_to(np.asarray(values, dtype=object), rows.shape)
        self.chunks.append(
            pd.DataFrame(
                {
                    "code": code.value,
                    "severity": severity.value,
                    "row": rows,
                    "column": column,
                    "value": values,
                    "new_value": np.broadcast_to(
                        np.asarray(new_values if new_values is not None else "", dtype=object), rows.shape
                    ),
                    "count": np.broadcast_to(np.asarray(counts if counts is not None else 1), rows.shape),
                    "action": action,
                    "message": message,
                }
            )
        )

    def add_column(self, code, severity, column, action, message, *, count=0) -> None:
        self.add(code, severity, np.nan, column, "", action, message, counts=count)

    def report(self) -> ValidationReport:
        if not self.chunks:
            frame = pd.DataFrame({c: pd.Series(dtype="str") for c in ISSUE_COLUMNS})
        else:
            frame = pd.concat(self.chunks, ignore_index=True)
            frame = frame.sort_values(["row", "column"], kind="stable", na_position="first", ignore_index=True)
        frame["row"] = frame["row"].astype("Int64")
        frame["count"] = frame["count"].astype("int64")
        for column in ("value", "new_value"):
            frame[column] = frame[column].astype("str")
        return ValidationReport(frame)
