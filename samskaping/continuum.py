"""The thin ↔ thick co-creation continuum: computed positions, their intervals, their sensitivity,
and the researcher's own placements (methods.md §9, codebook.md "Part 1").
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from samskaping.codebook import Codebook
from samskaping.errors import ConfigError
from samskaping.instrument import Instrument
from samskaping.scoring import Scores, score_respondents

__all__ = [
    "POSITION_COLUMNS",
    "SHOW_CHOICES",
    "Placement",
    "load_placements",
    "placements_to_yaml",
    "positions",
    "sensitivity",
    "with_weights",
]

POSITION_COLUMNS = (
    "case", "n", "thickness", "low", "high", "co_design", "co_delivery", "durability",
    "manual_position", "outside", "shown", "hidden", "rationale",
)  # fmt: skip
SHOW_CHOICES = ("computed", "manual", "both")
BOOTSTRAP_RESAMPLES = 2_000  # methods.md §9: B ≥ 2000
BOOTSTRAP_SEED = 2018
_WEIGHT_STEP = 0.1


@dataclass(frozen=True, slots=True)
class Placement:
    """The researcher's judgement of a case: a position 0–100 or outside the continuum, and why."""

    position: float | None = None
    outside: bool = False
    rationale: str = ""
    show: str = "computed"


def load_placements(text: str, source: str = "placements.yaml") -> dict[str, Placement]:
    """Read ``{case: {position: 0–100 | outside, rationale: text, show: computed | manual | both}}``.

    Raises
    ------
    ConfigError
        Naming the file, the case and the problem.
    """
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            source, "", f"is not valid YAML ({getattr(exc, 'problem', None) or 'syntax error'})"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(source, "", "must map case names to placements")
    placements: dict[str, Placement] = {}
    for case, spec in data.items():
        key = str(case)
        if not isinstance(spec, dict):
            raise ConfigError(source, key, "must be a mapping with position, rationale and show")
        unknown = sorted(set(spec) - {"position", "rationale", "show"})
        if unknown:
            raise ConfigError(source, f"{key}.{unknown[0]}", "unknown key (known: position, rationale, show)")
        raw = spec.get("position")
        outside = isinstance(raw, str) and raw.strip().lower() == "outside"
        position = None
        if raw is not None and not outside:
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 100:
                raise ConfigError(
                    source, f"{key}.position", f"must be a number from 0 to 100 or 'outside', got {raw!r}"
                )
            position = float(raw)
        show = spec.get("show", "manual" if position is not None or outside else "computed")
        if show not in SHOW_CHOICES:
            raise ConfigError(source, f"{key}.show", f"must be one of {', '.join(SHOW_CHOICES)}, got {show!r}")
        placements[key] = Placement(position, outside, str(spec.get("rationale") or ""), show)
    return placements


def placements_to_yaml(placements: dict[str, Placement]) -> str:
    """The placements as YAML, read back by :func:`load_placements`."""
    data = {
        case: {"position": "outside" if p.outside else p.position, "rationale": p.rationale, "show": p.show}
        for case, p in placements.items()
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


_BATCH_ELEMENTS = 1 << 20  # bootstrap draws per batch (8 MB of indices), whatever the size of a case


def _bootstrap(values: np.ndarray, seed: int, resamples: int) -> tuple[float, float]:
    """Percentile interval (2.5 %, 97.5 %) of the mean over resampled respondents.

    The resamples are drawn in batches of whole resamples, one stream per case: the same draws,
    in the same order, as one resamples × n array, without ever holding more than about
    ``_BATCH_ELEMENTS`` of them.
    """
    rng = np.random.default_rng(seed)
    n = values.size
    rows = max(1, _BATCH_ELEMENTS // n)
    means = np.empty(resamples)
    for start in range(0, resamples, rows):
        size = min(rows, resamples - start)
        means[start : start + size] = values[rng.integers(0, n, size=(size, n))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5], method="linear")
    return float(low), float(high)


def _case_seed(seed: int, case: str) -> int:
    # Each case gets its own stream, so adding or removing a case leaves the others' intervals alone.
    return seed * 1_000_003 + zlib.crc32(case.encode("utf-8"))


def positions(
    scores: Scores,
    codebook: Codebook,
    *,
    placements: dict[str, Placement] | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Each case's computed position (``thickness``, 0 = thinnest) with its bootstrap interval.

    The interval is the percentile interval of the case mean over ``resamples`` resamples of the
    case's respondents (sorted by respondent id first, seeded per case, so it is reproducible).
    Cases with n < k are hidden (no position, no interval), but a manual placement is still
    shown. Columns: :data:`POSITION_COLUMNS`.
    """
    placements = placements or {}
    cells = scores.cases.pivot(index="case", columns="measure", values="mean")
    counts = scores.cases[scores.cases["measure"] == "thickness"].set_index("case")["n"]
    respondents = scores.respondents.sort_values("respondent_id", kind="stable")
    # Each case's thickness values in respondent-id order, found in one pass rather than one per case.
    thickness = respondents["thickness"].to_numpy()
    members = respondents.groupby("case", sort=False).indices
    rows = []
    for case in sorted(scores.cases["case"].unique()):
        n = int(counts.get(case, 0))
        hidden = n < scores.k
        placement = placements.get(case, Placement())
        row = {"case": case, "n": n, "hidden": hidden, "manual_position": placement.position,
               "outside": placement.outside, "rationale": placement.rationale}  # fmt: skip
        if not hidden:
            values = thickness[members.get(case, [])]
            values = values[~np.isnan(values)]
            low, high = _bootstrap(values, _case_seed(seed, case), resamples)
            row.update(thickness=cells.loc[case, "thickness"], low=low, high=high,
                       **{m.id: cells.loc[case, m.id] for m in codebook.family("subindex")})  # fmt: skip
        manual = placement.position is not None or placement.outside
        row["shown"] = (
            ("manual" if hidden or placement.show == "manual" else placement.show)
            if manual
            else ("hidden" if hidden else "computed")
        )
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=list(POSITION_COLUMNS))


def with_weights(codebook: Codebook, weights: dict[str, float]) -> Codebook:
    """The codebook with new sub-index weights (which must sum to 1)."""
    if not math.isclose(sum(weights.values()), 1.0, abs_tol=1e-9):
        raise ValueError(f"weights must sum to 1, they sum to {sum(weights.values()):g}")
    measures = tuple(
        dataclasses.replace(m, weight=weights[m.id]) if m.family == "subindex" else m for m in codebook.measures
    )
    return dataclasses.replace(codebook, measures=measures)


def _order(data: pd.DataFrame, instrument: Instrument, codebook: Codebook, k: int, three: bool) -> pd.Series:
    """Shown cases' mean thickness under a codebook variant, thinnest first."""
    scored = score_respondents(data, instrument, codebook, three_as_missing=three)
    by_case = scored.dropna(subset=["case", "thickness"]).groupby("case")["thickness"].agg(["mean", "count"])
    return by_case.loc[by_case["count"] >= k, "mean"].sort_values(kind="stable")


def sensitivity(
    data: pd.DataFrame, instrument: Instrument, codebook: Codebook, *, k: int, three_as_missing: bool = False
) -> pd.DataFrame:
    """Does the order of the cases change under each weight perturbation and under *treat 3 as missing*?

    Each weight moves by ±0.1 while the other two are rescaled in proportion so the weights
    still sum to 1 (methods.md §9); the last scenario flips *treat 3 as missing*. Columns:
    ``scenario``, ``weights`` (text), ``order_changed``, ``swaps`` (pairs of shown cases whose
    order flips, "a ↔ b; …").
    """
    base_weights = {m.id: float(m.weight or 0.0) for m in codebook.family("subindex")}
    baseline = _order(data, instrument, codebook, k, three_as_missing)
    scenarios: list[tuple[str, Codebook, bool]] = []
    others = len(base_weights) - 1  # a lone sub-index always weighs 1: nothing to perturb
    for measure_id, weight in base_weights.items() if others else ():
        for step in (+_WEIGHT_STEP, -_WEIGHT_STEP):
            new = min(1.0, max(0.0, weight + step))
            rest = 1 - weight
            weights = {m: (new if m == measure_id else (w * (1 - new) / rest if rest else (1 - new) / others))
                       for m, w in base_weights.items()}  # fmt: skip
            scenarios.append((f"{measure_id} {step:+.1f}", with_weights(codebook, weights), three_as_missing))
    scenarios.append(("three_as_missing" if not three_as_missing else "three_counts", codebook, not three_as_missing))
    rows = []
    for name, variant, three in scenarios:
        order = _order(data, instrument, variant, k, three)
        weights = ", ".join(f"{m.id} {m.weight:.3f}" for m in variant.family("subindex"))
        swaps = _swaps(list(baseline.index), list(order.index))
        rows.append({"scenario": name, "weights": weights, "order_changed": bool(swaps), "swaps": "; ".join(swaps)})
    return pd.DataFrame(rows)


def _swaps(before: list[str], after: list[str]) -> list[str]:
    """Pairs of cases (present in both orders) whose relative order differs."""
    common = [c for c in before if c in after]
    rank = {c: i for i, c in enumerate(c for c in after if c in common)}
    return [f"{a} ↔ {b}" for i, a in enumerate(common) for b in common[i + 1 :] if rank[a] > rank[b]]
