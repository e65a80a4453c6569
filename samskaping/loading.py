"""One entry point from a survey file to validated canonical data: read, map, validate.

Used by the CLI and the dashboard alike, so both treat a file the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from pathlib import Path

from samskaping.importing import RawTable, read_table
from samskaping.instrument import Instrument
from samskaping.mapping import ColumnMatch, Mapping, mapping_from_matches, propose_cases, propose_mapping
from samskaping.validation import Validated, canonical_mapping, validate

__all__ = ["Loaded", "auto_mapping", "load_survey"]


@dataclass(frozen=True, slots=True)
class Loaded:
    """A survey file read, mapped and validated.

    ``matches`` holds the proposed match of every file column (empty for canonical files and
    for a mapping given by the researcher); ``automatic`` says the mapping was proposed, not
    given, so the researcher should review it.
    """

    raw: RawTable
    mapping: Mapping
    matches: tuple[ColumnMatch, ...]
    validated: Validated
    automatic: bool


def auto_mapping(raw: RawTable, instrument: Instrument) -> tuple[Mapping, tuple[ColumnMatch, ...]]:
    """The mapping to use when the researcher gave none.

    A file in canonical form maps to itself. Otherwise columns are matched by question number
    and wording, and when no case column is mapped, Q1's distinct answers become the cases with
    a group suggested from each name.
    """
    canonical = canonical_mapping(raw.frame.columns, instrument)
    targets = set(canonical.columns.values())
    if {"case", "group"} <= targets and targets & set(instrument.item_ids):
        return canonical, ()
    matches = propose_mapping(list(raw.frame.columns), instrument, headers=raw.headers or None, roles=raw.roles or None)
    mapping = mapping_from_matches(matches)
    by_target = {t: c for c, t in mapping.columns.items()}
    if "case" not in by_target and "q01" in by_target:
        answers = raw.frame[by_target["q01"]].astype("str").str.strip()
        mapping = dataclasses.replace(
            mapping, cases=propose_cases(sorted(set(answers) - {""})), case_source=by_target["q01"]
        )
    return mapping, matches


def load_survey(
    path: Path | str,
    instrument: Instrument,
    *,
    data: bytes | None = None,
    mapping: Mapping | None = None,
    sheet: str | None = None,
    companions: MappingABC[str, bytes] | None = None,
) -> Loaded:
    """Read a survey file, map its columns (given or proposed) and validate every value.

    Raises
    ------
    DataFileError
        When the file cannot be read or nothing in it maps to the instrument.
    """
    raw = read_table(path, data, sheet=sheet, companions=companions)
    matches: tuple[ColumnMatch, ...] = ()
    if mapping is None:
        mapping, matches = auto_mapping(raw, instrument)
    return Loaded(raw, mapping, matches, validate(raw, instrument, mapping), automatic=bool(matches))
