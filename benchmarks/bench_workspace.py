"""Timing of workspace storage: save, load, export and import a workspace with two survey waves.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_workspace.py [DATABASE_URL]`` (default: a temporary SQLite
file). Prints seconds per operation; the figures go in notes, not in tests.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

from samskaping.instrument import DATA_DIR
from samskaping.storage import Store
from samskaping.workspace import Wave, new_id
from samskaping.workspace_file import read_workspace_file, workspace_file


def main() -> None:
    """Print the time of each storage operation."""
    folder = tempfile.mkdtemp()
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(folder) / 'bench.sqlite'}"
    files = [DATA_DIR / "demo_survey.xlsx", DATA_DIR / "demo_survey_large.xlsx"]
    store = Store.open(url)
    name = f"bench {new_id()[:8]}"
    workspace = store.create(name)
    waves = tuple(Wave(new_id(), path.stem, path.name, path.read_bytes()) for path in files)
    size = sum(len(w.content) for w in waves)
    timings = {}
    start = time.perf_counter()
    workspace = store.save(dataclasses.replace(workspace, waves=waves))
    timings["save with 2 new waves"] = time.perf_counter() - start
    start = time.perf_counter()
    workspace = store.save(dataclasses.replace(workspace, k=4))
    timings["save a setting (waves unchanged)"] = time.perf_counter() - start
    start = time.perf_counter()
    loaded = store.load(workspace.id)
    timings["load"] = time.perf_counter() - start
    start = time.perf_counter()
    exported = workspace_file(loaded)
    timings["export to one file"] = time.perf_counter() - start
    start = time.perf_counter()
    imported = store.import_workspace(read_workspace_file(exported))
    timings["import the file"] = time.perf_counter() - start
    start = time.perf_counter()
    store.delete(imported.id)
    store.delete(workspace.id)
    timings["delete both"] = time.perf_counter() - start
    dialect, kilobytes = store.engine.dialect.name, len(exported) / 1024
    print(f"{dialect}: 2 waves, {size / 1024:.0f} KB of survey files, workspace file {kilobytes:.0f} KB")
    for label, seconds in timings.items():
        print(f"  {label:<34} {seconds * 1000:8.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
