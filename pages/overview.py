"""Overview page (placeholder until the dashboard issue): case scores of the data set in use."""

import streamlit as st

from ui import data

st.title("Overview")
st.info("Synthetic demo data: fictional cases and organisations.")
dataset = st.session_state.get("dataset", "demo")
validated = data.load_demo(dataset)
result = data.scores(validated, dataset, st.session_state.get("k", 3), st.session_state.get("three_as_missing", False))
st.dataframe(result.cases, hide_index=True)
