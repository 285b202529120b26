"""SynapScale Analytics dashboard: `streamlit run app/streamlit_app.py` (reads only the published serve file)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# Make `app` and `ingest` importable however streamlit was started (it puts only this folder on sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

st.set_page_config(page_title="SynapScale Analytics", page_icon=":bar_chart:", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
]
st.navigation(pages).run()
