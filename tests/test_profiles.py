"""The findings overview (methods.md §5) on a hand-built survey.

Every expected line below is derived from the §5 rules and the codebook's default thresholds
by hand (the arithmetic is in the comments), not from the program's output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from samskaping.importing import read_table
from samskaping.profiles import (
    all_case_means,
    finding_text,
    findings,
    findings_by_case,
    findings_table,
    free_texts,
    item_distribution,
)
from samskaping.scoring import score_survey
from samskaping.validation import validate_canonical

REPO_DIR = Path(__file__).resolve().parents[1]
M, SE = "municipality", "social_enterprise"
# Co-design items at their thickest, co-delivery at its thinnest (q10 is reverse-coded).
PART1_THICK_DESIGN = {"q07,q11,q17": 5, "q12": 1, "q10": 5}

# (respondent, case, group, answers). Items not listed are blank, so their measures have n = 0
# and are hidden: they can give no finding.
ROWS = [
    # Alfa, municipality side
    ("A1", "Alfa", M, {"q38": 5, "q46": 1, "q45": 4, "q73-75": 10, "q76-78": 85, **PART1_THICK_DESIGN}),
    ("A2", "Alfa", M, {"q38": 5, "q46": 2, "q45": 3, "q73-75": 10, "q76-78": 90, **PART1_THICK_DESIGN}),
    ("A3", "Alfa", M, {"q38": 4, "q46": 1, "q45": 4, "q73-75": 10, "q76-78": 95, **PART1_THICK_DESIGN}),
    # Alfa, social-enterprise side
    ("A4", "Alfa", SE, {"q38": 4, "q46": 4, "q45": 3, "q73-75": 10, "q76-78": 20, **PART1_THICK_DESIGN}),
    ("A5", "Alfa", SE, {"q38": 4, "q46": 4, "q45": 4, "q73-75": 10, "q76-78": 20, **PART1_THICK_DESIGN}),
    ("A6", "Alfa", SE, {"q38": 5, "q46": 4, "q45": 4, "q73-75": 10, "q76-78": 20, **PART1_THICK_DESIGN}),
    # Beta: municipality only
    ("B1", "Beta", M, {"q46": 3, "q45": 2, "q73-75": 90, "q76-78": 50, "q07,q11,q17": 1}),
    ("B2", "Beta", M, {"q46": 3, "q45": 2, "q73-75": 90, "q76-78": 50, "q07,q11,q17": 1, "q14": "Vi møtes ofte."}),
    ("B3", "Beta", M, {"q46": 3, "q45": 3, "q73-75": 90, "q76-78": 50, "q07,q11,q17": 1, "q14": "Det går bra."}),
]


def _expand(answers: dict) -> dict:
    cells = {}
    for key, value in answers.items():
        if "-" in key:
            first, last = (int(part.lstrip("q")) for part in key.split("-"))
            cells.update({f"q{i:02d}": value for i in range(first, last + 1)})
        else:
            cells.update({item: value for item in key.split(",")})
    return cells


@pytest.fixture(scope="module")
def survey(instrument):
    records = [
        {"respondent_id": rid, "case": case, "group": group, **_expand(answers)} for rid, case, group, answers in ROWS
    ]
    frame = pd.DataFrame(records).reindex(columns=["respondent_id", "case", "group", *instrument.item_ids])
    raw = read_table("hand_built.csv", frame.to_csv(index=False).encode("utf-8"))
    validated = validate_canonical(raw, instrument)
    assert validated.report.ok
    return validated.data


@pytest.fixture(scope="module")
def scores(survey, instrument, codebook):
    return score_survey(survey, instrument, codebook, k=3)


def test_findings_follow_the_rules(scores, codebook):
    found = {(f.row, f.part, f.measure, f.rule) for f in findings("Alfa", scores, codebook)}
    expected = {
        # co_design: q07, q11, q17 = 5 → (5 − 1)/4 · 100 = 100 for everyone (3 of 6 items: half rule met) ≥ 67.
        ("proud", "part1", "co_design", "subindex_high"),
        # climate (Q38): (5 + 5 + 4 + 4 + 4 + 5)/6 = 4.5 ≥ 4.0 → band strength.
        ("proud", "part2", "climate", "strength"),
        # self_interest (Q45): Alfa 22/6 = 3.67 (borderline); Beta 7/3 = 2.33; all-case mean
        # (3.67 + 2.33)/2 = 3.0; 3.67 ≥ 3.0 + 0.5 → clearly above the all-case mean.
        ("proud", "part2", "self_interest", "above_mean"),
        # hoarding: respondent scores 10 ×6, 90 ×3 → cut points (linear) q25 = 10, q50 = 10, q75 = 90;
        # Alfa mean 10 lies on q25 → quartile 1.
        ("proud", "part3", "hoarding", "quartile_1"),
        # co_delivery: q12 = 1 → 0, q10 = 5 reversed → (5 − 5)/4 · 100 = 0; 2 of 4 items → 0 ≤ 33.
        ("joint", "part1", "co_delivery", "subindex_low"),
        # compromise (Q46): (1 + 2 + 1 + 4 + 4 + 4)/6 = 2.0 < 3.0 → concern.
        ("joint", "part2", "compromise", "concern"),
        # compromise sides: municipality 4/3 = 1.33, social enterprise 4.0 → gap 2.67 ≥ 1.0.
        ("joint", "part2", "compromise", "gap"),
        # search: municipality (85 + 90 + 95)/3 = 90, social enterprise 20 → gap 70 ≥ 20.
        ("joint", "part3", "search", "gap"),
        # compromise: municipality 1.33 is a concern, social enterprise 4.0 is not.
        ("municipality", "part2", "compromise", "side_concern"),
        # search: respondent scores 20 ×3, 50 ×3, 85, 90, 95 → q75 = 85 (position 6 of 0–8);
        # municipality 90 > 85 → quartile 4; social enterprise 20 ≤ q25 = 20 → quartile 1.
        ("municipality", "part3", "search", "side_quartile_4"),
    }
    assert found == expected


def test_findings_by_case_equal_findings_per_case(scores, instrument, codebook):
    # The per-case function is the reference (its rules are checked by hand above).
    large_demo = validate_canonical(read_table(REPO_DIR / "data" / "demo_survey_large.xlsx"), instrument).data
    for survey_scores in (scores, score_survey(large_demo, instrument, codebook, k=3)):
        every = findings_by_case(survey_scores, codebook)
        cases = sorted(survey_scores.cases["case"].unique())
        assert list(every) == cases
        assert every == {case: findings(case, survey_scores, codebook) for case in cases}
    assert any(every.values())  # the large demo has findings: the comparison is not of empty tuples


def test_no_side_findings_when_a_side_is_missing(scores, codebook):
    # Beta has no social-enterprise respondents: no gap and no side tips (both sides need n ≥ k).
    rows = {f.row for f in findings("Beta", scores, codebook)} | {f.rule for f in findings("Beta", scores, codebook)}
    assert not rows & {"municipality", "social_enterprise", "gap"}


def test_finding_lines_name_measure_and_numbers(scores, codebook):
    lines = {finding_text(f, codebook, "en") for f in findings("Alfa", scores, codebook)}
    # Numbers from the hand calculation above, 2 decimals on the 1–5 scale, 1 on 0–100.
    assert (
        "Ability to compromise: the two sides differ by 2.67 (municipality 1.33, n = 3; social enterprise 4.00, n = 3)"
    ) in lines
    assert (
        "Members see collaboration as in their self-interest: 3.67, 0.67 above the all-case mean of 3.00 (n = 6)"
        in lines
    )
    assert "Search: 90.0 – highest quartile on this side (n = 3); the other side 20.0 (n = 3)" in lines
    norwegian = {finding_text(f, codebook, "nb") for f in findings("Alfa", scores, codebook)}
    assert "Gunstig politisk og sosialt klima: 4,50 – en styrke (n = 6)" in norwegian


def test_findings_table_has_the_study_layout(scores, codebook):
    table = findings_table(findings("Alfa", scores, codebook), codebook, "en")
    assert list(table.index) == ["proud", "joint", "municipality", "social_enterprise"]
    assert list(table.columns) == ["part1", "part2", "part3"]
    assert table.loc["social_enterprise"].eq("").all()
    assert len(table.loc["joint", "part2"].splitlines()) == 2  # compromise concern + compromise gap


def test_all_case_mean_leaves_hidden_cases_out(scores):
    # climate: Beta has no answers (n = 0, hidden), so the all-case mean is Alfa's 4.5 alone.
    assert all_case_means(scores.cases)["climate"] == pytest.approx(4.5)


def test_item_distribution_and_free_text(survey, instrument):
    table = item_distribution(survey, "Alfa", ["q46"], instrument, k=3).iloc[0]
    # Alfa's Q46 answers: 1, 2, 1, 4, 4, 4.
    assert (table["1"], table["2"], table["3"], table["4"], table["5"], table["blank"]) == (2, 1, 0, 3, 0, 0)
    assert table["share_3"] == 0
    texts = free_texts(survey, "Beta", instrument, k=3)
    assert sorted(texts["text"]) == ["Det går bra.", "Vi møtes ofte."]
    assert "respondent_id" not in texts.columns
    assert free_texts(survey, "Beta", instrument, k=4).empty  # 3 respondents < k = 4


def test_read_hand_built_roundtrip_is_lossless(survey):
    # The test survey went through the CSV reader: 9 respondents, none dropped.
    assert len(survey) == len(ROWS)
