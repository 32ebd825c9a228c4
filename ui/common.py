"""Shared plumbing of the explorer pages: the store, cached reads, errors, deep links, labels.

Takes: the environment (``POLICY_KG_BACKEND``, ``POLICY_KG_STORE``, Neo4j variables) and, from
the pages, the names and arguments of ``graph.queries`` / ``graph.app_queries`` functions.
Gives:

* ``get_store()`` -- the process-wide read-only ``GraphStore`` (``st.cache_resource``);
* ``ensure_graph()`` -- builds the graph on first start with the CLI's own ``build`` command,
  shown in an ``st.status`` box; stops the page with a message when the store is unreachable;
* ``store_version()`` -- a short key that changes when the stored graph changes;
* ``q(name, **kwargs)`` -- a ``graph.queries`` (or ``graph.app_queries``) function, cached per
  store version with ``st.cache_data``; ``run_cypher`` -- a user query, cached likewise;
* ``shows_errors()`` -- a context manager turning store and input errors into ``st.error``;
* query-parameter helpers for shareable URLs (``param``, ``set_params``) and display helpers
  (Chinese names of labels and roles, short captions of nodes).

Nothing here knows which backend is in use: the store interface hides it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
from html import escape
from typing import Any, Iterable, Iterator, NamedTuple, Optional, Sequence

import streamlit as st

from graph import app_queries as AQ
from graph import queries as Q
from graph.store import GraphStore, QueryResult, StoreError, StoreUnavailable, open_store

LABEL_ZH = {
    "Document": "文件", "Chapter": "章节", "Measure": "措施", "Agency": "机构",
    "Sector": "行业", "Place": "地点", "Target": "目标",
}
REL_ZH = {
    "CONTAINS": "包含", "RESPONSIBLE_FOR": "负责", "LEADS": "牵头文件", "ISSUED_BY": "发文",
    "CONCERNS": "涉及行业", "BROADER": "上位行业", "LOCATED_IN": "位于", "WITHIN": "属于",
    "FOCUSES_ON": "聚焦", "SETS": "设定目标", "MENTIONS": "提及", "CITES": "引用",
    "CONTINUES": "延续",
}
ROLE_ZH = {"lead": "牵头 lead", "support": "配合 support"}
KIND_ZH = {"measure": "措施", "task": "任务", "project": "工程", "recommendation": "建议",
           "goal": "目标"}
LABEL_COLORS = {
    "Document": "#1f77b4", "Chapter": "#9467bd", "Measure": "#2ca02c", "Agency": "#d62728",
    "Sector": "#ff7f0e", "Place": "#17becf", "Target": "#8c564b",
}

_BUILD_LOCK = threading.Lock()


# -- the store ----------------------------------------------------------------------------------
def _backend() -> Optional[str]:
    return os.environ.get("POLICY_KG_BACKEND") or None


def _store_path() -> Optional[str]:
    return os.environ.get("POLICY_KG_STORE") or None


@st.cache_resource(show_spinner=False)
def _open(backend: Optional[str], path: Optional[str]) -> GraphStore:
    return open_store(backend, path)


def get_store() -> GraphStore:
    """The store named by the environment, opened once per process (queries are read-only)."""
    return _open(_backend(), _store_path())


def _build_with_cli(status: Any) -> int:
    """Run ``python -m graph build`` in-process (the very same code), echoing its status lines."""
    from graph import cli

    class _Echo(io.TextIOBase):
        def write(self, text: str) -> int:
            for line in text.splitlines():
                if line.strip():
                    status.write(f"`{line.strip()}`")
            return len(text)

    argv = ["build"]
    if _store_path():
        argv += ["--store", _store_path()]
    if _backend():
        argv += ["--backend", _backend()]
    with contextlib.redirect_stderr(_Echo()):
        return cli.main(argv)


def ensure_graph() -> GraphStore:
    """The store with a graph in it: built on first start; stops the page with a message if not."""
    try:
        store = get_store()
        if store.exists():
            return store
        with _BUILD_LOCK:  # one build per process, however many sessions start at once
            if not store.exists():
                with st.status("首次启动：正在构建图谱 · Building the graph from the shipped corpus…",
                               expanded=True) as status:
                    rc = _build_with_cli(status)
                    if not store.exists():
                        status.update(label="构建失败 · Build failed", state="error")
                        st.error("图谱构建失败，请查看上面的信息。 The graph could not be built; "
                                 "see the messages above, or run `python -m graph build`.")
                        st.stop()
                    state = "complete" if rc == 0 else "error"
                    status.update(label="图谱已构建 · Graph built", state=state, expanded=rc != 0)
                st.cache_data.clear()
        return store
    except StoreUnavailable as exc:
        st.error(f"无法打开图谱存储 · The graph store is unavailable: {exc}")
        st.info("Check POLICY_KG_BACKEND / POLICY_KG_STORE (or NEO4J_URI, NEO4J_USER, "
                "NEO4J_PASSWORD for Neo4j), then reload the page.")
        st.stop()
    except StoreError as exc:
        st.error(f"图谱存储出错 · Store error: {exc}")
        st.stop()
    raise AssertionError("unreachable")  # pragma: no cover


@st.cache_data(ttl=10, show_spinner=False)
def _version(backend: Optional[str], path: Optional[str]) -> str:
    return AQ.graph_fingerprint(get_store())


def store_version() -> str:
    """Changes when the stored graph changes (checked at most every 10 s)."""
    return _version(_backend(), _store_path())


# -- cached reads -------------------------------------------------------------------------------
def _function(name: str) -> Any:
    fn = getattr(Q, name, None) or getattr(AQ, name, None)
    if fn is None:
        raise AttributeError(f"no query function {name!r} in graph.queries or graph.app_queries")
    return fn


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(version: str, name: str, kwargs_json: str) -> Any:
    return _function(name)(get_store(), **json.loads(kwargs_json))


def q(_function_name: str, /, **kwargs: Any) -> Any:
    """``graph.queries.<name>(store, **kwargs)`` (or ``graph.app_queries``), cached per version."""
    return _cached_call(store_version(), _function_name,
                        json.dumps(kwargs, ensure_ascii=False, sort_keys=True, default=list))


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_cypher(version: str, cypher: str, params_json: str, timeout_s: float,
                   max_rows: int) -> QueryResult:
    return get_store().query(cypher, json.loads(params_json), timeout_s=timeout_s,
                             max_rows=max_rows)


def run_cypher(cypher: str, params: dict[str, Any], timeout_s: float,
               max_rows: int) -> QueryResult:
    """A user's read-only query; raises the store errors (QueryRefused, QueryFailed, ...)."""
    return _cached_cypher(store_version(), cypher, json.dumps(params, ensure_ascii=False,
                                                              sort_keys=True),
                          float(timeout_s), int(max_rows))


@contextlib.contextmanager
def shows_errors(what: str = "") -> Iterator[None]:
    """Show store errors and bad user input as messages, never as a traceback."""
    prefix = f"{what}: " if what else ""
    try:
        yield
    except StoreUnavailable as exc:
        st.error(f"{prefix}图谱存储不可用 · Store unavailable: {exc}")
    except StoreError as exc:
        st.error(f"{prefix}{exc}")
    except Q.QueryInputError as exc:
        st.warning(f"{prefix}{exc}")


# -- deep links ---------------------------------------------------------------------------------
def param(name: str) -> Optional[str]:
    """A query parameter of the current URL (first value), or None."""
    value = st.query_params.get(name)
    return value or None


def set_params(**values: Optional[str]) -> None:
    """Put the page's current selection into the URL (None removes a parameter)."""
    for key, value in values.items():
        if value in (None, ""):
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != str(value):
            st.query_params[key] = str(value)


def share_note(url: str) -> None:
    """A small caption with a shareable link (relative to the app root)."""
    st.caption(f"分享链接 · Share: [{url}]({url})")


def link(page: str, **params: str) -> str:
    """A relative URL of ``page`` with query parameters, e.g. ``./agency?agency=市科委``."""
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in params.items() if v})
    return f"./{page}" + (f"?{query}" if query else "")


# -- display helpers ----------------------------------------------------------------------------
# Plain HTML tables for lists a user reads (long Chinese text wraps; links are ordinary links).
# They draw at once; the canvas grid of st.dataframe is kept for tables worth sorting.
TABLE_STYLE = """<style>
table.kg-table {border-collapse: collapse; width: 100%; font-size: 14px; margin-bottom: 1rem;}
table.kg-table th {text-align: left; background: #f0f2f6; padding: 4px 6px; white-space: nowrap;}
table.kg-table td {border-top: 1px solid #e6e9ef; padding: 4px 6px; vertical-align: top;
                   overflow-wrap: anywhere;}
table.kg-table td.src {color: #555; font-size: 13px;}
table.kg-table td.num, table.kg-table td.links {white-space: nowrap;}
</style>"""


class Cell(NamedTuple):
    """One table cell: ``text`` is escaped; with ``href`` it is a link; ``css`` is its class."""

    text: Any
    css: str = ""
    href: Optional[str] = None


def html_table(headers: Sequence[str], rows: Iterable[Sequence[Cell]], css: str = "") -> str:
    """An HTML table (``class="kg-table <css>"``) with every value escaped; use with ``st.html``."""
    out = [f'<table class="kg-table {escape(css)}"><thead><tr>',
           "".join(f"<th>{escape(h)}</th>" for h in headers), "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for c in row:
            text = escape("" if c.text is None else str(c.text))
            if c.href:
                text = f'<a href="{escape(c.href)}" target="_self">{text}</a>'
            cells.append(f'<td class="{escape(c.css)}">{text}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def short(text: Optional[str], n: int = 18) -> str:
    text = (text or "").replace("\n", " ").strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def caption(node: dict[str, Any], n: int = 16) -> str:
    """A short display name for a normalized store node dict."""
    label = node.get("_label")
    if label == "Measure":
        return short(f"{node.get('number') or ''} {node.get('title') or ''}".strip(), n)
    if label == "Chapter":
        return short(node.get("heading") or node.get("title"), n)
    if label == "Document":
        return short(node.get("title") or node.get("source_file"), n)
    if label == "Target":
        value = node.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return short(f"{node.get('metric') or ''} {value if value is not None else ''}"
                     f"{node.get('unit') or ''}", n)
    return short(node.get("name") or node.get("title") or node.get("id"), n)


def sync_from_url(name: str, state_key: str, resolve: Any = None) -> None:
    """Apply the URL parameter ``name`` to the widget state ``state_key`` once per new value.

    ``resolve(value)`` maps the URL value to the widget value (None: ignore it). Call before the
    widget is created; call ``remember_url(name, value)`` after, when the page writes the URL.
    """
    url_value = param(name)
    marker = f"_url_{name}"
    if url_value and url_value != st.session_state.get(marker):
        st.session_state[marker] = url_value
        value = resolve(url_value) if resolve else url_value
        if value is not None:
            st.session_state[state_key] = value


def remember_url(name: str, value: Optional[str]) -> None:
    """Write ``value`` to the URL parameter ``name`` without it being re-applied later."""
    st.session_state[f"_url_{name}"] = value
    set_params(**{name: value})


@st.cache_data(show_spinner=False, max_entries=64)
def _export(version: str, what: str, fmt: str, agency: Optional[str]) -> bytes:
    from graph import exports

    if what == "workbook":
        return exports.responsibilities_workbook(get_store(), per_agency=True)
    return exports.responsibilities_bytes(get_store(), fmt, agency=agency)


def export_bytes(what: str, fmt: str = "xlsx", agency: Optional[str] = None) -> bytes:
    """Export bytes from ``graph.exports`` (``what``: responsibilities | workbook), cached."""
    return _export(store_version(), what, fmt, agency)


MIME = {
    "csv": "text/csv",
    "json": "application/json",
    "md": "text/markdown",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
