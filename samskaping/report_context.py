"""What every report is made from: the scored data set and the researcher's decisions about it.

The workbook (:mod:`samskaping.report_workbook`), the per-case report
(:mod:`samskaping.case_report`) and the methods paragraph (:mod:`samskaping.methods_text`)
all take a :class:`ReportContext`, so the CLI and the dashboard produce the same reports.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

import pandas as pd

from samskaping import __version__
from samskaping.codebook import Codebook
from samskaping.continuum import Placement
from samskaping.instrument import Instrument
from samskaping.profiles import findings, findings_table
from samskaping.scoring import Scores, score_survey
from samskaping.validation import Validated
from samskaping.workspace import EXCLUSION_COLUMNS

__all__ = ["ReportContext", "build_context"]


def _empty() -> MappingABC:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ReportContext:
    """The inputs of a report.

    ``validated`` is the data after the researcher's exclusions; ``exclusions`` lists them
    (:data:`samskaping.workspace.EXCLUSION_COLUMNS`) and every report shows that list.
    ``edited_findings`` maps ``(case, lang)`` to the researcher's findings table (rows ×
    parts); a case without one gets the generated table. ``codebook_changed`` says the
    codebook differs from the bundled one (the methods paragraph and the settings sheet say so).
    """

    validated: Validated
    scores: Scores
    instrument: Instrument
    codebook: Codebook
    source: str
    placements: MappingABC[str, Placement] = field(default_factory=_empty)
    edited_findings: MappingABC[tuple[str, str], pd.DataFrame] = field(default_factory=_empty)
    notes: MappingABC[str, str] = field(default_factory=_empty)
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(EXCLUSION_COLUMNS)))
    workspace: str | None = None
    wave: str | None = None
    collected_on: date | None = None
    codebook_changed: bool = False
    version: str = __version__

    @property
    def k(self) -> int:
        """The anonymity threshold the scores were made with."""
        return self.scores.k

    @property
    def cases(self) -> list[str]:
        """The cases in the data, sorted."""
        return sorted(self.scores.cases["case"].unique())

    def findings(self, case: str, lang: str) -> pd.DataFrame:
        """The case's findings overview in ``lang``: the researcher's wording if edited, else generated."""
        edited = self.edited_findings.get((case, lang))
        if edited is not None:
            return edited
        return findings_table(findings(case, self.scores, self.codebook), self.codebook, lang)


def build_context(
    validated: Validated,
    instrument: Instrument,
    codebook: Codebook,
    *,
    k: int,
    three_as_missing: bool = False,
    source: str,
    **decisions,
) -> ReportContext:
    """Score ``validated`` with the settings and wrap it with the researcher's decisions.

    ``decisions`` are the optional fields of :class:`ReportContext` (placements,
    edited_findings, notes, exclusions, workspace, wave, collected_on, codebook_changed).
    """
    scores = score_survey(validated.data, instrument, codebook, k=k, three_as_missing=three_as_missing)
    return ReportContext(validated, scores, instrument, codebook, source, **decisions)


def context_from_workspace(workspace, instrument: Instrument, wave_label: str | None = None) -> ReportContext:
    """The report context of one wave of a workspace (the newest without ``wave_label``).

    Everything comes from the workspace: its codebook, k and *treat 3 as missing*, the
    exclusions (applied, and listed with what each removed), the findings wording edited for
    this wave, placements and notes.

    Raises
    ------
    SamskapingError
        When the workspace has no such wave (the message lists its waves) or the wave's file
        or the workspace's codebook cannot be read.
    """
    from samskaping.codebook import load_codebook, parse_codebook
    from samskaping.errors import SamskapingError
    from samskaping.workspace import apply_exclusions, load_wave

    if not workspace.waves:
        raise SamskapingError(f"workspace '{workspace.name}' has no waves yet")
    labels = [wave.label for wave in workspace.waves]
    if wave_label is None:
        wave = workspace.waves[-1]
    elif wave_label in labels:
        wave = workspace.waves[labels.index(wave_label)]
    else:
        raise SamskapingError(f"workspace '{workspace.name}' has no wave '{wave_label}' (waves: {', '.join(labels)})")
    codebook = (
        parse_codebook(workspace.codebook_yaml, instrument, source=f"codebook of workspace '{workspace.name}'")
        if workspace.codebook_yaml
        else load_codebook(instrument=instrument)
    )
    kept, effect = apply_exclusions(load_wave(wave, instrument), workspace.exclusions_for(wave.id))
    names = {w.id: w.label for w in workspace.waves}
    effect["wave"] = [names.get(w, w) for w in effect["wave"]]
    return build_context(
        kept,
        instrument,
        codebook,
        k=workspace.k,
        three_as_missing=workspace.three_as_missing,
        source=wave.file_name,
        placements=workspace.placements,
        edited_findings=MappingProxyType(
            {(f.case, f.lang): f.table() for f in workspace.findings if f.wave_id == wave.id}
        ),
        notes=workspace.notes,
        exclusions=effect,
        workspace=workspace.name,
        wave=wave.label,
        collected_on=wave.collected_on,
        codebook_changed=bool(workspace.codebook_yaml),
    )
