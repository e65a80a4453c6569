"""Reliability of the multi-item measures (methods.md §8).

Cronbach's alpha for factors and barriers with three or more items, the inter-item Pearson
correlation for two-item factors, nothing for single items. Both over the respondents who
answered every item of the measure (listwise), reverse-coded items mirrored first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samskaping.codebook import Codebook
from samskaping.instrument import Instrument
from samskaping.scoring import item_values

__all__ = ["RELIABILITY_COLUMNS", "cronbach_alpha", "reliability"]

RELIABILITY_COLUMNS = ("measure", "family", "items", "statistic", "value", "n", "note")
# Below about 30 respondents alpha swings widely from sample to sample (methods.md §8).
_UNSTABLE_BELOW = 30


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of complete rows: k/(k−1) · (1 − Σ var(item) / var(total)), ddof = 1.

    Returns NaN when fewer than two complete rows remain or the total score does not vary.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297–334.
    """
    complete = items.dropna()
    k = complete.shape[1]
    if len(complete) < 2 or k < 2:
        return float("nan")
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - complete.var(ddof=1).sum() / total_variance))


def reliability(
    data: pd.DataFrame, instrument: Instrument, codebook: Codebook, *, three_as_missing: bool = False
) -> pd.DataFrame:
    """One row per factor and barrier: the reliability statistic, its value and n.

    ``statistic`` is ``cronbach_alpha`` (three or more items), ``inter_item_r`` (two items) or
    ``none`` (one item: not estimable). ``note`` is a code: ``single_item``, ``not_estimable``
    (too few complete answers or no variation) or ``unstable_small_n`` (alpha from fewer than
    30 respondents), empty otherwise.
    """
    values = item_values(data, instrument, three_as_missing=three_as_missing)
    rows = []
    for measure in (*codebook.family("factor"), *codebook.family("barrier")):
        frame = values[list(measure.item_ids)].copy()
        for ref in measure.items:
            if ref.reverse:
                low, high = instrument.format_of(ref.item).valid_range()
                frame[ref.item] = low + high - frame[ref.item]
        complete = frame.dropna()
        n = len(complete)
        note = ""
        if len(measure.items) == 1:
            statistic, value, note = "none", np.nan, "single_item"
        elif len(measure.items) == 2:
            statistic = "inter_item_r"
            a, b = complete.iloc[:, 0], complete.iloc[:, 1]
            value = float(a.corr(b)) if n >= 3 and a.std() > 0 and b.std() > 0 else np.nan
        else:
            statistic, value = "cronbach_alpha", cronbach_alpha(frame)
        if len(measure.items) > 1 and np.isnan(value):
            note = "not_estimable"
        elif statistic == "cronbach_alpha" and n < _UNSTABLE_BELOW:
            note = "unstable_small_n"
        rows.append(
            {
                "measure": measure.id,
                "family": measure.family,
                "items": " ".join(measure.item_ids),
                "statistic": statistic,
                "value": value,
                "n": n,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))
