"""Help: what the numbers mean, in both languages."""

import streamlit as st

from ui import data, shell
from ui.text import t

shell.require_frame()
st.title(t("help_title"))
st.caption(t("help_caption"))
th = data.codebook().thresholds
for heading, body in (
    (
        "help_bands_heading",
        t(
            "help_band",
            strength=th.band_strength,
            borderline=th.band_borderline,
            strength_below=f"{th.band_strength - 0.01:.2f}",
        ),
    ),
    ("help_quartile_heading", t("help_quartile")),
    ("help_hidden_heading", t("help_hidden")),
    ("help_three_heading", t("help_three_as_missing")),
    ("help_scores_heading", t("help_scores")),
    ("help_continuum_heading", t("help_continuum")),
    ("help_findings_heading", t("help_findings")),
):
    st.subheader(t(heading))
    st.markdown(body)
