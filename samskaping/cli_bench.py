"""``python -m samskaping bench``: time the whole path from survey file to dashboard page at growing sizes.

Wired into :mod:`samskaping.cli` by two lines: ``cli_bench.add_parser(commands)`` in
``build_parser`` and ``if args.command == "bench": return cli_bench.run(args)`` in ``main``.
It is a measurement: the exit code is 0 whether or not the targets are met; 2 for bad arguments
(or when nothing can be measured). :mod:`samskaping.cli` is imported inside the functions, so the
two modules may import each other.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from samskaping.bench import DEFAULT_SIZES, PAGE_STEPS, STEPS, run_bench
from samskaping.bench_data import DEFAULT_SEED, MIN_SIZE, cases_for
from samskaping.bench_targets import evaluate_targets, format_table, format_targets

__all__ = ["add_parser", "parse_sizes", "parse_steps", "run"]


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"18,1000"`` → ``(18, 1000)``: whole numbers of respondents, at least :data:`MIN_SIZE`, sorted, unique."""
    try:
        sizes = {int(part.replace("_", "")) for part in text.split(",") if part.strip()}
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, got '{text}'") from None
    if not sizes:
        raise argparse.ArgumentTypeError("give at least one size")
    small = sorted(n for n in sizes if n < MIN_SIZE)
    if small:
        raise argparse.ArgumentTypeError(f"sizes must be at least {MIN_SIZE} respondents, got {small[0]}")
    return tuple(sorted(sizes))


def parse_steps(text: str) -> tuple[str, ...]:
    """``"score,compare"`` → the steps, in the bench's order; ``pages`` stands for every page step."""
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    if "pages" in wanted:
        wanted = (wanted - {"pages"}) | set(PAGE_STEPS)
    unknown = sorted(wanted - set(STEPS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown step '{unknown[0]}'; choose from {', '.join(STEPS)} or pages")
    if not wanted:
        raise argparse.ArgumentTypeError("give at least one step")
    return tuple(s for s in STEPS if s in wanted)


def _load() -> str:
    """The 1-minute load average and the number of cores, where the system tells them."""
    try:
        return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except (AttributeError, OSError):  # not on Windows
        return "unknown"


def _print_now(line: str) -> None:
    print(line, flush=True)


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``bench`` sub-command to ``commands`` (the sub-parsers of ``samskaping.cli``)."""
    parser = commands.add_parser(
        "bench", help="time import, validation, scoring, analyses and pages on synthetic surveys of growing size"
    )
    sizes = ",".join(map(str, DEFAULT_SIZES))
    parser.add_argument("--sizes", type=parse_sizes, default=DEFAULT_SIZES, metavar="N,N,…",
                        help=f"numbers of respondents (default {sizes})")  # fmt: skip
    parser.add_argument("--out", type=Path, metavar="FILE.json", help="write the records as JSON")
    parser.add_argument("--steps", type=parse_steps, default=STEPS, metavar="STEP,…",
                        help="steps to time (default all; 'pages' = every page step; the floors a ratio "
                             "needs are added)")  # fmt: skip
    parser.add_argument("--no-pages", action="store_true", help="leave out the dashboard pages (AppTest)")
    parser.add_argument(
        "--cache", type=Path, metavar="DIR", help="folder of generated surveys (default: user cache/samskaping/bench)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    return parser


def run(args: argparse.Namespace) -> int:
    """Measure, print the table and the targets, write the JSON; return 0 (or 2 when nothing can be run)."""
    from samskaping import cli

    steps = tuple(s for s in args.steps if not (args.no_pages and s in PAGE_STEPS))
    if not steps:
        print("error: --no-pages leaves no step to time", file=sys.stderr)
        return cli.EXIT_FAILED
    out: Path | None = args.out
    if out is not None and out.is_dir():
        print(f"error: --out {out} is a folder; give a .json file", file=sys.stderr)
        return cli.EXIT_FAILED
    cases = ", ".join(f"{n} → {cases_for(n)}" for n in args.sizes)
    print(f"Synthetic demo surveys (seed {args.seed}); respondents → cases: {cases}")
    print(f"Load average before: {_load()} (other work on the machine inflates wall-clock times)")
    records = run_bench(args.sizes, steps, cache_dir=args.cache, seed=args.seed, log=_print_now)
    print(f"Load average after: {_load()}")
    print()
    print(format_table(records))
    print()
    print("Targets (issue 8):")
    print(format_targets(evaluate_targets(records)))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps([r.to_dict() for r in records], indent=1) + "\n", encoding="utf-8")
        print(f"Records -> {out}")
    return cli.EXIT_OK
