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
