"""Two-sample and k-sample statistics that stay honest for tiny samples with ties (methods.md §6).

- Mann–Whitney U with the permutation distribution of U *for the actual data* (mid-ranks, ties
  included): the exact distribution over all C(n_a + n_b, n_a) splits when there are at most
  10⁶ of them (or when counting them is cheap: a small group beside a large one), a seeded
  Monte Carlo with 10⁵ resamples up to about 5 000 respondents, the tie-corrected normal
  approximation beyond.
- Rank-biserial correlation (= Cliff's delta) with Cliff's (1996) consistent-variance interval,
  as R's ``effsize::cliff.delta(use.unbiased = FALSE)``.
- Hodges–Lehmann shift, Holm and Benjamini–Hochberg adjustment, Kruskal–Wallis with a
  permutation p.

References
----------
Bergmann, R., Ludbrook, J., & Spooren, W. P. J. M. (2000). Different outcomes of the
Wilcoxon–Mann–Whitney test from different statistics packages. The American Statistician,
54(1), 72–77.
Cliff, N. (1996). Ordinal methods for behavioral data analysis. Erlbaum.
Feng, D., & Cliff, N. (2004). Monte Carlo evaluation of ordinal d with improved confidence
interval. Journal of Modern Applied Statistical Methods, 3(2), 322–332.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

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
    "mann_whitney",
    "min_attainable_p",
]

ENUMERATION_LIMIT = 1_000_000  # exact distribution when C(n_a + n_b, n_a) is at most this …
# … or when counting it is cheap anyway (about (min n + 1) · N · N² steps): exact beats Monte Carlo.
EXACT_COUNTING_LIMIT = 50_000_000
MONTE_CARLO_LIMIT = 5_000  # Monte Carlo up to this many respondents, normal approximation beyond
MONTE_CARLO_RESAMPLES = 100_000
_BATCH = 2_000


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
    """Kruskal–Wallis H (tie-corrected) with its permutation p."""

    h: float
    p: float
    method: str


def min_attainable_p(n_a: int, n_b: int) -> float:
    """The smallest two-sided p an exact rank test can give for these sizes: 2 / C(n_a + n_b, n_a)."""
    if n_a < 1 or n_b < 1:
        return float("nan")
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


# The measures of one comparison mostly share their sizes, so draws are reused; an entry can
# hold 10⁵ × n_small indices (100 MB at 500 vs 700).
@functools.lru_cache(maxsize=16)
def _resample_indices(n: int, chosen: int, seed: int) -> np.ndarray:
    """Which positions fall in the smaller group, for each of the Monte Carlo resamples.

    Depends only on the sizes and the seed, so the draws are made once and reused by every
    measure with the same sizes (read-only: the array is not writeable).
    """
    rng = np.random.default_rng(seed)
    dtype = np.int16 if n < 2**15 else np.int32
    out = np.empty((MONTE_CARLO_RESAMPLES, chosen), dtype=dtype)
    for start in range(0, MONTE_CARLO_RESAMPLES, _BATCH):
        size = min(_BATCH, MONTE_CARLO_RESAMPLES - start)
        out[start : start + size] = rng.random((size, n), dtype=np.float32).argpartition(chosen - 1, axis=1)[:, :chosen]
    out.flags.writeable = False
    return out


def mann_whitney(a, b, *, seed: int = 20180101) -> MannWhitney:
    """Two-sided Mann–Whitney test of group a against b, from the permutation distribution of U.

    p = min(1, 2 · min(P(U ≤ u), P(U ≥ u))), scipy's convention. The method follows the sizes
    (module docstring); every result names it.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n_a, n_b = a.size, b.size
    if n_a == 0 or n_b == 0:
        return MannWhitney(float("nan"), float("nan"), "none")
    u, ranks = _u_statistic(a, b)
    small_n = min(n_a, n_b)
    if math.comb(n_a + n_b, n_a) <= ENUMERATION_LIMIT or (small_n + 1) * (n_a + n_b) ** 3 <= EXACT_COUNTING_LIMIT:
        # U of the smaller group has the same two-sided p; its rank sum is cheaper to count.
        u_small = u if n_a <= n_b else n_a * n_b - u
        sums, weights = _exact_distribution(ranks, small_n)
        null_u, total = sums - small_n * (small_n + 1) / 2, weights.sum()
        low = weights[null_u <= u_small + 1e-9].sum() / total
        high = weights[null_u >= u_small - 1e-9].sum() / total
        return MannWhitney(u, float(min(1.0, 2 * min(low, high))), "enumeration")
    if n_a + n_b <= MONTE_CARLO_LIMIT:
        # U of the smaller group has the same two-sided p and needs fewer draws per resample.
        small, u_small = (n_a, u) if n_a <= n_b else (n_b, n_a * n_b - u)
        # Sorted ranks: the draws then do not depend on the order in which the groups were given.
        pooled = np.sort(ranks)
        indices = _resample_indices(ranks.size, small, seed)
        # Summed in batches, so no resamples × n_small array of floats is built at once.
        sums = np.concatenate([pooled[indices[i : i + _BATCH]].sum(axis=1) for i in range(0, len(indices), _BATCH)])
        null_u = sums - small * (small + 1) / 2
        low = int((null_u <= u_small + 1e-9).sum())
        high = int((null_u >= u_small - 1e-9).sum())
        # The observed split counts as one of the resamples, so p is never 0.
        p_low = (low + 1) / (MONTE_CARLO_RESAMPLES + 1)
        p_high = (high + 1) / (MONTE_CARLO_RESAMPLES + 1)
        p = min(1.0, 2 * min(p_low, p_high))
        return MannWhitney(u, p, "monte_carlo", math.sqrt(p * (1 - p) / MONTE_CARLO_RESAMPLES))
    result = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
    return MannWhitney(u, float(result.pvalue), "normal")


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
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n_a, n_b = a.size, b.size
    if n_a == 0 or n_b == 0:
        return CliffDelta(float("nan"), float("nan"), float("nan"), float("nan"))
    dominance = np.sign(a[:, None] - b[None, :])
    delta = float(dominance.mean())
    if n_a < 2 or n_b < 2:
        return CliffDelta(delta, float("nan"), float("nan"), float("nan"))
    shrunk = delta * (n_a * n_b - 1) / (n_a * n_b) if abs(delta) == 1 else delta
    rows, columns = dominance.mean(axis=1), dominance.mean(axis=0)
    s_rows = ((rows - shrunk) ** 2).sum() / (n_a - 1)
    s_columns = ((columns - shrunk) ** 2).sum() / (n_b - 1)
    s_cells = ((dominance - shrunk) ** 2).sum() / ((n_a - 1) * (n_b - 1))
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


def hodges_lehmann(a, b) -> float:
    """Hodges–Lehmann shift a − b: the median of all pairwise differences."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size == 0 or b.size == 0:
        return float("nan")
    return float(np.median(a[:, None] - b[None, :]))


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


def kruskal_wallis(groups, *, seed: int = 20180101, resamples: int = 9_999) -> KruskalWallis:
    """Kruskal–Wallis H (tie-corrected) with a permutation p: exact when the number of distinct
    assignments is at most ``resamples``, otherwise a seeded Monte Carlo."""
    samples = [np.asarray(g, dtype=float) for g in groups if len(g)]
    if len(samples) < 2:
        return KruskalWallis(float("nan"), float("nan"), "none")
    pooled = np.concatenate(samples)
    if np.all(pooled == pooled[0]):
        return KruskalWallis(0.0, 1.0, "constant")

    def h_statistic(*parts, axis=-1):
        return stats.kruskal(*parts, axis=axis).statistic

    sizes = [s.size for s in samples]
    assignments = math.factorial(sum(sizes)) // math.prod(math.factorial(n) for n in sizes)
    exact = assignments <= resamples
    result = stats.permutation_test(
        samples,
        h_statistic,
        permutation_type="independent",
        alternative="greater",
        vectorized=True,
        n_resamples=np.inf if exact else resamples,
        rng=np.random.default_rng(seed),
    )
    return KruskalWallis(float(result.statistic), float(result.pvalue), "enumeration" if exact else "monte_carlo")
