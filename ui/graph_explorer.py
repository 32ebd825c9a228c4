"""图谱 Graph explorer: start from any node, see its neighbourhood, click to inspect and expand.

Takes: the store via ``ui.common`` (``graph.queries``: search_nodes, neighbourhood,
agency_summary; ``graph.app_queries``: node, node_relations) and the URL parameters ``node``
(centre) and ``select`` (selected node).
Gives: ``render()`` -- a search box; the 1- or 2-hop neighbourhood of the centre node, filtered by
node type and capped (``DEFAULT_CAP`` nodes, with a note when capped), drawn with st-link-analysis;
a click on a node selects it (properties, source text, relationships with their provenance);
double-click or "expand" adds its neighbours; "centre here" re-centres the view.

Session state (tests set these directly): ``gx_centre``, ``gx_selected``, ``gx_expanded``.
"""

from __future__ import annotations

from typing import Any, Optional

import streamlit as st

from ui import graph_render
from ui.common import (
    LABEL_ZH, REL_ZH, TABLE_STYLE, Cell, caption, html_table, link, param, q, remember_url,
    share_note, shows_errors,
)

DEFAULT_CAP = 250
LABELS = list(LABEL_ZH)
HIDDEN_PROPS = {"_kind", "_label", "text"}


def _default_centre() -> Optional[str]:
    rows = q("agency_summary")
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["agency"]] = totals.get(r["agency"], 0) + (r["led"] or 0) + (r["supported"] or 0)
    if totals:
        return "agency:" + max(sorted(totals), key=lambda a: totals[a])
    docs = q("document_rows")
    return docs[0]["id"] if docs else None


def _set_centre(node_id: str) -> None:
    st.session_state["gx_centre"] = node_id
    st.session_state["gx_selected"] = node_id
    st.session_state["gx_expanded"] = []


def _on_pick() -> None:
    pick = st.session_state.get("gx_pick")
    if pick:
        _set_centre(pick)


def _on_graph_event() -> None:
    event = st.session_state.get("gx_graph")
    node_id = graph_render.clicked_node_id(event)
    if not node_id:
        return
    st.session_state["gx_selected"] = node_id
    if isinstance(event, dict) and event.get("action") == "expand":
        _expand(node_id)


def _expand(node_id: str) -> None:
    expanded = list(st.session_state.get("gx_expanded") or [])
    if node_id not in expanded and node_id != st.session_state.get("gx_centre"):
        expanded.append(node_id)
    st.session_state["gx_expanded"] = expanded


def _from_url() -> None:
    node = param("node")
    if node and node != st.session_state.get("_url_node"):
        st.session_state["_url_node"] = node
        _set_centre(node)
    sel = param("select")
    if sel and sel != st.session_state.get("_url_select"):
        st.session_state["_url_select"] = sel
        st.session_state["gx_selected"] = sel


def _search() -> None:
    text = st.text_input("搜索节点 Search nodes", key="gx_search",
                         placeholder="机构、文件、措施、行业、地点… · agency, document, measure…")
    if not text.strip():
        return
    hits = q("search_nodes", text=text.strip(), limit=40)
    if not hits:
        st.warning(f"没有匹配 “{text}” 的节点。 No node matches {text!r}.")
        return
    options = [h["id"] for h in hits]
    names = {h["id"]: f"[{LABEL_ZH.get(h['label'], h['label'])}] {h['name']}"
                      + (f" · {h['source_file']}" if h.get("source_file") else "") for h in hits}
    if st.session_state.get("gx_pick") not in options:
        st.session_state.pop("gx_pick", None)
    st.selectbox(f"结果 Results ({len(hits)})", options, key="gx_pick", index=None,
                 format_func=names.get, on_change=_on_pick,
                 placeholder="选择一个节点作为中心 · pick a node to centre on")


def _collect(centre: str, hops: int, labels: list[str], cap: int) -> tuple[list, list, bool]:
    nodes, edges, capped = q("neighbourhood", node_id=centre, hops=hops, labels=labels,
                             limit=cap)
    by_id = {n["id"]: n for n in nodes}
    all_edges = list(edges)
    for node_id in st.session_state.get("gx_expanded") or []:
        more_nodes, more_edges, more_capped = q("neighbourhood", node_id=node_id, hops=1,
                                                labels=labels, limit=cap)
        capped = capped or more_capped
        for n in more_nodes:
            if n["id"] not in by_id:
                if len(by_id) >= cap:
                    capped = True
                    continue
                by_id[n["id"]] = n
        all_edges.extend(more_edges)
    return list(by_id.values()), all_edges, capped


def _props_table(node: dict[str, Any]) -> None:
    rows = [(Cell(k, "num"), Cell(v)) for k, v in node.items()
            if k not in HIDDEN_PROPS and v not in (None, "")]
    st.html(TABLE_STYLE + html_table(("属性 property", "值 value"), rows, css="kg-props"))


def _source_text(node: dict[str, Any]) -> None:
    label = node.get("_label")
    text = node.get("text")
    if label == "Document" and text:
        st.markdown("**原文（开头）· Text (start)**")
        st.text(text[:600] + ("…" if len(text) > 600 else ""))
    elif text:
        st.markdown("**原文 · Source text**")
        st.info(text)


def _details(node_id: str) -> None:
    node = q("node", node_id=node_id)
    if node is None:
        st.warning(f"图谱中没有节点 {node_id!r}。 No node with this id.")
        return
    label = node.get("_label", "")
    st.subheader(f"{LABEL_ZH.get(label, label)} · {caption(node, 40)}")
    b1, b2 = st.columns(2)
    if b1.button("展开 Expand", key="gx_expand_btn", icon=":material/unfold_more:",
                 width="stretch"):
        _expand(node_id)
        st.rerun()
    if b2.button("设为中心 Centre", key="gx_centre_btn", icon=":material/center_focus_strong:",
                 width="stretch"):
        _set_centre(node_id)
        st.rerun()
    links = [f"[节点链接 node link]({link('graph', node=node_id)})"]
    if label == "Agency":
        links.append(f"[机构页 agency page]({link('agency', agency=node.get('name'))})")
    if label == "Measure":
        links.append(f"[原文 in document]({link('document', measure=node_id)})")
    if label == "Document" and not node.get("external"):
        links.append(f"[文件页 document page]({link('document', document=node_id)})")
    st.markdown(" · ".join(links))
    _source_text(node)
    _props_table(node)
    rels = q("node_relations", node_id=node_id)
    if rels:
        st.markdown(f"**关系 · Relationships ({len(rels)})**")
        rows = []
        for r in rels:
            props, other = r["properties"], r["other"]
            rows.append((
                Cell("→" if r["direction"] == "out" else "←", "num"),
                Cell(f"{REL_ZH.get(r['type'], r['type'])} {r['type']}"),
                Cell(f"[{LABEL_ZH.get(other.get('_label'), '')}] {caption(other, 30)}",
                     href=link("graph", node=other.get("id"))),
                Cell(props.get("role") or ""),
                Cell(" ".join(str(x) for x in (
                    props.get("source_file"), f"L{props['line']}" if props.get("line") else None,
                    props.get("source_text")) if x), "src"),
            ))
        st.html(TABLE_STYLE + html_table(
            ("方向", "关系 type", "节点 node", "角色 role", "出处 provenance"), rows,
            css="kg-relations"))


def render() -> None:
    st.title("图谱 · Graph explorer")
    with shows_errors("图谱"):
        _from_url()
        if not st.session_state.get("gx_centre"):
            centre = _default_centre()
            if centre is None:
                st.warning("图谱为空。 The graph is empty.")
                return
            _set_centre(centre)
        _search()
        # the filters sit in a popover: drawn when opened, so the graph is not kept waiting for
        # three more widgets on the first render (measured ~0.4 s of the page's first draw)
        hops = int(st.session_state.get("gx_hops", 1))
        labels = st.session_state.get("gx_labels", LABELS)
        cap = int(st.session_state.get("gx_cap", DEFAULT_CAP))
        summary = (f"筛选 Filters · {hops} 跳 hop{'s' if hops > 1 else ''} · "
                   f"{len(labels or LABELS)}/{len(LABELS)} 类型 types · 上限 cap {cap}")
        with st.popover(summary, icon=":material/filter_list:"):
            hops = st.radio("跳数 Hops", [1, 2], key="gx_hops", horizontal=True)
            labels = st.multiselect("节点类型 Node types", LABELS, default=LABELS, key="gx_labels",
                                    format_func=lambda lb: f"{LABEL_ZH[lb]} {lb}")
            cap = int(st.number_input("上限 Cap", min_value=10, max_value=1000,
                                      value=DEFAULT_CAP, step=50, key="gx_cap"))
        centre = st.session_state["gx_centre"]
        selected = st.session_state.get("gx_selected") or centre
        remember_url("node", centre)
        remember_url("select", selected if selected != centre else None)
        nodes, edges, capped = _collect(centre, int(hops), labels or LABELS, cap)
        centre_node = next((n for n in nodes if n["id"] == centre), None)
        left, right = st.columns([3, 2])
        with left:
            title = caption(centre_node, 40) if centre_node else centre
            st.markdown(f"**中心 Centre:** {title} · {len(nodes)} 个节点 nodes, "
                        f"{len(edges)} 条关系 edges")
            if capped:
                st.warning(f"节点过多，只显示前 {cap} 个。 More than {cap} nodes: showing the "
                           "first ones. Use 1 hop, filter types, or expand single nodes.")
            graph_render.draw(nodes, edges, key="gx_graph", height=620, centre=centre,
                              on_change=_on_graph_event)
            st.caption("单击节点查看详情，双击展开。 Click a node for details; double-click "
                       "(or the expand button) to add its neighbours.")
            share_note(link("graph", node=centre, select=selected if selected != centre else ""))
        with right:
            _details(selected)
