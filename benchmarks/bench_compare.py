"""Time and memory of the national-survey steps (issue 8) at 1 000, 10 000 and 100 000 respondents.

Run from the repository root::

    .venv/bin/python benchmarks/bench_compare.py                      # sizes 1000 10000 100000
    .venv/bin/python benchmarks/bench_compare.py --sizes 1000 10000   # fewer sizes
    .venv/bin/python benchmarks/bench_compare.py --small              # the old 7 v 11 … 500 v 700 table

The surveys are the synthetic demo in 357 cases, made once with
``python -m samskaping demo --out DIR/s<n>.xlsx --respondents <n> --cases 357`` (a few minutes at
100 000; this script makes any that are missing). Reading a 100 000-row workbook is not one of the
measured steps, so each workbook is read and validated once, in a process of its own, and kept beside
it as ``s<n>.parquet``.

Each size then runs in a fresh process that reads that data, scores it and runs the steps in order:

- ``compare``: :func:`samskaping.compare.compare` by ``group`` (all 34 measures, three groups, so
  Kruskal–Wallis too);
- ``positions``: :func:`samskaping.continuum.positions` with 2 000 bootstrap resamples;
- ``figure``: the continuum figure of every case, built and exported once as PNG (300 dpi) by
  :func:`samskaping.figure_export.export_figure` (needs Chromium; skipped without one).

It prints, per step, the seconds, the process's peak resident memory so far
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes reading and scoring the data) and its
resident memory after the step (``VmRSS``); the first row is reading and scoring alone. The targets
of issue 8: peak ≤ 1 GB at 100 000, and every step's time growing no faster than 1.2 × the growth
in respondents.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 100_000)
CASES = 357
STEPS = ("compare", "positions", "figure")
SMALL_SIZES = ((7, 11), (70, 110), (500, 700))


def _peak_mb() -> float:
    """The process's peak resident set size so far, in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb(pid: int | str = "self") -> float:
    """Current resident memory of a process in MB (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _prepare(folder: Path, size: int) -> Path:
    """``s<size>.parquet`` in ``folder``: the demo survey read and validated once (made when missing)."""
    parquet = folder / f"s{size}.parquet"
    if parquet.exists():
        return parquet
    xlsx = folder / f"s{size}.xlsx"
    if not xlsx.exists():
        command = [sys.executable, "-m", "samskaping", "demo", "--out", str(xlsx), "--respondents", str(size),
                   "--cases", str(CASES)]  # fmt: skip
        subprocess.run(command, check=True, cwd=ROOT)
    code = (
        "import sys; from samskaping.instrument import load_instrument; from samskaping.loading import load_survey; "
        "load_survey(sys.argv[1], load_instrument()).validated.data.to_parquet(sys.argv[2])"
    )
    subprocess.run([sys.executable, "-c", code, str(xlsx), str(parquet)], check=True, cwd=ROOT)
    return parquet


def _child(parquet: Path, steps: list[str]) -> None:
    """Run the steps on one survey in this process; print one JSON line per step."""
    import pandas as pd

    from samskaping.codebook import load_codebook
    from samskaping.compare import compare
    from samskaping.continuum import positions
    from samskaping.instrument import load_instrument
    from samskaping.scoring import score_survey

    instrument = load_instrument()
    codebook = load_codebook(instrument=instrument)
    start = time.perf_counter()
    data = pd.read_parquet(parquet)
    scores = score_survey(data, instrument, codebook)
    note = f"{len(data)} respondents, {data['case'].nunique()} cases"
    print(json.dumps({"step": "read+score", "seconds": time.perf_counter() - start, "peak_mb": _peak_mb(),
                      "rss_mb": _rss_mb(), "note": note}), flush=True)  # fmt: skip
    table = None
    for step in steps:
        note = ""
        start = time.perf_counter()
        if step == "compare":
            result = compare(scores, data, codebook, "group")
            methods = Counter(result.table["p_method"].fillna("hidden"))
            kruskal = Counter(result.kruskal["p_method"].fillna("hidden"))
            note = "MW " + ", ".join(f"{m} {c}" for m, c in sorted(methods.items()))
            note += "; KW " + ", ".join(f"{m} {c}" for m, c in sorted(kruskal.items()))
        elif step == "positions":
            table = positions(scores, codebook, resamples=2_000, seed=2018)
            note = f"{int((~table['hidden']).sum())} cases shown"
        elif step == "figure":
            from samskaping.figure_export import export_figure, find_browser, start_server
            from samskaping.figures_continuum import continuum_figure

            if find_browser() is None:
                note = "skipped: no Chromium"
            else:
                table = positions(scores, codebook) if table is None else table
                start_server()  # the one-off Chromium start is not part of one export
                start = time.perf_counter()
                chart = continuum_figure(table, "en", k=scores.k)
                built = time.perf_counter() - start
                png = export_figure(chart.figure, "png", dpi=300)
                note = f"built in {built:.2f} s, PNG {len(png) // 1024} KiB"
        print(json.dumps({"step": step, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb(),
                          "rss_mb": _rss_mb(), "note": note}), flush=True)  # fmt: skip


def _run_child(command: list[str], limit_mb: float):
    """Yield the child's JSON rows as they come; stop it (and yield a failure) above ``limit_mb`` MB.

    A guard for measuring the old code at 100 000 respondents, where a step can need many GB: an
    address-space limit (``ulimit -v``) would keep Chromium from starting, so resident memory is
    watched instead, every 0.2 s.
    """
    import threading

    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed: list[float] = []

    def watch() -> None:
        while process.poll() is None:
            rss = _rss_mb(process.pid)
            if rss > limit_mb:
                killed.append(rss)
                process.kill()
                return
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()
    assert process.stdout is not None and process.stderr is not None
    for line in process.stdout:
        if line.startswith("{"):
            yield json.loads(line)
    error = process.stderr.read().strip().splitlines()
    process.wait()
    if killed:
        yield {"failed": f"stopped at {killed[0]:.0f} MB resident (limit {limit_mb:.0f} MB)"}
    elif process.returncode != 0:
        yield {"failed": f"exit {process.returncode}: {error[-1] if error else ''}"}


def _small() -> None:
    """The earlier table: one comparison at 7 v 11, 70 v 110 and 500 v 700, cold and warm."""
    import numpy as np

    from samskaping.codebook import load_codebook
    from samskaping.compare import compare
    from samskaping.demo import generate_demo
    from samskaping.instrument import load_instrument
    from samskaping.scoring import score_survey

    instrument = load_instrument()
    codebook = load_codebook(instrument=instrument)
    print(f"{'sizes':>11}  {'measures':>8}  {'cold s':>7}  {'warm s':>7}  {'peak MB':>7}  p methods (measures)")
    for n_a, n_b in SMALL_SIZES:
        n = n_a + n_b
        data = generate_demo(instrument, codebook, respondents=n, cases=min(6, n // 2), seed=2018).data.copy()
        groups = np.array(["municipality"] * n_a + ["social_enterprise"] * n_b, dtype=object)
        data["group"] = np.random.default_rng(n).permutation(groups)
        scores = score_survey(data, instrument, codebook)
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            result = compare(scores, data, codebook, "group")
            timings.append(time.perf_counter() - start)
        methods = Counter(result.table["p_method"].fillna("hidden"))
        listed = ", ".join(f"{method} {count}" for method, count in sorted(methods.items()))
        sizes = f"{n_a} vs {n_b}"
        print(f"{sizes:>11}  {len(result.table):>8}  {timings[0]:>7.2f}  {timings[1]:>7.2f}  {_peak_mb():>7.0f}  "
              f"{listed}")  # fmt: skip


def main() -> None:
    """Prepare the surveys, run each size in a process of its own and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS))
    parser.add_argument("--dir", type=Path, default=Path("/tmp/scale"), help="where the surveys are kept")
    parser.add_argument("--small", action="store_true", help="the earlier 7 v 11 … 500 v 700 table instead")
    parser.add_argument("--limit-mb", type=float, default=8000, help="stop a size's process above this RSS")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.small:
        _small()
        return
    if args.child is not None:
        _child(args.child, args.steps)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"{'respondents':>11}  {'step':<10}  {'seconds':>8}  {'peak MB':>8}  {'now MB':>7}  note")
    results: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        parquet = _prepare(args.dir, size)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(parquet), "--steps", *args.steps]
        results[size] = {}
        for row in _run_child(command, args.limit_mb):
            if "failed" in row:
                print(f"{size:>11}  failed: {row['failed']}")
                break
            results[size][row["step"]] = row["seconds"]
            print(f"{size:>11}  {row['step']:<10}  {row['seconds']:>8.2f}  {row['peak_mb']:>8.0f}  "
                  f"{row['rss_mb']:>7.0f}  {row['note']}", flush=True)  # fmt: skip
    sizes = sorted(results)
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        print(f"\ntime ratio {last} / {first} (target ≤ {1.2 * last / first:.0f}):")
        for step in ("read+score", *args.steps):
            if step in results[first] and step in results[last] and results[first][step] > 0:
                print(f"  {step:<10} {results[last][step] / results[first][step]:8.1f}")


if __name__ == "__main__":
    main()
