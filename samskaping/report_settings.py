"""The settings a report was made with, as a table (the study workbook's "Settings" sheet).

Each row is one setting: a stable id, a label in the report's language and the value, so a
reader can tell exactly how every number in the workbook was made, and reproduce it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pandas as pd

from samskaping.compare import Comparison
from samskaping.continuum import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from samskaping.methods_text import COMPARE_SEED, mann_whitney_summary, methods_paragraph
from samskaping.report_context import ReportContext

__all__ = ["SETTINGS_COLUMNS", "settings_table"]

SETTINGS_COLUMNS = ("setting", "label", "value")

_LABELS = {
    "software": ("Software", "Programvare"),
    "version": ("Software version", "Programversjon"),
    "date_made": ("Date made", "Laget dato"),
    "source_file": ("Source file", "Kildefil"),
    "workspace": ("Workspace", "Arbeidsområde"),
    "wave": ("Wave", "Runde"),
    "wave_date": ("Wave collected on", "Runden samlet inn"),
    "respondents": ("Respondents (after exclusions)", "Respondenter (etter utelatelser)"),
    "cases": ("Cases", "Case"),
    "k": ("Anonymity threshold k: cells from fewer respondents are hidden",
          "Anonymitetsgrense k: celler fra færre respondenter er skjult"),
    "three_as_missing": ("Treat 3 as missing", "Behandle 3 som manglende"),
    "codebook_changed": ("Codebook changed from the default", "Kodeboken endret fra standard"),
    "codebook_file": ("Codebook file", "Kodebokfil"),
    "compare_by": ("Comparison grouping (Comparison sheet)", "Gruppering i sammenligningen (arket Comparison)"),
    "groups_compared": ("Groups compared (n)", "Grupper sammenlignet (n)"),
    "mann_whitney": ("Mann–Whitney p-values", "Mann–Whitney p-verdier"),
    "p_methods_used": ("p-value methods used in the Comparison sheet (count)",
                       "Metoder for p-verdiene i arket Comparison (antall)"),
    "monte_carlo_seed": ("Seed of Monte Carlo p-values", "Frø for Monte Carlo p-verdier"),
    "adjustment": ("Multiple-comparison adjustment", "Justering for multiple sammenligninger"),
    "bootstrap_resamples": ("Continuum bootstrap resamples B", "Bootstrap-trekninger B for kontinuumet"),
    "bootstrap_seed": ("Continuum bootstrap seed", "Bootstrap-frø for kontinuumet"),
    "language": ("Language", "Språk"),
    "respondent_sheets": ("Respondent-level sheets included (researcher-only)",
                          "Ark på respondentnivå med (bare for forskeren)"),
    "threshold": ("Codebook threshold: {name}", "Terskel i kodeboken: {name}"),
    "methods_paragraph": ("Methods paragraph", "Metodeavsnitt"),
}  # fmt: skip
_WORDS = {
    "en": {"yes": "yes", "no": "no", "adjustment": "Holm and Benjamini–Hochberg within each family of measures"},
    "nb": {"yes": "ja", "no": "nei", "adjustment": "Holm og Benjamini–Hochberg innen hver familie av mål"},
}


def settings_table(
    context: ReportContext,
    *,
    lang: str,
    compare_by: str,
    comparison: Comparison,
    include_respondents: bool,
    made_on: date | None = None,
) -> pd.DataFrame:
    """One row per setting (:data:`SETTINGS_COLUMNS`), labels in ``lang``, ending with the methods paragraph."""
    words = _WORDS[lang]
    yes_no = {True: words["yes"], False: words["no"]}
    data = context.validated.data
    groups = ", ".join(f"{g} (n = {comparison.sizes[g]})" for g in comparison.groups)
    values: list[tuple[str, object]] = [
        ("software", "samskaping"),
        ("version", context.version),
        ("date_made", (made_on or date.today()).isoformat()),
        ("source_file", context.source),
        ("workspace", context.workspace or ""),
        ("wave", context.wave or ""),
        ("wave_date", context.collected_on.isoformat() if context.collected_on else ""),
        ("respondents", len(data)),
        ("cases", int(data["case"].nunique())),
        ("k", context.k),
        ("three_as_missing", yes_no[bool(context.scores.three_as_missing)]),
        ("codebook_changed", yes_no[bool(context.codebook_changed)]),
        ("codebook_file", Path(context.codebook.source).name if context.codebook.source else ""),
        ("compare_by", compare_by),
        ("groups_compared", groups),
        ("mann_whitney", mann_whitney_summary(lang)),
        ("p_methods_used", ", ".join(f"{m} {n}" for m, n in comparison.table["p_method"].value_counts().items())),
        ("monte_carlo_seed", COMPARE_SEED),
        ("adjustment", words["adjustment"]),
        ("bootstrap_resamples", BOOTSTRAP_RESAMPLES),
        ("bootstrap_seed", BOOTSTRAP_SEED),
        ("language", lang),
        ("respondent_sheets", yes_no[include_respondents]),
    ]
    index = 0 if lang == "en" else 1
    rows = [{"setting": key, "label": _LABELS[key][index], "value": value} for key, value in values]
    for field in dataclasses.fields(context.codebook.thresholds):
        rows.append(
            {
                "setting": f"threshold_{field.name}",
                "label": _LABELS["threshold"][index].format(name=field.name),
                "value": getattr(context.codebook.thresholds, field.name),
            }
        )
    rows.append(
        {
            "setting": "methods_paragraph",
            "label": _LABELS["methods_paragraph"][index],
            "value": methods_paragraph(context, lang),
        }
    )
    return pd.DataFrame(rows, columns=list(SETTINGS_COLUMNS))
