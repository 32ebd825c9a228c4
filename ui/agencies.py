"""机构 Agencies: who owns what -- one agency's measures, partners and downloadable lists.

Takes: the store via ``ui.common`` (``graph.queries``: agency_rows, agency_summary,
resolve_agency_ids, responsibility_rows, target_rows, co_responsibility) and the URL parameter
``agency`` (short name, full name or alias).
Gives: ``render()`` -- an agency picker (select box, or a search box accepting the short name,
full name or any alias); the agency's measures, lead and support, grouped by document with
chapter, targets and source text; its co-responsibility network (click a partner to switch to
it); one-click downloads (CSV with BOM, XLSX, DOCX, JSON) from ``graph.exports`` and the
all-agencies workbook.
"""

from __future__ import annotations

from html import escape
from typing import Optional

import pandas as pd
import streamlit as st

from graph.queries import QueryInputError
from ui import graph_render
from ui.common import (
    MIME, ROLE_ZH, TABLE_STYLE, Cell, export_bytes, html_table, link, param, q, remember_url,
    share_note, shows_errors, sync_from_url,
)

KEY = "agency"  # widget key of the agency select box (tests use it)
SEARCH_KEY = "agency_search"
FORMATS = (("csv", "CSV (UTF-8 BOM)"), ("xlsx", "XLSX"), ("docx", "DOCX 任务分工表"),
           ("json", "JSON"))


def _options() -> tuple[list[str], dict[str, dict]]:
    """Agency names, busiest first, and their rows (with led/supported counts)."""
    agencies = {a["name"]: dict(a, led=0, supported=0) for a in q("agency_rows")}
    for r in q("agency_summary"):
        if r["agency"] in agencies:
            agencies[r["agency"]]["led"] += r["led"] or 0
            agencies[r["agency"]]["supported"] += r["supported"] or 0
    names = sorted(agencies, key=lambda n: (-(agencies[n]["led"] + agencies[n]["supported"]), n))
    return names, agencies


def _resolve(text: str) -> Optional[str]:
    """The canonical short name for a short name, full name or alias; None if unknown."""
    try:
        ids = q("resolve_agency_ids", name=text)
    except QueryInputError:
        return None
    names = {a["id"]: a["name"] for a in q("agency_rows")}
    return names.get(ids[0]) if ids else None


def _on_search() -> None:
    text = (st.session_state.get(SEARCH_KEY) or "").strip()
    if not text:
        return
    name = _resolve(text)
    if name is None:
        st.session_state["_agency_search_miss"] = text
    else:
        st.session_state.pop("_agency_search_miss", None)
        st.session_state[KEY] = name


def _pick_partner() -> None:
    node_id = graph_render.clicked_node_id(st.session_state.get("agency_network"))
    if node_id and node_id.startswith("agency:"):
        st.session_state[KEY] = node_id.split(":", 1)[1]


def _targets_by_measure() -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for t in q("target_rows"):
        if t["measure_id"]:
            value = t["value"]
            text = f"{t['metric']} {t['comparator'] if t['comparator'] != '=' else ''}{value}" \
                   f"{t['unit'] or ''}" + (f"（{t['year']}年）" if t["year"] else "")
            out.setdefault(t["measure_id"], []).append(text)
    return {k: "；".join(v) for k, v in out.items()}


# The measure lists are plain HTML tables (ui.common.html_table), not st.dataframe: long Chinese
# titles and clauses wrap instead of being cut off, links are ordinary links, and the browser
# draws them at once (the canvas grid was most of the time from picking an agency to its rows).
_HEAD = ("原文", "图谱", "章节 chapter", "序号 No.", "措施 measure", "排序 rank", "目标 targets",
         "责任条款 source text")


def measures_table_html(rows: list[dict], targets: dict[str, str]) -> str:
    """One document's measures for one agency as an HTML table (every value escaped)."""
    body = []
    for r in rows:
        mid = r["measure_id"]
        body.append((
            Cell("原文", "links", link("document", measure=mid)),
            Cell("图谱", "links", link("graph", node=mid)),
            Cell(r.get("chapter")),
            Cell(r.get("measure_number"), "num"),
            Cell(r.get("measure_title"), "title"),
            Cell(r.get("rank"), "num"),
            Cell(targets.get(mid, "")),
            Cell(r.get("source_text"), "src"),
        ))
    return html_table(_HEAD, body, css="kg-measures")


def _measures(name: str) -> None:
    rows = q("responsibility_rows", agency=name)
    if not rows:
        st.info(f"{name} 没有负责的措施。 {name} is not responsible for any measure.")
        return
    targets = _targets_by_measure()
    led = sum(1 for r in rows if r["role"] == "lead")
    supported = sum(1 for r in rows if r["role"] == "support")
    c1, c2, c3 = st.columns(3)
    c1.metric("牵头 Lead", led)
    c2.metric("配合 Support", supported)
    c3.metric("涉及文件 Documents", len({r["document_id"] for r in rows}))
    for tab, role in zip(st.tabs([f"牵头 Lead ({led})", f"配合 Support ({supported})"]),
                         ("lead", "support")):
        with tab:
            part = [r for r in rows if r["role"] == role]
            if not part:
                st.caption(f"没有{ROLE_ZH[role]}的措施。 None.")
                continue
            by_doc: dict[str, list[dict]] = {}
            for r in part:  # documents in the order the query returns them
                by_doc.setdefault(r["document_id"], []).append(r)
            html = [TABLE_STYLE]
            for group in by_doc.values():
                first = group[0]
                ref = first["doc_number"] or first["source_file"]
                html.append(f"<p><b>{escape(first['document'] or '')}</b> · "
                            f"{escape(ref or '')} · {len(group)} 条</p>")
                html.append(measures_table_html(group, targets))
            st.html("".join(html))


def _network(name: str) -> None:
    st.subheader("合作网络 · Co-responsibility")
    rows = q("co_responsibility", agency=name)
    if not rows:
        st.caption("没有与其他机构共同负责的措施。 No shared measures.")
        return
    left, right = st.columns([3, 2])
    centre = f"agency:{name}"
    nodes = [{"_kind": "node", "_label": "Agency", "id": centre, "name": name}]
    edges = []
    for r in rows[:40]:
        nodes.append({"_kind": "node", "_label": "Agency", "id": f"agency:{r['agency']}",
                      "name": r["agency"]})
        edges.append({"_kind": "rel", "_type": "SHARES", "_source": centre,
                      "_target": f"agency:{r['agency']}",
                      "_caption": str(r["shared_measures"])})
    with left:
        graph_render.draw(nodes, edges, key="agency_network", height=420, centre=centre,
                          on_change=_pick_partner)
        st.caption("点击机构切换 · Click an agency to switch to it. Edge label = shared measures.")
    df = pd.DataFrame(rows)
    df["source_files"] = df["source_files"].map(lambda v: "、".join(v))
    df["link"] = [link("agency", agency=a) for a in df["agency"]]
    right.dataframe(df[["link", "agency", "shared_measures", "source_files"]], hide_index=True,
                    width="stretch", height=420, column_config={
                        "link": st.column_config.LinkColumn("打开", display_text="机构"),
                        "agency": "机构 agency", "shared_measures": "共同措施 shared",
                        "source_files": "文件 files"})


def _downloads(name: str) -> None:
    st.subheader("下载责任清单 · Download the responsibility list")
    cols = st.columns(len(FORMATS) + 1)
    for col, (fmt, label) in zip(cols, FORMATS):
        col.download_button(
            label, data=lambda fmt=fmt: export_bytes("responsibilities", fmt, name),
            file_name=f"{name}_责任清单.{fmt}", mime=MIME[fmt], key=f"dl_{fmt}",
            on_click="ignore", icon=":material/download:", width="stretch")
    cols[-1].download_button(
        "全部机构 All agencies (XLSX)", data=lambda: export_bytes("workbook"),
        file_name="全部机构_责任清单.xlsx", mime=MIME["xlsx"], key="dl_all",
        on_click="ignore", icon=":material/download:", width="stretch",
        help="one sheet per agency · 每个机构一个工作表")


def render() -> None:
    st.title("机构 · Agencies")
    with shows_errors("机构"):
        names, info = _options()
        if not names:
            st.warning("图谱中没有机构。 No agencies in the graph.")
            return
        sync_from_url("agency", KEY, _resolve)
        url_value = param("agency")
        if url_value and _resolve(url_value) is None:
            st.warning(f"找不到机构 “{url_value}” · No agency {url_value!r} in the graph.")
        if st.session_state.get(KEY) not in info:
            st.session_state[KEY] = names[0]
    _agency_view(names, info)


@st.fragment
def _agency_view(names: list[str], info: dict[str, dict]) -> None:
    """Picker and everything about the picked agency: picking another reruns only this part."""
    with shows_errors("机构"):
        left, right = st.columns([2, 1])
        left.selectbox(
            "机构 Agency", names, key=KEY,
            format_func=lambda n: f"{n} · {info[n].get('full_name') or ''} "
                                  f"({info[n]['led']} 牵头 / {info[n]['supported']} 配合)"
                                  + (f" · 别名 {'、'.join(info[n]['aliases'])}"
                                     if info[n]["aliases"] else ""))
        right.text_input("搜索 Search", key=SEARCH_KEY, on_change=_on_search,
                         placeholder="简称、全称或别名 · short/full name or alias")
        miss = st.session_state.get("_agency_search_miss")
        if miss:
            st.warning(f"找不到机构 “{miss}” · No agency matches {miss!r}.")
        name = st.session_state[KEY]
        remember_url("agency", name)
        a = info[name]
        st.header(name)
        st.caption(" · ".join(x for x in (
            a.get("full_name"), a.get("kind"),
            ("别名 aliases: " + "、".join(a["aliases"])) if a["aliases"] else None,
            "已收录 catalogued" if a.get("catalogued") else "未收录 not in the gazetteer") if x))
        share_note(link("agency", agency=name))
        _measures(name)
        _network(name)
        _downloads(name)
