"""Renderers the pages share: summary tables with hidden cells, counts, validation reports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from samskaping.codebook import Codebook
from samskaping.export import to_csv_bytes
from samskaping.instrument import GROUPS
from samskaping.profiles import format_number
from samskaping.validation import ValidationReport
from ui.text import lang, t

BAND_ICONS = {"strength": "▲", "borderline": "●", "concern": "▼"}
GROUP_IDS = GROUPS


CASES_PER_VIEW = 20  # rows of a cases × measures heatmap shown at once (about the height of a screen)


def case_view(cases: list[str], key: str) -> list[str]:
    """The cases a cases × measures heatmap shows: all of them, or one view of :data:`CASES_PER_VIEW` chosen here.

    A heatmap of hundreds of cases is too tall to read and slow to draw on every rerun, so
    beyond :data:`CASES_PER_VIEW` cases a chooser offers them in views of that many (in the
    order given). Hidden cells stay hidden: a view only leaves rows out.
    """
    if len(cases) <= CASES_PER_VIEW:
        return cases
    starts = list(range(0, len(cases), CASES_PER_VIEW))
    start = st.selectbox(
        t("cases_view", total=len(cases)),
        starts,
        key=key,
        # Numbers and a case name only: a label that changed with the language would lose the choice.
        format_func=lambda s: f"{s + 1}–{min(s + CASES_PER_VIEW, len(cases))} · {cases[s]}",
    )
    return cases[start : start + CASES_PER_VIEW]


def measure_name(codebook: Codebook, measure_id: str) -> str:
    """The measure's name in the chosen language."""
    return codebook.measure(measure_id).name.get(lang())


def band_help(codebook: Codebook) -> str:
    """The sentence explaining the Wilder bands, with the codebook's thresholds."""
    th = codebook.thresholds
    return t(
        "help_band",
        strength=th.band_strength,
        borderline=th.band_borderline,
        strength_below=f"{th.band_strength - 0.01:.2f}",
    )


def band_label(band: object) -> str:
    """A band as icon + word, so colour is never the only carrier of meaning."""
    if not isinstance(band, str) or band not in BAND_ICONS:
        return ""
    return f"{BAND_ICONS[band]} {t(f'band_{band}')}"


def summary_for_display(table: pd.DataFrame, codebook: Codebook, k: int, keys: list[str]) -> pd.DataFrame:
    """A long summary table as text for display: hidden cells say "hidden, n < k", bands are labelled."""
    language = lang()
    scales = {m.id: m.scale for m in codebook.measures}
    out = pd.DataFrame({key: table[key] for key in keys})
    out[t("col_measure")] = table["measure"].map(lambda m: measure_name(codebook, m))
    out[t("col_n")] = table["n"]
    hidden_text = t("hidden_cell", k=k)
    for column in ("mean", "median", "min", "max"):
        formatted = [
            hidden_text if hidden and column == "mean" else ("" if hidden else format_number(v, scales[m], language))
            for v, m, hidden in zip(table[column], table["measure"], table["hidden"], strict=True)
        ]
        out[t(f"col_{column}")] = formatted
    out[t("col_band")] = table["band"].map(band_label)
    out[t("col_quartile")] = table["quartile"].map(lambda q: t("quartile_label", q=int(q)) if pd.notna(q) else "")
    empty = [c for c in (t("col_band"), t("col_quartile"), t("col_min"), t("col_max")) if out[c].eq("").all()]
    return out.drop(columns=empty)


def reliability_for_display(table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The reliability table with measure names, statistic names and notes in the chosen language."""
    language = lang()
    return pd.DataFrame(
        {
            t("col_measure"): [codebook.measure(m).name.get(language) for m in table["measure"]],
            t("overview_items"): table["items"],
            t("overview_statistic"): [t(f"reliability_{s}") for s in table["statistic"]],
            t("overview_value"): ["–" if pd.isna(v) else format_number(v, "likert5", language) for v in table["value"]],
            t("col_n"): table["n"],
            t("overview_note"): [t(f"reliability_note_{c}") if c else "" for c in table["note"]],
        }
    )


def group_name(group: str) -> str:
    """A respondent group in the chosen language."""
    key = f"group_{group}"
    text = t(key)
    return group if text == key else text


def validation_summary(report: ValidationReport) -> None:
    """The full validation report: counts per code, every issue, and a CSV download (researcher-only)."""
    if report.issues.empty:
        st.success(t("import_no_issues"))
        return
    (st.error if not report.ok else st.warning)(t("validation_issues", summary=report.summary()))
    st.dataframe(report.counts(), hide_index=True)
    st.dataframe(report.issues, hide_index=True, width="stretch")
    st.download_button(
        t("import_report_download"),
        to_csv_bytes(report.issues),
        "validation_report.csv",
        mime="text/csv",
        key="import_report_download",
    )


def validation_report(report: ValidationReport) -> None:
    """The validation report of the data set in use, when it has any issue (researcher-only)."""
    if report.issues.empty:
        return
    with st.expander(t("validation_issues", summary=report.summary())):
        st.dataframe(report.issues, hide_index=True, width="stretch")
