"""总览 Overview: what is in the graph at a glance.

Takes: the store via ``ui.common`` (``graph.queries``: stats, document_rows, agency_summary,
agency_sector_matrix, unowned_measures).
Gives: ``render()`` -- counts by type, documents on a timeline, agencies ranked by measures led
and supported, an agency x sector heat map and the measures with no responsible agency, each
linking to the page that shows the item.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui.common import LABEL_ZH, link, q, shows_errors, short

TOP_AGENCIES = 25
TOP_SECTORS = 25


def _counts() -> None:
    s = q("stats")
    docs = [d for d in q("document_rows")]
    cols = st.columns(8)
    cols[0].metric("文件 Documents", len(docs))
    plural = {"Agency": "Agencies"}
    for col, label in zip(cols[1:], ("Chapter", "Measure", "Agency", "Sector", "Place", "Target")):
        col.metric(f"{LABEL_ZH[label]} {plural.get(label, label + 's')}", s.nodes.get(label, 0))
    cols[7].metric("关系 Relations", sum(s.relationships.values()))
    with st.expander("按文件统计 · Per document"):
        st.dataframe(pd.DataFrame(s.documents).rename(columns={
            "source_file": "文件 file", "title": "标题 title", "chapters": "章节",
            "measures": "措施", "responsibilities": "责任", "targets": "目标"}),
            hide_index=True, width="stretch")


def _timeline() -> None:
    st.subheader("文件时间线 · Documents on a timeline")
    docs = q("document_rows")
    rows = []
    for d in docs:
        rows.append({"title": d["title"], "short": short(d["title"], 26), "issued": d["issued"],
                     "doc_number": d["doc_number"] or "—", "kind": d["kind"] or "",
                     "source_file": d["source_file"], "cites": len(d["cites"]),
                     "link": link("document", document=d["source_file"])})
    df = pd.DataFrame(rows)
    dated = df[df["issued"].notna()].copy()
    if not dated.empty:
        dated["issued"] = pd.to_datetime(dated["issued"], errors="coerce")
        chart = alt.Chart(dated).mark_circle(size=220).encode(
            x=alt.X("issued:T", title="发布日期 issued", scale=alt.Scale(padding=40),
                    axis=alt.Axis(format="%Y-%m")),
            y=alt.Y("short:N", title=None, sort=alt.SortField("issued"),
                    axis=alt.Axis(labelLimit=360, labelOverlap=False)),
            color=alt.Color("kind:N", title="类型 kind", legend=alt.Legend(orient="bottom")),
            tooltip=["title", "doc_number", "issued:T", "source_file"],
        )
        labels = chart.mark_text(dy=-15, fontSize=12).encode(text="doc_number:N")
        st.altair_chart(alt.layer(chart, labels).properties(height=alt.Step(56)),
                        width="stretch")
    undated = df[df["issued"].isna()]
    if not undated.empty:
        st.caption("无发布日期（研究文章等）· Undated: " + "；".join(undated["title"]))
    st.dataframe(df[["link", "title", "doc_number", "issued", "kind", "cites"]], hide_index=True,
                 width="stretch", column_config={
                     "link": st.column_config.LinkColumn("打开 open", display_text="原文"),
                     "title": "标题 title", "doc_number": "文号", "issued": "发布 issued",
                     "kind": "类型 kind", "cites": "引用数 cites"})


def _agencies() -> None:
    st.subheader("机构排名 · Agencies by measures led and supported")
    rows = q("agency_summary")
    if not rows:
        st.info("图谱中没有责任分工。 No responsibilities in the graph.")
        return
    df = pd.DataFrame(rows).groupby("agency", as_index=False)[["led", "supported"]].sum()
    df["total"] = df["led"] + df["supported"]
    df = df.sort_values(["total", "led", "agency"], ascending=[False, False, True])
    top = df.head(TOP_AGENCIES)
    long = top.melt(id_vars=["agency", "total"], value_vars=["led", "supported"],
                    var_name="role", value_name="measures")
    long["role"] = long["role"].map({"led": "牵头 lead", "supported": "配合 support"})
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("agency:N", sort=list(top["agency"]), title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=220)),
        x=alt.X("measures:Q", title="措施数 measures"),
        color=alt.Color("role:N", title="角色 role",
                        scale=alt.Scale(range=["#d62728", "#f7b6b6"])),
        tooltip=["agency", "role", "measures"],
    ).properties(height=max(200, 24 * len(top)))
    left, right = st.columns([3, 2])
    left.altair_chart(chart, width="stretch")
    df["link"] = [link("agency", agency=a) for a in df["agency"]]
    right.dataframe(df[["link", "agency", "led", "supported", "total"]], hide_index=True,
                    width="stretch", height=max(200, 22 * len(top)), column_config={
                        "link": st.column_config.LinkColumn("打开", display_text="机构"),
                        "agency": "机构 agency", "led": "牵头", "supported": "配合",
                        "total": "合计"})


def _heatmap() -> None:
    st.subheader("机构 × 行业 · Agency × sector")
    rows = q("agency_sector_matrix")
    if not rows:
        st.info("没有同时带有责任部门和行业的措施。 No measure has both agencies and sectors.")
        return
    df = pd.DataFrame(rows)
    agencies = df.groupby("agency")["measures"].sum().nlargest(TOP_AGENCIES).index
    sectors = df.groupby("sector")["measures"].sum().nlargest(TOP_SECTORS).index
    df = df[df["agency"].isin(agencies) & df["sector"].isin(sectors)]
    chart = alt.Chart(df).mark_rect().encode(
        x=alt.X("sector:N", title="行业 sector", sort=list(sectors),
                axis=alt.Axis(labelAngle=-45, labelOverlap=False)),
        y=alt.Y("agency:N", title="机构 agency", sort=list(agencies),
                axis=alt.Axis(labelOverlap=False, labelLimit=220)),
        color=alt.Color("measures:Q", title="措施数", scale=alt.Scale(scheme="orangered")),
        tooltip=["agency", "sector", "measures", "led"],
    ).properties(height=max(220, 24 * len(agencies)))
    st.altair_chart(chart, width="stretch")
    st.caption(f"前 {TOP_AGENCIES} 个机构、前 {TOP_SECTORS} 个行业 · top agencies and sectors by "
               "measures; a measure counts once per (agency, sector).")


def _unowned() -> None:
    rows = q("unowned_measures")
    st.subheader(f"无责任部门的措施 · Measures with no responsible agency ({len(rows)})")
    if not rows:
        st.success("每条措施都有责任部门。 Every measure has a responsible agency.")
        return
    df = pd.DataFrame(rows)
    df["link"] = [link("document", measure=r["id"]) for r in rows]
    by_file = df.groupby("source_file").size().rename("n").reset_index()
    st.caption("；".join(f"{r.source_file}: {r.n}" for r in by_file.itertuples()))
    st.dataframe(df[["link", "source_file", "chapter", "measure_number", "title", "kind"]],
                 hide_index=True, width="stretch", column_config={
                     "link": st.column_config.LinkColumn("打开", display_text="原文"),
                     "source_file": "文件 file", "chapter": "章节 chapter",
                     "measure_number": "序号 No.", "title": "措施 measure", "kind": "类型 kind"})


def render() -> None:
    st.title("上海经济政策知识图谱 · Overview")
    st.caption("Documents, measures, agencies, sectors, places and targets extracted from "
               "Shanghai economic policy documents. Pick a page on the left.")
    with shows_errors("总览"):
        _counts()
        _timeline()
        _agencies()
        _heatmap()
        _unowned()
