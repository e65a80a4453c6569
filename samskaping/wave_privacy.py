"""What a workspace keeps of an uploaded survey file: the file without its identifying columns (methods.md §7).

A wave keeps the survey file so that it can be read again with its mapping. Identifying columns
(e-mail, name, IP address, phone, location; recognised on import) are never analysed, shown or
exported, so a workspace has no reason to keep them, and researcher-only outputs such as the
workspace file must not hold them. :func:`without_identifying` rewrites the file as CSV without
those columns, but only when the rewritten file reads back to exactly the same data (respondents,
ids, file row numbers, values) under the wave's mapping; otherwise (several header rows, SPSS value
labels, …) the wave keeps the file as uploaded and the result says why.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from samskaping.errors import SamskapingError
from samskaping.importing import read_table
from samskaping.instrument import Instrument
from samskaping.workspace import Wave, load_wave

__all__ = ["Stripped", "without_identifying"]


@dataclass(frozen=True, slots=True)
class Stripped:
    """The wave to keep, the identifying columns taken out of its file, and why none were, if so."""

    wave: Wave
    removed: tuple[str, ...]
    kept_because: str | None = None  # "unreadable" or "changes_data" when identifying columns stay


def without_identifying(wave: Wave, instrument: Instrument) -> Stripped:
    """``wave`` with its file rewritten as UTF-8 CSV without identifying columns, when that loses nothing.

    Returns the wave unchanged (``removed`` empty) when the file has no identifying column, and
    unchanged with ``kept_because`` set when it cannot be read or the rewritten file would not
    give exactly the same validated data.
    """
    companions = dict(wave.companions) or None
    try:
        raw = read_table(Path(wave.file_name), wave.content, sheet=wave.sheet, companions=companions)
    except SamskapingError:
        return Stripped(wave, (), "unreadable")
    identifying = tuple(column for column, role in raw.roles.items() if role == "identifying")
    if not identifying:
        return Stripped(wave, ())
    # The answers only, with the header as the file's column names: the mapping refers to those names.
    text = raw.frame.drop(columns=list(identifying)).to_csv(index=False, lineterminator="\n")
    stripped = dataclasses.replace(
        wave, file_name=f"{Path(wave.file_name).stem}.csv", content=text.encode("utf-8"), sheet=None
    )
    try:
        before, after = load_wave(wave, instrument).data, load_wave(stripped, instrument).data
    except SamskapingError:
        return Stripped(wave, (), "unreadable")
    if not before.equals(after):  # e.g. row numbers (ids made from them) or SPSS value labels differ
        return Stripped(wave, (), "changes_data")
    return Stripped(stripped, identifying)
