"""查询 Cypher console: run read-only Cypher with parameters; see a table and, if any, a graph.

Takes: the store via ``ui.common.run_cypher``; example queries from
``graph.cypher.EXAMPLE_QUERIES`` (the DESIGN.md questions); the schema from ``graph.schema``;
URL parameters ``example`` (a query name) or ``query`` (+ ``params`` as JSON).
Gives: ``render()`` -- an example picker, a query box and a JSON parameter box, a row cap and a
time limit (defaults: ``POLICY_KG_MAX_ROWS`` / ``POLICY_KG_QUERY_TIMEOUT`` via
``graph.readonly.query_limits``, else 5000 rows / 10 s); results as a table, as a graph when
nodes/relationships are returned, and as a CSV download. Writes are refused by the store
(``QueryRefused``) and shown as a message, as are syntax errors, timeouts, memory limits and
empty results; a failed query is not re-run by unrelated reruns of the page (only by Run or by
changing the query, parameters or limits). A short schema note and the dialect differences
between the embedded engine and Neo4j are shown below.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Optional

import pandas as pd
import streamlit as st

from graph.cypher import EXAMPLE_QUERIES, EXAMPLE_QUERY_BY_NAME
from graph.schema import NODE_TYPES, REL_TYPES
from graph.readonly import BUILTIN_MAX_ROWS, BUILTIN_TIMEOUT_S, query_limits
from graph.store import QueryFailed, QueryRefused, StoreError
from ui import graph_render
from ui.common import get_store, link, param, run_cypher, share_note

QUERY_KEY = "cy_query"
PARAMS_KEY = "cy_params"
EXAMPLE_KEY = "cy_example"
CUSTOM = "__custom__"
FAILED_KEY = "cy_failed"
GRAPH_NODE_LIMIT = 250
TIMEOUT_RANGE = (1.0, 120.0)  # seconds; widened to include a larger POLICY_KG_QUERY_TIMEOUT
MAX_ROWS_RANGE = (1, 100_000)  # widened to include a larger POLICY_KG_MAX_ROWS

DIALECT_NOTE = """
**方言差异 · Dialect notes (embedded LadybugDB vs Neo4j)**

- Match labels explicitly, `(m:Measure)`; `label()`/`labels()`/`type()` differ between engines.
- `end` is a keyword in LadybugDB: write ``m.`end` `` for the Measure end offset.
- Count with `count(CASE WHEN … THEN 1 END)`; `sum(CASE …)` is DECIMAL on LadybugDB.
- No APOC and no `shortestPath` on the embedded engine; variable-length paths `[*1..3]` work on
  both (keep them bounded).
- Parameters are JSON: strings, numbers, lists (`{"agency": "市科委", "year": 2025}`).
- Read-only: `CREATE`, `MERGE`, `SET`, `DELETE`, `DROP`, `COPY`, `LOAD`, `CALL x=…`,
  `CHECKPOINT` … are refused, one statement per query.
- Bounded: a query stops at the time limit (or when it needs more memory than the query buffer);
  at most the row cap rows are shown.
"""


def _schema_note() -> str:
    lines = ["**图谱结构 · Schema**", ""]
    for nt in NODE_TYPES:
        props = ", ".join(p for p in nt.property_names if p not in ("text",))
        lines.append(f"- `(:{nt.label})` {props}")
    lines.append("")
    for rt in REL_TYPES:
        pairs = ", ".join(f"{a}→{b}" for a, b in rt.pairs)
        props = f" {{{', '.join(rt.property_names)}}}" if rt.properties else ""
        lines.append(f"- `[:{rt.name}{props}]` {pairs}")
    return "\n".join(lines)


def _load_example() -> None:
    name = st.session_state.get(EXAMPLE_KEY)
    example = EXAMPLE_QUERY_BY_NAME.get(name)
    if example is not None:
        st.session_state[QUERY_KEY] = example.cypher.strip()
        st.session_state[PARAMS_KEY] = json.dumps(example.params, ensure_ascii=False)


def _from_url() -> None:
    marker = (param("example"), param("query"), param("params"))
    if not any(marker) or marker == st.session_state.get("_url_cypher"):
        return
    st.session_state["_url_cypher"] = marker
    if marker[0] in EXAMPLE_QUERY_BY_NAME:
        st.session_state[EXAMPLE_KEY] = marker[0]
        _load_example()
    if marker[1]:
        st.session_state[EXAMPLE_KEY] = CUSTOM
        st.session_state[QUERY_KEY] = marker[1]
        st.session_state[PARAMS_KEY] = marker[2] or "{}"
    st.session_state["cy_run_now"] = True


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        kind = value.get("_kind")
        if kind == "node":
            name = value.get("name") or value.get("title") or value.get("heading") \
                or value.get("metric") or ""
            return f"({value.get('_label')} {value.get('id')} {name})"
        if kind == "rel":
            return f"[{value.get('_type')} {value.get('_source')}→{value.get('_target')}]"
        if kind == "path":
            return f"<path of {len(value.get('rels') or [])} relationships>"
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (list, tuple)):
        return json.dumps([_cell(v) for v in value], ensure_ascii=False, default=str)
    return value


def _csv(columns: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _params() -> dict[str, Any] | None:
    text = (st.session_state.get(PARAMS_KEY) or "").strip() or "{}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        st.error(f"参数不是有效的 JSON · Parameters are not valid JSON: {exc.msg} "
                 f"(line {exc.lineno}, column {exc.colno})")
        return None
    if not isinstance(value, dict):
        st.error("参数必须是 JSON 对象 · Parameters must be a JSON object, e.g. "
                 '{"agency": "市经济信息化委"}')
        return None
    return value


def _limits() -> tuple[float, int]:
    """Default time limit and row cap (environment or built-in), inside the widgets' ranges."""
    try:
        timeout_s, max_rows = query_limits()
    except StoreError as exc:
        st.warning(f"查询限制设置无效 · Ignoring a bad query limit setting: {exc}")
        timeout_s, max_rows = BUILTIN_TIMEOUT_S, BUILTIN_MAX_ROWS
    return max(TIMEOUT_RANGE[0], timeout_s), max(MAX_ROWS_RANGE[0], max_rows)


def _run(cypher: str, params: dict[str, Any], timeout_s: float, max_rows: int) -> Optional[str]:
    """Run and show a query; returns the error message shown when it failed, else None."""
    try:
        result = run_cypher(cypher, params, timeout_s, max_rows)
    except QueryRefused as exc:
        message = f"只读：不允许写入 · Refused (the console is read-only): {exc}"
    except QueryFailed as exc:
        message = f"查询失败 · Query failed: {exc}"
    except StoreError as exc:
        message = f"图谱存储出错 · Store error: {exc}"
    else:
        message = None
    if message is not None:
        st.error(message)
        return message
    if not result.rows:
        st.warning("查询没有返回结果。 The query returned no rows.")
        return None
    note = f"{len(result.rows)} 行 rows · {result.elapsed_s * 1000:.0f} ms"
    if result.truncated:
        st.warning(f"结果超过 {max_rows} 行，已截断。 More than {max_rows} rows: the first "
                   f"{max_rows} are shown (raise the row cap to see more).")
    st.caption(note)
    df = pd.DataFrame([[_cell(v) for v in row] for row in result.rows], columns=result.columns)
    nodes, rels = graph_render.graph_from_cells(result.rows)
    st.download_button("下载 CSV · Download CSV", data=_csv(result.columns, result.rows),
                       file_name="query.csv", mime="text/csv", key="cy_csv",
                       on_click="ignore", icon=":material/download:")
    if nodes:
        table, graph = st.tabs(["表格 Table", f"图 Graph ({len(nodes)} nodes)"])
        with table:
            st.dataframe(df, hide_index=True, width="stretch")
        with graph:
            shown = nodes[:GRAPH_NODE_LIMIT]
            if len(nodes) > GRAPH_NODE_LIMIT:
                st.warning(f"只画前 {GRAPH_NODE_LIMIT} 个节点。 Drawing the first "
                           f"{GRAPH_NODE_LIMIT} nodes only.")
            graph_render.draw(shown, rels, key="cy_graph", height=520)
            st.caption("在图谱页查看节点 · open a node in the explorer: "
                       + " ".join(f"[{i}]({link('graph', node=n['id'])})"
                                  for i, n in enumerate(shown[:10], 1)))
    else:
        st.dataframe(df, hide_index=True, width="stretch")
    return None


def render() -> None:
    st.title("查询 · Cypher console")
    st.caption(f"只读查询 · Read-only queries on the `{get_store().backend}` store. "
               "Every value should be a $parameter.")
    _from_url()
    options = [q.name for q in EXAMPLE_QUERIES] + [CUSTOM]
    titles = {q.name: f"{q.title_zh} · {q.title_en}" for q in EXAMPLE_QUERIES}
    titles[CUSTOM] = "自定义 Custom query"
    if EXAMPLE_KEY not in st.session_state:
        st.session_state[EXAMPLE_KEY] = options[0]
        _load_example()
    st.selectbox("示例 Example", options, key=EXAMPLE_KEY, format_func=titles.get,
                 on_change=_load_example)
    left, right = st.columns([3, 1])
    left.text_area("Cypher", key=QUERY_KEY, height=220)
    right.text_area("参数 Parameters (JSON)", key=PARAMS_KEY, height=120)
    default_timeout, default_rows = _limits()
    max_rows = int(right.number_input("行数上限 Row cap", MAX_ROWS_RANGE[0],
                                      max(MAX_ROWS_RANGE[1], default_rows), default_rows,
                                      step=500, key="cy_max_rows"))
    timeout_s = float(right.number_input("时限 Time limit (s)", TIMEOUT_RANGE[0],
                                         max(TIMEOUT_RANGE[1], default_timeout),
                                         float(default_timeout), step=5.0, key="cy_timeout"))
    run = st.button("运行 Run", type="primary", key="cy_run", icon=":material/play_arrow:")
    if st.session_state.pop("cy_run_now", False):
        run = True
    cypher = (st.session_state.get(QUERY_KEY) or "").strip()
    if run or st.session_state.get("cy_last") == (cypher, st.session_state.get(PARAMS_KEY)):
        if not cypher:
            st.warning("请输入查询。 Type a query first.")
        else:
            params = _params()
            if params is not None:
                st.session_state["cy_last"] = (cypher, st.session_state.get(PARAMS_KEY))
                share_note(link("cypher", query=cypher,
                                params=json.dumps(params, ensure_ascii=False)))
                attempt = (cypher, st.session_state.get(PARAMS_KEY), timeout_s, max_rows)
                failed = st.session_state.get(FAILED_KEY)
                if not run and failed and failed[0] == attempt:
                    st.error(failed[1])  # the same query failed last time: show, don't re-run
                else:
                    error = _run(cypher, params, timeout_s, max_rows)
                    st.session_state[FAILED_KEY] = (attempt, error) if error else None
    with st.expander("结构与方言 · Schema and dialect notes"):
        st.markdown(_schema_note())
        st.markdown(DIALECT_NOTE)
