"""链条 Plan chains: how documents cite and continue each other, and a measure's lineage.

Takes: the store via ``ui.common`` (``graph.queries``: document_rows, chain_rows;
``graph.app_queries``: document_shared_entities, document_measures, measure_chains,
related_measures, node) and the URL parameter ``measure`` (on this page).
Gives: ``render()`` -- the documents on a time axis with CITES and CONTINUES links; the citation
and CONTINUES tables; what pairs of documents share (agencies, sectors, places); for a selected
measure its CONTINUES predecessors and successors with the recorded differences (evidence) and,
while chains are sparse, the measures of other documents that share the most entities with it.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui.common import link, param, q, remember_url, share_note, short, shows_errors

DOC_KEY = "ch_doc"
MEASURE_KEY = "ch_measure"


def _timeline(docs: list[dict], chains: list[dict]) -> None:
    by_file = {d["source_file"]: d for d in docs}
    by_title = {d["title"]: d for d in docs}
    points = pd.DataFrame([{
        "short": short(d["title"], 28), "title": d["title"], "issued": d["issued"],
        "doc_number": d["doc_number"] or "", "kind": d["kind"] or ""} for d in docs])
    points["issued"] = pd.to_datetime(points["issued"], errors="coerce")
    undated = points["issued"].isna()
    if undated.all():
        st.caption("文件没有发布日期。 No issue dates to draw.")
        return
    # undated documents (research articles) sit just before the first dated one
    points.loc[undated, "issued"] = points["issued"].min() - pd.Timedelta(days=240)
    when = dict(zip(points["title"], points["issued"]))
    links = []
    for d in docs:
        for cited in d["cites"]:
            if cited in by_title:
                links.append((d["title"], cited, "引用 cites"))
        for earlier in d["continues"]:
            target = by_file.get(earlier) or by_title.get(earlier)
            if target:
                links.append((d["title"], target["title"], "延续 continues"))
    rows = []
    for i, (a, b, rel) in enumerate(links):
        for t in (a, b):
            rows.append({"edge": i, "issued": when[t], "short": short(t, 28), "relation": rel})
    base = alt.Chart(points).mark_circle(size=240).encode(
        x=alt.X("issued:T", title="发布日期 issued (undated: left)",
                axis=alt.Axis(format="%Y-%m"), scale=alt.Scale(padding=30)),
        y=alt.Y("short:N", title=None, sort=alt.SortField("issued"),
                axis=alt.Axis(labelLimit=360, labelOverlap=False)),
        color=alt.Color("kind:N", title="类型 kind", legend=alt.Legend(orient="bottom")),
        tooltip=["title", "doc_number", "issued:T"])
    chart = base
    if rows:
        lines = alt.Chart(pd.DataFrame(rows)).mark_line(strokeWidth=2, opacity=0.7).encode(
            x="issued:T", y=alt.Y("short:N", sort=alt.SortField("issued")), detail="edge:N",
            strokeDash=alt.StrokeDash("relation:N", title="关系 link",
                                      legend=alt.Legend(orient="bottom"))
        )
        chart = alt.layer(lines, base)
    st.altair_chart(chart.properties(height=alt.Step(48)), width="stretch")
    if undated.any():
        st.caption("无日期的文件（研究文章）画在最左侧。 Undated documents are drawn at the left.")


def _citations(docs: list[dict]) -> None:
    loaded = {d["title"] for d in docs}
    rows = [{"文件 document": d["title"], "引用 cites": c,
             "已收录 loaded": "✓" if c in loaded else ""} for d in docs for c in d["cites"]]
    st.markdown(f"**引用 · Citations ({len(rows)})**")
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _continues(chains: list[dict]) -> None:
    st.markdown(f"**延续 · CONTINUES links ({len(chains)})**")
    if not chains:
        st.info("尚未计算措施之间的延续链条（另一项工作）。下面显示文件之间的引用和共享实体。 "
                "Measure-to-measure CONTINUES chains have not been computed yet; citations and "
                "shared entities are shown instead.")
        return
    def item(end: dict, title: str | None) -> str:
        return f"{end['source_file']} {end['measure_number'] or ''} {title or ''}"

    st.dataframe(pd.DataFrame([{
        "层级 level": c["level"], "后 later": item(c["from"], c["from_title"]),
        "前 earlier": item(c["to"], c["to_title"]),
        "关系 relation": c["relation"], "分数 score": c["score"],
        "变化 evidence": c["evidence"]} for c in chains]), hide_index=True, width="stretch")


def _shared(docs: list[dict]) -> None:
    st.subheader("文件之间的共享实体 · What documents share")
    titles = {d["id"]: short(d["title"], 24) for d in docs}
    rows = q("document_shared_entities")
    if not rows:
        st.caption("没有共享的机构、行业或地点。 Nothing shared.")
        return
    df = pd.DataFrame(rows)
    df = df[df["doc_a"].isin(titles) & df["doc_b"].isin(titles)]
    df["pair"] = df["doc_a"].map(titles) + " ↔ " + df["doc_b"].map(titles)
    summary = df.pivot_table(index="pair", columns="kind", values="name", aggfunc="count",
                             fill_value=0).reset_index()
    for kind in ("agency", "sector", "place"):
        if kind not in summary:
            summary[kind] = 0
    names = df.groupby(["pair", "kind"])["name"].apply(lambda s: "、".join(sorted(s)[:12]))
    for kind in ("agency", "sector", "place"):
        summary[f"{kind}_names"] = [names.get((p, kind), "") for p in summary["pair"]]
    summary = summary.sort_values(["sector", "agency", "place"], ascending=False)
    st.dataframe(summary[["pair", "agency", "sector", "place", "agency_names", "sector_names",
                          "place_names"]], hide_index=True, width="stretch", column_config={
        "pair": "文件对 pair", "agency": "机构", "sector": "行业", "place": "地点",
        "agency_names": "共同机构 agencies", "sector_names": "共同行业 sectors",
        "place_names": "共同地点 places"})


def _measure_lineage(docs: list[dict]) -> None:
    st.subheader("措施的前后延续 · A measure's predecessors and successors")
    ids = [d["id"] for d in docs]
    measure = param("measure")
    if measure and measure != st.session_state.get("_url_ch_measure"):
        st.session_state["_url_ch_measure"] = measure
        node = q("node", node_id=measure)
        if node is not None and node.get("document_id") in ids:
            st.session_state[DOC_KEY] = node["document_id"]
            st.session_state[MEASURE_KEY] = measure
    if st.session_state.get(DOC_KEY) not in ids:  # default: the latest issued document
        st.session_state[DOC_KEY] = max(docs, key=lambda d: d["issued"] or "")["id"]
    names = {d["id"]: d["title"] for d in docs}
    c1, c2 = st.columns(2)
    doc_id = c1.selectbox("文件 Document", ids, key=DOC_KEY, format_func=names.get)
    measures = q("document_measures", document_id=doc_id)
    mids = [m["id"] for m in measures]
    if st.session_state.get(MEASURE_KEY) not in mids:
        st.session_state[MEASURE_KEY] = mids[0] if mids else None
    labels = {m["id"]: f"{m.get('label') or ''}{m.get('title') or ''}" for m in measures}
    selected = c2.selectbox("措施 Measure", mids, key=MEASURE_KEY, format_func=labels.get)
    if not selected:
        st.caption("这个文件没有措施。 This document has no measures.")
        return
    remember_url("measure", selected)
    share_note(link("chains", measure=selected))
    chains = q("measure_chains", measure_id=selected)
    for key, title in (("predecessors", "延续自 Continues (earlier)"),
                       ("successors", "被延续 Continued by (later)")):
        rows = chains[key]
        st.markdown(f"**{title}: {len(rows)}**")
        if rows:
            st.dataframe(pd.DataFrame(rows).rename(columns={
                "source_file": "文件", "number": "序号", "title": "措施", "relation": "关系",
                "score": "分数", "evidence": "变化 what changed"}).drop(columns=["id"]),
                hide_index=True, width="stretch")
    related = q("related_measures", measure_id=selected)
    st.markdown("**其他文件中相关的措施 · Related measures in other documents** "
                "(shared sectors, places, agencies: a similarity hint, not a computed chain)")
    if not related:
        st.caption("没有共享实体的措施。 None share an entity.")
        return
    df = pd.DataFrame(related)
    df["link"] = [link("document", measure=i) for i in df["id"]]
    for col in ("sectors", "places", "agencies"):
        df[col] = df[col].map(lambda v: "、".join(v))
    st.dataframe(df[["link", "source_file", "number", "title", "score", "sectors", "places",
                     "agencies"]], hide_index=True, width="stretch", column_config={
        "link": st.column_config.LinkColumn("打开", display_text="原文", width="small"),
        "source_file": "文件", "number": "序号", "title": "措施", "score": "相关度 score",
        "sectors": "共同行业", "places": "共同地点", "agencies": "共同机构"})


def render() -> None:
    st.title("链条 · Plan chains")
    with shows_errors("链条"):
        docs = q("document_rows")
        if not docs:
            st.warning("图谱中没有文件。 No documents in the graph.")
            return
        chains = q("chain_rows")
        st.subheader("文件谱系 · Document lineage")
        _timeline(docs, chains)
        left, right = st.columns(2)
        with left:
            _citations(docs)
        with right:
            _continues(chains)
        _shared(docs)
        _measure_lineage(docs)
