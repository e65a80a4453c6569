"""Scores per respondent, and their summaries per case and per group.

Rules: ``shared/domain/methods.md`` §2–4 and ``codebook.md``. All work is vectorised over
respondents; the only loops run over the 34 measures of the codebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samskaping.anonymity import suppress
from samskaping.codebook import THRESHOLD_TOLERANCE, Codebook, Measure
from samskaping.instrument import Instrument

__all__ = [
    "SUMMARY_COLUMNS",
    "Scores",
    "barrier_cut_points",
    "describe_columns",
    "item_values",
    "score_respondents",
    "score_survey",
    "summarise",
]

SUMMARY_COLUMNS = ("n", "mean", "median", "min", "max", "band", "quartile", "hidden")


@dataclass(frozen=True, slots=True)
class Scores:
    """Everything ``score`` produces for one data set.

    ``respondents`` is respondent-level (researcher-only, methods.md §7); ``cases``,
    ``groups`` and ``sides`` (each case split by group) are long tables with anonymity
    already applied, ``sides`` with secondary suppression within each case; ``cut_points``
    holds the barrier quartile cut points of the data set.
    """

    respondents: pd.DataFrame
    cases: pd.DataFrame
    groups: pd.DataFrame
    sides: pd.DataFrame
    cut_points: pd.DataFrame
    k: int
    three_as_missing: bool


def item_values(data: pd.DataFrame, instrument: Instrument, *, three_as_missing: bool = False) -> pd.DataFrame:
    """The numeric answers as floats, with 3 on 1–5 items set to missing when asked.

    *Treat 3 as missing* exists because the survey told respondents to pick 3 when an item
    was not relevant, so 3 mixes "neutral" and "not applicable" (codebook.md).
    """
    ids = [i for i in instrument.numeric_item_ids() if i in data]
    values = data[ids].astype("float64")
    if three_as_missing:
        nullable = [i for i in ids if instrument.format_of(i).not_applicable_code is not None]
        codes = {i: float(instrument.format_of(i).not_applicable_code) for i in nullable}
        values[nullable] = values[nullable].mask(values[nullable].eq(pd.Series(codes)))
    return values


def _half_rule_mean(values: np.ndarray) -> np.ndarray:
    """Row mean of the answered values; missing when fewer than half are answered."""
    answered = (~np.isnan(values)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.nansum(values, axis=1) / answered
    return np.where(answered * 2 >= values.shape[1], means, np.nan)


def _scaled_items(values: pd.DataFrame, measure: Measure, instrument: Instrument) -> np.ndarray:
    """A sub-index's items on the 0–100 scale (100 = thick), one column per item."""
    columns = []
    for ref in measure.items:
        fmt = instrument.format_of(ref.item)
        x = values[ref.item]
        if fmt.kind == "choice":
            columns.append(x.map(measure.option_scores).to_numpy(dtype="float64"))
        else:
            low, high = fmt.valid_range()
            scaled = (x.to_numpy(dtype="float64") - low) / (high - low) * 100
            columns.append(100 - scaled if ref.reverse else scaled)
    return np.column_stack(columns)


def _reversed_likert(values: pd.DataFrame, measure: Measure, instrument: Instrument) -> np.ndarray:
    """A mean-of-items measure's items, reverse-coded ones mirrored on their scale, one column per item."""
    columns = []
    for ref in measure.items:
        x = values[ref.item].to_numpy(dtype="float64")
        if ref.reverse:
            low, high = instrument.format_of(ref.item).valid_range()
            x = low + high - x
        columns.append(x)
    return np.column_stack(columns)


def score_respondents(
    data: pd.DataFrame, instrument: Instrument, codebook: Codebook, *, three_as_missing: bool = False
) -> pd.DataFrame:
    """Every measure for every respondent.

    Returns a frame with ``respondent_id``, ``case``, ``group`` and one column per measure id,
    in codebook order, indexed like ``data``. A respondent's factor, barrier or sub-index score
    is the mean of the answered items, missing when fewer than half are answered; a category
    is the mean of its present factors by the same half rule; ``thickness`` is the weighted
    mean of the sub-indices, missing unless all are present.
    """
    values = item_values(data, instrument, three_as_missing=three_as_missing)
    # Plain arrays per measure: a fixed number of numpy calls per measure, whatever the number of rows.
    scores: dict[str, np.ndarray] = {}
    for measure in codebook.measures:
        if measure.family in ("factor", "barrier"):
            scores[measure.id] = _half_rule_mean(_reversed_likert(values, measure, instrument))
        elif measure.family == "subindex":
            scores[measure.id] = _half_rule_mean(_scaled_items(values, measure, instrument))
        elif measure.family == "category":
            scores[measure.id] = _half_rule_mean(np.column_stack([scores[c] for c in measure.components]))
        elif measure.family == "thickness":
            parts = np.column_stack([scores[c] for c in measure.components])
            weights = np.array([codebook.measure(c).weight for c in measure.components])
            scores[measure.id] = (parts * weights).sum(axis=1)  # NaN unless every part is present
    frame = pd.DataFrame(scores, index=data.index)
    return pd.concat([data[["respondent_id", "case", "group"]], frame], axis=1)


def barrier_cut_points(respondent_scores: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Quartile cut points (25th, 50th, 75th percentile, linear) of each barrier's respondent scores.

    The barriers have no absolute norm, so the study read them relative to the data set
    (methods.md §4).
    """
    rows = []
    for measure in codebook.family("barrier"):
        scores = respondent_scores[measure.id].dropna().to_numpy()
        cuts = np.percentile(scores, [25, 50, 75], method="linear") if scores.size else [np.nan] * 3
        rows.append({"measure": measure.id, "q25": cuts[0], "q50": cuts[1], "q75": cuts[2], "n": scores.size})
    return pd.DataFrame(rows)


def summarise(
    respondent_scores: pd.DataFrame,
    codebook: Codebook,
    by: str | Sequence[str],
    *,
    k: int,
    cut_points: pd.DataFrame,
    within: Sequence[str] | None = None,
) -> pd.DataFrame:
    """n, mean, median, min–max, band and quartile of every measure per group of respondents.

    Parameters
    ----------
    respondent_scores : DataFrame
        Output of :func:`score_respondents`.
    codebook : Codebook
        Measures, bands and thresholds.
    by : str or list of str
        Column(s) that define the groups, e.g. ``"case"``, ``"group"`` or ``["case", "group"]``.
    k : int
        Anonymity threshold: cells with n < k are hidden (methods.md §7).
    cut_points : DataFrame
        Barrier quartile cut points (:func:`barrier_cut_points`) of the whole data set.
    within : list of str, optional
        Secondary suppression within these totals (:func:`samskaping.anonymity.suppress`):
        ``["case"]`` for the sides of each case, ``[]`` for groups of the whole data set,
        ``None`` for none.

    Returns
    -------
    DataFrame
        Long format: the ``by`` columns, ``measure``, then :data:`SUMMARY_COLUMNS`. Every
        combination of an observed group and a measure appears, with n = 0 where nobody
        scored. min and max are given only where n ≥ max(k, ``min_max_n``).
    """
    keys = [by] if isinstance(by, str) else list(by)
    raw = _statistics(respondent_scores, keys, codebook.measure_ids, k=k, min_max_n=codebook.thresholds.min_max_n)
    return _finish(raw, codebook, keys, k=k, cut_points=cut_points, within=within)


def _finish(
    raw: pd.DataFrame,
    codebook: Codebook,
    keys: list[str],
    *,
    k: int,
    cut_points: pd.DataFrame,
    within: Sequence[str] | None,
) -> pd.DataFrame:
    """Suppression, bands and quartiles on a table of :func:`_statistics`."""
    table = suppress(raw, k=k, keys=keys, within=within, statistics=["mean", "median", "min", "max"])
    families = table["measure"].map({m.id: m.family for m in codebook.measures})
    is_banded = (families.isin(["factor", "category"]) & ~table["hidden"]).to_numpy()
    means = table["mean"].to_numpy(dtype=float)
    thresholds, tolerance = codebook.thresholds, THRESHOLD_TOLERANCE
    bands = np.where(
        means >= thresholds.band_strength - tolerance,
        "strength",
        np.where(means >= thresholds.band_borderline - tolerance, "borderline", "concern"),
    )  # the rule of Codebook.band, for all rows at once
    table["band"] = pd.array(np.where(is_banded & ~np.isnan(means), bands, None), dtype="str")
    table["quartile"] = _quartiles(table, cut_points, families)
    return table[[*keys, "measure", *SUMMARY_COLUMNS]]


def describe_columns(
    frame: pd.DataFrame,
    by: str | Sequence[str],
    columns: Sequence[str],
    *,
    k: int,
    min_max_n: int = 5,
    within: Sequence[str] | None = None,
) -> pd.DataFrame:
    """n, mean, median and min–max of numeric ``columns`` per group, anonymity applied.

    The long result has the ``by`` columns, ``measure`` (the column name), ``n``, ``mean``,
    ``median``, ``min``, ``max`` and ``hidden``. Every observed group appears with every
    column (n = 0 where nobody answered); min and max only where n ≥ max(k, ``min_max_n``);
    cells with n < k are hidden (:func:`samskaping.anonymity.suppress`).
    """
    keys = [by] if isinstance(by, str) else list(by)
    table = _statistics(frame, keys, columns, k=k, min_max_n=min_max_n)
    return suppress(table, k=k, keys=keys, within=within, statistics=["mean", "median", "min", "max"])


_STATISTICS = ("count", "mean", "median", "min", "max")


def _statistics(
    frame: pd.DataFrame, keys: list[str], columns: Sequence[str], *, k: int, min_max_n: int
) -> pd.DataFrame:
    """n, mean, median, min and max of every column per group (no suppression), long format.

    Every observed group appears with every column (n = 0 where nobody answered); min and
    max only where n ≥ max(k, ``min_max_n``).
    """
    known = frame.dropna(subset=keys)
    # Aggregating the wide frame column by column (not a melted long copy of it) keeps the cost
    # at one pass per statistic over n × measures values, with no n × measures intermediate rows.
    grouped = known.groupby(keys, sort=True, observed=True)[list(columns)]
    wide = {stat: getattr(grouped, stat)().reindex(columns=list(columns)) for stat in _STATISTICS}
    groups = wide["count"].index
    # Long table: each group's row of every statistic, measures in the given order.
    table = pd.DataFrame(
        {key: np.repeat(groups.get_level_values(key) if len(keys) > 1 else groups, len(columns)) for key in keys}
    )
    table["measure"] = np.tile(np.asarray(list(columns), dtype=object), len(groups))
    for stat in _STATISTICS:
        table[stat] = wide[stat].to_numpy(dtype=float).ravel()
    table = table.rename(columns={"count": "n"})
    table["n"] = table["n"].fillna(0).astype("int64")
    table[["min", "max"]] = table[["min", "max"]].where(table["n"] >= max(k, min_max_n))
    return table


def _group_table(
    respondents: pd.DataFrame, codebook: Codebook, cases: pd.DataFrame, k: int, cuts: pd.DataFrame
) -> pd.DataFrame:
    """Group profiles, with secondary suppression where the all-respondent total can be known.

    When every case of a measure is shown, the case table gives the all-respondent total
    (Σ n · mean), so one hidden group would follow by subtraction: for those measures the
    groups get secondary suppression as well. Elsewhere primary suppression is enough.
    """
    raw = _statistics(respondents, ["group"], codebook.measure_ids, k=k, min_max_n=codebook.thresholds.min_max_n)
    primary = _finish(raw, codebook, ["group"], k=k, cut_points=cuts, within=None)
    everyone_cased = respondents["case"].notna().all()
    derivable = ~cases.groupby("measure")["hidden"].any()
    derivable_measures = set(derivable[derivable].index) if everyone_cased else set()
    if not derivable_measures:
        return primary
    secondary = _finish(raw, codebook, ["group"], k=k, cut_points=cuts, within=[])
    use_secondary = primary["measure"].isin(derivable_measures)
    return pd.concat([primary[~use_secondary], secondary[use_secondary]]).sort_index()


def _quartiles(table: pd.DataFrame, cut_points: pd.DataFrame, families: pd.Series) -> pd.Series:
    """Barrier quartile 1–4 of each mean; a mean exactly on a cut point goes to the lower quartile."""
    quartile = pd.Series(pd.NA, index=table.index, dtype="Int64")
    cuts = cut_points.set_index("measure")[["q25", "q50", "q75"]]
    rows = (families == "barrier") & table["mean"].notna()
    if rows.any():
        lower = cuts.reindex(table.loc[rows, "measure"]).to_numpy()
        means = table.loc[rows, "mean"].to_numpy()[:, None]
        # A mean on a cut point in arithmetic may sit one ulp above it in floating point.
        quartile.loc[rows] = 1 + (means > lower + THRESHOLD_TOLERANCE).sum(axis=1)
    return quartile


def score_survey(
    data: pd.DataFrame,
    instrument: Instrument,
    codebook: Codebook,
    *,
    k: int | None = None,
    three_as_missing: bool = False,
) -> Scores:
    """Score a canonical data set: respondents, cases and groups, anonymity applied.

    ``k`` defaults to the codebook's threshold (3).
    """
    k = codebook.thresholds.k if k is None else k
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    respondents = score_respondents(data, instrument, codebook, three_as_missing=three_as_missing)
    cuts = barrier_cut_points(respondents, codebook)
    cases = summarise(respondents, codebook, "case", k=k, cut_points=cuts)
    return Scores(
        respondents=respondents,
        cases=cases,
        groups=_group_table(respondents, codebook, cases, k, cuts),
        # A case's total is shown, so one hidden side would follow by subtraction (§7).
        sides=summarise(respondents, codebook, ["case", "group"], k=k, cut_points=cuts, within=["case"]),
        cut_points=cuts,
        k=k,
        three_as_missing=three_as_missing,
    )
