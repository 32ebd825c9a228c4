"""目标 Targets: every quantitative commitment with its owner, deadline and document.

Takes: the store via ``ui.common`` (``graph.queries``: target_rows, document_rows) and the URL
parameters ``year`` and ``document`` (file name) as filters.
Gives: ``render()`` -- filters by document and year, a chart of targets per deadline year and
document, and the table of targets (metric, comparator, value, unit, year, owners, measure, source
phrase) with links to the measure in its document.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui.common import link, param, q, remember_url, share_note, short, shows_errors

NO_YEAR = "无年份 no year"
ALL = "全部 all"


def _sync(name: str, key: str, options: list[str]) -> None:
    value = param(name)
    if value and value != st.session_state.get(f"_url_{name}"):
        st.session_state[f"_url_{name}"] = value
        if value in options:
            st.session_state[key] = value
        else:
            st.warning(f"“{value}” 不在可选值中 · {value!r} is not one of the choices.")


def render() -> None:
    st.title("目标 · Targets")
    with shows_errors("目标"):
        rows = q("target_rows")
        if not rows:
            st.info("图谱中没有量化目标。 No targets in the graph.")
            return
        titles = {d["source_file"]: d["title"] for d in q("document_rows")}
        df = pd.DataFrame(rows)
        df["year_label"] = df["year"].map(lambda y: str(int(y)) if pd.notna(y) else NO_YEAR)
        df["document"] = df["source_file"].map(lambda f: short(titles.get(f, f), 26))
        years = [ALL] + sorted(df["year_label"].unique())
        files = [ALL] + sorted(df["source_file"].unique())
        _sync("year", "tg_year", years)
        _sync("document", "tg_doc", files)
        c1, c2 = st.columns(2)
        year = c1.selectbox("年份 Year", years, key="tg_year")
        doc = c2.selectbox("文件 Document", files, key="tg_doc",
                           format_func=lambda f: f if f == ALL else f"{titles.get(f, f)} · {f}")
        remember_url("year", None if year == ALL else year)
        remember_url("document", None if doc == ALL else doc)
        share_note(link("targets", year=None if year == ALL else year,
                        document=None if doc == ALL else doc))
        view = df
        if year != ALL:
            view = view[view["year_label"] == year]
        if doc != ALL:
            view = view[view["source_file"] == doc]
        counts = df.groupby(["year_label", "document"]).size().rename("targets").reset_index()
        chart = alt.Chart(counts).mark_bar().encode(
            x=alt.X("year_label:N", title="截止年份 deadline year"),
            y=alt.Y("targets:Q", title="目标数 targets"),
            color=alt.Color("document:N", title="文件 document"),
            tooltip=["year_label", "document", "targets"])
        st.altair_chart(chart.properties(height=260), width="stretch")
        st.markdown(f"**{len(view)} 个目标 targets**")
        if view.empty:
            st.info("没有符合条件的目标。 No targets match the filters.")
            return
        table = pd.DataFrame({
            "link": [link("document", measure=m) if m else link("document", document=f)
                     for m, f in zip(view["measure_id"], view["source_file"])],
            "metric": view["metric"], "comparator": view["comparator"],
            "value": view["value"], "unit": view["unit"], "year": view["year_label"],
            "owners": view["owners"].map(lambda o: "、".join(o) if o else "—"),
            "measure": [f"{n or ''} {t or ''}".strip() or "（文件级 document-level）"
                        for n, t in zip(view["measure_number"], view["measure_title"])],
            "document": view["document"], "text": view["text"]})
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "link": st.column_config.LinkColumn("原文", display_text="原文", width="small"),
            "metric": "指标 metric", "comparator": "比较", "value": "数值 value",
            "unit": "单位 unit", "year": "年份 year", "owners": "牵头 owners",
            "measure": "措施 measure", "document": "文件 document", "text": "原文 source phrase"})
