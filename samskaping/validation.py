"""Turning a raw table into the canonical data set, reporting every problem.

Validation never raises for bad data: every rejected or changed value becomes an issue with a
stable code, a severity, the row number as in the file, the column, the raw value and the
action taken. Recodings (a label read as its code, a decimal comma) are reported once per
column and raw value with a count. The raw table is left unchanged, and together with the
cleaned data the report accounts for every input cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samskaping.errors import DataFileError
from samskaping.importing import RawTable, stripped_texts
from samskaping.instrument import GROUPS, Instrument
from samskaping.issues import ISSUE_COLUMNS, IssueCode, IssueCollector, Severity, ValidationReport
from samskaping.mapping import Mapping
from samskaping.recoding import decode_numbers

__all__ = [
    "GROUPS",
    "ID_COLUMNS",
    "ISSUE_COLUMNS",
    "IssueCode",
    "Severity",
    "Validated",
    "ValidationReport",
    "canonical_mapping",
    "validate",
    "validate_canonical",
]

ID_COLUMNS = ("respondent_id", "case", "group")

# Spellings of the three groups that a hand-made canonical file may use.
_GROUP_ALIASES = {
    "municipality": "municipality", "municipal": "municipality", "kommune": "municipality",
    "kommunen": "municipality", "kommunal": "municipality",
    "social_enterprise": "social_enterprise", "social enterprise": "social_enterprise",
    "social-enterprise": "social_enterprise", "sosial virksomhet": "social_enterprise",
    "sosial entreprenør": "social_enterprise", "virksomhet": "social_enterprise", "se": "social_enterprise",
    "other": "other", "annen": "other", "annet": "other", "andre": "other",
}  # fmt: skip
_INCOMPLETE = {"0", "false", "no", "nei", "incomplete", "ufullstendig"}


# Recodings reported once per column and raw value: code, severity, message.
_LETTER = re.compile(r"[^\W\d_]")  # any letter, in any alphabet
_RECODINGS = {
    "decimal_comma": (IssueCode.DECIMAL_COMMA, Severity.INFO, "A decimal comma was read as a decimal point."),
    "label": (IssueCode.LABEL_RECODED, Severity.INFO, "An answer label was read as its code."),
    "fuzzy_label": (IssueCode.FUZZY_LABEL, Severity.WARNING, "A misspelt answer label was read as the closest one."),
    "file_label": (IssueCode.FILE_LABEL, Severity.INFO, "A code was read through the file's own value label."),
    "value_code": (IssueCode.VALUE_CODE, Severity.INFO, "The value was recoded as the mapping says."),
    "not_relevant": (IssueCode.NOT_RELEVANT, Severity.INFO, "'Not relevant / don't know' (3 on 1–5 items)."),
}


@dataclass(frozen=True, slots=True)
class Validated:
    """The canonical data set and the report of what was changed on the way.

    ``data`` is indexed by the file row number, so every respondent can be traced back.
    """

    data: pd.DataFrame
    report: ValidationReport


def canonical_mapping(columns, instrument: Instrument) -> Mapping:
    """The mapping of a file in canonical form: canonical column names map to themselves."""
    targets = {*ID_COLUMNS, *instrument.item_ids, "q02_other"}
    chosen: dict[str, str] = {}
    for column in columns:
        name = str(column).strip().lower()
        if (name in targets or name.startswith("attr_")) and name not in chosen.values():
            chosen[str(column)] = name
    return Mapping(columns=chosen)


def validate_canonical(raw: RawTable, instrument: Instrument) -> Validated:
    """Validate a file in canonical form (:func:`validate` with :func:`canonical_mapping`)."""
    return validate(raw, instrument, canonical_mapping(raw.frame.columns, instrument))


def validate(raw: RawTable, instrument: Instrument, mapping: Mapping) -> Validated:
    """Apply a column mapping to a raw table and check every value.

    Parameters
    ----------
    raw : RawTable
        The file as text cells (:func:`samskaping.importing.read_table`).
    instrument : Instrument
        Defines the item columns and their valid codes.
    mapping : Mapping
        Which file column holds which item; value codes, missing codes, the case map.

    Returns
    -------
    Validated
        The canonical data (``respondent_id``, ``case``, ``group``, ``q01`` … ``q82``,
        ``q02_other``, ``attr_*``) indexed by file row, and the report of every issue.

    Raises
    ------
    DataFileError
        Only when nothing can be done: no column maps to an item, or no case can be known.
    """
    issues = IssueCollector()
    frame = raw.frame
    roles = getattr(raw, "roles", {}) or {}
    by_target: dict[str, str] = {}
    for column, target in mapping.columns.items():
        if column in frame.columns:
            by_target.setdefault(target, column)  # several columns on one target: the first is used
    duplicates = [c for c, t in mapping.columns.items() if c in frame.columns and by_target[t] != c]
    id_column = mapping.respondent_id_source
    if id_column not in frame.columns:
        id_column = by_target.get("respondent_id")
    if not any(t in by_target for t in instrument.item_ids):
        raise DataFileError(f"{raw.source}: no column matches an instrument item (expected q01 … q82)")
    case_source = mapping.case_source or (by_target.get("q01") if mapping.cases else None)
    if "case" not in by_target and not (case_source and case_source in frame.columns):
        raise DataFileError(f"{raw.source}: missing required column 'case' (or a Q1 column with a case map)")
    if "group" not in by_target and not mapping.cases:
        raise DataFileError(f"{raw.source}: missing required column 'group' (or a case map that gives groups)")

    rows = np.arange(len(frame)) + raw.first_data_row
    text = _Text(frame, raw.texts)
    blank = np.logical_and.reduce([text.blank(column) for column in frame.columns]) if len(frame.columns) else None
    issues.add(
        IssueCode.BLANK_ROW, Severity.INFO, rows[blank], "", "", "row_dropped", "The row is empty and was left out."
    )
    keep = ~blank & _complete(text, rows, roles, mapping, issues)
    text.keep_rows(keep)
    rows = rows[keep]

    data: dict[str, object] = {}
    data["respondent_id"] = _respondent_ids(text, rows, id_column, issues)
    data["case"], data["group"] = _cases_and_groups(text, rows, by_target, case_source, mapping, issues)
    for item_id in instrument.item_ids:
        column = by_target.get(item_id)
        fmt = instrument.format_of(item_id)
        if column is None:
            issues.add_column(
                IssueCode.MISSING_COLUMN,
                Severity.WARNING,
                item_id,
                "set_missing",
                "No column maps to this item; all its answers count as missing.",
                count=len(rows),
            )
            data[item_id] = np.full(len(rows), np.nan) if fmt.numeric else pd.array([pd.NA] * len(rows), dtype="str")
        elif fmt.numeric:
            data[item_id] = _numbers(text, rows, column, fmt, mapping, raw, issues)
        else:
            data[item_id] = text.answers(column)
    for target, column in by_target.items():
        if target == "q02_other" or target.startswith("attr_"):
            data[target] = text.answers(column)
    frame_out = pd.DataFrame(data, index=pd.Index(rows, name="row"))
    for column in duplicates:
        target = mapping.columns[column]
        issues.add_column(
            IssueCode.DUPLICATE_COLUMN,
            Severity.ERROR,
            column,
            "ignored",
            f"Column '{by_target[target]}' already maps to {target}; this column was left out.",
            count=len(rows),
        )
    used = set(by_target.values()) | set(duplicates) | {case_source, id_column}
    _set_aside(frame.columns, used, roles, len(rows), issues)
    return Validated(data=frame_out, report=issues.report())


class _Text:
    """The file's cells, stripped, read column by column through their distinct texts.

    Each column is factorized once (pandas does this in C, also for Arrow text); every rule
    then runs on its few distinct texts and the result is spread back to the rows with one
    ``take``. That keeps validation linear in the rows with a small constant.
    """

    def __init__(self, frame: pd.DataFrame, known: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> None:
        self.frame = frame
        self.rows: np.ndarray | None = None  # rows kept (None: all)
        # Columns the reader already factorized (RawTable.texts), where they fit the frame.
        self._factors = {c: f for c, f in (known or {}).items() if c in frame.columns and len(f[0]) == len(frame)}

    def keep_rows(self, keep: np.ndarray) -> None:
        """Leave out the rows where ``keep`` is False from now on."""
        self.rows = np.flatnonzero(keep)

    def factors(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Per kept row the index of its text, and the distinct stripped texts (object array of str)."""
        if column not in self._factors:
            self._factors[column] = stripped_texts(self.frame[column])
        index, uniques = self._factors[column]
        return (index if self.rows is None else index[self.rows]), uniques

    def values(self, column: str) -> np.ndarray:
        """The stripped texts of the kept rows (object array)."""
        index, uniques = self.factors(column)
        return uniques[index]

    def blank(self, column: str) -> np.ndarray:
        """True where the cell is blank (or white space only)."""
        index, uniques = self.factors(column)
        return (uniques == "")[index]

    def answers(self, column: str) -> pd.api.extensions.ExtensionArray:
        """A free-text column: the stripped texts, missing only where blank ("None" or "NA" can be an answer)."""
        index, uniques = self.factors(column)
        shown = pd.array([None if u == "" else u for u in uniques], dtype="str")
        return shown.take(index)


def _set_aside(columns, used: set, roles: dict, n_rows: int, issues: IssueCollector) -> None:
    """Report every column not used: identifying ones by name and count only."""
    for column in columns:
        if column in used:
            continue
        role = roles.get(column)
        if role == "identifying":
            issues.add_column(
                IssueCode.IDENTIFYING_COLUMN,
                Severity.INFO,
                column,
                "set_aside",
                "Identifying column (e.g. e-mail, name, IP): set aside, never shown or exported.",
                count=n_rows,
            )
        elif role == "metadata":
            issues.add_column(
                IssueCode.METADATA_COLUMN,
                Severity.INFO,
                column,
                "set_aside",
                "Metadata column (time, status, technical id): set aside.",
                count=n_rows,
            )
        else:
            issues.add_column(
                IssueCode.UNKNOWN_COLUMN,
                Severity.INFO,
                column,
                "ignored",
                "The column maps to no item and was left out.",
                count=n_rows,
            )


def _complete(text: _Text, rows: np.ndarray, roles: dict, mapping: Mapping, issues: IssueCollector) -> np.ndarray:
    """Rows to keep: incomplete responses (a Finished/Completed column saying no) are reported and kept
    unless the mapping asks to leave them out."""
    keep = np.ones(len(rows), dtype=bool)
    for column in text.frame.columns:
        if roles.get(column) == "metadata" and str(column).strip().lower() in ("finished", "completed", "complete"):
            index, uniques = text.factors(column)
            incomplete = np.array([u.lower() in _INCOMPLETE for u in uniques], dtype=bool)[index]
            action = "row_dropped" if mapping.drop_incomplete else "kept"
            issues.add(
                IssueCode.INCOMPLETE_RESPONSE,
                Severity.WARNING,
                rows[incomplete],
                str(column),
                uniques[index][incomplete],
                action,
                "The response was not completed.",
            )
            if mapping.drop_incomplete:
                keep &= ~incomplete
    return keep


def _respondent_ids(text: _Text, rows: np.ndarray, column: str | None, issues: IssueCollector) -> np.ndarray:
    if column is None:
        issues.add_column(
            IssueCode.MISSING_COLUMN,
            Severity.INFO,
            "respondent_id",
            "generated",
            "No respondent id column; respondents are named by their row number.",
            count=len(rows),
        )
        return np.array([f"row{r}" for r in rows], dtype=object)
    ids = text.values(column).copy()
    blank = ids == ""
    ids[blank] = [f"row{r}" for r in rows[blank]]
    issues.add(
        IssueCode.MISSING_RESPONDENT_ID,
        Severity.WARNING,
        rows[blank],
        column,
        "",
        "generated",
        "The respondent id is blank; the respondent is named by the row number.",
    )
    duplicated = pd.Series(ids).duplicated().to_numpy()
    issues.add(
        IssueCode.DUPLICATE_RESPONDENT_ID,
        Severity.ERROR,
        rows[duplicated],
        column,
        ids[duplicated],
        "renamed",
        "The respondent id is used on an earlier row; this row is kept under id@row.",
    )
    ids[duplicated] = [f"{i}@row{r}" for i, r in zip(ids[duplicated], rows[duplicated], strict=True)]
    return ids


def _cases_and_groups(text, rows, by_target, case_source, mapping, issues) -> tuple[np.ndarray, np.ndarray]:
    # An explicit case source (a saved case map) wins over a column mapped to "case".
    if "case" in by_target and not (mapping.case_source and mapping.case_source in text.frame.columns):
        column = by_target["case"]
        cases = text.values(column).copy()
        blank = cases == ""
        issues.add(
            IssueCode.MISSING_CASE,
            Severity.ERROR,
            rows[blank],
            column,
            "",
            "kept",
            "The case is blank; the respondent counts in group tables but in no case.",
        )
        cases[blank] = None
        groups = _groups(text, rows, by_target["group"], issues) if "group" in by_target else None
        if groups is None:
            groups = np.array([mapping.cases.get(c, (c, None))[1] if c else None for c in cases], dtype=object)
        return cases, groups
    index, answers = text.factors(case_source)
    known = {str(k).strip(): v for k, v in mapping.cases.items()}
    mapped = [known.get(a) for a in answers]
    unmapped = np.array([m is None for m in mapped], dtype=bool)[index]
    issues.add(
        IssueCode.UNMAPPED_CASE,
        Severity.ERROR,
        rows[unmapped],
        case_source,
        answers[index][unmapped],
        "kept",
        "The answer is not in the case map; the respondent counts in no case and no group.",
    )
    cases = np.array([m[0] if m else None for m in mapped], dtype=object)[index]
    groups = np.array([m[1] if m else None for m in mapped], dtype=object)[index]
    if "group" in by_target:
        groups = _groups(text, rows, by_target["group"], issues)
    return cases, groups


def _groups(text: _Text, rows: np.ndarray, column: str, issues: IssueCollector) -> np.ndarray:
    index, raw = text.factors(column)
    counts = np.bincount(index, minlength=len(raw))
    mapped = np.array([_GROUP_ALIASES.get(re.sub(r"\s+", " ", r.lower())) for r in raw], dtype=object)
    recoded = np.array([m is not None and m != r for m, r in zip(mapped, raw, strict=True)], dtype=bool) & (counts > 0)
    _report_recodings(
        raw[recoded],
        mapped[recoded],
        counts[recoded],
        column,
        IssueCode.RECODED_GROUP,
        Severity.WARNING,
        "The group was written another way and was read as the group id.",
        issues,
    )
    unknown = np.array([m is None for m in mapped], dtype=bool)[index]
    issues.add(
        IssueCode.UNKNOWN_GROUP,
        Severity.ERROR,
        rows[unknown],
        column,
        raw[index][unknown],
        "set_missing",
        "The group is not municipality, social_enterprise or other; it counts as missing.",
    )
    return mapped[index]


def _report_recodings(
    raw: np.ndarray, new: np.ndarray, counts: np.ndarray, column: str, code, severity, message, issues: IssueCollector
) -> None:
    """One issue per distinct raw value of a column: raw → new, with how many cells."""
    if not len(raw):
        return
    issues.add(
        code,
        severity,
        np.full(len(raw), np.nan),
        column,
        np.asarray(raw, dtype=object),
        "recoded",
        message,
        new_values=[f"{v:g}" if isinstance(v, float) else str(v) for v in new.tolist()],
        counts=counts,
    )


def _numbers(
    text: _Text, rows: np.ndarray, column: str, fmt, mapping: Mapping, raw: RawTable, issues: IssueCollector
) -> np.ndarray:
    # Every rule reads a cell by its text alone, so each distinct text is decoded and checked once
    # and the results are spread back to the cells (a column of 100 000 answers has ~10 texts).
    index, uniques = text.factors(column)
    counts = np.bincount(index, minlength=len(uniques))
    file_labels = (getattr(raw, "value_labels", {}) or {}).get(column)
    decoded = decode_numbers(
        uniques,
        fmt,
        value_codes=mapping.value_codes.get(column),
        missing_codes=mapping.missing_codes.get(column, ()),
        not_relevant_codes=mapping.not_relevant_codes.get(column, ()),
        file_labels=file_labels,
    )
    numbers, how = decoded.codes.copy(), decoded.how
    texts = np.array([str(u) for u in uniques], dtype=object)
    for kind, (code, severity, message) in _RECODINGS.items():
        found = (how == kind) & (counts > 0)  # a text only in rows left out is not reported
        if found.any():
            _report_recodings(texts[found], numbers[found], counts[found], column, code, severity, message, issues)
    if file_labels and _reversed(file_labels, decoded, uniques):
        issues.add_column(
            IssueCode.REVERSED_CODES,
            Severity.WARNING,
            column,
            "recoded",
            "The file's codes run the other way than the instrument's; its labels were used.",
        )

    def report(found: np.ndarray, code: IssueCode, message: str, severity: Severity = Severity.ERROR) -> None:
        # One issue per cell, with its file row, for the distinct texts ``found`` marks.
        if found.any():
            cells = found[index]
            issues.add(code, severity, rows[cells], column, uniques[index[cells]], "set_missing", message)

    report(how == "missing_code", IssueCode.MISSING_CODE, "The value is a missing code.", Severity.INFO)
    unreadable = how == "unreadable"
    has_letters = np.array([bool(_LETTER.search(t)) for t in texts], dtype=bool)
    unknown = "The answer is no known answer label; it counts as missing."
    report(unreadable & has_letters, IssueCode.UNKNOWN_LABEL, unknown)
    report(unreadable & ~has_letters, IssueCode.NOT_A_NUMBER, "The answer is not a number; it counts as missing.")
    low, high = fmt.valid_range()
    out_of_range = (numbers < low) | (numbers > high)  # NaN compares False
    report(out_of_range, IssueCode.OUT_OF_RANGE, f"The answer is outside {low:g}–{high:g}; it counts as missing.")
    numbers[out_of_range] = np.nan
    if fmt.integer or fmt.kind == "choice":
        fractional = ~np.isnan(numbers) & (numbers != np.round(numbers))
        whole = "The answer must be a whole number on this item; it counts as missing."
        report(fractional, IssueCode.NOT_AN_OPTION, whole)
        numbers[fractional] = np.nan
    return numbers[index]


def _reversed(file_labels, decoded, values) -> bool:
    """True when the file's numeric codes, read through its labels, come out mirrored."""
    numeric = pd.to_numeric(pd.Series(values, dtype="str"), errors="coerce").to_numpy(dtype=float)
    cells = (decoded.how == "file_label") & ~np.isnan(numeric)
    return bool(
        cells.any()
        and np.all(numeric[cells] + decoded.codes[cells] == numeric[cells].min() + numeric[cells].max())
        and np.any(numeric[cells] != decoded.codes[cells])
    )
