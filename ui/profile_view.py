"""Renderers for the case profile page: the editable findings table and item tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from samskaping.anonymity import mask_counts
from samskaping.instrument import Instrument
from samskaping.profiles import FINDING_PARTS, FINDING_ROWS, format_number
from ui import state
from ui.safe import md
from ui.text import lang, t


def editable_findings(generated: pd.DataFrame, session_key: tuple) -> pd.DataFrame:
    """Show the findings overview (study layout) and let the researcher edit its lines.

    ``generated`` has rows :data:`FINDING_ROWS` and columns :data:`FINDING_PARTS` of text
    (lines separated by newlines). Edits are kept in the session under ``session_key``.
    """
    edited_all = st.session_state.setdefault(state.EDITED_FINDINGS, {})
    current = edited_all.get(session_key, generated)
    shown = current.rename(
        index={row: t(f"findings_row_{row}") for row in FINDING_ROWS},
        columns={part: t(f"findings_{part}") for part in FINDING_PARTS},
    )
    # st.table renders Markdown: one bullet per line, a hard line break between them; the lines
    # themselves (the researcher's edits too) are escaped, so they show as typed.
    st.table(shown.map(lambda cell: "  \n".join(f"• {md(line)}" for line in cell.splitlines()) if cell else "–"))
    with st.expander(t("findings_edit")):
        edited = current.copy()
        for row in FINDING_ROWS:
            st.markdown(f"**{t(f'findings_row_{row}')}**")
            for part, column in zip(FINDING_PARTS, st.columns(len(FINDING_PARTS)), strict=True):
                edited.loc[row, part] = column.text_area(
                    t(f"findings_{part}"), value=current.loc[row, part], key=f"finding|{session_key}|{row}|{part}"
                )
        if not edited.equals(current):
            edited_all[session_key] = edited
            st.rerun()
        if session_key in edited_all and st.button(t("findings_reset"), key="findings_reset"):
            del edited_all[session_key]
            for row in FINDING_ROWS:
                for part in FINDING_PARTS:
                    st.session_state.pop(f"finding|{session_key}|{row}|{part}", None)
            st.rerun()
    return current


def item_table(
    summary: pd.DataFrame, instrument: Instrument, k: int, names: dict[str, str] | None = None
) -> pd.DataFrame:
    """Item means of a case for display, with item wording in the chosen language and hidden cells marked."""
    language = lang()
    rows = []
    for record in summary.itertuples(index=False):
        label = (names or {}).get(record.item) or instrument.item(record.item).text.get(language)
        rows.append(
            {
                t("col_item"): record.item.upper(),
                t("col_question"): label,
                t("col_n"): record.n,
                t("col_mean"): t("hidden_cell", k=k)
                if record.hidden
                else format_number(record.mean, "likert5", language),
                t("col_median"): "" if record.hidden else format_number(record.median, "likert5", language),
            }
        )
    return pd.DataFrame(rows)


def distribution_table(table: pd.DataFrame, instrument: Instrument, k: int) -> pd.DataFrame:
    """Answer counts per item for display: small counts (and shares that would reveal them) as "< k"."""
    if table.empty:
        return table
    language = lang()
    count_columns = [*(c for c in table.columns if c.isdigit()), "blank"]
    shown = mask_counts(
        table.fillna({c: 0 for c in count_columns}), count_columns, k=k, shares={"share_3": "3", "share_blank": "blank"}
    )
    for share in ("share_3", "share_blank"):
        if share in shown:
            shown[share] = [v if isinstance(v, str) else ("" if pd.isna(v) else f"{v:.0%}") for v in shown[share]]
    shown = shown.astype({c: "str" for c in count_columns})
    fmt = instrument.format_of(table["item"].iloc[0])
    shown = shown.rename(
        columns={c: fmt.labels[int(c)].get(language) for c in count_columns if c.isdigit() and int(c) in fmt.labels}
    )
    shown.insert(1, t("col_question"), [instrument.item(i).text.get(language) for i in table["item"]])
    shown["item"] = shown["item"].str.upper()
    return shown.rename(
        columns={
            "item": t("col_item"),
            "n": t("col_respondents"),
            "blank": t("dist_blank"),
            "share_3": t("dist_share_3"),
            "share_blank": t("dist_share_blank"),
        }
    )
