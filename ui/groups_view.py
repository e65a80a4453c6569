"""The Groups page's cached comparison and its renderers: group names, display tables, downloads."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from samskaping.cli import COMPARISON_CSV_COLUMNS
from samskaping.codebook import Codebook
from samskaping.compare import GAP_COLUMNS, Comparison, compare, perception_gaps
from samskaping.export import to_csv_bytes, to_xlsx_bytes
from samskaping.instrument import Instrument
from samskaping.profiles import format_number
from samskaping.scoring import Scores
from ui import data, render
from ui.data import Dataset
from ui.text import lang, t

BY = "groups_by"  # session key of the grouping column
CASE = "groups_case"  # session key of the within-case choice ("" = all cases)
ALL_CASES = ""


@st.cache_data(show_spinner=False, max_entries=32)
def _comparison(
    _scores: Scores, _data: pd.DataFrame, _codebook: Codebook, key: str, k: int, three: bool, by: str, case: str,
    pairs: tuple[tuple[str, str], ...] | None,
) -> Comparison:  # fmt: skip
    return compare(_scores, _data, _codebook, by, k=k, within_case=case or None, pairs=pairs)


def comparison(
    dataset: Dataset, scores: Scores, by: str, case: str, pairs: tuple[tuple[str, str], ...] | None = None
) -> Comparison:
    """:func:`samskaping.compare.compare` for the data set, sidebar settings, grouping and case, cached.

    ``pairs`` limits the pairwise table to those pairs (``()``: groups, sizes and Kruskal–Wallis only);
    the page asks for the pair it shows, since one pair's Monte Carlo p-values take seconds at
    thousands of respondents.
    """
    k, three = data.settings()
    key = data.cache_key(dataset)
    return _comparison(scores, dataset.validated.data, data.codebook(), key, k, three, by, case, pairs)


def default_pair(groups: tuple[str, ...], sizes: dict[str, int]) -> tuple[str, str]:
    """The pair shown first: the two largest groups (ties by label order), in sorted label order."""
    largest = sorted(groups, key=lambda g: (-sizes[g], g))[:2]
    return tuple(sorted(largest))  # type: ignore[return-value]


@st.cache_data(show_spinner=False, max_entries=16)
def _gaps(_scores: Scores, _codebook: Codebook, key: str, k: int, three: bool) -> pd.DataFrame:
    return perception_gaps(_scores, _codebook)


def gaps(dataset: Dataset, scores: Scores) -> pd.DataFrame:
    """:func:`samskaping.compare.perception_gaps` of the data set, cached."""
    k, three = data.settings()
    return _gaps(scores, data.codebook(), data.cache_key(dataset), k, three)


def grouping_label(column: str) -> str:
    """A grouping column in words."""
    if column.startswith("attr_"):
        return t("groups_by_attr", name=column.removeprefix("attr_"))
    return t(f"groups_by_{column}")


def group_names(by: str, groups: tuple[str, ...], instrument: Instrument) -> dict[str, str]:
    """Display names of the group labels: sides in the language, Q2/Q4 codes as their answer labels."""
    if by == "group":
        return {g: render.group_name(g) for g in groups}
    if by in ("q02", "q04"):
        labels = instrument.format_of(by).labels
        names = {}
        for g in groups:
            code = int(float(g)) if g.replace(".", "", 1).isdigit() else None
            names[g] = labels[code].get(lang()).rstrip(": ") if code in labels else g
        return names
    return {g: g for g in groups}


def _number(value: float, decimals: int, *, signed: bool = False) -> str:
    if pd.isna(value):
        return "–"
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    text = text.replace("-", "−")
    return text.replace(".", ",") if lang() == "nb" else text


def p_text(value: float) -> str:
    if pd.isna(value):
        return "–"
    return ("< 0,001" if lang() == "nb" else "< 0.001") if value < 0.001 else _number(value, 3)


def p_method(method: object, error: float = 0.0) -> str:
    """The method behind a p-value, in words (Monte Carlo with its standard error)."""
    if not isinstance(method, str) or not method:
        return ""
    text = t(f"p_method_{method}", error=_number(error, 4) if method == "monte_carlo" else "")
    return method if text == f"p_method_{method}" else text


def comparison_for_display(table: pd.DataFrame, codebook: Codebook, k: int, names: dict[str, str]) -> pd.DataFrame:
    """The comparison table as text: measure and group names, rounded numbers; hidden rows keep only n."""
    language = lang()
    hidden_text = t("hidden_cell", k=k)
    columns = [t(c) for c in ("col_measure", "col_group_a", "col_group_b", "col_n_a", "col_n_b", "col_mean_a",
                              "col_mean_b", "col_diff", "col_hl", "col_p", "col_p_method", "col_p_holm", "col_p_bh",
                              "col_r", "col_min_p")]  # fmt: skip
    rows = []
    for row in table.itertuples(index=False):
        measure = codebook.measure(row.measure)
        decimals = 2 if measure.scale == "likert5" else 1
        shown = {
            t("col_measure"): measure.name.get(language),
            t("col_group_a"): names.get(row.group_a, row.group_a),
            t("col_group_b"): names.get(row.group_b, row.group_b),
            t("col_n_a"): int(row.n_a),
            t("col_n_b"): int(row.n_b),
        }
        if row.hidden:
            rows.append(dict.fromkeys(columns, "") | shown | {t("col_mean_a"): hidden_text})
            continue
        rows.append(
            shown
            | {
                t("col_mean_a"): format_number(row.mean_a, measure.scale, language),
                t("col_mean_b"): format_number(row.mean_b, measure.scale, language),
                t("col_diff"): _number(row.diff, decimals, signed=True),
                t("col_hl"): _number(row.hl_shift, decimals, signed=True),
                t("col_p"): p_text(row.p_exact),
                t("col_p_method"): p_method(row.p_method, row.p_error),
                t("col_p_holm"): p_text(row.p_holm),
                t("col_p_bh"): p_text(row.p_bh),
                t("col_r"): f"{_number(row.rank_biserial, 2)} ({_number(row.rb_low, 2)}; {_number(row.rb_high, 2)})",
                t("col_min_p"): p_text(row.min_attainable_p),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def kruskal_for_display(table: pd.DataFrame, codebook: Codebook, k: int) -> pd.DataFrame:
    """The Kruskal–Wallis table as text; a hidden measure (a group under k) shows no statistic."""
    language = lang()
    rows = []
    for row in table.itertuples(index=False):
        hidden = bool(row.hidden)
        rows.append(
            {
                t("col_measure"): codebook.measure(row.measure).name.get(language),
                t("col_k_groups"): int(row.k),
                t("col_h"): t("hidden_cell", k=k) if hidden else _number(row.h, 2),
                t("col_p"): "" if hidden else p_text(row.p),
                t("col_p_method"): "" if hidden else p_method(row.p_method),
            }
        )
    return pd.DataFrame(rows)


def pair_rows(table: pd.DataFrame, a: str, b: str, family: str | None = None) -> pd.DataFrame:
    """The rows of one pair of groups (and one family of measures) of a comparison table."""
    rows = table[(table["group_a"] == a) & (table["group_b"] == b)]
    return rows if family is None else rows[rows["family"] == family]


def largest_gaps(table: pd.DataFrame, codebook: Codebook, top: int = 10) -> pd.DataFrame:
    """The largest shown perception gaps, with n per side.

    Gaps on 1–5 and on 0–100 are ranked together relative to the codebook's large gap (1.0 and 20 by
    default: the size the case profile calls a large gap on each scale).
    """
    language = lang()
    thresholds = codebook.thresholds
    shown = table[~table["hidden"].astype(bool)]
    large = {m.id: thresholds.large_gap_likert if m.scale == "likert5" else thresholds.large_gap_index
             for m in codebook.measures}  # fmt: skip
    relative = shown["gap"].abs() / shown["measure"].map(large).astype(float)
    ranked = shown.assign(_relative=relative).sort_values("_relative", ascending=False, kind="stable")
    rows = []
    for row in ranked.head(top).itertuples(index=False):
        scale = codebook.measure(row.measure).scale
        rows.append(
            {
                t("col_case"): row.case,
                t("col_measure"): codebook.measure(row.measure).name.get(language),
                t("col_n_mun"): int(row.n_mun),
                t("col_n_se"): int(row.n_se),
                t("col_mean_mun"): format_number(row.mean_mun, scale, language),
                t("col_mean_se"): format_number(row.mean_se, scale, language),
                t("col_gap"): _number(row.gap, 2 if scale == "likert5" else 1, signed=True),
            }
        )
    return pd.DataFrame(rows)


def largest_gaps_note(codebook: Codebook) -> str:
    """How the largest gaps are ranked, with the codebook's large-gap sizes."""
    thresholds = codebook.thresholds
    return t("groups_gaps_top_note", likert=_number(thresholds.large_gap_likert, 1),
             index=_number(thresholds.large_gap_index, 0))  # fmt: skip


def downloads(result: Comparison, table: pd.DataFrame, gap_table: pd.DataFrame) -> None:
    """Download buttons: each table as CSV (methods.md §10) and all of them as one xlsx workbook.

    ``table`` is the comparison of the pair shown (the study workbook on the Reports page has every pair).
    """
    comparison_csv = table[[*COMPARISON_CSV_COLUMNS, *(c for c in table.columns if c not in COMPARISON_CSV_COLUMNS)]]
    sheets = {"comparison": comparison_csv}
    if len(result.groups) > 2:
        sheets["kruskal"] = result.kruskal
    sheets["perception_gaps"] = gap_table[list(GAP_COLUMNS)]
    pair = "_vs_".join(table[["group_a", "group_b"]].iloc[0]) if not table.empty else ""
    suffix = "_".join(part for part in (result.by, result.within_case, pair) if part)
    st.caption(t("groups_downloads_note"))
    columns = st.columns(len(sheets) + 1)
    labels = {"comparison": "groups_download_comparison", "kruskal": "groups_download_kruskal",
              "perception_gaps": "groups_download_gaps"}  # fmt: skip
    # The files are made when a button is clicked (deferred data), not on every rerun of the page:
    # the workbook alone took half of a rerun at 10 000 respondents.
    for column, (name, frame) in zip(columns, sheets.items(), strict=False):
        column.download_button(t(labels[name]), functools.partial(to_csv_bytes, frame), f"{name}_{suffix}.csv",
                               mime="text/csv", key=f"groups_download_{name}", on_click="ignore")  # fmt: skip
    columns[-1].download_button(
        t("groups_download_xlsx"), functools.partial(to_xlsx_bytes, sheets), f"comparison_{suffix}.xlsx",
        key="groups_download_xlsx", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip
