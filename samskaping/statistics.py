"""Two-sample and k-sample statistics that stay honest for tiny samples with ties (methods.md §6).

- Mann–Whitney U with the permutation distribution of U *for the actual data* (mid-ranks, ties
  included): the exact distribution over all C(n_a + n_b, n_a) splits when there are at most
  10⁶ of them (or when counting them is cheap: a small group beside a large one), a seeded
  Monte Carlo with 10⁵ resamples up to 5 000 respondents, the tie-corrected normal
  approximation beyond.
- Rank-biserial correlation (= Cliff's delta) with Cliff's (1996) consistent-variance interval,
  as R's ``effsize::cliff.delta(use.unbiased = FALSE)``.
- Hodges–Lehmann shift, Holm and Benjamini–Hochberg adjustment, Kruskal–Wallis with a
  permutation p (exact, or a seeded Monte Carlo up to 5 000 respondents, the chi-square
  approximation beyond).

Scale (national surveys, 10⁵ respondents): nothing here builds an n_a × n_b array. Cliff's delta
and its variance terms come from counts by binary search in the sorted groups, the Hodges–Lehmann
shift from a selection over the implicitly sorted pairwise differences (Johnson & Mizoguchi 1978),
and the Monte Carlo draws are made in batches that serve every measure with the same group sizes
(:func:`mann_whitney_many`) instead of being kept.

References
----------
Bergmann, R., Ludbrook, J., & Spooren, W. P. J. M. (2000). Different outcomes of the
Wilcoxon–Mann–Whitney test from different statistics packages. The American Statistician,
54(1), 72–77.
Cliff, N. (1996). Ordinal methods for behavioral data analysis. Erlbaum.
Feng, D., & Cliff, N. (2004). Monte Carlo evaluation of ordinal d with improved confidence
interval. Journal of Modern Applied Statistical Methods, 3(2), 322–332.
Johnson, D. B., & Mizoguchi, T. (1978). Selecting the Kth element in X + Y and X1 + X2 + … + Xm.
SIAM Journal on Computing, 7(2), 147–153.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import stats

__all__ = [
    "ENUMERATION_LIMIT",
    "EXACT_COUNTING_LIMIT",
    "MONTE_CARLO_LIMIT",
    "MONTE_CARLO_RESAMPLES",
    "CliffDelta",
    "KruskalWallis",
    "MannWhitney",
    "bh",
    "cliffs_delta",
    "hodges_lehmann",
    "holm",
    "kruskal_wallis",
    "kruskal_wallis_many",
    "mann_whitney",
    "mann_whitney_many",
    "min_attainable_p",
]

ENUMERATION_LIMIT = 1_000_000  # exact distribution when C(n_a + n_b, n_a) is at most this …
# … or when counting it is cheap anyway (about (min n + 1) · N · N² steps): exact beats Monte Carlo.
EXACT_COUNTING_LIMIT = 50_000_000
# Monte Carlo up to this many respondents, then the normal (Mann–Whitney) or chi-square (Kruskal–Wallis)
# approximation: a permutation p costs resamples × respondents.
MONTE_CARLO_LIMIT = 5_000
MONTE_CARLO_RESAMPLES = 100_000
_BATCH = 2_000  # resamples per batch of Monte Carlo draws …
_BATCH_ELEMENTS = 1 << 21  # … fewer when one batch would hold more than this many draws
_SELECTION_CANDIDATES = 4_096  # Hodges–Lehmann: sort the remaining differences once this few are left


@dataclass(frozen=True, slots=True)
class MannWhitney:
    """U of group a, the two-sided p, how it was made, and its Monte Carlo standard error."""

    u: float
    p: float
    method: str  # "enumeration", "monte_carlo" or "normal"
    p_error: float = 0.0  # standard error of a Monte Carlo p; 0 for the other methods


@dataclass(frozen=True, slots=True)
class CliffDelta:
    """Cliff's delta (= rank-biserial r) and its consistent-variance confidence interval."""

    delta: float
    low: float
    high: float
    variance: float


@dataclass(frozen=True, slots=True)
class KruskalWallis:
    """Kruskal–Wallis H (tie-corrected) with its p and how it was made."""

    h: float
    p: float
    method: str  # "enumeration", "monte_carlo", "chi_square", "constant" or "none"


def _log_comb(n: int, k: int) -> float:
    """ln C(n, k) from lgamma: good to about 1e-12 relative, enough to rule out huge counts cheaply."""
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _comb_at_most(n: int, k: int, limit: int) -> bool:
    """C(n, k) ≤ limit, exactly; the exact binomial (costly at 10⁵: about 0.1 s) only when it can be close."""
    if _log_comb(n, k) > math.log(limit) + 1:
        return False
    return math.comb(n, k) <= limit


def min_attainable_p(n_a: int, n_b: int) -> float:
    """The smallest two-sided p an exact rank test can give for these sizes: 2 / C(n_a + n_b, n_a)."""
    if n_a < 1 or n_b < 1:
        return float("nan")
    # 2 / C(N, n) rounds to 0.0 once C(N, n) > 2^1076; above 2^1100 (lgamma's error is far smaller than
    # the margin) that is certain, so the exact binomial is not computed.
    if _log_comb(n_a + n_b, n_a) > 1100 * math.log(2):
        return 0.0
    # Integer true division: 2.0 / C(N, n) would overflow converting C(N, n) to float (≈ 500 vs 700).
    return min(1.0, 2 / math.comb(n_a + n_b, n_a))


def _u_statistic(a: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray]:
    ranks = stats.rankdata(np.concatenate([a, b]))
    return float(ranks[: a.size].sum() - a.size * (a.size + 1) / 2), ranks


def _exact_distribution(ranks: np.ndarray, n_a: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact null distribution of the rank sum of group a over all C(N, n_a) splits (ties kept).

    Counting by dynamic programming over the doubled mid-ranks (whole numbers), so every split
    is counted without listing them one by one.
    """
    doubled = np.rint(ranks * 2).astype(np.int64)
    total = int(doubled.sum())
    counts = np.zeros((n_a + 1, total + 1), dtype=np.float64)
    counts[0, 0] = 1.0
    for value in doubled:
        # Choosing this respondent for group a moves every partial count one member and `value` on.
        counts[1:, value:] += counts[:-1, : total + 1 - value].copy()
    sums = np.flatnonzero(counts[n_a])
    return sums / 2.0, counts[n_a, sums]


def _chosen(draws: np.ndarray, chosen: int) -> np.ndarray:
    """Per row, a mask of the ``chosen`` smallest draws, the set ``argpartition(chosen − 1)[:, :chosen]`` picks.

    A row's set is every position at or below its chosen-th smallest value (``np.partition`` finds it,
    several times faster than ``argpartition``), unless that value is tied: then argpartition's own pick
    among the equal values is taken for that row (about one row in 10⁴ at 1 000 respondents).
    """
    kth = np.partition(draws, chosen - 1, axis=1)[:, chosen - 1]
    inside = draws <= kth[:, None]
    counts = np.count_nonzero(inside, axis=1)
    tied = np.flatnonzero(counts != chosen)  # every row has at least `chosen`: a tie at its boundary
    if tied.size:
        inside[tied] = False
        inside[tied[:, None], draws[tied].argpartition(chosen - 1, axis=1)[:, :chosen]] = True
    return inside


def _monte_carlo_rank_sums(pooled: list[np.ndarray], n: int, chosen: int, seed: int) -> list[np.ndarray]:
    """Rank sums of the smaller group in each of the Monte Carlo resamples, for several measures at once.

    ``pooled`` holds each measure's n sorted ranks. The draws depend only on ``n``, ``chosen`` and
    ``seed``: each resample puts the ``chosen`` positions with the smallest of n uniform float32
    numbers in the smaller group, the numbers drawn row by row from one stream. They are made in
    batches and used at once by every measure, so no resamples × n array is kept; the stream, and so
    every p, is the same whatever the batch size.

    A batch's rank sums for every measure are one matrix product, chosen positions (0/1) times the
    measures' ranks. Half-integer ranks and sums below 2^52 are exact in float64, so the sums are
    those of adding the chosen ranks one by one.
    """
    rng = np.random.default_rng(seed)
    rows = max(1, min(_BATCH, _BATCH_ELEMENTS // n))
    ranks = np.column_stack(pooled).astype(np.float64)
    sums = np.empty((MONTE_CARLO_RESAMPLES, len(pooled)))
    for start in range(0, MONTE_CARLO_RESAMPLES, rows):
        size = min(rows, MONTE_CARLO_RESAMPLES - start)
        inside = _chosen(rng.random((size, n), dtype=np.float32), chosen)
        np.matmul(inside.astype(np.float64), ranks, out=sums[start : start + size])
    return list(sums.T)


def mann_whitney(a, b, *, seed: int = 20180101) -> MannWhitney:
    """Two-sided Mann–Whitney test of group a against b, from the permutation distribution of U.

    p = min(1, 2 · min(P(U ≤ u), P(U ≥ u))), scipy's convention. The method follows the sizes
    (module docstring); every result names it.
    """
    return mann_whitney_many([(a, b)], seed=seed)[0]


def mann_whitney_many(pairs, *, seed: int = 20180101) -> list[MannWhitney]:
    """:func:`mann_whitney` of each (a, b) pair, with the same results.

    The Monte Carlo draws depend only on the group sizes and the seed, so the pairs (measures) with
    the same sizes share one pass of draws; nothing is cached between calls.
    """
    results: list[MannWhitney | None] = [None] * len(pairs)
    # (n, smaller group) → [(position, u, u of the smaller group, sorted ranks)]
    pending: dict[tuple[int, int], list[tuple[int, float, float, np.ndarray]]] = {}
    for position, (a, b) in enumerate(pairs):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        n_a, n_b = a.size, b.size
        if n_a == 0 or n_b == 0:
            results[position] = MannWhitney(float("nan"), float("nan"), "none")
            continue
        u, ranks = _u_statistic(a, b)
        small_n = min(n_a, n_b)
        # U of the smaller group has the same two-sided p; its rank sum is cheaper to count or draw.
        u_small = u if n_a <= n_b else n_a * n_b - u
        exact = (small_n + 1) * (n_a + n_b) ** 3 <= EXACT_COUNTING_LIMIT
        if exact or _comb_at_most(n_a + n_b, n_a, ENUMERATION_LIMIT):
            sums, weights = _exact_distribution(ranks, small_n)
            null_u, total = sums - small_n * (small_n + 1) / 2, weights.sum()
            low = weights[null_u <= u_small + 1e-9].sum() / total
            high = weights[null_u >= u_small - 1e-9].sum() / total
            results[position] = MannWhitney(u, float(min(1.0, 2 * min(low, high))), "enumeration")
        elif n_a + n_b <= MONTE_CARLO_LIMIT:
            # Sorted ranks: the draws then do not depend on the order in which the groups were given.
            pending.setdefault((ranks.size, small_n), []).append((position, u, u_small, np.sort(ranks)))
        else:
            result = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
            results[position] = MannWhitney(u, float(result.pvalue), "normal")
    for (n, small), items in pending.items():
        all_sums = _monte_carlo_rank_sums([item[3] for item in items], n, small, seed)
        for (position, u, u_small, _), sums in zip(items, all_sums, strict=True):
            null_u = sums - small * (small + 1) / 2
            low = int((null_u <= u_small + 1e-9).sum())
            high = int((null_u >= u_small - 1e-9).sum())
            # The observed split counts as one of the resamples, so p is never 0.
            p_low = (low + 1) / (MONTE_CARLO_RESAMPLES + 1)
            p_high = (high + 1) / (MONTE_CARLO_RESAMPLES + 1)
            p = min(1.0, 2 * min(p_low, p_high))
            results[position] = MannWhitney(u, p, "monte_carlo", math.sqrt(p * (1 - p) / MONTE_CARLO_RESAMPLES))
    return results  # type: ignore[return-value]


def cliffs_delta(a, b, *, confidence: float = 0.95, normal: bool = False) -> CliffDelta:
    """Cliff's delta of a against b with the consistent-variance interval of Cliff (1996).

    delta = P(a > b) − P(a < b) over all pairs, which equals the rank-biserial correlation
    2U/(n_a n_b) − 1. The variance is ((n_b − 1) s²_i. + (n_a − 1) s²_.j + s²_ij) / (n_a n_b)
    with the row, column and cell deviations of the dominance matrix; the interval is
    (d − d³ ± t s √((1 − d²)² + t² s²)) / (1 − d² + t² s²) with Student's t on n_a + n_b − 2
    degrees of freedom (Feng & Cliff 2004), or the normal quantile with ``normal=True``. When
    the samples are fully disjoint (|d| = 1),
    d is shrunk by (n_a n_b − 1)/(n_a n_b) for the variance so the interval stays defined, and
    its outer end is set to ±1 — the same as ``effsize::cliff.delta(use.unbiased = FALSE)``.
    Needs at least 2 in each group; otherwise the interval is NaN.

    The dominance matrix sign(a_i − b_j) is never built: its row and column sums are counts of the
    other group below and above each value (binary search in the sorted group), and its cells take
    only the values −1, 0 and +1, so s²_ij comes from how many of each (summed exactly, then rounded
    once). O((n_a + n_b) log n) time and O(n_a + n_b) memory.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n_a, n_b = a.size, b.size
    if n_a == 0 or n_b == 0:
        return CliffDelta(float("nan"), float("nan"), float("nan"), float("nan"))
    sorted_a, sorted_b = np.sort(a), np.sort(b)
    below_a = np.searchsorted(sorted_b, a, side="left")  # b_j < a_i
    above_a = n_b - np.searchsorted(sorted_b, a, side="right")  # b_j > a_i
    row_sums = below_a - above_a  # Σ_j sign(a_i − b_j), whole numbers
    pairs = n_a * n_b
    greater, less = int(below_a.sum()), int(above_a.sum())  # pairs with a_i > b_j, a_i < b_j
    delta = float(np.float64(greater - less) / pairs)
    if n_a < 2 or n_b < 2:
        return CliffDelta(delta, float("nan"), float("nan"), float("nan"))
    column_sums = (n_a - np.searchsorted(sorted_a, b, side="right")) - np.searchsorted(sorted_a, b, side="left")
    shrunk = delta * (n_a * n_b - 1) / (n_a * n_b) if abs(delta) == 1 else delta
    rows, columns = row_sums / n_b, column_sums / n_a
    s_rows = ((rows - shrunk) ** 2).sum() / (n_a - 1)
    s_columns = ((columns - shrunk) ** 2).sum() / (n_b - 1)
    squares = (np.array([1.0, 0.0, -1.0]) - shrunk) ** 2  # (d_ij − d)² for d_ij = +1, 0, −1
    cells = Fraction(float(squares[0])) * greater + Fraction(float(squares[1])) * (pairs - greater - less)
    cells += Fraction(float(squares[2])) * less
    s_cells = float(cells) / ((n_a - 1) * (n_b - 1))
    variance = ((n_b - 1) * s_rows + (n_a - 1) * s_columns + s_cells) / (n_a * n_b)
    t = stats.norm.ppf((1 + confidence) / 2) if normal else stats.t.ppf((1 + confidence) / 2, n_a + n_b - 2)
    spread = t * math.sqrt(variance) * math.sqrt((1 - shrunk**2) ** 2 + t**2 * variance)
    denominator = 1 - shrunk**2 + t**2 * variance
    low = (shrunk - shrunk**3 - spread) / denominator
    high = (shrunk - shrunk**3 + spread) / denominator
    if delta == 1:
        high = 1.0
    if delta == -1:
        low = -1.0
    return CliffDelta(delta, float(low), float(high), float(variance))


def _first_at_most(xs: np.ndarray, ys: np.ndarray, t: float) -> np.ndarray:
    """For each x: the first index j of the ascending ``ys`` with x − ys[j] ≤ t (in floating point).

    x − y computed in floating point falls as y rises (rounding is monotone), so those j form a
    suffix. The binary search on x − t may miss the boundary by a rounding; the steps after it
    compare the computed differences themselves, so the count is exact.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        index = np.searchsorted(ys, xs - t, side="left")
    last = ys.size - 1
    while True:
        down = (index > 0) & (xs - ys[np.maximum(index - 1, 0)] <= t)
        if not down.any():
            break
        index -= down
    while True:
        up = (index <= last) & (xs - ys[np.minimum(index, last)] > t)
        if not up.any():
            break
        index += up
    return index


def _select_difference(xs, x_counts, ys, y_counts, rank: int) -> float:
    """The value at 0-based ``rank`` of the sorted multiset {x − y} (x, y with their counts).

    Johnson & Mizoguchi's selection in X − Y: the differences of one x are sorted by y, so the
    candidates left form one run of indices per x, between the boundaries of two values lo < v ≤ hi.
    A weighted median of the runs' middle candidates is the pivot; counting how many differences lie
    at or below it (and strictly below it) drops at least a quarter of the candidates each time, in
    O((n_x + n_y) log n) steps. Once few remain they are listed and sorted.
    """
    suffix = np.concatenate([np.cumsum(y_counts[::-1])[::-1], [0]])  # Σ counts of ys[j:], per j

    def at_most(t: float) -> tuple[np.ndarray, int]:
        index = _first_at_most(xs, ys, t)
        return index, int((x_counts * suffix[index]).sum())

    # Candidates: for x_i, the ys[j] with hi_index[i] ≤ j < lo_index[i] (differences in (lo, hi]).
    lo_index, below = np.full(xs.size, ys.size), 0  # nothing at or below "lo" (−∞)
    hi_index = np.zeros(xs.size, dtype=np.intp)  # everything at or below the largest difference
    while True:
        runs = lo_index - hi_index
        left = int(runs.sum())
        if left <= _SELECTION_CANDIDATES:
            break
        rows = np.flatnonzero(runs)
        middle = xs[rows] - ys[(hi_index[rows] + lo_index[rows] - 1) // 2]
        order = np.argsort(middle, kind="stable")
        weights = np.cumsum(runs[rows][order])
        pivot = float(middle[order][np.searchsorted(weights, weights[-1] / 2)])
        index, at_or_below = at_most(pivot)
        if at_or_below <= rank:
            lo_index, below = index, at_or_below
            continue
        under = float(np.nextafter(pivot, -np.inf))  # no difference lies strictly between the two
        strict_index, strictly_below = at_most(under)
        if strictly_below <= rank:
            return pivot
        hi_index = strict_index
    rows = np.repeat(np.arange(xs.size), runs)
    starts = np.repeat(hi_index, runs)
    offsets = np.arange(left) - np.repeat(np.cumsum(runs) - runs, runs)
    columns = starts + offsets
    values = xs[rows] - ys[columns]
    order = np.argsort(values, kind="stable")
    cumulative = below + np.cumsum(x_counts[rows][order] * y_counts[columns][order])
    return float(values[order][np.searchsorted(cumulative, rank, side="right")])


def hodges_lehmann(a, b) -> float:
    """Hodges–Lehmann shift a − b: the median of all pairwise differences.

    Exactly ``np.median(a[:, None] - b[None, :])`` (the same floating-point differences, the mean of
    the middle two when their number is even) without forming the n_a · n_b differences: the middle
    one or two are selected by :func:`_select_difference` over the distinct values and their counts.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size == 0 or b.size == 0:
        return float("nan")
    if np.isnan(a).any() or np.isnan(b).any():
        return float("nan")
    xs, x_counts = np.unique(a, return_counts=True)
    ys, y_counts = np.unique(b, return_counts=True)
    total = a.size * b.size
    upper = _select_difference(xs, x_counts, ys, y_counts, total // 2)
    if total % 2:
        return upper
    lower = _select_difference(xs, x_counts, ys, y_counts, total // 2 - 1)
    return float(np.mean(np.array([lower, upper])))


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN entries stay NaN and are not counted)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    if present.size == 0:
        return out
    order = present[np.argsort(p[present], kind="stable")]
    m = order.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adjusted, 1.0)
    return out


def bh(p_values) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN entries stay NaN and are not counted)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    present = ~np.isnan(p)
    if present.any():
        out[present] = stats.false_discovery_control(p[present], method="bh")
    return out


def _kruskal_h(*parts, axis=-1):
    return stats.kruskal(*parts, axis=axis).statistic


def _kruskal_monte_carlo(
    tests: list[list[np.ndarray]], observed: list[float], seed: int, resamples: int
) -> list[float]:
    """The p of ``scipy.stats.permutation_test`` (independent, "greater", ``rng=default_rng(seed)``)
    for H, for several tests with the same number of respondents, without resamples × n arrays.

    The permutations are scipy's: one ``rng.permutation(n)`` per resample, in order; they depend
    only on n and the seed, so the tests share them. H of a permutation needs only the rank sums of
    the groups (the pooled mid-ranks and their tie correction do not change under permutation),
    computed as ``scipy.stats.kruskal`` computes them, in batches. The tail counts null values
    within 100 machine epsilons of the observed H, and the observed split is one of the
    resamples, as scipy does.
    """
    n = sum(sample.size for sample in tests[0])
    prepared = []
    for samples, h in zip(tests, observed, strict=True):
        pooled = np.concatenate(samples)
        _, ties = np.unique(pooled, return_counts=True)
        tie_term = np.float64(((ties.astype(float) ** 3) - ties).sum())
        correction = 1 - tie_term / (n**3 - n)
        edges = np.cumsum([0] + [sample.size for sample in samples])
        threshold = h - abs(np.finfo(float).eps * 100 * h)
        prepared.append((stats.rankdata(pooled), correction, edges, threshold))
    rng = np.random.default_rng(seed)
    rows = max(1, _BATCH_ELEMENTS // n)
    counts = [0] * len(tests)
    for start in range(0, resamples, rows):
        size = min(rows, resamples - start)
        permutations = np.stack([rng.permutation(n) for _ in range(size)])
        for test, (ranks, correction, edges, threshold) in enumerate(prepared):
            permuted = ranks[permutations]
            squares = sum(
                permuted[:, edges[g] : edges[g + 1]].sum(axis=-1) ** 2 / (edges[g + 1] - edges[g])
                for g in range(len(edges) - 1)
            )
            null = 12.0 / (n * (n + 1)) * squares - 3 * (n + 1)
            null /= correction
            counts[test] += int(np.count_nonzero(null >= threshold))
    return [float(min(1.0, (count + 1) / (resamples + 1))) for count in counts]


def kruskal_wallis(groups, *, seed: int = 20180101, resamples: int = 9_999) -> KruskalWallis:
    """Kruskal–Wallis H (tie-corrected) with a permutation p: exact when the number of distinct
    assignments is at most ``resamples``, otherwise a seeded Monte Carlo up to
    :data:`MONTE_CARLO_LIMIT` respondents (the same p as ``scipy.stats.permutation_test`` with
    ``rng=np.random.default_rng(seed)``), and beyond that the chi-square approximation on k − 1
    degrees of freedom ("chi_square"), as Mann–Whitney turns to the normal approximation."""
    return kruskal_wallis_many([groups], seed=seed, resamples=resamples)[0]


def kruskal_wallis_many(tests, *, seed: int = 20180101, resamples: int = 9_999) -> list[KruskalWallis]:
    """:func:`kruskal_wallis` of each list of groups, with the same results; the Monte Carlo ones
    with the same number of respondents share one pass of permutations."""
    results: list[KruskalWallis | None] = [None] * len(tests)
    pending: dict[int, list[tuple[int, list[np.ndarray], float]]] = {}  # n → [(position, samples, H)]
    for position, groups in enumerate(tests):
        samples = [np.asarray(g, dtype=float) for g in groups if len(g)]
        if len(samples) < 2:
            results[position] = KruskalWallis(float("nan"), float("nan"), "none")
            continue
        pooled = np.concatenate(samples)
        if np.all(pooled == pooled[0]):
            results[position] = KruskalWallis(0.0, 1.0, "constant")
            continue
        n = pooled.size
        if n > MONTE_CARLO_LIMIT:
            result = stats.kruskal(*samples)
            results[position] = KruskalWallis(float(result.statistic), float(result.pvalue), "chi_square")
            continue
        sizes = [s.size for s in samples]
        log_assignments = math.lgamma(n + 1) - sum(math.lgamma(size + 1) for size in sizes)
        exact = log_assignments <= math.log(resamples) + 1 and (
            math.factorial(n) // math.prod(math.factorial(size) for size in sizes) <= resamples
        )
        if not exact:
            pending.setdefault(n, []).append((position, samples, float(stats.kruskal(*samples).statistic)))
            continue
        result = stats.permutation_test(
            samples,
            _kruskal_h,
            permutation_type="independent",
            alternative="greater",
            vectorized=True,
            n_resamples=np.inf,
            batch=max(1, _BATCH_ELEMENTS // n),
        )
        results[position] = KruskalWallis(float(result.statistic), float(result.pvalue), "enumeration")
    for items in pending.values():
        p_values = _kruskal_monte_carlo([item[1] for item in items], [item[2] for item in items], seed, resamples)
        for (position, _, h), p in zip(items, p_values, strict=True):
            results[position] = KruskalWallis(h, p, "monte_carlo")
    return results  # type: ignore[return-value]
