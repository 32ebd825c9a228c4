"""policy-kg explorer: ``streamlit run app.py``.

Takes: the graph store named by the environment (``POLICY_KG_BACKEND``: ladybug (default) or
neo4j; ``POLICY_KG_STORE``; ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``) and the URL's query
parameters (deep links such as ``?page=agency&agency=市经济信息化委`` or ``?node=<id>``).
Gives: a multipage Streamlit app (pages in ``ui/``, listed in ``ui.nav``). On first start with
an empty store it builds the graph from the shipped corpus with the CLI's own ``build`` command.
See docs/app.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # `streamlit run` from another folder
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import common, nav  # noqa: E402

st.set_page_config(page_title="上海经济政策知识图谱 · policy-kg", page_icon="🕸️", layout="wide")

current = st.navigation(nav.pages(), position="sidebar")
common.ensure_graph()
nav.route(current)
with st.sidebar, common.shows_errors():
    st.caption(f"存储 Store: `{common.get_store().backend}` · "
               f"版本 version `{common.store_version()}`")
current.run()
