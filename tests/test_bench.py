"""The benchmark command: records, ratios, the survey cache, the targets and the command line.

The bench runs in this process on tiny surveys (18 and 60 respondents) into a temporary cache,
with every core step and one page (overview) through AppTest; the targets are judged on
hand-made records whose verdicts are worked out by hand below.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math

import pytest

from samskaping import bench, cli, cli_bench
from samskaping.bench import FLOOR_OF, REFERENCE_SIZE, Record, run_bench, with_ratios
from samskaping.bench_data import DEFAULT_SEED, cases_for
from samskaping.bench_targets import evaluate_targets, format_table, format_targets
from samskaping.figure_export import find_browser

SIZES = (18, 60)
PAGE = ("page_cold_overview", "page_warm_overview")
FIELDS = {"size", "step", "seconds", "floor_seconds", "ratio", "peak_mb"}


def _core_steps() -> tuple[str, ...]:
    # Without a Chromium browser the bench leaves figure_export out (and says so).
    return tuple(s for s in bench.CORE_STEPS if s != "figure_export" or find_browser() is not None)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    cache = tmp_path_factory.mktemp("bench-cache")
    log: list[str] = []
    records = run_bench(SIZES, (*_core_steps(), *PAGE), cache_dir=cache, log=log.append)
    files = sorted(cache.iterdir())
    return {"records": records, "log": log, "cache": cache, "mtimes": {p: p.stat().st_mtime_ns for p in files}}


def test_every_size_and_step_is_measured_once(measured):
    pairs = [(r.size, r.step) for r in measured["records"]]
    assert sorted(pairs) == sorted(itertools.product(SIZES, (*_core_steps(), *PAGE)))


def test_records_have_the_schema(measured):
    for record in measured["records"]:
        row = json.loads(json.dumps(record.to_dict()))
        assert set(row) == FIELDS
        assert isinstance(row["size"], int) and isinstance(row["step"], str)
        assert row["seconds"] > 0 and row["peak_mb"] > 0
        assert (row["floor_seconds"] is None) == (row["ratio"] is None)


def test_ratios_are_seconds_over_the_floor_of_the_same_file(measured):
    records = measured["records"]
    seconds = {(r.size, r.step): r.seconds for r in records}
    for r in records:
        if r.step in FLOOR_OF:  # import and cold page steps: the bare read of the same size's file
            assert r.floor_seconds == seconds[r.size, FLOOR_OF[r.step]]
        elif r.step.startswith("page_warm_"):  # warm reruns: the same page at 18 respondents
            assert r.floor_seconds == seconds[REFERENCE_SIZE, r.step]
        else:
            assert r.floor_seconds is None and r.ratio is None
            continue
        assert r.ratio == pytest.approx(r.seconds / r.floor_seconds, rel=1e-12)
    warm_18 = next(r for r in records if r.size == 18 and r.step == "page_warm_overview")
    assert warm_18.ratio == 1.0


def test_peak_memory_is_a_running_maximum(measured):
    peaks = [r.peak_mb for r in measured["records"]]
    assert peaks == sorted(peaks)


def test_each_survey_is_generated_once_as_xlsx_and_csv(measured):
    generating = [line for line in measured["log"] if "generating" in line and line.startswith("size")]
    assert len(generating) == len(SIZES)
    names = [p.name for p in measured["mtimes"]]
    for size in SIZES:
        stem = f"survey_n{size}_c{cases_for(size)}_seed{DEFAULT_SEED}_"
        assert sum(n.startswith(stem) and n.endswith(".xlsx") for n in names) == 1
        assert sum(n.startswith(stem) and n.endswith(".csv") for n in names) == 1
    assert len(names) == 2 * len(SIZES)  # no partial files left behind


def _run_cli(argv: list[str]) -> int:
    """``python -m samskaping bench …`` through cli.main once it is wired there, else the same parser locally."""
    try:
        if "cli_bench" in vars(cli):
            return cli.main(["bench", *argv])
        parser = cli._ArgumentParser(prog="python -m samskaping")
        commands = parser.add_subparsers(dest="command", required=True, parser_class=cli._ArgumentParser)
        cli_bench.add_parser(commands)
        return cli_bench.run(parser.parse_args(["bench", *argv]))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_a_second_run_reuses_the_cache_and_writes_json(measured, tmp_path, capsys):
    out = tmp_path / "bench.json"
    sizes = ",".join(map(str, SIZES))
    argv = ["--sizes", sizes, "--steps", "import_csv", "--no-pages", "--cache", str(measured["cache"])]
    argv += ["--out", str(out)]
    assert _run_cli(argv) == 0
    printed = capsys.readouterr().out
    assert "generating" not in printed and printed.count("cached") == len(SIZES)
    assert {p: p.stat().st_mtime_ns for p in sorted(measured["cache"].iterdir())} == measured["mtimes"]
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(rows, list) and all(set(row) == FIELDS for row in rows)
    # The floor the ratio needs is measured too.
    assert sorted((row["size"], row["step"]) for row in rows) == sorted(
        itertools.product(SIZES, ("floor_csv", "import_csv"))
    )
    for row in rows:
        if row["step"] == "import_csv":
            assert math.isclose(row["ratio"], row["seconds"] / row["floor_seconds"], rel_tol=1e-12)
    assert "Targets (issue 8):" in printed and "SKIP" in printed


@pytest.mark.parametrize(
    "argv",
    [["--sizes", "5"], ["--sizes", "18,x"], ["--steps", "nonsense"], ["--steps", "pages", "--no-pages"]],
    ids=["too-small", "not-a-number", "unknown-step", "nothing-left"],
)
def test_bad_arguments_exit_2_with_one_line(argv, capsys):
    assert _run_cli(argv) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_step_and_size_parsing():
    assert cli_bench.parse_sizes("1000,18,18") == (18, 1000)
    assert cli_bench.parse_steps("score,floor_xlsx") == ("floor_xlsx", "score")  # the bench's order
    assert cli_bench.parse_steps("pages") == bench.PAGE_STEPS
    with pytest.raises(argparse.ArgumentTypeError):
        cli_bench.parse_sizes("11")


def test_cases_grow_with_size_between_6_and_357():
    assert [cases_for(n) for n in (18, 1_000, 10_000, 35_700, 100_000)] == [6, 10, 100, 357, 357]


# Hand-made records: (size, step, seconds, peak MB). Ratios come from with_ratios.
_HAND = [
    (1_000, "floor_xlsx", 0.05, 200.0),
    (1_000, "score", 0.1, 210.0),
    (1_000, "compare", 0.2, 220.0),
    (18, "page_warm_overview", 0.4, 230.0),
    (18, "page_warm_groups", 0.5, 230.0),
    (10_000, "floor_xlsx", 2.0, 400.0),
    (10_000, "page_cold_overview", 5.0, 500.0),  # 5 / 2 = 2.5 ≤ 3: PASS
    (10_000, "page_warm_overview", 0.6, 500.0),  # 0.6 / 0.4 = 1.5 ≤ 1.5: PASS (on the limit)
    (10_000, "page_cold_groups", 7.0, 500.0),  # 7 / 2 = 3.5 > 3: FAIL
    (10_000, "page_warm_groups", 0.8, 500.0),  # 0.8 / 0.5 = 1.6 > 1.5: FAIL
    (100_000, "floor_xlsx", 5.0, 900.0),  # growth ×100 ≤ 120: PASS
    (100_000, "floor_csv", 1.0, 900.0),
    (100_000, "import_validate_score_xlsx", 7.5, 1000.0),  # 7.5 / 5 = 1.5 ≤ 1.5: PASS (on the limit)
    (100_000, "import_validate_score_csv", 3.1, 1000.0),  # 3.1 / 1 = 3.1 > 3: FAIL
    (100_000, "score", 12.0, 1000.0),  # ×120 ≤ 1.2 × 100: PASS (on the limit)
    (100_000, "compare", 24.2, 1100.0),  # ×121 > 120: FAIL; peak 1100 MB > 1024: FAIL
]


def _verdicts(rows) -> dict[str, str]:
    records = with_ratios([Record(size, step, seconds, None, None, peak) for size, step, seconds, peak in rows])
    return {t.name: t.status for t in evaluate_targets(records)}


def test_targets_on_hand_made_records():
    verdicts = _verdicts(_HAND)
    assert verdicts == {
        "import+validate+score xlsx at 100 000 ≤ 1.5 × floor": "PASS",
        "import+validate+score csv at 100 000 ≤ 3 × floor": "FAIL",
        "warm rerun overview at 10 000 ≤ 1.5 × at 18": "PASS",
        "cold run overview at 10 000 ≤ 3 × floor read": "PASS",
        "warm rerun case_profile at 10 000 ≤ 1.5 × at 18": "SKIP",
        "cold run case_profile at 10 000 ≤ 3 × floor read": "SKIP",
        "warm rerun groups at 10 000 ≤ 1.5 × at 18": "FAIL",
        "cold run groups at 10 000 ≤ 3 × floor read": "FAIL",
        "warm rerun continuum at 10 000 ≤ 1.5 × at 18": "SKIP",
        "cold run continuum at 10 000 ≤ 3 × floor read": "SKIP",
        "growth floor_xlsx 1 000 → 100 000": "PASS",
        "growth score 1 000 → 100 000": "PASS",
        "growth compare 1 000 → 100 000": "FAIL",
        "peak memory at 100 000 ≤ 1 GB": "FAIL",
    }


def test_the_memory_verdict_names_the_first_step_above_the_limit():
    records = with_ratios([Record(size, step, seconds, None, None, peak) for size, step, seconds, peak in _HAND])
    memory = next(t for t in evaluate_targets(records) if t.name.startswith("peak memory"))
    assert memory.detail.startswith("1100 MB (limit 1024 MB")
    assert memory.detail.endswith("first above the limit after compare at 100 000")


def test_targets_without_the_largest_size():
    # Without 100 000: growth is judged 1 000 → 10 000 (limit 1.2 × 10 = 12) and says so; the rest is SKIP.
    rows = [(1_000, "score", 0.1, 100.0), (10_000, "score", 1.3, 300.0), (10_000, "compare", 1.0, 300.0)]
    verdicts = _verdicts(rows)
    assert verdicts["growth score 1 000 → 10 000 (100 000 not measured)"] == "FAIL"  # ×13 > 12
    assert verdicts["peak memory at 100 000 ≤ 1 GB"] == "SKIP"
    assert verdicts["import+validate+score xlsx at 100 000 ≤ 1.5 × floor"] == "SKIP"
    assert not any("compare" in name for name in verdicts)  # not measured at 1 000
    passing = _verdicts([(1_000, "score", 0.1, 100.0), (10_000, "score", 1.2, 300.0)])
    assert passing["growth score 1 000 → 10 000 (100 000 not measured)"] == "PASS"  # ×12 ≤ 12
    assert _verdicts([(18, "score", 0.1, 100.0), (100_000, "score", 0.2, 900.0)]) == {
        **{name: "SKIP" for name in _verdicts([]) if not name.startswith("peak")},
        "peak memory at 100 000 ≤ 1 GB": "PASS",  # 900 MB
    }


def test_printed_table_and_targets():
    records = with_ratios([Record(size, step, seconds, None, None, peak) for size, step, seconds, peak in _HAND])
    table = format_table(records).splitlines()
    assert table[0].split() == ["size", "step", "seconds", "floor", "s", "ratio", "peak", "MB"]
    assert table[-1].split() == ["100000", "compare", "24.200", "–", "–", "1100"]
    assert "100000  import_validate_score_csv" in format_table(records)
    assert "3.10" in next(line for line in table if "import_validate_score_csv" in line)
    summary = format_targets(evaluate_targets(records)).splitlines()
    assert summary[-1] == "5 PASS, 5 FAIL, 4 SKIP"


def test_a_short_step_is_timed_three_times_and_its_median_kept(monkeypatch):
    """A floor reports the seconds its child measured: 3, 1 and 2 s give the median 2 (by hand)."""
    reported = iter([3.0, 1.0, 2.0])
    monkeypatch.setitem(bench._CORE, "floor_csv", (lambda prepared: next(reported), None))
    monkeypatch.setattr(bench, "REPEAT_BELOW", 10.0)
    assert bench._time_step(None, "floor_csv") == 2.0
    # A first run at or over REPEAT_BELOW is kept alone.
    reported = iter([3.0, 1.0, 2.0])
    monkeypatch.setattr(bench, "REPEAT_BELOW", 2.5)
    assert bench._time_step(None, "floor_csv") == 3.0
