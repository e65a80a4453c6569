"""Comparing respondent groups on every measure, honestly for tiny samples (methods.md §6–7).

Groups come from any column (group, Q2 leader, Q4 duration, case, ``attr_*``), optionally
within one case. Every pair of groups (in sorted label order, differences a − b) gets n, mean,
median, IQR, difference, Hodges–Lehmann shift, U with its permutation p and method, the
smallest attainable p, rank-biserial r with Cliff's interval, and Holm / Benjamini–Hochberg
adjusted p within each family of measures. A pair with a group under k is hidden. More than two
groups also get Kruskal–Wallis per measure (a permutation p up to 5 000 respondents, the
chi-square approximation beyond; ``p_method`` says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samskaping.anonymity import suppress
from samskaping.codebook import Codebook
from samskaping.profiles import format_number
from samskaping.scoring import Scores
from samskaping.statistics import (
    MannWhitney,
    bh,
    cliffs_delta,
    hodges_lehmann,
    holm,
    kruskal_wallis_many,
    mann_whitney_many,
    min_attainable_p,
)

__all__ = [
    "COMPARISON_COLUMNS",
    "GAP_COLUMNS",
    "KRUSKAL_COLUMNS",
    "Comparison",
    "compare",
    "comparison_sentence",
    "grouping_options",
    "perception_gaps",
]

COMPARISON_COLUMNS = (
    "measure", "family", "group_a", "group_b", "n_a", "n_b", "mean_a", "mean_b", "median_a", "median_b",
    "iqr_a", "iqr_b", "sd_a", "sd_b", "diff", "hl_shift", "u", "p_exact", "p_method", "p_error", "p_holm", "p_bh",
    "rank_biserial", "rb_low", "rb_high", "min_attainable_p", "hidden",
)  # fmt: skip
KRUSKAL_COLUMNS = ("measure", "k", "h", "p", "p_method", "hidden")
GAP_COLUMNS = ("case", "measure", "n_mun", "n_se", "mean_mun", "mean_se", "gap", "hidden")
# Families within which p-values are adjusted (methods.md §6): sub-indices and thickness together.
_ADJUSTMENT_FAMILY = {"factor": "factor", "category": "category", "barrier": "barrier", "subindex": "continuum",
                      "thickness": "continuum"}  # fmt: skip
_SMALL_GROUP = 5  # a plain-language warning below this many respondents (methods.md §6)
_NO_LABEL = "\x00no label"  # respondents of a case without a label in the grouping column


@dataclass(frozen=True, slots=True)
class Comparison:
    """The result of :func:`compare`: pairwise table, Kruskal–Wallis table (k > 2 groups), notes."""

    by: str
    within_case: str | None
    groups: tuple[str, ...]
    sizes: dict[str, int]
    table: pd.DataFrame
    kruskal: pd.DataFrame
    small_groups: tuple[str, ...]


def grouping_options(data: pd.DataFrame) -> list[str]:
    """The columns a comparison can group by: group, q02, q04, case and every ``attr_*`` column."""
    return [c for c in ("group", "q02", "q04", "case") if c in data] + sorted(c for c in data if c.startswith("attr_"))


def _labels(data: pd.DataFrame, by: str) -> pd.Series:
    """Group labels as text; numeric codes (Q2, Q4) become "1", "2", … so they sort as options."""
    column = data[by]
    if pd.api.types.is_numeric_dtype(column):
        return column.map(lambda v: None if pd.isna(v) else f"{v:g}")
    return column.astype("str").where(column.notna())


def compare(
    scores: Scores,
    data: pd.DataFrame,
    codebook: Codebook,
    by: str,
    *,
    k: int | None = None,
    within_case: str | None = None,
    pairs: Sequence[tuple[str, str]] | None = None,
    seed: int = 20180101,
) -> Comparison:
    """Compare the groups of column ``by`` on all measures.

    Parameters
    ----------
    scores : Scores
        Respondent scores (:func:`samskaping.scoring.score_survey`), indexed like ``data``.
    data : DataFrame
        The canonical data set (for the grouping column).
    codebook : Codebook
        Measures and families.
    by : str
        The grouping column (see :func:`grouping_options`).
    k : int, optional
        Anonymity threshold; default ``scores.k``.
    within_case : str, optional
        Only the respondents of this case. The case's total is shown elsewhere, so a group under k
        could follow by subtraction from the others: groups are also hidden by the secondary rule of
        methods.md §7 (respondents without a label in ``by`` count as one more group).
    pairs : sequence of (a, b), optional
        Only these pairs of groups (each in sorted label order) in the pairwise table; default every
        pair. The dashboard asks for the pair it shows: a pair's Monte Carlo p-values cost seconds
        at thousands of respondents. Groups, sizes and Kruskal–Wallis do not depend on it.
    seed : int
        Seed of the Monte Carlo p-values (used only above 10⁶ possible splits).
    """
    if by not in data:
        raise ValueError(f"unknown grouping column '{by}' (choose from {', '.join(grouping_options(data))})")
    k = scores.k if k is None else k
    labels = _labels(data, by)
    respondents = scores.respondents.assign(_group=labels)
    secondary: set[tuple[str, str]] = set()
    if within_case is not None:
        respondents = respondents[respondents["case"] == within_case]
        secondary = _secondary_hidden(respondents, codebook, k)
    respondents = respondents.dropna(subset=["_group"])
    groups = tuple(sorted(respondents["_group"].unique()))
    members = {g: respondents.loc[respondents["_group"] == g, list(codebook.measure_ids)] for g in groups}
    sizes = {g: len(members[g]) for g in groups}
    # Each group's answers per measure, in respondent order, taken once (not once per pair of groups).
    values = {(g, m): members[g][m].dropna().to_numpy() for g in groups for m in codebook.measure_ids}
    every_pair = [(a, b) for i, a in enumerate(groups) for b in groups[i + 1 :]]
    unknown = [pair for pair in pairs or () if tuple(pair) not in every_pair]
    if unknown:
        raise ValueError(f"unknown pair(s) of groups: {unknown} (groups: {', '.join(groups)})")
    chosen = set(map(tuple, pairs)) if pairs is not None else set(every_pair)
    rows = []
    for a, b in [pair for pair in every_pair if pair in chosen]:
        cells = []
        for measure in codebook.measures:
            values_a, values_b = values[(a, measure.id)], values[(b, measure.id)]
            extra = (a, measure.id) in secondary or (b, measure.id) in secondary
            hidden = extra or values_a.size < k or values_b.size < k
            cells.append((measure, values_a, values_b, hidden))
        # All measures of the pair at once: those with the same sizes share their Monte Carlo draws.
        tests = iter(mann_whitney_many([(va, vb) for _, va, vb, hidden in cells if not hidden], seed=seed))
        for measure, values_a, values_b, hidden in cells:
            test = None if hidden else next(tests)
            rows.append(_pair_row(measure.id, measure.family, a, b, values_a, values_b, test))
    table = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    if not table.empty:
        family = table["family"].map(_ADJUSTMENT_FAMILY)
        for _, index in table.groupby([table["group_a"], table["group_b"], family]).groups.items():
            table.loc[index, "p_holm"] = holm(table.loc[index, "p_exact"].to_numpy(dtype=float))
            table.loc[index, "p_bh"] = bh(table.loc[index, "p_exact"].to_numpy(dtype=float))
    kruskal = (
        _kruskal(values, groups, codebook, k, seed) if len(groups) > 2 else pd.DataFrame(columns=list(KRUSKAL_COLUMNS))
    )
    small = tuple(g for g in groups if sizes[g] < _SMALL_GROUP)
    return Comparison(by, within_case, groups, sizes, table, kruskal, small)


def _secondary_hidden(respondents: pd.DataFrame, codebook: Codebook, k: int) -> set[tuple[str, str]]:
    """The (group, measure) cells of one case to hide, primary and secondary (methods.md §7)."""
    labels = respondents["_group"].fillna(_NO_LABEL)
    cells = pd.DataFrame(
        [{"group": g, "measure": m.id, "n": int(respondents.loc[labels == g, m.id].notna().sum())}
         for g in labels.unique() for m in codebook.measures],
        columns=["group", "measure", "n"],
    )  # fmt: skip
    marked = suppress(cells, k=k, keys=["group"], statistics=[], within=[])
    return set(zip(marked.loc[marked["hidden"], "group"], marked.loc[marked["hidden"], "measure"], strict=True))


def _pair_row(measure, family, a, b, values_a, values_b, test: MannWhitney | None) -> dict:
    """One row of the comparison table; ``test`` is None for a hidden pair (only n is shown)."""
    row = {"measure": measure, "family": family, "group_a": a, "group_b": b, "n_a": values_a.size,
           "n_b": values_b.size, "hidden": test is None}  # fmt: skip
    if test is None:
        return row
    effect = cliffs_delta(values_a, values_b)
    row.update(
        mean_a=values_a.mean(), mean_b=values_b.mean(), median_a=float(np.median(values_a)),
        median_b=float(np.median(values_b)), iqr_a=_iqr(values_a), iqr_b=_iqr(values_b), sd_a=_sd(values_a),
        sd_b=_sd(values_b),
        diff=values_a.mean() - values_b.mean(), hl_shift=hodges_lehmann(values_a, values_b), u=test.u,
        p_exact=test.p, p_method=test.method, p_error=test.p_error, rank_biserial=effect.delta,
        rb_low=effect.low, rb_high=effect.high, min_attainable_p=min_attainable_p(values_a.size, values_b.size),
    )  # fmt: skip
    return row


def _sd(values: np.ndarray) -> float:
    """Sample standard deviation (ddof = 1), for intervals of the means; NaN for a single value."""
    return float(np.std(values, ddof=1)) if values.size > 1 else float("nan")


def _iqr(values: np.ndarray) -> float:
    q1, q3 = np.percentile(values, [25, 75], method="linear")
    return float(q3 - q1)


def _kruskal(values: dict[tuple[str, str], np.ndarray], groups, codebook: Codebook, k: int, seed: int) -> pd.DataFrame:
    """Kruskal–Wallis per measure over all groups (``values``: each group's answers per measure)."""
    rows, tests = [], []
    for measure in codebook.measures:
        samples = [values[(g, measure.id)] for g in groups]
        hidden = any(s.size < k for s in samples)
        rows.append({"measure": measure.id, "k": len(groups), "hidden": hidden})
        if not hidden:
            tests.append(samples)
    # All measures at once: those with the same number of respondents share their permutations.
    results = iter(kruskal_wallis_many(tests, seed=seed))
    for row in rows:
        if not row["hidden"]:
            result = next(results)
            row.update(h=result.h, p=result.p, p_method=result.method)
    return pd.DataFrame(rows, columns=list(KRUSKAL_COLUMNS))


def perception_gaps(scores: Scores, codebook: Codebook) -> pd.DataFrame:
    """Per case and measure: municipality mean − social-enterprise mean, from the anonymised sides.

    Hidden unless both sides are shown in ``scores.sides`` (n ≥ k and not secondarily suppressed).
    """
    grid = pd.MultiIndex.from_product(
        [sorted(scores.sides["case"].unique()), list(codebook.measure_ids)], names=["case", "measure"]
    )

    def side(group: str) -> pd.DataFrame:
        rows = scores.sides[scores.sides["group"] == group]
        return rows.set_index(["case", "measure"])[["n", "mean", "hidden"]].reindex(grid)

    mun, se = side("municipality"), side("social_enterprise")
    # A side missing from the table (no respondents) counts as hidden, like a side under k.
    hidden = ~(mun["hidden"].eq(False) & se["hidden"].eq(False))
    table = pd.DataFrame(
        {
            "case": grid.get_level_values("case"),
            "measure": grid.get_level_values("measure"),
            "n_mun": mun["n"].fillna(0).astype(int).to_numpy(),
            "n_se": se["n"].fillna(0).astype(int).to_numpy(),
            "mean_mun": mun["mean"].where(~hidden).to_numpy(dtype=float),
            "mean_se": se["mean"].where(~hidden).to_numpy(dtype=float),
            "gap": (mun["mean"] - se["mean"]).where(~hidden).to_numpy(dtype=float),
            "hidden": hidden.to_numpy(dtype=bool),
        },
        columns=list(GAP_COLUMNS),
    )
    return table.sort_values("gap", key=lambda g: -g.abs(), na_position="last", kind="stable", ignore_index=True)


_SENTENCES = {
    "en": {
        "higher": "{a} respondents rated {measure} higher than {b} respondents ({mean_a} vs {mean_b}; "
                  "rank-biserial {r}, 95 % CI {low} to {high}; p {p}, Holm-adjusted {p_holm}; {method}).",
        "lower": "{a} respondents rated {measure} lower than {b} respondents ({mean_a} vs {mean_b}; "
                 "rank-biserial {r}, 95 % CI {low} to {high}; p {p}, Holm-adjusted {p_holm}; {method}).",
        "same": "{a} and {b} respondents gave {measure} the same mean ({mean_a} vs {mean_b}; "
                "rank-biserial {r}, 95 % CI {low} to {high}; p {p}, Holm-adjusted {p_holm}; {method}).",
        "hidden": "{measure}: not shown, a group has fewer than {k} respondents.",
        "small": "Groups under 5 respondents ({groups}): no p-value can be small; read effect sizes with care.",
        "enumeration": "exact", "monte_carlo": "Monte Carlo", "normal": "normal approximation",
    },
    "nb": {
        "higher": "{a} vurderte {measure} høyere enn {b} ({mean_a} mot {mean_b}; rang-biserial {r}, "
                  "95 % KI {low} til {high}; p {p}, Holm-justert {p_holm}; {method}).",
        "lower": "{a} vurderte {measure} lavere enn {b} ({mean_a} mot {mean_b}; rang-biserial {r}, "
                 "95 % KI {low} til {high}; p {p}, Holm-justert {p_holm}; {method}).",
        "same": "{a} og {b} ga {measure} samme gjennomsnitt ({mean_a} mot {mean_b}; rang-biserial {r}, "
                "95 % KI {low} til {high}; p {p}, Holm-justert {p_holm}; {method}).",
        "hidden": "{measure}: vises ikke, en gruppe har færre enn {k} respondenter.",
        "small": "Grupper under 5 respondenter ({groups}): ingen p-verdi kan bli liten; "
                 "les effektstørrelsene med varsomhet.",
        "enumeration": "eksakt", "monte_carlo": "Monte Carlo", "normal": "normaltilnærming",
    },
}  # fmt: skip


def comparison_sentence(row: pd.Series, codebook: Codebook, lang: str, *, k: int, names: dict[str, str]) -> str:
    """One plain-language sentence for a row of :attr:`Comparison.table`, in ``lang`` (en or nb).

    ``names`` gives the display names of the group labels.
    """
    texts = _SENTENCES["nb" if lang == "nb" else "en"]
    measure = codebook.measure(row["measure"])
    name = measure.name.get(lang)
    if row["hidden"]:
        return texts["hidden"].format(measure=name, k=k)

    def number(value: float, decimals: int = 2) -> str:
        if pd.isna(value):  # e.g. no interval for a group of one (possible with k = 1)
            return "–"
        text = f"{value:.{decimals}f}" if decimals < 3 or value >= 0.001 else "< 0.001"
        return text.replace(".", ",") if lang == "nb" else text

    direction = "higher" if row["diff"] > 0 else "lower" if row["diff"] < 0 else "same"
    return texts[direction].format(
        a=names.get(row["group_a"], row["group_a"]), b=names.get(row["group_b"], row["group_b"]), measure=name,
        mean_a=format_number(row["mean_a"], measure.scale, lang),
        mean_b=format_number(row["mean_b"], measure.scale, lang),
        r=number(row["rank_biserial"]), low=number(row["rb_low"]), high=number(row["rb_high"]),
        p=_p_equals(number(row["p_exact"], 3)), p_holm=number(row["p_holm"], 3), method=texts[row["p_method"]],
    )  # fmt: skip


def _p_equals(text: str) -> str:
    """The p of a sentence with its relation: "= 0.040", or "< 0.001" as it is."""
    return text if text.startswith("<") else f"= {text}"
