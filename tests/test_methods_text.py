"""The methods paragraph (samskaping.methods_text): every number from the settings in use.

Expected numbers come from the golden fixture's README (21 respondents, four cases),
shared/domain/instrument.md and codebook.md (82 questions, 20 factors, 4 barriers, the weights
and reversed items) and methods.md (§6 limits, §7 k, §9 bootstrap), as each comment says.
"""

from __future__ import annotations

import pandas as pd
import pytest

from samskaping import __version__
from samskaping.continuum import with_weights
from samskaping.errors import SamskapingError
from samskaping.loading import load_survey
from samskaping.methods_text import exclusion_counts, methods_paragraph
from samskaping.report_context import build_context
from samskaping.workspace import Exclusion, apply_exclusions


@pytest.fixture(scope="module")
def golden(shared_dir, instrument):
    return load_survey(shared_dir / "fixtures" / "golden" / "survey.csv", instrument).validated


def _context(golden, instrument, codebook, **options):
    settings = {"k": 3, "three_as_missing": False, "source": "survey.csv", **options}
    return build_context(golden, instrument, codebook, **settings)


def test_english_paragraph_states_the_settings(golden, instrument, codebook):
    text = methods_paragraph(_context(golden, instrument, codebook), "en")
    assert "82 questions" in text  # instrument.md: Q1–Q82
    assert "20 success factors" in text and "6 categories" in text and "4 collaboration barriers" in text
    assert "21 respondents in 4 cases" in text  # golden README
    assert "16 from municipalities and 5 from social enterprises" in text  # golden survey.csv group column
    assert "Q10, Q18, Q22 and Q23 are reverse-coded" in text  # codebook.md Part 1 table (↓)
    assert "kept as the scale midpoint" in text  # treat 3 as missing is off
    assert "strength ≥ 4.0, borderline 3.0–3.99, concern < 3.0" in text  # methods.md §3
    assert "fewer than k = 3" in text and "at least 5 respondents" in text  # methods.md §7 and §2: max(k, 5)
    assert "at most 1,000,000 splits" in text and "100,000 resamples" in text  # methods.md §6: 10⁶ and 10⁵
    assert "up to 5,000 respondents" in text  # methods.md §6
    assert "Holm and Benjamini–Hochberg" in text and "rank-biserial" in text and "95 %" in text
    assert "0.4 · co-design + 0.4 · co-delivery + 0.2 · durability" in text  # codebook.md default weights
    assert "B = 2,000, seed 2018" in text  # methods.md §9: B ≥ 2000, fixed seed
    assert "default codebook" in text and "No respondents or cases were excluded" in text
    assert f"samskaping version {__version__}" in text
    assert "\n" not in text  # one paragraph


def test_norwegian_paragraph(golden, instrument, codebook):
    text = methods_paragraph(_context(golden, instrument, codebook), "nb")
    assert "82 spørsmål" in text and "21 respondenter i 4 case" in text
    assert "k = 3" in text and "B = 2 000" in text and "frø 2018" in text
    assert "0,4 · felles utforming + 0,4 · felles leveranse + 0,2 · varighet og nærhet" in text  # codebook nb names
    assert "styrke ≥ 4,0" in text and "1 000 000" in text


def test_paragraph_follows_k_three_as_missing_and_the_codebook(golden, instrument, codebook):
    changed = with_weights(codebook, {"co_design": 0.5, "co_delivery": 0.3, "durability": 0.2})
    context = _context(golden, instrument, changed, k=4, three_as_missing=True, codebook_changed=True)
    text = methods_paragraph(context, "en")
    assert "fewer than k = 4" in text and "at least 4 respondents" in text.split("free-text")[1]
    assert "answers of 3 on the 1–5 items were treated as missing" in text
    assert "0.5 · co-design + 0.3 · co-delivery + 0.2 · durability" in text
    assert "changed from the study's default" in text


def test_paragraph_counts_the_exclusions(golden, instrument, codebook):
    kept, table = apply_exclusions(
        golden, (Exclusion("respondent", "R001", "answered twice"), Exclusion("case", "Case D", "ended early"))
    )
    text = methods_paragraph(_context(kept, instrument, codebook, exclusions=table), "en")
    # Golden README: R001 is one respondent, Case D has two: 3 removed, 18 left in 3 cases.
    assert "excluded 1 respondent(s) and 1 case(s), removing 3 respondent(s)" in text
    assert "18 respondents in 3 cases" in text
    assert "listed with its reason" in text


def test_exclusion_counts_without_a_removed_column():
    table = pd.DataFrame({"wave": ["", ""], "kind": ["respondent", "case"], "target": ["R1", "X"], "reason": ["", ""]})
    assert exclusion_counts(table) == (1, 1, 1)  # by hand: one of each kind; only the respondent is known removed


def test_unknown_language_is_a_one_line_error(golden, instrument, codebook):
    with pytest.raises(SamskapingError, match="language"):
        methods_paragraph(_context(golden, instrument, codebook), "de")
