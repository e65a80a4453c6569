"""The thin ↔ thick continuum: computed positions, the researcher's placements, the two figures and their export."""

import streamlit as st

from samskaping.figures_continuum import (
    continuum_caption,
    continuum_figure,
    continuum_text,
    matrix_caption,
    matrix_figure,
)
from ui import charts, data, shell
from ui import continuum_view as view
from ui.safe import md
from ui.text import lang, t

dataset = shell.open_page("continuum_title", "continuum_caption")
codebook = data.codebook()
k = data.settings()[0]
scores = data.scores(dataset)
cases = sorted(scores.cases["case"].unique())
if not cases:
    st.warning(t("continuum_none"))
    st.stop()
language = lang()

# The figures come first on the page but depend on the placements and export settings below.
figures_area = st.container()

st.subheader(t("continuum_positions"))
positions_area = st.container()
st.caption(t("continuum_positions_help", k=k))

st.subheader(t("continuum_sensitivity"))
st.dataframe(view.sensitivity_for_display(view.sensitivity_table(dataset), codebook), hide_index=True)
st.caption(t("continuum_sensitivity_help"))

st.subheader(t("continuum_placements"))
st.caption(t("continuum_placements_help"))
view.placement_editor(cases, dataset.key)
view.placement_files()
st.info(t("continuum_weights_note"), icon=":material/menu_book:")

table = view.position_table(dataset, scores)
with positions_area:
    st.dataframe(view.positions_for_display(table, codebook, k), hide_index=True)

st.subheader(t("continuum_export"))
st.caption(t("continuum_export_help"))
width_column, dpi_column = st.columns(2)
width_mm = width_column.number_input(
    t("continuum_width"), min_value=40.0, max_value=500.0, value=170.0, step=5.0, key="continuum_width_mm"
)
dpi = dpi_column.number_input(t("continuum_dpi"), min_value=72, max_value=1200, value=300, step=50, key="continuum_dpi")
texts = {
    "continuum": (continuum_text("continuum_title", language),
                  continuum_caption(table, language, k=k, codebook=codebook)),
    "matrix": (continuum_text("matrix_title", language), matrix_caption(table, language, k=k)),
}  # fmt: skip
chosen: dict[str, tuple[str, str]] = {}
text_keys = []
for name, (title, caption) in texts.items():
    with st.expander(t(f"continuum_texts_{name}"), icon=":material/edit_note:"):
        title_key, caption_key = f"continuum_title_{name}_{language}", f"continuum_caption_{name}_{language}"
        text_keys += [title_key, caption_key]
        chosen[name] = (
            view.editable_text(title_key, t("continuum_title_input"), title),
            view.editable_text(caption_key, t("continuum_caption_input"), caption, area=True),
        )
st.button(t("continuum_reset_texts"), key="continuum_reset_texts", on_click=view.reset_texts, args=(text_keys,),
          icon=":material/undo:")  # fmt: skip


def build_continuum():
    title, caption = chosen["continuum"]
    return continuum_figure(table, language, title=title, caption=caption, k=k, codebook=codebook, width_mm=width_mm)


def build_matrix():
    title, caption = chosen["matrix"]
    return matrix_figure(table, language, title=title, caption=caption, k=k, width_mm=width_mm)


for name, build in (("continuum", build_continuum), ("matrix", build_matrix)):
    st.markdown(f"**{t(f'continuum_download_{name}')}**")
    view.downloads(name, build, width_mm, int(dpi))

table_key = charts.frame_key(table)
with figures_area:
    for name, build in (("continuum", build_continuum), ("matrix", build_matrix)):
        st.subheader(t(f"continuum_figure_{name}"))
        chart = charts.chart(f"continuum_{name}", dataset, build, chosen[name], width_mm, table_key)
        st.plotly_chart(chart.figure, key=f"continuum_chart_{name}", width="content", theme=None,
                        config={"displaylogo": False})  # fmt: skip
        st.caption(md(chart.alt_text))
    st.caption(t("continuum_figures_help"))
