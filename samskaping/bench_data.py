"""The synthetic surveys of ``python -m samskaping bench``: generated once, kept in a cache folder, reused.

Each size is one demo survey (:func:`samskaping.demo.generate_demo`, :func:`cases_for` cases)
written as xlsx and as csv from the same data. The files are named by size, cases, seed,
software version and a hash of the generator's source, so a changed generator never reuses an
old file. Generation runs in a child process (the 100 000-respondent xlsx takes minutes; a line
says so every 30 s), and each file appears under its name only when it is complete.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from samskaping import __version__
from samskaping.codebook import load_codebook
from samskaping.errors import SamskapingError
from samskaping.instrument import load_instrument

__all__ = ["DEFAULT_SEED", "MIN_SIZE", "cases_for", "default_cache_dir", "survey_files", "write_survey_files"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = 2018
MIN_SIZE = 12  # the demo generator needs 2 respondents per case, and there are at least 6 cases
_HEARTBEAT = 30.0  # seconds between "still generating" lines


def cases_for(size: int) -> int:
    """Cases in the synthetic survey of ``size`` respondents: about 100 respondents a case, 6 to 357."""
    return max(6, min(357, size // 100))


def default_cache_dir() -> Path:
    """Where generated surveys are kept: the user cache folder's ``bench`` (e.g. ``~/.cache/samskaping/bench``)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("samskaping", appauthor=False)) / "bench"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def _generator_tag() -> str:
    """A short hash of the demo generator's source: a changed generator never reuses an old file."""
    return hashlib.sha256(Path(__file__).with_name("demo.py").read_bytes()).hexdigest()[:8]


def write_survey_files(size: int, cases: int, seed: int, xlsx: Path | str, csv: Path | str) -> None:
    """Generate the synthetic survey and write it as csv and xlsx; each file appears whole or not at all."""
    from samskaping.demo import generate_demo, write_demo_xlsx

    xlsx, csv = Path(xlsx), Path(csv)
    start = time.perf_counter()
    instrument = load_instrument()
    survey = generate_demo(instrument, load_codebook(instrument=instrument), respondents=size, cases=cases, seed=seed)
    print(f"    generated {size} respondents ({time.perf_counter() - start:.1f} s); writing csv", flush=True)
    partial = csv.with_name(f".{csv.stem}.{os.getpid()}.partial.csv")
    survey.data.to_csv(partial, index=False)
    partial.replace(csv)
    print(f"    wrote {csv.name} ({time.perf_counter() - start:.1f} s); writing xlsx", flush=True)
    partial = xlsx.with_name(f".{xlsx.stem}.{os.getpid()}.partial.xlsx")
    write_demo_xlsx(survey, partial)
    partial.replace(xlsx)
    print(f"    wrote {xlsx.name} ({time.perf_counter() - start:.1f} s)", flush=True)


def survey_files(size: int, seed: int, cache_dir: Path, log: Callable[[str], None] = print) -> tuple[Path, Path]:
    """The cached (xlsx, csv) survey of ``size`` respondents, generated first if missing.

    Generation runs in a child process and reports progress; ``log`` receives the lines.
    """
    cases = cases_for(size)
    stem = f"survey_n{size}_c{cases}_seed{seed}_v{__version__}_{_generator_tag()}"
    xlsx, csv = cache_dir / f"{stem}.xlsx", cache_dir / f"{stem}.csv"
    if xlsx.is_file() and csv.is_file():
        log(f"size {size}: cached {stem}.xlsx/.csv ({cases} cases) in {cache_dir}")
        return xlsx, csv
    cache_dir.mkdir(parents=True, exist_ok=True)
    for partial in cache_dir.glob(f".{stem}.*.partial.*"):  # left by an interrupted run (not a running one)
        if not _running(int(partial.name.split(".")[-3])):
            partial.unlink(missing_ok=True)
    minutes = " (the xlsx takes minutes at this size)" if size >= 50_000 else ""
    log(f"size {size}: generating {stem}.xlsx/.csv ({cases} cases) in {cache_dir}{minutes}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    args = [sys.executable, "-m", "samskaping.bench_data", str(size), str(cases), str(seed), str(xlsx), str(csv)]
    start = time.perf_counter()
    with subprocess.Popen(args, env=env) as child:
        while True:
            try:
                child.wait(timeout=_HEARTBEAT)
                break
            except subprocess.TimeoutExpired:
                log(f"    … still generating ({time.perf_counter() - start:.0f} s)")
    if child.returncode != 0 or not (xlsx.is_file() and csv.is_file()):
        raise SamskapingError(f"generating the survey of {size} respondents failed (exit {child.returncode})")
    return xlsx, csv


if __name__ == "__main__":  # the child process of survey_files: SIZE CASES SEED XLSX CSV
    write_survey_files(*map(int, sys.argv[1:4]), *sys.argv[4:6])
