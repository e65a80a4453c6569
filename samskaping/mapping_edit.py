"""Tables for reviewing and correcting a column mapping (the import page), and back.

Pure functions between :class:`samskaping.mapping.Mapping` and editable DataFrames, so the page
only shows tables and hands the edited ones back.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from samskaping.importing import RawTable
from samskaping.instrument import GROUPS, Instrument
from samskaping.mapping import ColumnMatch, Mapping, suggest_group

__all__ = [
    "apply_case_edits",
    "apply_code_edits",
    "apply_match_edits",
    "cases_frame",
    "codes_frame",
    "matches_frame",
    "target_options",
]


def target_options(instrument: Instrument) -> list[str]:
    """Everything a file column can map to: "" (nothing), the id columns, the items, q02_other."""
    return ["", "respondent_id", "case", "group", *instrument.item_ids, "q02_other"]


def matches_frame(raw: RawTable, mapping: Mapping, matches: tuple[ColumnMatch, ...]) -> pd.DataFrame:
    """One row per file column: its header, role, the target it maps to, and the proposal's confidence."""
    proposed = {m.column: m for m in matches}
    headers = raw.headers or ()
    rows = []
    for index, column in enumerate(raw.frame.columns):
        match = proposed.get(column)
        texts = [t for t in (headers[index] if index < len(headers) else ()) if t and t != column]
        rows.append(
            {
                "column": column,
                "header": " | ".join(texts)[:120],
                "role": (raw.roles or {}).get(column, ""),
                "target": mapping.columns.get(column, ""),
                "confidence": match.confidence if match else (1.0 if column in mapping.columns else 0.0),
                "reason": match.reason if match else ("given" if column in mapping.columns else ""),
            }
        )
    return pd.DataFrame(rows)


def apply_match_edits(mapping: Mapping, table: pd.DataFrame) -> Mapping:
    """The mapping with the ``target`` column of an edited :func:`matches_frame` table.

    A target chosen for two columns keeps the first; identifying columns are never mapped.
    """
    columns: dict[str, str] = {}
    for record in table.itertuples(index=False):
        target = str(record.target or "").strip()
        if target and record.role != "identifying" and target not in columns.values():
            columns[str(record.column)] = target
    return dataclasses.replace(mapping, columns=columns)


def cases_frame(raw: RawTable, mapping: Mapping) -> pd.DataFrame:
    """The distinct answers of the case source column with their respondents, case and group."""
    source = mapping.case_column
    if source is None or source not in raw.frame.columns or mapping.column_for("case"):
        return pd.DataFrame(columns=["answer", "respondents", "case", "group"])
    answers = raw.frame[source].astype("str").str.strip()
    counts = answers[answers != ""].value_counts(sort=False)
    rows = []
    for answer, count in counts.items():
        case, group = mapping.cases.get(answer, (answer, suggest_group(answer)))
        rows.append({"answer": answer, "respondents": int(count), "case": case, "group": group})
    return pd.DataFrame(rows)


def apply_case_edits(mapping: Mapping, table: pd.DataFrame) -> Mapping:
    """The mapping with the case map of an edited :func:`cases_frame` table (blank case: unmapped)."""
    cases = {
        str(r.answer): (str(r.case).strip(), r.group if r.group in GROUPS else "other")
        for r in table.itertuples(index=False)
        if str(r.case or "").strip()
    }
    return dataclasses.replace(mapping, cases=cases, case_source=mapping.case_column)


def codes_frame(mapping: Mapping, instrument: Instrument) -> pd.DataFrame:
    """Per mapped item column: its missing codes and "not relevant / don't know" codes, comma-separated."""
    rows = [
        {
            "column": column,
            "item": target,
            "missing_codes": ", ".join(mapping.missing_codes.get(column, ())),
            "not_relevant_codes": ", ".join(mapping.not_relevant_codes.get(column, ())),
        }
        for column, target in mapping.columns.items()
        if target in instrument.numeric_item_ids()
    ]
    return pd.DataFrame(rows, columns=["column", "item", "missing_codes", "not_relevant_codes"])


def apply_code_edits(mapping: Mapping, table: pd.DataFrame) -> Mapping:
    """The mapping with the missing and not-relevant codes of an edited :func:`codes_frame` table."""

    def split(text: object) -> tuple[str, ...]:
        return tuple(part.strip() for part in str(text or "").split(",") if part.strip())

    missing = {str(r.column): split(r.missing_codes) for r in table.itertuples(index=False) if split(r.missing_codes)}
    not_relevant = {
        str(r.column): split(r.not_relevant_codes) for r in table.itertuples(index=False) if split(r.not_relevant_codes)
    }
    return dataclasses.replace(mapping, missing_codes=missing, not_relevant_codes=not_relevant)
