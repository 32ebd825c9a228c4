"""The explorer's pages, their URLs, and deep-link routing.

Takes: the current URL's query parameters.
Gives: ``PAGE_SPECS`` (name -> module, title, icon), ``page(name)`` (the ``st.Page``; the name is
also its URL path, e.g. ``/agency``), ``pages()`` for ``st.navigation`` and ``route(current)``
which, for a link like ``?page=agency&agency=市经济信息化委`` or ``?node=<id>`` opened on the
app's root, switches to the page that shows it (keeping the other parameters).
"""

from __future__ import annotations

import importlib
from typing import Callable, Optional

import streamlit as st

# name (= URL path) -> (module under ui/, navigation title, icon)
PAGE_SPECS: dict[str, tuple[str, str, str]] = {
    "overview": ("overview", "总览 Overview", ":material/dashboard:"),
    "agency": ("agencies", "机构 Agencies", ":material/account_balance:"),
    "graph": ("graph_explorer", "图谱 Graph", ":material/hub:"),
    "document": ("documents", "文件 Documents", ":material/description:"),
    "chains": ("chains", "链条 Plan chains", ":material/timeline:"),
    "targets": ("targets", "目标 Targets", ":material/flag:"),
    "cypher": ("cypher_console", "查询 Cypher", ":material/terminal:"),
}
DEFAULT_PAGE = "overview"

# a bare parameter implies a page when no ?page= is given
_PARAM_PAGE = (("node", "graph"), ("agency", "agency"), ("measure", "document"),
               ("document", "document"), ("query", "cypher"), ("example", "cypher"))
_ALIASES = {"agencies": "agency", "documents": "document", "doc": "document",
            "explorer": "graph", "node": "graph", "query": "cypher", "target": "targets",
            "chain": "chains", "home": "overview"}

_PAGES: dict[str, st.Page] = {}


def _runner(module: str) -> Callable[[], None]:
    def run() -> None:
        importlib.import_module(f"ui.{module}").render()

    run.__name__ = f"page_{module}"
    return run


def page(name: str) -> st.Page:
    """The ``st.Page`` for ``name`` (one object per process, so links and navigation agree)."""
    if name not in _PAGES:
        module, title, icon = PAGE_SPECS[name]
        _PAGES[name] = st.Page(_runner(module), title=title, icon=icon, url_path=name,
                               default=name == DEFAULT_PAGE)
    return _PAGES[name]


def pages() -> list[st.Page]:
    return [page(name) for name in PAGE_SPECS]


def wanted_page(params: dict[str, str]) -> Optional[str]:
    """The page a set of query parameters asks for, or None."""
    name = params.get("page")
    if name:
        name = _ALIASES.get(name, name)
        return name if name in PAGE_SPECS else None
    for key, target in _PARAM_PAGE:
        if params.get(key):
            return target
    return None


def name_of(current: st.Page) -> Optional[str]:
    """The name of a page returned by ``st.navigation`` (the default page's URL path is "")."""
    for name in PAGE_SPECS:
        candidate = page(name)
        if candidate is current or candidate.url_path == current.url_path:
            return name
    return None


def route(current: st.Page) -> None:
    """Switch to the page a deep link asks for (only from the default page or with ?page=)."""
    params = st.query_params.to_dict()
    target = wanted_page(params)
    if target is None:
        return
    here = name_of(current)
    if here == target:
        if "page" in st.query_params:
            del st.query_params["page"]
        return
    if "page" not in params and here != DEFAULT_PAGE:
        return  # e.g. ?document= on the targets page is that page's own filter
    rest = {k: v for k, v in params.items() if k != "page"}
    st.switch_page(page(target), query_params=rest)
