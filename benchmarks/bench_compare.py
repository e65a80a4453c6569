"""Time a full group comparison (all 34 measures) at three study sizes.

Run from the repository root::

    .venv/bin/python benchmarks/bench_compare.py

For each size the synthetic demo generator (:func:`samskaping.demo.generate_demo`) makes a
survey, the ``group`` column is set to exactly n_a municipality and n_b social-enterprise
respondents (in a seeded random order), the survey is scored, and :func:`samskaping.compare.compare`
is timed by ``group``: cold (first call in the process, including the one-off Monte Carlo draws
that later calls with the same group sizes reuse) and warm (a second call). The p methods used
over the 34 measures are listed. Prints one line per size.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from samskaping.codebook import load_codebook
from samskaping.compare import compare
from samskaping.demo import generate_demo
from samskaping.instrument import load_instrument
from samskaping.scoring import score_survey

SIZES = ((7, 11), (70, 110), (500, 700))


def _survey(n_a: int, n_b: int, instrument, codebook):
    n = n_a + n_b
    data = generate_demo(instrument, codebook, respondents=n, cases=min(6, n // 2), seed=2018).data.copy()
    groups = np.array(["municipality"] * n_a + ["social_enterprise"] * n_b, dtype=object)
    data["group"] = np.random.default_rng(n).permutation(groups)
    return data


def main() -> None:
    instrument = load_instrument()
    codebook = load_codebook(instrument=instrument)
    print(f"{'sizes':>11}  {'measures':>8}  {'cold s':>7}  {'warm s':>7}  p methods (measures)")
    for n_a, n_b in SIZES:
        data = _survey(n_a, n_b, instrument, codebook)
        scores = score_survey(data, instrument, codebook)
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            result = compare(scores, data, codebook, "group")
            timings.append(time.perf_counter() - start)
        methods = Counter(result.table["p_method"].fillna("hidden"))
        listed = ", ".join(f"{method} {count}" for method, count in sorted(methods.items()))
        sizes = f"{n_a} vs {n_b}"
        print(f"{sizes:>11}  {len(result.table):>8}  {timings[0]:>7.2f}  {timings[1]:>7.2f}  {listed}")


if __name__ == "__main__":
    main()
