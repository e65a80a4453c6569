"""The scale targets of issue 8, judged on the records of :func:`samskaping.bench.run_bench`, and the printed table.

Targets (each PASS, FAIL, or SKIP when the sizes or steps it needs were not measured):

- import + validation + scoring of 100 000 respondents ≤ 1.5 × the bare read for xlsx, ≤ 3 × for csv;
- warm page reruns at 10 000 ≤ 1.5 × the same page's warm rerun at 18; cold page runs at 10 000
  ≤ 3 × the bare read of that file;
- from 1 000 to 100 000 respondents every step's time grows no faster than the number of
  respondents: time ratio ≤ 1.2 × size ratio (judged up to the largest size measured when
  100 000 was not, and said so);
- peak memory ≤ 1 GB (1024 MB) at 100 000: the process's running peak, which includes every step
  before; the verdict names the first step that went above the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from samskaping.bench import PAGES, REFERENCE_SIZE, STEPS, Record

__all__ = ["GROWTH_SLACK", "MEMORY_LIMIT_MB", "Target", "evaluate_targets", "format_table", "format_targets"]

LARGE, MEDIUM, SMALL = 100_000, 10_000, 1_000
IMPORT_LIMITS = {"xlsx": 1.5, "csv": 3.0}
WARM_LIMIT, COLD_LIMIT = 1.5, 3.0
GROWTH_SLACK = 1.2  # time ratio ≤ 1.2 × size ratio
MEMORY_LIMIT_MB = 1024.0  # 1 GB


@dataclass(frozen=True, slots=True)
class Target:
    """One target: its statement, ``PASS``, ``FAIL`` or ``SKIP``, and the numbers behind the verdict."""

    name: str
    status: str
    detail: str


def _n(size: int) -> str:
    return f"{size:,}".replace(",", " ")


def _find(records: Sequence[Record], size: int, step: str) -> Record | None:
    return next((r for r in records if r.size == size and r.step == step), None)


def _ratio_target(name: str, record: Record | None, limit: float, floor_name: str) -> Target:
    if record is None or record.ratio is None or record.floor_seconds is None:
        return Target(name, "SKIP", f"not measured (needs the step and {floor_name})")
    status = "PASS" if record.ratio <= limit else "FAIL"
    detail = (
        f"{record.seconds:.3f} s / {floor_name} {record.floor_seconds:.3f} s = {record.ratio:.2f}× (limit {limit:g}×)"
    )
    return Target(name, status, detail)


def _growth(records: Sequence[Record]) -> list[Target]:
    sizes = sorted({r.size for r in records})
    above = [s for s in sizes if s > SMALL]
    statement = f"time ratio ≤ {GROWTH_SLACK:g} × size ratio"
    if SMALL not in sizes or not above:
        return [Target(f"growth {_n(SMALL)} → {_n(LARGE)}: {statement}", "SKIP", f"needs sizes {_n(SMALL)} and more")]
    high = LARGE if LARGE in sizes else above[-1]
    note = "" if high == LARGE else f" ({_n(LARGE)} not measured)"
    size_ratio = high / SMALL
    limit = GROWTH_SLACK * size_ratio
    targets = []
    for step in STEPS:
        low_record, high_record = _find(records, SMALL, step), _find(records, high, step)
        if low_record is None or high_record is None:
            continue
        name = f"growth {step} {_n(SMALL)} → {_n(high)}{note}"
        if low_record.seconds <= 0:
            targets.append(Target(name, "SKIP", "time at the smaller size is 0"))
            continue
        time_ratio = high_record.seconds / low_record.seconds
        detail = (
            f"{low_record.seconds:.3f} s → {high_record.seconds:.3f} s: ×{time_ratio:.1f} for ×{size_ratio:g} "
            f"respondents (limit ×{limit:g})"
        )
        targets.append(Target(name, "PASS" if time_ratio <= limit else "FAIL", detail))
    return targets


def evaluate_targets(records: Sequence[Record]) -> list[Target]:
    """Every target of issue 8 judged on ``records`` (ratios filled in: :func:`samskaping.bench.with_ratios`)."""
    targets = [
        _ratio_target(
            f"import+validate+score {fmt} at {_n(LARGE)} ≤ {limit:g} × floor",
            _find(records, LARGE, f"import_validate_score_{fmt}"),
            limit,
            f"floor_{fmt}",
        )
        for fmt, limit in IMPORT_LIMITS.items()
    ]
    for page in PAGES:
        targets.append(
            _ratio_target(
                f"warm rerun {page} at {_n(MEDIUM)} ≤ {WARM_LIMIT:g} × at {REFERENCE_SIZE}",
                _find(records, MEDIUM, f"page_warm_{page}"),
                WARM_LIMIT,
                f"warm at {REFERENCE_SIZE}",
            )
        )
        targets.append(
            _ratio_target(
                f"cold run {page} at {_n(MEDIUM)} ≤ {COLD_LIMIT:g} × floor read",
                _find(records, MEDIUM, f"page_cold_{page}"),
                COLD_LIMIT,
                "floor_xlsx",
            )
        )
    targets += _growth(records)
    large = [r.peak_mb for r in records if r.size == LARGE]
    name = f"peak memory at {_n(LARGE)} ≤ 1 GB"
    if not large:
        targets.append(Target(name, "SKIP", f"{_n(LARGE)} not measured"))
    else:
        detail = f"{max(large):.0f} MB (limit {MEMORY_LIMIT_MB:.0f} MB; the process's running peak)"
        first = next((r for r in records if r.peak_mb > MEMORY_LIMIT_MB), None)
        if first is not None:
            detail += f"; first above the limit after {first.step} at {_n(first.size)}"
        targets.append(Target(name, "PASS" if max(large) <= MEMORY_LIMIT_MB else "FAIL", detail))
    return targets


def _cell(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def format_table(records: Sequence[Record]) -> str:
    """The records as a text table: size, step, seconds, floor seconds, ratio, peak MB."""
    lines = [f"{'size':>8}  {'step':<28} {'seconds':>9} {'floor s':>9} {'ratio':>7} {'peak MB':>8}"]
    for r in records:
        lines.append(
            f"{r.size:>8}  {r.step:<28} {r.seconds:>9.3f} {_cell(r.floor_seconds, '.3f'):>9} "
            f"{_cell(r.ratio, '.2f'):>7} {r.peak_mb:>8.0f}"
        )
    return "\n".join(lines)


def format_targets(targets: Sequence[Target]) -> str:
    """One line per target: ``PASS  name: detail``, then a count of each verdict."""
    lines = [f"{t.status:<4}  {t.name}: {t.detail}" for t in targets]
    counts = {s: sum(t.status == s for t in targets) for s in ("PASS", "FAIL", "SKIP")}
    lines.append(", ".join(f"{count} {status}" for status, count in counts.items()))
    return "\n".join(lines)
