"""Help: what the numbers mean, in both languages."""

import streamlit as st

from ui import data, render, shell
from ui.text import t

shell.require_frame()
st.title(t("help_title"))
st.caption(t("help_caption"))
for heading, body in (
    ("help_bands_heading", render.band_help(data.codebook())),
    ("help_quartile_heading", t("help_quartile")),
    ("help_hidden_heading", t("help_hidden")),
    ("help_three_heading", t("help_three_as_missing")),
    ("help_scores_heading", t("help_scores")),
    ("help_continuum_heading", t("help_continuum")),
    ("help_findings_heading", t("help_findings")),
):
    st.subheader(t(heading))
    st.markdown(body)
