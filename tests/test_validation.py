"""Validation of canonical survey files: one messy file with one instance of each issue kind.

Row numbers are as in the file: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from samskaping.errors import DataFileError
from samskaping.importing import read_table
from samskaping.instrument import Instrument
from samskaping.validation import Validated, validate_canonical

MISSING_ITEM = "q13"
EXTRA_COLUMN = "notes"

# One data row per line of the file; overrides of the default answers. None = a blank row.
MESSY_ROWS: dict[int, dict[str, str] | None] = {
    2: {"respondent_id": "R1", "case": "Case A", "group": "municipality", "q07": "7"},
    3: None,
    4: {"respondent_id": "", "case": "Case A", "group": "municipality", "q08": "3.5"},
    5: {"respondent_id": "R1", "case": "Case A", "group": "social_enterprise", "q09": "abc"},
    6: {"respondent_id": "R6", "case": "", "group": "municipality", "q10": "Helt enig"},
    7: {"respondent_id": "R7", "case": "Case B", "group": "Kommune", "q11": "Strongly disagree"},
    8: {"respondent_id": "R8", "case": "Case B", "group": "banana", "q70": "0"},
    9: {"respondent_id": "R9", "case": "Case B", "group": "social_enterprise", "q71": "101", "q72": "12,5"},
}

# (code, file row, column, raw value, new value, count) of every issue the file must produce,
# worked out by hand. Recodings are reported once per column and raw value, and issues about a
# whole column, without a row (None).
EXPECTED_ISSUES = {
    ("blank_row", 3, "", "", "", 1),
    ("missing_respondent_id", 4, "respondent_id", "", "", 1),
    ("duplicate_respondent_id", 5, "respondent_id", "R1", "", 1),
    ("missing_case", 6, "case", "", "", 1),
    ("recoded_group", None, "group", "Kommune", "municipality", 1),
    ("unknown_group", 8, "group", "banana", "", 1),
    ("out_of_range", 2, "q07", "7", "", 1),  # likert 1-5
    ("not_an_option", 4, "q08", "3.5", "", 1),  # likert codes are whole numbers
    ("unknown_label", 5, "q09", "abc", "", 1),  # text that is no answer label
    ("label_recoded", None, "q10", "Helt enig", "5", 1),
    ("label_recoded", None, "q11", "Strongly disagree", "1", 1),
    ("out_of_range", 8, "q70", "0", "", 1),  # codebook.md: 0 or above 100 is out of range
    ("out_of_range", 9, "q71", "101", "", 1),
    ("decimal_comma", None, "q72", "12,5", "12.5", 1),
    # Column-level issues count the cells concerned: the 7 respondents kept (row 3 is blank).
    ("unknown_column", None, EXTRA_COLUMN, "", "", 7),
    ("missing_column", None, MISSING_ITEM, "", "", 7),
}

# Severity and action of each issue code, as samskaping.validation defines them.
SEVERITY_ACTION = {
    "blank_row": ("info", "row_dropped"),
    "missing_respondent_id": ("warning", "generated"),
    "duplicate_respondent_id": ("error", "renamed"),
    "missing_case": ("error", "kept"),
    "recoded_group": ("warning", "recoded"),
    "unknown_group": ("error", "set_missing"),
    "out_of_range": ("error", "set_missing"),
    "not_an_option": ("error", "set_missing"),
    "not_a_number": ("error", "set_missing"),
    "unknown_label": ("error", "set_missing"),
    "label_recoded": ("info", "recoded"),
    "decimal_comma": ("info", "recoded"),
    "unknown_column": ("info", "ignored"),
    "missing_column": ("warning", "set_missing"),
}

# Cells the validator changes, and their canonical values (NaN = set missing).
CHANGED_CELLS = {
    (2, "q07"): math.nan,
    (4, "q08"): math.nan,
    (5, "q09"): math.nan,
    (6, "q10"): 5.0,
    (7, "q11"): 1.0,
    (8, "q70"): math.nan,
    (9, "q71"): math.nan,
    (9, "q72"): 12.5,
}


def _default_answer(instrument: Instrument, item_id: str) -> str:
    fmt = instrument.format_of(item_id)
    if fmt.kind == "text":
        return f"svar {item_id}"
    if fmt.kind == "choice":
        return "2"
    return "4" if fmt.maximum == 5 else "50"


def _columns(instrument: Instrument) -> list[str]:
    items = [i for i in instrument.item_ids if i != MISSING_ITEM]
    return ["respondent_id", "case", "group", *items, EXTRA_COLUMN]


def _messy_cells(instrument: Instrument) -> dict[int, dict[str, str]]:
    columns = _columns(instrument)
    cells: dict[int, dict[str, str]] = {}
    for row, overrides in MESSY_ROWS.items():
        if overrides is None:
            cells[row] = dict.fromkeys(columns, "")
            continue
        values = {c: _default_answer(instrument, c) for c in columns if c.startswith("q")}
        values[EXTRA_COLUMN] = "a remark"
        values.update(overrides)
        cells[row] = {c: values[c] for c in columns}
    return cells


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def messy(tmp_path_factory, instrument: Instrument) -> tuple[Validated, dict[int, dict[str, str]]]:
    """The messy file, validated once for all tests of this module (they only read the result)."""
    cells = _messy_cells(instrument)
    path = tmp_path_factory.mktemp("messy") / "messy.csv"
    _write_csv(path, _columns(instrument), [cells[r] for r in sorted(cells)])
    return validate_canonical(read_table(path), instrument), cells


def test_messy_file_has_exactly_the_expected_issues(messy) -> None:
    validated, _ = messy
    issues = validated.report.issues
    rows = [None if pd.isna(row) else int(row) for row in issues["row"]]
    found = list(
        zip(issues["code"], rows, issues["column"], issues["value"], issues["new_value"], issues["count"], strict=True)
    )
    assert len(found) == len(EXPECTED_ISSUES)
    assert set(found) == EXPECTED_ISSUES


def test_messy_file_severities_and_actions(messy) -> None:
    issues = messy[0].report.issues
    for code, severity, action in zip(issues["code"], issues["severity"], issues["action"], strict=True):
        assert (severity, action) == SEVERITY_ACTION[code], code
    assert issues["message"].str.len().gt(0).all()


def test_messy_file_report_is_not_ok(messy) -> None:
    report = messy[0].report
    assert report.ok is False
    # errors: duplicate id, missing case, unknown group, 3 out of range, not an option, not a number;
    # warnings: blank id, recoded group, missing column; info: blank row, 2 labels, decimal comma,
    # unknown column.
    assert report.summary() == "8 error(s), 3 warning(s), 5 info(s)"


def test_messy_file_rows_keep_their_file_numbers(messy) -> None:
    data = messy[0].data
    # Row 3 is blank and dropped; the others keep the number the researcher sees in the file.
    assert list(data.index) == [2, 4, 5, 6, 7, 8, 9]


def test_messy_file_identifiers(messy) -> None:
    data = messy[0].data
    assert list(data["respondent_id"]) == ["R1", "row4", "R1@row5", "R6", "R7", "R8", "R9"]
    assert data.loc[[2, 4, 5, 7], "case"].tolist() == ["Case A"] * 3 + ["Case B"]
    assert pd.isna(data.loc[6, "case"])
    assert data.loc[[2, 4, 5, 6, 7, 9], "group"].tolist() == [
        "municipality",
        "municipality",
        "social_enterprise",
        "municipality",
        "municipality",
        "social_enterprise",
    ]
    assert pd.isna(data.loc[8, "group"])


def test_messy_file_changed_cells(messy) -> None:
    data = messy[0].data
    for (row, column), expected in CHANGED_CELLS.items():
        actual = data.loc[row, column]
        if math.isnan(expected):
            assert math.isnan(actual), (row, column, actual)
        else:
            assert actual == expected, (row, column, actual)
    # The missing item column is all missing; the unknown column is not carried over.
    assert data[MISSING_ITEM].isna().all()
    assert EXTRA_COLUMN not in data.columns


def test_messy_file_unchanged_cells_equal_raw(messy, instrument: Instrument) -> None:
    data, cells = messy[0].data, messy[1]
    checked = 0
    for row in data.index:
        for item_id in instrument.item_ids:
            if item_id == MISSING_ITEM or (row, item_id) in CHANGED_CELLS:
                continue
            raw = cells[row][item_id]
            value = data.loc[row, item_id]
            if instrument.format_of(item_id).numeric:
                assert value == float(raw), (row, item_id, raw, value)
            else:
                assert value == raw, (row, item_id, raw, value)
            checked += 1
    # 7 kept rows x 81 item columns, minus the 8 changed cells.
    assert checked == 7 * 81 - 8


def test_messy_file_columns(messy, instrument: Instrument) -> None:
    data = messy[0].data
    assert list(data.columns) == ["respondent_id", "case", "group", *instrument.item_ids]


def test_golden_fixture_validates_cleanly(shared_dir: Path, instrument: Instrument) -> None:
    validated = validate_canonical(read_table(shared_dir / "fixtures" / "golden" / "survey.csv"), instrument)
    assert validated.report.issues.empty
    assert validated.report.ok is True
    # golden README: 21 respondents.
    assert len(validated.data) == 21


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["respondent_id", "group", "q07", "q08"], "missing required column 'case'"),
        (["respondent_id", "case", "group", "comment"], "no column matches an instrument item"),
    ],
    ids=["no-case-column", "no-item-columns"],
)
def test_unusable_files_raise(tmp_path: Path, instrument: Instrument, columns: list[str], message: str) -> None:
    row = dict.fromkeys(columns, "1")
    path = _write_csv(tmp_path / "unusable.csv", columns, [row])
    with pytest.raises(DataFileError, match=message) as caught:
        validate_canonical(read_table(path), instrument)
    assert str(caught.value).startswith("unusable.csv: ")


def test_empty_line_keeps_file_row_numbers(tmp_path: Path, instrument: Instrument) -> None:
    path = tmp_path / "gap.csv"
    # row 1 header, row 2 R1, row 3 empty line, row 4 R2 with an out-of-range answer
    path.write_text("respondent_id,case,group,q07\nR1,A,municipality,4\n\nR2,A,municipality,9\n", encoding="utf-8")
    issues = validate_canonical(read_table(path), instrument).report.issues
    rows = issues.loc[issues["code"] == "out_of_range", "row"].tolist()
    assert rows == [4]
    # The empty line itself is reported and left out, not lost silently.
    assert issues.loc[issues["code"] == "blank_row", "row"].tolist() == [3]


def test_free_text_that_looks_like_a_missing_code_is_kept(tmp_path: Path, instrument: Instrument) -> None:
    # "None" and "NA" can be what a respondent wrote in a free-text answer; only a blank is missing.
    path = tmp_path / "texts.csv"
    path.write_text(
        "respondent_id,case,group,q07,q82\nR1,A,municipality,4,None\nR2,A,municipality,4,NA\nR3,A,municipality,4,\n",
        encoding="utf-8",
    )
    data = validate_canonical(read_table(path), instrument).data
    assert data["q82"].tolist()[:2] == ["None", "NA"]
    assert pd.isna(data["q82"].tolist()[2])
