"""A study's workspace as plain data: its survey waves and everything the researcher decided.

The storage module (:mod:`samskaping.storage`) keeps these in a database; this module only
describes them and applies them (loading a wave, removing excluded respondents). A wave keeps
the file exactly as uploaded together with the mapping that reads it, so a workspace can
always be re-read, re-mapped and exported without loss.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from samskaping.continuum import Placement
from samskaping.instrument import Instrument
from samskaping.loading import load_survey
from samskaping.mapping import mapping_from_yaml
from samskaping.validation import Validated

__all__ = [
    "EXCLUSION_COLUMNS",
    "EXCLUSION_KINDS",
    "MERGED_FIELDS",
    "Conflict",
    "Exclusion",
    "FindingsEdit",
    "Wave",
    "Workspace",
    "apply_exclusions",
    "exclusions_table",
    "load_wave",
    "merge",
    "new_id",
    "now",
]

EXCLUSION_KINDS = ("respondent", "case")
EXCLUSION_COLUMNS = ("wave", "kind", "target", "reason", "removed")


def new_id() -> str:
    """A fresh random identifier (32 hex digits) for a workspace or a wave."""
    return uuid.uuid4().hex


def now() -> datetime:
    """The current time in UTC, to the second (what every database keeps exactly)."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Wave:
    """One round of the survey: the file as uploaded and how to read it.

    ``mapping_yaml`` is the mapping (columns, Q1 → case/group, missing codes) as saved by the
    import page; ``None`` reads the file as canonical or with the proposed mapping.
    ``companions`` are label or codebook files given alongside (name, bytes).
    """

    id: str
    label: str
    file_name: str
    content: bytes = field(repr=False)
    collected_on: date | None = None
    sheet: str | None = None
    mapping_yaml: str | None = None
    companions: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    added_at: datetime = field(default_factory=now)

    @property
    def sha256(self) -> str:
        """Checksum of the file's bytes (export files carry it, imports check it)."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A respondent (by ``respondent_id``) or a whole case the researcher left out, and why.

    ``wave_id`` ``None`` applies to every wave. Exclusions are listed in every report.
    """

    kind: str
    target: str
    reason: str
    wave_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EXCLUSION_KINDS:
            raise ValueError(f"exclusion kind must be one of {', '.join(EXCLUSION_KINDS)}, got '{self.kind}'")


@dataclass(frozen=True, slots=True)
class FindingsEdit:
    """The researcher's wording of one case's findings overview, in one language, for one wave.

    ``cells`` maps ``(row, part)`` (see :data:`samskaping.profiles.FINDING_ROWS` and
    ``FINDING_PARTS``) to the cell's text, lines separated by newlines.
    """

    wave_id: str
    case: str
    lang: str
    cells: MappingABC[tuple[str, str], str]

    def table(self) -> pd.DataFrame:
        """The edited findings as the rows × parts table the case profile shows."""
        from samskaping.profiles import FINDING_PARTS, FINDING_ROWS

        table = pd.DataFrame("", index=list(FINDING_ROWS), columns=list(FINDING_PARTS))
        for (row, part), text in self.cells.items():
            if row in table.index and part in table.columns:
                table.loc[row, part] = text
        return table

    @classmethod
    def from_table(cls, wave_id: str, case: str, lang: str, table: pd.DataFrame) -> FindingsEdit:
        """Build from a rows × parts findings table (as edited on the case profile page)."""
        cells = {(str(row), str(part)): str(table.loc[row, part]) for row in table.index for part in table.columns}
        return cls(wave_id, case, lang, MappingProxyType(cells))


@dataclass(frozen=True, slots=True)
class Workspace:
    """One study: its waves, settings and the researcher's decisions.

    ``revision`` counts saves; storage refuses a save made from an older revision, so two
    people (or two tabs) cannot overwrite each other's work unnoticed.
    """

    id: str
    name: str
    revision: int = 0
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
    k: int = 3
    three_as_missing: bool = False
    codebook_yaml: str | None = None
    waves: tuple[Wave, ...] = ()
    placements: MappingABC[str, Placement] = field(default_factory=lambda: MappingProxyType({}))
    findings: tuple[FindingsEdit, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    notes: MappingABC[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def wave(self, wave_id: str) -> Wave:
        """The wave with this id (KeyError if there is none)."""
        for wave in self.waves:
            if wave.id == wave_id:
                return wave
        raise KeyError(wave_id)

    def exclusions_for(self, wave_id: str | None) -> tuple[Exclusion, ...]:
        """The exclusions that apply to a wave: its own and those for every wave."""
        return tuple(e for e in self.exclusions if e.wave_id is None or e.wave_id == wave_id)

    def findings_for(self, wave_id: str, case: str, lang: str) -> FindingsEdit | None:
        """The researcher's findings wording for a case in a wave and language, if edited."""
        for edit in self.findings:
            if (edit.wave_id, edit.case, edit.lang) == (wave_id, case, lang):
                return edit
        return None


def load_wave(wave: Wave, instrument: Instrument) -> Validated:
    """Read, map and validate a wave's file as it was imported.

    Raises
    ------
    DataFileError
        When the stored file cannot be read (it was readable when it was imported).
    """
    mapping = mapping_from_yaml(wave.mapping_yaml, instrument=instrument) if wave.mapping_yaml else None
    return load_survey(
        Path(wave.file_name),
        instrument,
        data=wave.content,
        mapping=mapping,
        sheet=wave.sheet,
        companions=dict(wave.companions) or None,
    ).validated


def apply_exclusions(validated: Validated, exclusions: tuple[Exclusion, ...]) -> tuple[Validated, pd.DataFrame]:
    """Remove excluded respondents and cases; return the rest and a table of what each exclusion removed.

    The table has :data:`EXCLUSION_COLUMNS` (``removed`` = respondents removed by that line;
    0 when the id or case is not in the data, which the researcher should see). The
    validation report is kept: it describes the file as read.
    """
    data = validated.data
    keep = pd.Series(True, index=data.index)
    rows = []
    ids = data["respondent_id"].astype("str")
    cases = data["case"].astype("str")
    for exclusion in exclusions:
        hit = (ids == exclusion.target) if exclusion.kind == "respondent" else (cases == exclusion.target)
        rows.append(
            {
                "wave": exclusion.wave_id or "",
                "kind": exclusion.kind,
                "target": exclusion.target,
                "reason": exclusion.reason,
                "removed": int((hit & keep).sum()),
            }
        )
        keep &= ~hit
    table = pd.DataFrame(rows, columns=list(EXCLUSION_COLUMNS))
    return Validated(data[keep], validated.report), table


def exclusions_table(exclusions: tuple[Exclusion, ...], waves: tuple[Wave, ...] = ()) -> pd.DataFrame:
    """The exclusions for a report: wave label (or "all waves" as empty), kind, target, reason."""
    labels = {wave.id: wave.label for wave in waves}
    return pd.DataFrame(
        [
            {"wave": labels.get(e.wave_id, e.wave_id or ""), "kind": e.kind, "target": e.target, "reason": e.reason}
            for e in exclusions
        ],
        columns=["wave", "kind", "target", "reason"],
    )


# What a three-way merge compares, and how each field is named in a Conflict.
MERGED_FIELDS = (
    "name",
    "k",
    "three_as_missing",
    "codebook",
    "wave",
    "placement",
    "findings",
    "exclusion",
    "note",
)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Both sides changed the same thing differently: ``field`` (one of :data:`MERGED_FIELDS`) and which item.

    ``item`` names the wave (its label), case, or exclusion target; ``""`` for a setting.
    """

    field: str
    item: str = ""


_MISSING = object()  # "no such entry" on one side of a keyed merge


def _pick(base: object, mine: object, theirs: object) -> tuple[object, bool]:
    """The merged value of one field or entry, and whether it is a true conflict (then theirs is kept)."""
    if mine in (base, theirs):
        return theirs, False
    if theirs == base:
        return mine, False
    return theirs, True


def _merge_keyed(base: dict, mine: dict, theirs: dict, field_name: str, describe) -> tuple[dict, list[Conflict]]:
    """Three-way merge of keyed entries, in theirs' order with my additions after; missing = deleted."""
    merged, conflicts = {}, []
    for key in [*theirs, *(k for k in mine if k not in theirs and k not in base)]:
        value, clash = _pick(base.get(key, _MISSING), mine.get(key, _MISSING), theirs.get(key, _MISSING))
        if clash:
            conflicts.append(Conflict(field_name, describe(key)))
        if value is not _MISSING:
            merged[key] = value
    for key in base:  # deleted by them: mine may have changed it meanwhile (a conflict) or not
        if key not in theirs and key in mine and mine[key] != base[key]:
            conflicts.append(Conflict(field_name, describe(key)))
    return merged, conflicts


def merge(base: Workspace, mine: Workspace, theirs: Workspace) -> tuple[Workspace, tuple[Conflict, ...]]:
    """Re-apply my changes (``mine`` against ``base``, the revision I loaded) on top of ``theirs`` (newer).

    Field by field: settings (name, k, *treat 3 as missing*, codebook) as wholes; waves by id;
    placements, notes and findings wording by case; exclusions by (kind, target, wave). What
    only I changed is taken, what only they changed is kept; where both changed the same
    field or entry differently, theirs is kept and a :class:`Conflict` names it. The result
    has theirs' revision, so it can be saved on top of theirs.

    Examples
    --------
    >>> base = Workspace(id="w", name="Study", revision=1, k=3)
    >>> theirs = replace(base, revision=2, k=5)
    >>> mine = replace(base, notes=MappingProxyType({"Case A": "call back"}))
    >>> merged, conflicts = merge(base, mine, theirs)
    >>> merged.k, dict(merged.notes), merged.revision, conflicts
    (5, {'Case A': 'call back'}, 2, ())
    """
    conflicts: list[Conflict] = []
    settings = {}
    for attribute, field_name in (
        ("name", "name"),
        ("k", "k"),
        ("three_as_missing", "three_as_missing"),
        ("codebook_yaml", "codebook"),
    ):
        value, clash = _pick(getattr(base, attribute), getattr(mine, attribute), getattr(theirs, attribute))
        settings[attribute] = value
        if clash:
            conflicts.append(Conflict(field_name))
    labels = {w.id: w.label for w in (*base.waves, *mine.waves, *theirs.waves)}
    waves, clashes = _merge_keyed(
        {w.id: w for w in base.waves},
        {w.id: w for w in mine.waves},
        {w.id: w for w in theirs.waves},
        "wave",
        lambda key: labels.get(key, key),
    )
    conflicts += clashes
    placements, clashes = _merge_keyed(
        dict(base.placements), dict(mine.placements), dict(theirs.placements), "placement", str
    )
    conflicts += clashes
    notes, clashes = _merge_keyed(dict(base.notes), dict(mine.notes), dict(theirs.notes), "note", str)
    conflicts += clashes

    def by_key(edits: tuple[FindingsEdit, ...]) -> dict:
        return {(f.wave_id, f.case, f.lang): dict(f.cells) for f in edits}

    findings, clashes = _merge_keyed(
        by_key(base.findings), by_key(mine.findings), by_key(theirs.findings), "findings", lambda key: key[1]
    )
    conflicts += clashes

    def exclusion_key(edits: tuple[Exclusion, ...]) -> dict:
        return {(e.kind, e.target, e.wave_id): e.reason for e in edits}

    exclusions, clashes = _merge_keyed(
        exclusion_key(base.exclusions),
        exclusion_key(mine.exclusions),
        exclusion_key(theirs.exclusions),
        "exclusion",
        lambda key: key[1],
    )
    conflicts += clashes
    kept_waves = set(waves)
    merged = replace(
        theirs,
        **settings,
        waves=tuple(waves.values()),
        placements=MappingProxyType(placements),
        notes=MappingProxyType(notes),
        # Findings and wave-specific exclusions of a wave removed on either side go with it.
        findings=tuple(
            FindingsEdit(w, c, lang, MappingProxyType(cells))
            for (w, c, lang), cells in sorted(findings.items())
            if w in kept_waves
        ),
        exclusions=tuple(
            Exclusion(kind, target, reason, wave_id)
            for (kind, target, wave_id), reason in exclusions.items()
            if wave_id is None or wave_id in kept_waves
        ),
    )
    return merged, tuple(conflicts)
