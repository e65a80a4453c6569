"""The study workbook (samskaping.report_workbook): contents, anonymity, formula neutralisation, formatting.

Expected values come from other code paths (the CSV files of the `score` and `compare` commands),
from the golden fixture's README (shared/fixtures/golden) or from the rules of methods.md §7 and
§10, as each comment says.
"""

from __future__ import annotations

import io
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from samskaping import __version__
from samskaping.cli import main
from samskaping.continuum import Placement
from samskaping.errors import SamskapingError
from samskaping.instrument import Instrument
from samskaping.issues import IssueCollector
from samskaping.loading import load_survey
from samskaping.methods_text import methods_paragraph
from samskaping.profiles import FINDING_PARTS, FINDING_ROWS
from samskaping.report_context import build_context
from samskaping.report_workbook import study_workbook
from samskaping.validation import Validated
from samskaping.workspace import Exclusion, apply_exclusions

# The sheets the brief asks for, in its order (plus Kruskal-Wallis, the compare command's kruskal.csv).
SHAREABLE = [
    "Cases", "Groups", "Sides", "Comparison", "Kruskal-Wallis", "Perception gaps", "Continuum", "Findings",
    "Free text", "Notes", "Codebook", "Reliability", "Settings", "Exclusions",
]  # fmt: skip
HIDDEN_EN = "hidden, n < 3"  # methods.md §7 wording with k = 3
FORMULA_TEXTS = ['=HYPERLINK("http://x")', "+1 plus", "-2 minus", "@SUM(A1)", "\ttab first", "\rcarriage return"]


def _golden(shared_dir) -> str:
    return str(shared_dir / "fixtures" / "golden" / "survey.csv")


@pytest.fixture(scope="module")
def golden_context(shared_dir, instrument, codebook):
    validated = load_survey(_golden(shared_dir), instrument).validated
    return build_context(validated, instrument, codebook, k=3, source="survey.csv")


@pytest.fixture(scope="module")
def golden_book(golden_context) -> bytes:
    return study_workbook(golden_context)


def _sheet(content: bytes, name: str, header: int = 0) -> pd.DataFrame:
    return pd.read_excel(io.BytesIO(content), sheet_name=name, engine="openpyxl", header=header)


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", true_values=["true"], false_values=["false"])


def _assert_matches_csv(sheet: pd.DataFrame, expected: pd.DataFrame, label: str) -> None:
    """Same columns, rows and values (numbers to 1e-12); the label only where the CSV has a hidden blank."""
    assert list(sheet.columns) == list(expected.columns)
    assert len(sheet) == len(expected)
    hidden = expected["hidden"].astype(bool).to_numpy()
    assert (sheet["hidden"].astype(bool).to_numpy() == hidden).all()
    for column in expected.columns:
        got = sheet[column]
        labelled = got.map(lambda value: value == label).astype(bool).to_numpy()
        assert not (labelled & ~hidden).any(), column  # the label never replaces a shown value
        assert expected[column][labelled].isna().all(), column  # and stands only where the CSV is blank
        got = got.mask(labelled)
        if pd.api.types.is_bool_dtype(expected[column]):
            assert got.astype(bool).tolist() == expected[column].tolist(), column
        elif pd.api.types.is_numeric_dtype(expected[column]):
            np.testing.assert_allclose(
                pd.to_numeric(got).to_numpy(dtype=float),
                expected[column].to_numpy(dtype=float),
                rtol=0,
                atol=1e-12,
                equal_nan=True,
                err_msg=column,
            )
        else:
            assert got.fillna("").astype(str).tolist() == expected[column].fillna("").astype(str).tolist(), column


# ---------------------------------------------------------------------------------------------
# Contents against the CSV outputs of the score and compare commands (another code path)


def test_workbook_opens_with_the_shareable_sheets_only(golden_book):
    book = openpyxl.load_workbook(io.BytesIO(golden_book))
    assert book.sheetnames == SHAREABLE  # no Respondents / Cleaned data without the flag (methods.md §7)


def test_cases_groups_and_comparison_equal_the_cli_csvs(shared_dir, tmp_path, golden_book):
    assert main(["score", _golden(shared_dir), "--out", str(tmp_path / "score")]) == 0
    assert main(["compare", _golden(shared_dir), "--by", "group", "--out", str(tmp_path / "compare")]) == 0
    _assert_matches_csv(_sheet(golden_book, "Cases"), _csv(tmp_path / "score" / "cases.csv"), HIDDEN_EN)
    _assert_matches_csv(_sheet(golden_book, "Groups"), _csv(tmp_path / "score" / "groups.csv"), HIDDEN_EN)
    _assert_matches_csv(_sheet(golden_book, "Comparison"), _csv(tmp_path / "compare" / "comparison.csv"), HIDDEN_EN)
    _assert_matches_csv(
        _sheet(golden_book, "Perception gaps"), _csv(tmp_path / "compare" / "perception_gaps.csv"), HIDDEN_EN
    )
    _assert_matches_csv(_sheet(golden_book, "Reliability").assign(hidden=False),
                        _csv(tmp_path / "score" / "reliability.csv").assign(hidden=False), HIDDEN_EN)  # fmt: skip


def test_hidden_cells_say_so_instead_of_staying_blank(golden_book):
    cases = _sheet(golden_book, "Cases")
    # Golden README: Case D has two respondents, so every Case D cell is hidden at k = 3.
    case_d = cases[cases["case"] == "Case D"]
    assert case_d["hidden"].all()
    assert (case_d["mean"] == HIDDEN_EN).all() and (case_d["median"] == HIDDEN_EN).all()
    assert (case_d["n"] <= 2).all()  # n stays visible (methods.md §7)


def test_numbers_are_numbers_with_display_formats(golden_book):
    book = openpyxl.load_workbook(io.BytesIO(golden_book))
    cases = book["Cases"]
    header = [cell.value for cell in cases[1]]
    first = {name: cases.cell(2, index + 1) for index, name in enumerate(header)}
    # Golden README: Case A has 10 respondents and shows its cells; history is the first measure (codebook order).
    assert first["case"].value == "Case A" and first["measure"].value == "history"
    assert first["mean"].data_type == "n" and isinstance(first["mean"].value, float)
    assert first["mean"].number_format == "0.00" and first["n"].number_format == "0"
    comparison = book["Comparison"]
    header = [cell.value for cell in comparison[1]]
    p_cell = comparison.cell(2, header.index("p_exact") + 1)
    assert isinstance(p_cell.value, float) and p_cell.number_format == "0.0000"
    for sheet in book:
        assert sheet.freeze_panes == "B2", sheet.title  # below the header, right of the id column
        assert all(cell.font.b for cell in sheet[1] if cell.value is not None), sheet.title
        assert sheet[1][0].fill.fgColor.rgb not in (None, "00000000"), sheet.title
        assert sheet.column_dimensions["A"].width >= 8, sheet.title


def test_settings_name_k_version_and_the_methods_paragraph(golden_context, golden_book):
    settings = _sheet(golden_book, "Settings").set_index("setting")["value"]
    assert settings["k"] == 3  # the k the context was built with
    assert settings["version"] == __version__
    assert settings["compare_by"] == "group" and settings["language"] == "en"
    assert settings["three_as_missing"] == "no" and settings["codebook_changed"] == "no"
    assert settings["bootstrap_resamples"] == 2000 and settings["bootstrap_seed"] == 2018  # methods.md §9: B ≥ 2000
    assert settings["methods_paragraph"] == methods_paragraph(golden_context, "en")
    assert settings["respondent_sheets"] == "no"


def test_findings_and_free_text_only_for_cases_with_k_respondents(golden_book):
    findings = _sheet(golden_book, "Findings")
    free = _sheet(golden_book, "Free text")
    # Golden README: Case D has 2 respondents (< k = 3): no findings, no free text.
    assert "Case D" not in set(findings["case"]) and "Case D" not in set(free["case"])
    assert set(findings["row"]) <= set(FINDING_ROWS) and set(findings["part"]) <= set(FINDING_PARTS)
    assert "respondent_id" not in free.columns
    # Golden survey.csv: R002 in Case A answered Q3 with "svar 2-3".
    assert "svar 2-3" in set(free.loc[free["case"] == "Case A", "text"])


def test_edited_findings_are_used_but_a_hidden_case_gets_no_lines(shared_dir, instrument, codebook):
    validated = load_survey(_golden(shared_dir), instrument).validated
    edited_a = pd.DataFrame("", index=list(FINDING_ROWS), columns=list(FINDING_PARTS))
    edited_a.loc["proud", "part2"] = "first line\nsecond line"
    edited_d = edited_a.copy()
    edited_d.loc["joint", "part3"] = "a line about the small case"
    context = build_context(validated, instrument, codebook, k=3, source="survey.csv",
                            edited_findings={("Case A", "en"): edited_a, ("Case D", "en"): edited_d})  # fmt: skip
    findings = _sheet(study_workbook(context), "Findings")
    case_a = findings[findings["case"] == "Case A"]
    assert case_a["text"].tolist() == ["first line", "second line"]  # one line per row, as edited
    assert "Case D" not in set(findings["case"])  # Golden README: 2 respondents < k


def test_codebook_sheet_lists_reversed_items_and_weights(golden_book):
    codebook = _sheet(golden_book, "Codebook").set_index("id")
    # shared/domain/codebook.md, Part 1 table: co_delivery = Q12 ↑, Q10 ↓, Q22 ↓, Q23 ↓; weights 0.4 / 0.4 / 0.2.
    assert codebook.loc["co_delivery", "reversed_items"] == "q10 q22 q23"
    assert codebook.loc["co_design", "reversed_items"] == "q18"
    assert codebook.loc[["co_design", "co_delivery", "durability"], "weight"].tolist() == [0.4, 0.4, 0.2]
    assert (codebook["family"] == "factor").sum() == 20 and (codebook["family"] == "barrier").sum() == 4


def test_exclusions_are_listed_and_none_says_none(shared_dir, instrument, codebook, golden_book):
    assert _sheet(golden_book, "Exclusions").iloc[:, 0].tolist() == ["none"]
    validated = load_survey(_golden(shared_dir), instrument).validated
    kept, table = apply_exclusions(
        validated, (Exclusion("respondent", "R001", "answered twice"), Exclusion("case", "Case D", "ended early"))
    )
    context = build_context(kept, instrument, codebook, k=3, source="survey.csv", exclusions=table)
    sheet = _sheet(study_workbook(context), "Exclusions")
    assert sheet["target"].tolist() == ["R001", "Case D"]
    assert sheet["reason"].tolist() == ["answered twice", "ended early"]
    # Golden README: R001 is one respondent; Case D has two respondents.
    assert sheet["removed"].tolist() == [1, 2]


def test_norwegian_workbook_says_skjult(golden_context):
    cases = _sheet(study_workbook(golden_context, lang="nb"), "Cases")
    assert (cases.loc[cases["case"] == "Case D", "mean"] == "skjult, n < 3").all()  # ui/texts/common.nb.yaml


def test_bad_language_or_grouping_is_one_line_error(golden_context):
    with pytest.raises(SamskapingError, match="language"):
        study_workbook(golden_context, lang="de")
    with pytest.raises(SamskapingError, match="not a grouping column") as error:
        study_workbook(golden_context, compare_by="shoe_size")
    assert "\n" not in str(error.value)


# ---------------------------------------------------------------------------------------------
# Small canonical surveys


def _answers(instrument: Instrument, seed: int, **overrides) -> dict:
    """Every numeric item answered (1–5 items 1–5, barriers 10–60, choices 1–4), then ``overrides``."""
    rng = np.random.default_rng(seed)
    answers: dict = {}
    for item in instrument.items:
        fmt = instrument.formats[item.format]
        if fmt.kind == "choice":
            answers[item.id] = float(rng.integers(1, len(fmt.labels) + 1))
        elif fmt.kind == "scale":
            answers[item.id] = float(rng.integers(1, 6)) if fmt.maximum == 5 else float(rng.integers(10, 61))
    answers.update(overrides)
    return answers


def _survey(instrument: Instrument, people: list[tuple[str, str, dict]]) -> Validated:
    """A validated canonical data set from (case, group, answers); text items missing unless given."""
    records = []
    for position, (case, group, answers) in enumerate(people, start=1):
        record = {"respondent_id": f"R{position:03d}", "case": case, "group": group}
        record.update({item_id: answers.get(item_id) for item_id in instrument.item_ids})
        records.append(record)
    data = pd.DataFrame(records, index=pd.RangeIndex(2, 2 + len(records), name="row"))
    for item in instrument.items:
        if instrument.formats[item.format].numeric:
            data[item.id] = data[item.id].astype("float64")
    return Validated(data, IssueCollector().report())


def _shareable_cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for name in SHAREABLE:
        for row in book[name].iter_rows():
            yield from row


def test_a_case_under_k_contributes_no_numbers_to_shareable_sheets(instrument, codebook):
    # Every barrier item of the small case: 41 + 1/128 cannot be a mean of whole-number answers from fewer than 128
    # items. The others answer every barrier item 10 or 60 in turn, so each group's minimum is 10 and maximum 60.
    sentinel = 41.0078125
    barrier_items = [ref.item for m in codebook.family("barrier") for ref in m.items]
    sides = ["municipality", "social_enterprise"]
    people = [
        (case, sides[i % 2], _answers(instrument, i, **dict.fromkeys(barrier_items, (10.0, 60.0)[(i // 2) % 2])))
        for case, i in [("Big1", i) for i in range(4)] + [("Big2", i) for i in range(4, 10)]
    ]
    tiny = {"q03": "SENTINEL-TINY", **dict.fromkeys(barrier_items, sentinel)}
    people += [("Tiny", side, _answers(instrument, 20 + i, **tiny)) for i, side in enumerate(sides)]
    context = build_context(_survey(instrument, people), instrument, codebook, k=3, source="test",
                            notes={"Big1": "a note"})  # fmt: skip
    for content in (study_workbook(context), study_workbook(context, compare_by="case")):
        for cell in _shareable_cells(content):
            value = cell.value
            assert not (isinstance(value, float) and math.isclose(value, sentinel)), (
                cell.parent.title,
                cell.coordinate,
            )
            assert not (isinstance(value, str) and "SENTINEL-TINY" in value), cell.parent.title
        counts = {"n", "n_a", "n_b", "n_mun", "n_se"}
        for name in ("Cases", "Sides", "Continuum", "Perception gaps", "Comparison"):
            sheet = _sheet(content, name)
            case_columns = [c for c in ("case", "group_a", "group_b") if c in sheet]
            tiny = sheet[sheet[case_columns].eq("Tiny").any(axis=1)]
            assert name == "Comparison" or len(tiny), name
            for column in tiny.columns.difference([*counts, "hidden", "outside"]):
                assert all(not isinstance(v, int | float) or pd.isna(v) for v in tiny[column]), (name, column)
        assert "Tiny" not in set(_sheet(content, "Findings")["case"])


def _formula_context(instrument, codebook):
    people = []
    for index, text in enumerate(FORMULA_TEXTS):
        group = "municipality" if index % 2 else "social_enterprise"
        people.append(("=EVIL()", group, _answers(instrument, index, q03=text, q82=f"plain {index}")))
        people.append(("Plain", group, _answers(instrument, 50 + index)))
    edited = pd.DataFrame("", index=list(FINDING_ROWS), columns=list(FINDING_PARTS))
    edited.loc["joint", "part1"] = "+tip edited\n-another"
    exclusions = pd.DataFrame(
        [{"wave": "", "kind": "respondent", "target": "-R999", "reason": "=reason", "removed": 0}]
    )
    return build_context(
        _survey(instrument, people), instrument, codebook, k=3, source="=source.csv",
        placements={"Plain": Placement(50.0, rationale='=WEBSERVICE("http://x")')}, notes={"Plain": "@note"},
        edited_findings={("Plain", "en"): edited}, exclusions=exclusions, workspace="-workspace",
    )  # fmt: skip


def test_formula_like_text_is_written_as_text_everywhere(instrument, codebook):
    content = study_workbook(_formula_context(instrument, codebook), include_respondents=True)
    book = openpyxl.load_workbook(io.BytesIO(content))
    seen = 0
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)  # methods.md §10: no formula anywhere
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@", "\t", "\r", "\n"):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    seen += 1
    assert seen > 20  # case names, texts, rationale, notes, findings, exclusions, settings all came through


def _column_cells(sheet, column: str, header_row: int = 1) -> dict:
    """The cells of one column below its header, by value."""
    index = [cell.value for cell in sheet[header_row]].index(column) + 1
    return {sheet.cell(r, index).value: sheet.cell(r, index) for r in range(header_row + 1, sheet.max_row + 1)}


def test_free_text_and_cleaned_data_keep_formula_text_exactly(instrument, codebook):
    content = study_workbook(_formula_context(instrument, codebook), include_respondents=True)
    book = openpyxl.load_workbook(io.BytesIO(content))
    exact = FORMULA_TEXTS[:5]  # = + - @ tab come back exactly; XML turns a lone CR into LF
    free = _column_cells(book["Free text"], "text")
    cleaned_cells = _column_cells(book["Cleaned data"], "q03", header_row=2)  # row 1: the researcher-only label
    for text in exact:
        for cells in (free, cleaned_cells):
            assert cells[text].data_type == "s" and cells[text].value == text and cells[text].quotePrefix
    carriage = [v for v in free if isinstance(v, str) and v.endswith("carriage return")]
    assert len(carriage) == 1 and free[carriage[0]].data_type == "s"


def test_respondent_sheets_are_labelled_researcher_only_without_identifying_columns(instrument, codebook):
    context = _formula_context(instrument, codebook)
    data = context.validated.data.assign(attr_email="x@example.org", attr_region="west")
    context = build_context(Validated(data, context.validated.report), instrument, codebook, k=3, source="t")
    book = openpyxl.load_workbook(io.BytesIO(study_workbook(context, include_respondents=True)))
    assert book.sheetnames == [*SHAREABLE, "Respondents", "Cleaned data"]
    for name in ("Respondents", "Cleaned data"):
        sheet = book[name]
        assert "RESEARCHER-ONLY" in sheet["A1"].value and "respondent-level" in sheet["A1"].value
        assert sheet.freeze_panes == "B3"  # below the label and the header
        header = [cell.value for cell in sheet[2]]
        assert header[:3] == ["respondent_id", "case", "group"]
        assert "attr_email" not in header  # an identifying name (importing's list) never leaves the package
    assert "attr_region" in [cell.value for cell in book["Cleaned data"][2]]
    settings = _sheet(study_workbook(context, include_respondents=True), "Settings").set_index("setting")["value"]
    assert settings["respondent_sheets"] == "yes"


# ---------------------------------------------------------------------------------------------
# Cell values (samskaping.xlsx_tables)


def test_cell_values_keep_numbers_and_make_any_text_writable():
    from samskaping.xlsx_tables import cell_value, number_format

    assert cell_value(np.float64(0.1) + np.float64(0.2)) == 0.30000000000000004  # full precision, a Python float
    assert cell_value(np.int64(7)) == 7 and cell_value(np.bool_(True)) is True
    assert cell_value(float("nan")) is None and cell_value(pd.NA) is None and cell_value(float("inf")) is None
    assert cell_value("a\x0bb") == "a_x000B_b"  # XML cannot hold \x0b; Excel reads _x000B_ back as it
    assert len(cell_value("x" * 40_000)) == 32_767  # Excel's limit per cell
    assert number_format("p_holm") == "0.0000" and number_format("n") == "0" and number_format("mean") == "0.00"


def test_floats_keep_all_their_digits_in_the_file():
    from openpyxl import Workbook

    from samskaping.xlsx_tables import write_table

    values = [0.1 + 0.2, 1 / 3, 2.675000000000001, -1e-300, 123456789.12345679]  # 17 digits where they matter
    book = Workbook()
    write_table(book.active, pd.DataFrame({"mean": values}))
    buffer = io.BytesIO()
    book.save(buffer)
    cells = [row[0] for row in openpyxl.load_workbook(buffer).active.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == values  # exact, not to 16 digits
    assert all(cell.data_type == "n" and cell.number_format == "0.00" for cell in cells)
