"""Cached wave comparison and its display, for the waves page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from samskaping.codebook import Codebook
from samskaping.profiles import format_number
from samskaping.scoring import Scores
from samskaping.waves import WaveComparison, compare_waves, continuum_moves
from ui import continuum_view, data
from ui.text import lang, t


@st.cache_data(show_spinner=False, max_entries=8)
def _compare(_before: Scores, _after: Scores, _codebook: Codebook, key: str, labels: tuple[str, str]) -> WaveComparison:
    return compare_waves(_before, _after, _codebook, labels=labels)


def comparison(before: data.Dataset, after: data.Dataset) -> tuple[WaveComparison, pd.DataFrame]:
    """The change of every case and measure between two waves, and the cases' moves on the continuum (cached)."""
    codebook = data.codebook()
    scores_before, scores_after = data.scores(before), data.scores(after)
    k, three = data.settings()
    key = f"{before.key}|{after.key}|{k}|{three}|{hash(st.session_state.get('codebook_yaml') or '')}"
    result = _compare(scores_before, scores_after, codebook, key, (before.name, after.name))
    moves = continuum_moves(
        continuum_view.position_table(before, scores_before), continuum_view.position_table(after, scores_after)
    )
    return result, moves


def case_table(result: WaveComparison, case: str, codebook: Codebook, k: int) -> pd.DataFrame:
    """One case's rows of the comparison for display: names in the chosen language, hidden cells marked."""
    language = lang()
    rows = []
    before, after = result.labels
    for record in result.table[result.table["case"] == case].itertuples(index=False):
        measure = codebook.measure(record.measure)
        number = lambda v, m=measure: "" if pd.isna(v) else format_number(v, m.scale, language)  # noqa: E731
        hidden = t("hidden_cell", k=k)
        interval = "" if pd.isna(record.change_low) else f"{number(record.change_low)} – {number(record.change_high)}"
        rows.append(
            {
                t("col_measure"): measure.name.get(language),
                f"n ({before})": record.n_before,
                f"{t('col_mean')} ({before})": hidden if record.hidden else number(record.mean_before),
                f"n ({after})": record.n_after,
                f"{t('col_mean')} ({after})": hidden if record.hidden else number(record.mean_after),
                t("waves_col_change"): "" if record.hidden else number(record.change),
                t("waves_col_interval"): interval,
            }
        )
    return pd.DataFrame(rows)
