"""``python -m samskaping bench``: time every step from survey file to page on synthetic surveys of growing size.

Surveys come from the demo generator, cached as xlsx and csv by :mod:`samskaping.bench_data`
(generated in a child process, so the generator's memory does not count in the peak memory
measured here).

Every step is timed in this process, on this machine (the pages at every size, largest first,
then the core steps at every size, smallest first, each in the order of :data:`STEPS`); a core step
quicker than :data:`REPEAT_BELOW` seconds is timed :data:`REPEATS` times and its median kept:

- ``floor_xlsx`` / ``floor_csv``: a bare pandas read of the file (calamine for xlsx; csv as text),
  timed in a child process so that its memory is not part of this process's peak;
- ``import_xlsx`` / ``import_csv``: :func:`samskaping.loading.load_survey` (read, map, validate);
- ``import_validate_score_xlsx`` / ``_csv``: the same plus :func:`samskaping.scoring.score_survey`;
- ``validate``: :func:`samskaping.validation.validate` of the survey's table (read from the csv, the
  same table as the xlsx's; mapping made untimed);
- ``score``: :func:`samskaping.scoring.score_survey` (every measure, respondents, cases, groups, sides);
- ``profiles``: the findings of every case (and the all-case means) plus the overview page's tables
  (respondents per case and group, missing data per part, reliability);
- ``compare``: :func:`samskaping.compare.compare` by ``group``;
- ``continuum``: :func:`samskaping.continuum.positions` with B = 2000 bootstrap resamples;
- ``figure_export``: the continuum figure built and exported to SVG and PNG (the Chromium
  renderer is started before the clock runs);
- ``page_cold_<page>`` / ``page_warm_<page>``: the dashboard page in Streamlit's AppTest with the
  xlsx file uploaded (see ``benchmarks/bench_pages.py``, which needs the repository checkout).

After each step the peak resident memory of this process so far (``ru_maxrss``, children
excluded) is recorded. Inputs a step needs (a table, scores, positions) are made untimed. Before
the clock runs, every step is run once on the smallest survey, so one-off costs of a process
(imports, the renderer's start) do not land on the smallest size.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib.util
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow

from samskaping.bench_data import DEFAULT_SEED, MIN_SIZE, default_cache_dir, survey_files
from samskaping.codebook import Codebook, load_codebook
from samskaping.compare import compare
from samskaping.continuum import BOOTSTRAP_RESAMPLES, positions
from samskaping.errors import SamskapingError
from samskaping.figure_export import ExportError, export_figure, start_server
from samskaping.figures_continuum import continuum_figure
from samskaping.importing import RawTable, read_table
from samskaping.instrument import Instrument, load_instrument
from samskaping.loading import auto_mapping, load_survey
from samskaping.mapping import Mapping
from samskaping.overview import missing_by_part, respondent_counts
from samskaping.profiles import all_case_means, findings_by_case, findings_table
from samskaping.reliability import reliability
from samskaping.scoring import Scores, score_survey
from samskaping.validation import Validated, validate

__all__ = [
    "CORE_STEPS",
    "DEFAULT_SIZES",
    "FLOOR_OF",
    "PAGES",
    "PAGE_STEPS",
    "REFERENCE_SIZE",
    "STEPS",
    "Record",
    "peak_mb",
    "run_bench",
    "with_floors",
    "with_ratios",
]

ROOT = Path(__file__).resolve().parents[1]  # the repository checkout (app.py, pages/, benchmarks/)
DEFAULT_SIZES = (18, 1_000, 10_000, 100_000)
REFERENCE_SIZE = 18  # the study's size: warm page reruns are compared with this size's
PAGES = ("overview", "case_profile", "groups", "continuum")  # as benchmarks/bench_pages.PAGES
CORE_STEPS = (
    "floor_xlsx", "floor_csv", "import_xlsx", "import_csv", "import_validate_score_xlsx", "import_validate_score_csv",
    "validate", "score", "profiles", "compare", "continuum", "figure_export",
)  # fmt: skip
PAGE_STEPS = tuple(f"page_{kind}_{page}" for page in PAGES for kind in ("cold", "warm"))
STEPS = CORE_STEPS + PAGE_STEPS
# The floor of a step: a bare read of the same file. Warm page reruns are compared with REFERENCE_SIZE instead.
FLOOR_OF = {
    "import_xlsx": "floor_xlsx",
    "import_csv": "floor_csv",
    "import_validate_score_xlsx": "floor_xlsx",
    "import_validate_score_csv": "floor_csv",
    **{f"page_cold_{page}": "floor_xlsx" for page in PAGES},  # pages read the uploaded xlsx
}


@dataclass(frozen=True, slots=True)
class Record:
    """One timed step at one size; ``floor_seconds`` and ``ratio`` are None where the step has no floor."""

    size: int
    step: str
    seconds: float
    floor_seconds: float | None
    ratio: float | None
    peak_mb: float

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready dict: size, step, seconds, floor_seconds, ratio, peak_mb."""
        return asdict(self)


def _resident_mb() -> float:
    """Resident memory of this process now, in MB (Linux; 0 elsewhere): shown in the log beside the peak."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def peak_mb() -> float:
    """Peak resident memory of this process so far (children excluded), in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KB on Linux


@dataclass
class _Prepared:
    """The files of one size and the inputs its steps need, made (untimed) when first asked for."""

    xlsx: Path
    csv: Path
    instrument: Instrument
    codebook: Codebook
    made: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self.made:
            self.made[name] = make()
        return self.made[name]

    def raw(self) -> RawTable:
        # The csv holds the same table as the xlsx; read from it, the validate step's input does not
        # add a second workbook parse (calamine holds a whole sheet) to the memory measured.
        return self.get("raw", lambda: read_table(self.csv))

    def validated(self) -> Validated:
        return self.get("validated", lambda: validate(self.raw(), self.instrument, self.mapping()))

    def mapping(self) -> Mapping:
        return self.get("mapping", lambda: auto_mapping(self.raw(), self.instrument)[0])

    def scores(self) -> Scores:
        return self.get("scores", lambda: score_survey(self.validated().data, self.instrument, self.codebook))

    def positions(self) -> pd.DataFrame:
        return self.get("positions", lambda: positions(self.scores(), self.codebook, resamples=BOOTSTRAP_RESAMPLES))


def _import_and_score(prepared: _Prepared, path: Path) -> Scores:
    loaded = load_survey(path, prepared.instrument)
    return score_survey(loaded.validated.data, prepared.instrument, prepared.codebook)


def _profiles(prepared: _Prepared) -> None:
    scores, data = prepared.scores(), prepared.validated().data
    instrument, codebook = prepared.instrument, prepared.codebook
    all_case_means(scores.cases)
    for found in findings_by_case(scores, codebook).values():
        findings_table(found, codebook, "en")
    respondent_counts(data)
    missing_by_part(data, instrument)
    reliability(data, instrument, codebook)


_FLOOR_READS = {  # the bare reads, run in a child process by _floor_in_child
    "xlsx": "pandas.read_excel(path, engine='calamine')",
    "csv": "pandas.read_csv(path, dtype=str, keep_default_na=False)",
}
_FLOOR_SCRIPT = """
import sys, time, pandas
path = sys.argv[1]
start = time.perf_counter()
{read}
print(time.perf_counter() - start)
"""


def _floor_in_child(kind: str, path: Path) -> float:
    """Seconds of the bare read of ``path``, timed inside a child process (its start is not timed).

    In a child, the floor's own memory (calamine holds the whole sheet, 1.2 GB at 100 000 respondents)
    stays out of this process's peak, which measures our pipeline; the read is timed in the child
    around the call alone, so the child's start and imports are not part of the floor.
    """
    script = _FLOOR_SCRIPT.format(read=_FLOOR_READS[kind])
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SamskapingError(f"the floor read of {path.name} failed: {done.stderr.strip()[-500:]}")
    return float(done.stdout.strip().splitlines()[-1])


def _figure_export(prepared: _Prepared) -> None:
    chart = continuum_figure(prepared.positions(), "en", codebook=prepared.codebook, k=prepared.scores().k)
    export_figure(chart.figure, "svg")
    export_figure(chart.figure, "png")


# Each core step: what is timed. A result kept under a name becomes the prepared input of later steps.
_CORE: dict[str, tuple[Callable[[_Prepared], Any], str | None]] = {
    "floor_xlsx": (lambda p: _floor_in_child("xlsx", p.xlsx), None),
    "floor_csv": (lambda p: _floor_in_child("csv", p.csv), None),
    "import_xlsx": (lambda p: load_survey(p.xlsx, p.instrument), None),
    "import_csv": (lambda p: load_survey(p.csv, p.instrument), None),
    "import_validate_score_xlsx": (lambda p: _import_and_score(p, p.xlsx), None),
    "import_validate_score_csv": (lambda p: _import_and_score(p, p.csv), None),
    "validate": (lambda p: validate(p.raw(), p.instrument, p.mapping()), "validated"),
    "score": (lambda p: score_survey(p.validated().data, p.instrument, p.codebook), "scores"),
    "profiles": (_profiles, None),
    "compare": (lambda p: compare(p.scores(), p.validated().data, p.codebook, "group"), None),
    "continuum": (lambda p: positions(p.scores(), p.codebook, resamples=BOOTSTRAP_RESAMPLES), "positions"),
    "figure_export": (_figure_export, None),
}
_FLOOR_STEPS = ("floor_xlsx", "floor_csv")
_INPUTS = {  # the prepared inputs a step uses, made before its clock starts
    "validate": ("raw", "mapping"), "score": ("validated",), "profiles": ("scores", "validated"),
    "compare": ("scores", "validated"), "continuum": ("scores",), "figure_export": ("positions", "scores"),
}  # fmt: skip


_M_ARENA_MAX = -8  # glibc's mallopt parameter number for the largest number of malloc arenas


def _two_arenas() -> None:
    """At most two malloc arenas in this process, as ``scripts/start.sh`` sets for the dashboard.

    AppTest, like the Streamlit server, runs each page in a thread of its own; glibc gives threads
    arenas of their own, which keep freed memory (≈ 50 MB more after the 100 000-respondent pages).
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc: its own policy stands
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, 2)


def _release_memory() -> None:
    """Collect garbage and hand freed memory back to the system (Arrow's pool, glibc's heap), between steps.

    Without it the resident size a step starts from includes what earlier steps freed but the
    allocators kept (Arrow's mimalloc pool keeps the text columns of a 100 000-respondent table,
    about 200 MB), so the running peak would add up steps that never held memory at once.
    """
    gc.collect()
    pyarrow.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to hand back
        ctypes.CDLL("libc.so.6").malloc_trim(0)


REPEAT_BELOW = 2.5  # seconds: a step quicker than this is run REPEATS times and its median kept …
REPEATS = 3  # … as a single run of a short step moves by 10-20 % with whatever else the machine does


def _time_step(prepared: _Prepared, step: str) -> float:
    """Seconds of one core step; its inputs are made first, and a result it keeps joins ``prepared``.

    A step that takes less than :data:`REPEAT_BELOW` seconds is timed :data:`REPEATS` times
    (floors and our steps alike) and the median is returned.
    """
    action, keep = _CORE[step]
    for name in _INPUTS.get(step, ()):
        getattr(prepared, name)()
    times = []
    while not times or (times[0] < REPEAT_BELOW and len(times) < REPEATS):
        _release_memory()
        start = time.perf_counter()
        result = action(prepared)
        seconds = time.perf_counter() - start
        times.append(result if step in _FLOOR_STEPS else seconds)  # floors are timed inside the child
        if keep is not None:
            prepared.made[keep] = result
        del result
    return statistics.median(times)


def _page_module() -> Any:
    """``benchmarks/bench_pages.py`` of the checkout, loaded by path (this package never imports streamlit)."""
    path = ROOT / "benchmarks" / "bench_pages.py"
    if not (path.is_file() and (ROOT / "app.py").is_file()):
        raise SamskapingError("page timing needs the repository checkout (app.py, benchmarks/); use --no-pages")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # app.py imports ui/
    spec = importlib.util.spec_from_file_location("samskaping_bench_pages", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def with_floors(steps: Iterable[str]) -> tuple[str, ...]:
    """``steps`` with the floors their ratios need, in the order of :data:`STEPS`."""
    wanted = set(steps)
    wanted |= {FLOOR_OF[s] for s in wanted if s in FLOOR_OF}
    return tuple(s for s in STEPS if s in wanted)


def with_ratios(records: Sequence[Record]) -> list[Record]:
    """Records with ``floor_seconds`` and ``ratio = seconds / floor_seconds`` filled in where a floor exists.

    The floor of an import or cold page step is the bare read of the same file at the same size
    (:data:`FLOOR_OF`); of a warm page rerun, the same page's warm rerun at :data:`REFERENCE_SIZE`.
    """
    seconds = {(r.size, r.step): r.seconds for r in records}
    result = []
    for r in records:
        if r.step.startswith("page_warm_"):
            floor = seconds.get((REFERENCE_SIZE, r.step))
        else:
            floor = seconds.get((r.size, FLOOR_OF[r.step])) if r.step in FLOOR_OF else None
        ratio = r.seconds / floor if floor else None
        result.append(Record(r.size, r.step, r.seconds, floor, ratio, r.peak_mb))
    return result


def run_bench(
    sizes: Sequence[int],
    steps: Sequence[str] = STEPS,
    *,
    cache_dir: Path | None = None,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> list[Record]:
    """Time ``steps`` (plus the floors they need) at every size; one :class:`Record` per size and step.

    Sizes run from small to large. ``log`` receives one line per generated file and per step.

    Raises
    ------
    ValueError
        For an unknown step or a size under :data:`MIN_SIZE`.
    SamskapingError
        When a survey cannot be generated, or pages are asked for outside the repository checkout.
    """
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown step(s): {', '.join(unknown)}")
    small = [n for n in sizes if n < MIN_SIZE]
    if small:
        raise ValueError(f"sizes must be at least {MIN_SIZE} respondents, got {', '.join(map(str, small))}")
    _two_arenas()
    chosen = with_floors(steps)
    pages = tuple(page for page in PAGES if any(s.endswith(f"_{page}") and s in chosen for s in PAGE_STEPS))
    page_module = _page_module() if pages else None
    cache_dir = cache_dir or default_cache_dir()
    files = {size: survey_files(size, seed, cache_dir, log) for size in sorted(set(sizes))}
    instrument = load_instrument()
    codebook = load_codebook(instrument=instrument)
    if "figure_export" in chosen:
        try:
            start_server()  # Chromium starts once per process: not part of any size's time
        except ExportError as exc:
            log(f"figure_export left out: {exc}")
            chosen = tuple(s for s in chosen if s != "figure_export")
    records: list[Record] = []

    def record(size: int, step: str, seconds: float) -> None:
        records.append(Record(size, step, seconds, None, None, peak_mb()))
        now = _resident_mb()
        log(f"{size:>8}  {step:<28} {seconds:9.3f} s   peak {records[-1].peak_mb:7.0f} MB   now {now:7.0f} MB")

    core = [s for s in chosen if s in _CORE]
    if core:
        smallest = min(files)
        log(f"warm-up: every step once on size {smallest}, untimed (one-off imports and caches of a process)")
        warm_up = _Prepared(*files[smallest], instrument, codebook)
        for step in core:
            _time_step(warm_up, step)
        del warm_up
    # The pages first, largest size first, then every core step at every size. Each size's pages
    # and core steps should show what that size needs, not the heap earlier sizes left behind
    # (Streamlit's caches are emptied after each page, but a session started later begins from a
    # bigger heap: the 100 000-respondent pages peaked 70 MB higher when run last).
    if page_module is not None:
        for size, (xlsx, _) in sorted(files.items(), reverse=True):
            for page, kind, seconds in page_module.page_timings(xlsx, pages, between=_release_memory):
                if f"page_{kind}_{page}" in chosen:
                    record(size, f"page_{kind}_{page}", seconds)
    for size, (xlsx, csv) in files.items():
        prepared = _Prepared(xlsx, csv, instrument, codebook)
        for step in core:
            record(size, step, _time_step(prepared, step))
        del prepared
        _release_memory()
    return with_ratios(records)
