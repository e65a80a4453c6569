"""Streamlit-only helpers shared by the pages: cached wrappers, session keys, renderers, texts."""
