"""Two survey waves of the same cases compared: the change of every case on every measure, and
each case's move along the thin ↔ thick continuum.

Respondents are anonymous, so the two waves are independent samples (nobody can be paired). The
change of a case mean is ``after − before``; its interval is Welch's (unequal variances):

    se² = s²_before / n_before + s²_after / n_after
    df  = se⁴ / ((s²_before / n_before)² / (n_before − 1) + (s²_after / n_after)² / (n_after − 1))
    change ± t((1 + confidence) / 2, df) · se

as ``scipy.stats.ttest_ind(after, before, equal_var=False).confidence_interval()``. Anonymity
(methods.md §7): a case-measure with n < k in *either* wave is hidden, showing both n but no mean,
band, quartile, change or interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from samskaping.codebook import Codebook
from samskaping.scoring import Scores

__all__ = [
    "METHOD_FLAT",
    "METHOD_HIDDEN",
    "METHOD_SMALL",
    "METHOD_WELCH",
    "MOVE_COLUMNS",
    "WAVE_COLUMNS",
    "WaveComparison",
    "compare_waves",
    "continuum_moves",
]

# One row per case present in both waves × measure (codebook order):
#   case, measure, family
#   n_before, mean_before, band_before, quartile_before   the first wave (band: factors and categories;
#   n_after, mean_after, band_after, quartile_after        quartile: barriers, relative to that wave's data set)
#   change                                                 mean_after − mean_before
#   change_low, change_high, df                            Welch interval of the change and its degrees of freedom
#   method                                                 METHOD_WELCH, METHOD_FLAT, METHOD_SMALL or METHOD_HIDDEN
#   hidden                                                 n < k in either wave: only the two n are given
WAVE_COLUMNS = (
    "case", "measure", "family",
    "n_before", "mean_before", "band_before", "quartile_before",
    "n_after", "mean_after", "band_after", "quartile_after",
    "change", "change_low", "change_high", "df", "method", "hidden",
)  # fmt: skip
METHOD_WELCH = "welch"
METHOD_FLAT = "welch, sd = 0"  # every respondent of both waves alike: the interval is the change itself
METHOD_SMALL = "n < 2"  # a wave has one scored respondent: no variance, no interval
METHOD_HIDDEN = "hidden"

# One row per case present in both continuum tables; numbers blank (n kept) when hidden in either.
MOVE_COLUMNS = (
    "case", "n_before", "n_after", "thickness_before", "thickness_after", "change",
    "co_design_before", "co_design_after", "co_delivery_before", "co_delivery_after", "hidden",
)  # fmt: skip
_POSITION_NEEDS = ("case", "n", "thickness", "co_design", "co_delivery", "hidden")
_SIDE_COLUMNS = ("n", "mean", "band", "quartile", "hidden", "var")
_FLAT_SE = 1e-12  # a standard error below this is taken as 0 (identical values may leave rounding dust)


@dataclass(frozen=True, slots=True)
class WaveComparison:
    """The change of every case present in both waves on every measure (:data:`WAVE_COLUMNS`).

    ``cases`` are the cases present in both waves (sorted); ``only_before`` and ``only_after`` those
    present in one wave only, which have no rows. ``labels`` name the waves (e.g. ``("2024", "2025")``);
    ``k`` is the anonymity threshold of both; ``confidence`` the level of the intervals.
    """

    table: pd.DataFrame
    cases: tuple[str, ...]
    only_before: tuple[str, ...]
    only_after: tuple[str, ...]
    labels: tuple[str, str]
    k: int
    confidence: float


def _check_scores(scores: Scores, measure_ids: Sequence[str], label: str) -> None:
    missing_rows = set(measure_ids) - set(scores.cases["measure"])
    missing_columns = set(measure_ids) - set(scores.respondents.columns)
    missing = sorted(missing_rows | missing_columns)
    if missing:
        raise ValueError(
            f"the {label} scores lack the measures {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}: "
            "score both waves with the same codebook"
        )


def _wave_side(scores: Scores, measure_ids: Sequence[str]) -> pd.DataFrame:
    """n, mean, band, quartile and hidden per case and measure (the case table) with the respondents' variance."""
    cases = scores.cases[scores.cases["measure"].isin(measure_ids)]
    side = cases[["case", "measure", "n", "mean", "band", "quartile", "hidden"]]
    long = scores.respondents.dropna(subset=["case"]).melt(
        id_vars=["case"], value_vars=list(measure_ids), var_name="measure", value_name="score"
    )
    variance = long.dropna(subset=["score"]).groupby(["case", "measure"])["score"].var(ddof=1).rename("var")
    return side.merge(variance.reset_index(), on=["case", "measure"], how="left")


def _welch(
    change: np.ndarray, var_b: np.ndarray, n_b: np.ndarray, var_a: np.ndarray, n_a: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Welch interval (low, high), df and standard error of each change; NaN where a wave has n < 2."""
    with np.errstate(divide="ignore", invalid="ignore"):
        part_b, part_a = var_b / n_b, var_a / n_a
        se2 = part_b + part_a
        df = se2**2 / (part_b**2 / (n_b - 1) + part_a**2 / (n_a - 1))
        se = np.sqrt(se2)
        half = stats.t.ppf((1 + confidence) / 2, df) * se
    return change - half, change + half, df, se


def compare_waves(
    before: Scores,
    after: Scores,
    codebook: Codebook,
    *,
    labels: tuple[str, str] = ("before", "after"),
    confidence: float = 0.95,
) -> WaveComparison:
    """Compare two waves of the same study: the change of each case on each measure, with Welch's interval.

    Parameters
    ----------
    before, after : Scores
        :func:`samskaping.scoring.score_survey` of each wave, with the same codebook and the same k.
    codebook : Codebook
        The measures to compare (all of ``codebook.measures``: factors, categories, barriers,
        sub-indices and thickness).
    labels : (str, str)
        Names of the two waves, e.g. ``("2024", "2025")``; they must differ.
    confidence : float
        Level of the intervals of the change, between 0 and 1 (0.95).

    Returns
    -------
    WaveComparison
        ``table`` with :data:`WAVE_COLUMNS`, one row per case present in both waves × measure, cases
        sorted, measures in codebook order. The interval treats the waves as independent samples of
        the respondents' scores. With n < 2 in a wave there is no interval (:data:`METHOD_SMALL`);
        when every respondent of both waves scored alike the interval is the change itself
        (:data:`METHOD_FLAT`). A case-measure with n < k in either wave is hidden
        (:data:`METHOD_HIDDEN`): both n are given, every other number is blank.

    Raises
    ------
    ValueError
        When the two Scores have different k, the labels are not two different names, the
        confidence is not between 0 and 1, or a Scores lacks a measure of the codebook.
    """
    if before.k != after.k:
        raise ValueError(f"both waves must be scored with the same k, got {before.k} and {after.k}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    names = tuple(str(label) for label in labels)
    if len(names) != 2 or names[0] == names[1]:
        raise ValueError(f"labels must name two different waves, got {labels!r}")
    measure_ids = codebook.measure_ids
    _check_scores(before, measure_ids, names[0])
    _check_scores(after, measure_ids, names[1])
    cases_before = set(before.cases["case"].dropna())
    cases_after = set(after.cases["case"].dropna())
    common = sorted(cases_before & cases_after)
    k = before.k

    grid = pd.DataFrame([(case, m) for case in common for m in measure_ids], columns=["case", "measure"])
    sides = {"before": _wave_side(before, measure_ids), "after": _wave_side(after, measure_ids)}
    table = grid
    for suffix, side in sides.items():
        table = table.merge(side.rename(columns={c: f"{c}_{suffix}" for c in _SIDE_COLUMNS}),
                            on=["case", "measure"], how="left")  # fmt: skip
    table["family"] = table["measure"].map({m.id: m.family for m in codebook.measures})
    for suffix in sides:
        table[f"n_{suffix}"] = table[f"n_{suffix}"].fillna(0).astype("int64")
    n_b, n_a = table["n_before"].to_numpy(), table["n_after"].to_numpy()
    flagged = [table[f"hidden_{suffix}"].astype("boolean").fillna(True).to_numpy(dtype=bool) for suffix in sides]
    hidden = (n_b < k) | (n_a < k) | flagged[0] | flagged[1]
    change = (table["mean_after"] - table["mean_before"]).to_numpy(dtype="float64")
    low, high, df, se = _welch(
        change,
        table["var_before"].to_numpy(dtype="float64"),
        n_b.astype("float64"),
        table["var_after"].to_numpy(dtype="float64"),
        n_a.astype("float64"),
        confidence,
    )
    small = (n_b < 2) | (n_a < 2)
    flat = ~small & (se < _FLAT_SE)
    low, high, df = (np.where(small, np.nan, values) for values in (low, high, df))
    low, high = np.where(flat, change, low), np.where(flat, change, high)
    df = np.where(flat, np.nan, df)
    table["change"], table["change_low"], table["change_high"], table["df"] = change, low, high, df
    table["method"] = np.select([small, flat], [METHOD_SMALL, METHOD_FLAT], default=METHOD_WELCH)
    table["hidden"] = hidden
    table.loc[table["hidden"], "method"] = METHOD_HIDDEN
    table["method"] = table["method"].astype("str")
    blank = ["mean_before", "mean_after", "band_before", "band_after", "quartile_before", "quartile_after",
             "change", "change_low", "change_high", "df"]  # fmt: skip
    for column in blank:
        table[column] = table[column].where(~table["hidden"])
    return WaveComparison(
        table=table[list(WAVE_COLUMNS)].reset_index(drop=True),
        cases=tuple(common),
        only_before=tuple(sorted(cases_before - cases_after)),
        only_after=tuple(sorted(cases_after - cases_before)),
        labels=(names[0], names[1]),
        k=k,
        confidence=confidence,
    )


def continuum_moves(before_positions: pd.DataFrame, after_positions: pd.DataFrame) -> pd.DataFrame:
    """Each case's move along the continuum between two waves.

    Parameters
    ----------
    before_positions, after_positions : DataFrame
        :func:`samskaping.continuum.positions` of each wave (computed positions; manual placements
        are not compared).

    Returns
    -------
    DataFrame
        :data:`MOVE_COLUMNS`, one row per case present in both tables, sorted by case: n and
        ``thickness``, ``co_design`` and ``co_delivery`` of each wave and the change of thickness
        (after − before). A case hidden in either wave (n < k) is hidden: its n stay, every
        other number is blank.

    Raises
    ------
    ValueError
        When a table lacks a column of :func:`~samskaping.continuum.positions`.
    """
    for name, frame in (("before", before_positions), ("after", after_positions)):
        missing = [c for c in _POSITION_NEEDS if c not in frame.columns]
        if missing:
            raise ValueError(f"the {name} positions lack the columns {', '.join(missing)}")
    columns = list(_POSITION_NEEDS)
    moves = before_positions[columns].merge(after_positions[columns], on="case", suffixes=("_before", "_after"))
    moves = moves.sort_values("case", kind="stable").reset_index(drop=True)
    moves["hidden"] = (moves["hidden_before"].astype(bool) | moves["hidden_after"].astype(bool)).astype(bool)
    moves["change"] = moves["thickness_after"].astype("float64") - moves["thickness_before"].astype("float64")
    for column in ("n_before", "n_after"):
        moves[column] = moves[column].fillna(0).astype("int64")
    numbers = [c for c in MOVE_COLUMNS if c not in ("case", "n_before", "n_after", "hidden")]
    for column in numbers:
        moves[column] = moves[column].astype("float64").where(~moves["hidden"])
    return moves[list(MOVE_COLUMNS)]
