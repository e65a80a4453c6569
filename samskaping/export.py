"""Writing results to files, by the conventions of methods.md §10.

CSV: UTF-8 with BOM (Norwegian Excel opens it correctly), comma, dot decimal, full precision,
``true``/``false``. The directory is created if missing and files in it are overwritten.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["write_csv"]


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` (without its index) as a CSV file by the §10 conventions.

    Booleans become ``true``/``false``; missing values become empty cells; floats keep full
    precision (Python's shortest round-trip form).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "true", False: "false"})
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path
