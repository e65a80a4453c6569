"""Fuzzing validation: random raw tables and random mappings straight into ``validate``.

Unlike ``test_import_fuzz`` (files through the reader), this builds the :class:`RawTable` itself,
so cells can hold what no csv writer produces but a workbook or SPSS file can: NUL and other
control characters, a megabyte of text, formulas, numbers in every notation, arbitrary Unicode;
columns have random names and roles, the table starts at a random file row, and the mapping
sends random columns to random targets with random value, missing and not-relevant codes, a
case map, an id source and dropping of incomplete answers.

Properties: nothing but :class:`DataFileError` (with a one-line message) is raised; the data is
indexed by file rows of the table; every row number in the report is one of them; every number
is within its item's range (whole where the item is whole); every group is a group id or missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from samskaping.errors import DataFileError
from samskaping.importing import RawTable
from samskaping.instrument import GROUPS
from samskaping.mapping import Mapping
from samskaping.validation import validate
from tests.test_import_fuzz import FULL_INSTRUMENT, INSTRUMENT, ITEMS, _examples, _one_line

TARGETS = [*ITEMS, "respondent_id", "case", "group", "q02_other", "attr_sector", "q99"]
CELLS = st.one_of(
    st.sampled_from(["", " ", "1", "2", "3", "4", "5", "6", "0", "-1", "100", "101", "50.5", "3,5", "1e400", "nan",
                     "inf", "NA", "#N/A", "Helt enig", "helt uenig", "Vet ikke", "Ja", "Nei", "municipality", "SE",
                     "Kommune", "other", "=1+1", "=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-2+3", "\x00", "3\x00",
                     "\u202e5", "٣", "３", "True", "False", "2018-01-01", "00:00:00", "x" * (1 << 20)]),
    st.text(max_size=12),
    st.text(st.characters(max_codepoint=0x1F), max_size=4),
)  # fmt: skip
CODES = st.one_of(st.none(), st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0, 7.0, 100.0, -1.0, 2.5, float("nan")]))


@st.composite
def tables_and_mappings(draw) -> tuple[RawTable, Mapping]:
    """A raw table of random cells and a random mapping of its columns."""
    names = draw(
        st.lists(st.one_of(st.sampled_from(TARGETS), st.text(max_size=8)), min_size=1, max_size=7, unique=True)
    )
    sound = draw(st.integers(0, 3)) > 0  # mostly a table validation can work on: case, group and an item mapped
    if sound:
        names += [n for n in ("Casenavn", "Gruppe", "Spm") if n not in names]
    n = draw(st.integers(0, 6))
    frame = pd.DataFrame({name: [draw(CELLS) for _ in range(n)] for name in names}, dtype="str")
    roles = {c: draw(st.sampled_from(["identifying", "metadata"])) for c in names if draw(st.integers(0, 4)) == 0}
    labels = {c: {draw(CELLS): draw(CELLS)} for c in names if draw(st.integers(0, 4)) == 0}
    raw = RawTable(
        frame=frame, source="svar.csv", first_data_row=draw(st.integers(1, 12)), roles=roles, value_labels=labels
    )
    columns = {c: draw(st.sampled_from(TARGETS)) for c in names if draw(st.integers(0, 3))}
    if sound:
        columns.update({"Casenavn": "case", "Gruppe": "group", "Spm": draw(st.sampled_from(ITEMS))})
    mapped = list(columns) or names

    def codes() -> dict:
        return {c: {draw(CELLS): draw(CODES)} for c in mapped if draw(st.integers(0, 3)) == 0}

    def tokens() -> dict:
        return {c: tuple(draw(st.lists(CELLS, max_size=2))) for c in mapped if draw(st.integers(0, 3)) == 0}

    answers = [a for c in mapped for a in frame[c].tolist()] + draw(st.lists(CELLS, max_size=2))
    cases = {}
    if draw(st.booleans()):
        cases = {a: (draw(st.sampled_from(["Case A", "Case B", ""])), draw(st.sampled_from(GROUPS))) for a in answers}
    mapping = Mapping(
        columns=columns,
        value_codes=codes(),
        missing_codes=tokens(),
        not_relevant_codes=tokens(),
        cases=cases,
        case_source=draw(st.one_of(st.none(), st.sampled_from([*names, "absent"]))),
        drop_incomplete=draw(st.booleans()),
        respondent_id_source=draw(st.one_of(st.none(), st.sampled_from([*names, "absent"]))),
    )
    return raw, mapping


def _check(raw: RawTable, mapping: Mapping) -> None:
    try:
        validated = validate(raw, INSTRUMENT, mapping)
    except DataFileError as error:
        _one_line(error)
        event("refused")
        return
    event("validated")
    data, issues = validated.data, validated.report.issues
    rows = set(range(raw.first_data_row, raw.first_data_row + len(raw.frame)))
    assert set(data.index) <= rows
    assert set(issues["row"].dropna().astype(int)) <= rows
    for item in INSTRUMENT.items:
        fmt = FULL_INSTRUMENT.format_of(item.id)
        if not fmt.numeric or item.id not in data.columns:
            continue
        values = data[item.id].to_numpy(dtype=float)
        present = values[~np.isnan(values)]
        low, high = fmt.valid_range()
        assert ((present >= low) & (present <= high)).all(), (item.id, present)
        if fmt.integer or fmt.kind == "choice":
            assert (present == np.round(present)).all(), (item.id, present)
    groups = {g for g in data["group"].tolist() if isinstance(g, str)}
    assert groups <= set(GROUPS), groups


@settings(max_examples=_examples(), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=tables_and_mappings())
# A NUL, a direction override and a megabyte of text in item, case and group cells.
@example(
    case=(
        RawTable(
            frame=pd.DataFrame(
                {"Q26": ["3\x00", "x" * (1 << 20)], "case": ["\u202eA", ""], "group": ["\x00", "SE"]}, dtype="str"
            ),
            source="svar.xlsx",
        ),
        Mapping(columns={"Q26": "q26", "case": "case", "group": "group"}),
    )
)
def test_validation_never_raises_but_data_file_error(case: tuple[RawTable, Mapping]) -> None:
    raw, mapping = case
    _check(raw, mapping)
