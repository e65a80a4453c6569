"""samskaping dashboard: navigation and the shared sidebar."""

from __future__ import annotations

import streamlit as st


def main() -> None:
    """Build the navigation and run the chosen page."""
    st.set_page_config(page_title="samskaping", layout="wide")
    pages = [st.Page("pages/overview.py", title="Overview", default=True)]
    with st.sidebar:
        st.caption("samskaping")
        st.selectbox("Data set", ["demo", "demo_large"], key="dataset",
                     format_func={"demo": "Demo (18 respondents)", "demo_large": "Large demo (200)"}.get)
        st.number_input("k (anonymity)", min_value=1, max_value=50, value=3, key="k")
        st.toggle("Treat 3 as missing", key="three_as_missing")
    st.navigation(pages).run()


main()
