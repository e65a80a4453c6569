"""Scoring does not loop in Python over respondents: its number of function calls does not grow with n.

Not a timing test (timings depend on the machine): cProfile counts every Python-level call of
:func:`samskaping.scoring.score_survey`, which is the same on any machine. Two demo surveys with
the same 6 cases, 600 and 6 000 respondents, are scored; their tables have the same shape and
the same hidden cells (checked first), so only the number of respondents differs.

Slack: pandas takes slightly different internal paths depending on the values (whether a column
has missing values, which dtype a result is cast to), which moves the count by a few dozen calls
either way (±50 observed). The allowance of 500 calls is far below the 5 400 extra calls that
even a single Python call per added respondent would cost.
"""

from __future__ import annotations

import cProfile
import pstats

import pandas as pd
import pytest

from samskaping.demo import generate_demo
from samskaping.scoring import Scores, score_survey

SMALL, LARGE, CASES = 600, 6_000, 6
SLACK = 500


def _score(data: pd.DataFrame, instrument, codebook) -> tuple[Scores, pstats.Stats]:
    score_survey(data, instrument, codebook)  # first call: one-off imports and caches are not counted
    profile = cProfile.Profile()
    profile.enable()
    scores = score_survey(data, instrument, codebook)
    profile.disable()
    return scores, pstats.Stats(profile)


def _top_growth(small: pstats.Stats, large: pstats.Stats, top: int = 15) -> str:
    """The functions whose call counts grew most from the small to the large survey, for the failure message."""
    a, b = small.stats, large.stats  # type: ignore[attr-defined]
    grown = sorted(
        ((b.get(key, (0, 0))[1] - a.get(key, (0, 0))[1], key) for key in set(a) | set(b)),
        reverse=True,
    )[:top]
    return "\n".join(f"  +{delta:>7}  {file}:{line} {name}" for delta, (file, line, name) in grown if delta > 0)


@pytest.fixture(scope="module")
def profiled(instrument, codebook):
    return {
        n: _score(generate_demo(instrument, codebook, respondents=n, cases=CASES, seed=2018).data, instrument, codebook)
        for n in (SMALL, LARGE)
    }


def test_the_two_surveys_differ_only_in_respondents(profiled):
    (small, _), (large, _) = profiled[SMALL], profiled[LARGE]
    assert len(small.respondents) == SMALL and len(large.respondents) == LARGE
    for table in ("cases", "groups", "sides", "cut_points"):
        a, b = getattr(small, table), getattr(large, table)
        assert a.shape == b.shape, table
        if "hidden" in a:
            assert a["hidden"].tolist() == b["hidden"].tolist(), table


def test_score_survey_calls_do_not_grow_with_respondents(profiled):
    (_, small), (_, large) = profiled[SMALL], profiled[LARGE]
    assert large.total_calls <= small.total_calls + SLACK, (  # type: ignore[attr-defined]
        f"score_survey made {small.total_calls} calls for {SMALL} respondents and {large.total_calls} for "  # type: ignore[attr-defined]
        f"{LARGE}; the functions called more often:\n{_top_growth(small, large)}"
    )
