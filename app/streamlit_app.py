"""SynapScale Analytics dashboard: `streamlit run app/streamlit_app.py` (reads only the published serve file).

The entry point runs on every interaction: it looks at the serve file as it is now (a new publication is served
from the first run after it is warm: app/data/publications.py), offers the pages whose marts are published, draws
the shared filters, then runs the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# Make `app` and `synapscale` importable however streamlit was started (it puts only this folder on sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import data, filters, navigation, shell  # noqa: E402

st.set_page_config(page_title="SynapScale Analytics", page_icon=":bar_chart:", layout="wide")

serve = data.served()  # the newest publication once it is warm (app/data/publications.py)
grouped = navigation.available(data.catalog(serve) if serve else ())
if not grouped:  # nothing published (or no marts yet): the first page explains what to do
    grouped = {navigation.PAGES[0].section: [navigation.PAGES[0]]}
menu = {
    section: [
        st.Page(
            spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec == navigation.PAGES[0]
        )
        for spec in specs
    ]
    for section, specs in grouped.items()
}
current = st.navigation(menu, expanded=True)
spec = next(spec for specs in grouped.values() for spec in specs if spec.title == current.title)

if serve is None:
    shell.set_context(shell.Context(None))
else:
    picked = filters.sidebar(serve, page_params=spec.params)
    shell.set_context(shell.Context(serve, picked.filters, picked.choices, picked.notes))
current.run()
