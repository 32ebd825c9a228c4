"""文件 Documents: a document's structure and its original text with the extracted spans marked.

Takes: the store via ``ui.common`` (``graph.queries``: document_rows, resolve_document_ids,
measure_rows, responsibility_rows, target_rows; ``graph.app_queries``: node, document_text,
document_measures, document_chapters) and the URL parameters ``document`` (id, file name, 文号 or
title) and ``measure`` (measure id).
Gives: ``render()`` -- the document's metadata; its structure tree (chapters -> measures -> tasks
with lead/support agencies, sectors, places and targets); the selected measure; the normalized
text with every measure, responsibility clause and target phrase highlighted.

Highlighting: ``Measure.start``/``end`` are offsets into the *original* file while the Document
node stores the *normalized* text, so spans are found by searching the measure text in the
document text with whitespace ignored (``locate``), in document order.
"""

from __future__ import annotations

import html
from typing import Optional

import streamlit as st

from graph.queries import QueryInputError
from ui.common import KIND_ZH, link, param, q, remember_url, share_note, shows_errors

KEY = "doc"
MEASURE_KEY = "doc_measure"


# -- locating spans -------------------------------------------------------------------------------
class Locator:
    """Find strings in a text ignoring whitespace (the stored text keeps line breaks)."""

    def __init__(self, text: str):
        self.text = text
        self.index = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.compact = "".join(text[i] for i in self.index)

    def find(self, needle: str, after: int = 0) -> Optional[tuple[int, int]]:
        """(start, end) offsets in the text of ``needle``'s first occurrence at or after
        compact position ``after``; None when absent."""
        compact = "".join((needle or "").split())
        if not compact:
            return None
        pos = self.compact.find(compact, after)
        if pos < 0:
            pos = self.compact.find(compact)
        if pos < 0:
            return None
        return self.index[pos], self.index[pos + len(compact) - 1] + 1

    def compact_pos(self, offset: int) -> int:
        """The compact position of a text offset (for ``after``)."""
        import bisect

        return bisect.bisect_left(self.index, offset)


def spans(text: str, measures: list[dict], targets: list[dict],
          selected: Optional[str]) -> list[tuple[int, int, str, str]]:
    """``(start, end, css class, tooltip)`` for measures, clauses and targets found in ``text``."""
    loc = Locator(text)
    out: list[tuple[int, int, str, str]] = []
    after = 0
    found: dict[str, tuple[int, int]] = {}
    for m in measures:
        hit = loc.find(m.get("text") or "", after) or loc.find(m.get("title") or "", after)
        if hit is None:
            continue
        found[m["id"]] = hit
        after = loc.compact_pos(hit[0]) + 1
        cls = "sel" if m["id"] == selected else f"m{len(found) % 2}"
        out.append((hit[0], hit[1], cls, f"{m.get('label') or ''}{m.get('title') or ''}"))
        sub = Locator(text[hit[0]:hit[1]])
        for clause in m.get("clauses") or []:
            c = sub.find(clause)
            if c:
                out.append((hit[0] + c[0], hit[0] + c[1], "clause", "责任部门 responsibility"))
    for t in targets:
        base = found.get(t.get("measure_id") or "")
        if base:
            sub = Locator(text[base[0]:base[1]])
            c = sub.find(t.get("text") or "")
            hit = (base[0] + c[0], base[0] + c[1]) if c else None
        else:
            hit = loc.find(t.get("text") or "")
        if hit:
            out.append((hit[0], hit[1], "tgt", f"目标 {t.get('metric')} {t.get('value')}"
                                                f"{t.get('unit') or ''}"))
    return out


_PRIORITY = {"tgt": 4, "clause": 3, "sel": 2, "m1": 1, "m0": 0}


def highlight_html(text: str, marks: list[tuple[int, int, str, str]]) -> str:
    """HTML of ``text`` with non-overlapping segments styled by the innermost/most specific mark."""
    bounds = sorted({0, len(text), *(s for s, _, _, _ in marks), *(e for _, e, _, _ in marks)})
    parts = []
    for a, b in zip(bounds, bounds[1:]):
        active = [m for m in marks if m[0] <= a and b <= m[1]]
        chunk = html.escape(text[a:b])
        if not active:
            parts.append(chunk)
            continue
        best = max(active, key=lambda m: (_PRIORITY.get(m[2], 0), m[0]))
        classes = {m[2] for m in active}
        cls = best[2] + (" insel" if "sel" in classes and best[2] != "sel" else "")
        ident = ' id="kg-sel"' if best[2] == "sel" and a == min(m[0] for m in active
                                                                 if m[2] == "sel") else ""
        parts.append(f'<span class="{cls}"{ident} title="{html.escape(best[3])}">{chunk}</span>')
    return "".join(parts)


_STYLE = """
<style>
.kg-text {white-space: pre-wrap; font-size: 15px; line-height: 1.7; max-height: 75vh;
  overflow-y: auto; padding: 0.8em; border: 1px solid #ddd; border-radius: 6px;}
.kg-text .m0 {background: #eef6ee;} .kg-text .m1 {background: #e6eefa;}
.kg-text .sel, .kg-text .insel {background: #fff2a8;}
.kg-text .clause {text-decoration: underline 2px #d62728; color: #a0141e;}
.kg-text .tgt {background: #ffd8b0; font-weight: 600;}
.kg-legend span {padding: 0 6px; margin-right: 8px; border-radius: 3px;}
</style>
"""
_SCROLL = """
<script>
(function () {
  const box = document.getElementById("kg-text");
  const el = document.getElementById("kg-sel");
  if (box && el) {
    box.scrollTop += el.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
  }
})();
</script>
"""


# -- selection ------------------------------------------------------------------------------------
def _resolve_document(ref: str) -> Optional[str]:
    try:
        ids = q("resolve_document_ids", ref=ref)
    except QueryInputError:
        return None
    return ids[0] if ids else None


def _from_url(docs: dict[str, dict]) -> None:
    measure = param("measure")
    if measure and measure != st.session_state.get("_url_measure"):
        st.session_state["_url_measure"] = measure
        node = q("node", node_id=measure)
        if node is None or node.get("_label") != "Measure":
            st.warning(f"找不到措施 {measure!r} · No measure with this id.")
        else:
            st.session_state[KEY] = node["document_id"]
            st.session_state[MEASURE_KEY] = measure
            st.session_state["_url_document"] = param("document")
    ref = param("document")
    if ref and ref != st.session_state.get("_url_document"):
        st.session_state["_url_document"] = ref
        doc_id = _resolve_document(ref)
        if doc_id is None or doc_id not in docs:
            st.warning(f"找不到文件 “{ref}” · No document matches {ref!r}.")
        else:
            st.session_state[KEY] = doc_id


# -- the structure tree ---------------------------------------------------------------------------
def _measure_line(m: dict, roles: dict[str, list[tuple[int, str, str]]]) -> str:
    parts = [f"**{m.get('label') or ''}{m.get('title') or ''}**"]
    kind = m.get("kind")
    if kind and kind != "measure":
        parts[0] += f" `{KIND_ZH.get(kind, kind)}`"
    rs = sorted(roles.get(m["id"], []))
    lead = [a for _, role, a in rs if role == "lead"]
    support = [a for _, role, a in rs if role == "support"]
    if lead:
        parts.append("牵头 " + "、".join(lead))
    if support:
        parts.append("配合 " + "、".join(support))
    if m.get("sectors"):
        parts.append("行业 " + "、".join(m["sectors"]))
    if m.get("places"):
        parts.append("地点 " + "、".join(m["places"]))
    for t in m.get("targets") or []:
        parts.append(f"目标 {t['metric']} {t['comparator'] if t['comparator'] != '=' else ''}"
                     f"{t['value']}{t['unit'] or ''}" + (f"（{t['year']}）" if t.get("year") else ""))
    return " · ".join(parts)


def _tree(doc_id: str, selected: Optional[str]) -> None:
    measures = q("measure_rows", document=doc_id)
    roles: dict[str, list[tuple[int, str, str]]] = {}
    for r in q("responsibility_rows", document=doc_id):
        roles.setdefault(r["measure_id"], []).append((r["rank"] or 0, r["role"], r["agency"]))
    chapters = q("document_chapters", document_id=doc_id)
    by_chapter: dict[Optional[str], list[dict]] = {}
    for m in measures:
        by_chapter.setdefault(m.get("chapter"), []).append(m)
    order = [c["heading"] for c in chapters] + [h for h in by_chapter
                                                 if h not in {c["heading"] for c in chapters}]
    for heading in order:
        items = by_chapter.get(heading, [])
        has_sel = any(m["id"] == selected for m in items)
        with st.expander(f"{heading or '（章节外 outside chapters）'} · {len(items)}",
                         expanded=has_sel or len(order) == 1):
            if not items:
                st.caption("（无编号措施 no numbered items）")
            for m in items:
                indent = "　" * 2 * max(0, (m.get("level") or 1) - 1)
                mark = "▶ " if m["id"] == selected else ""
                st.markdown(f"{indent}{mark}{_measure_line(m, roles)} "
                            f"[链接]({link('document', measure=m['id'])})")


# -- page -----------------------------------------------------------------------------------------
def _header(d: dict) -> None:
    st.header(d["title"])
    facts = [d.get("doc_number"), d.get("issuer") and f"发文 {d['issuer']}",
             d.get("issued") and f"发布 {d['issued']}",
             (d.get("valid_from") or d.get("valid_to"))
             and f"有效期 {d.get('valid_from') or '?'} – {d.get('valid_to') or '?'}",
             d.get("kind"), d.get("source_file")]
    st.caption(" · ".join(x for x in facts if x))
    if d.get("leads"):
        st.markdown("**牵头部门 Document lead:** " + "、".join(d["leads"]))
    if d.get("cites"):
        st.markdown("**引用 Cites:** " + "；".join(f"《{c}》" for c in d["cites"]))
    if d.get("continues"):
        st.markdown("**延续 Continues:** " + "；".join(d["continues"]))


def render() -> None:
    st.title("文件 · Documents")
    with shows_errors("文件"):
        docs = {d["id"]: d for d in q("document_rows")}
        if not docs:
            st.warning("图谱中没有文件。 No documents in the graph.")
            return
        _from_url(docs)
        if st.session_state.get(KEY) not in docs:
            st.session_state[KEY] = next(iter(docs))
        st.selectbox("文件 Document", list(docs), key=KEY,
                     format_func=lambda i: f"{docs[i]['title']} · "
                                           f"{docs[i]['doc_number'] or docs[i]['source_file']}")
        doc_id = st.session_state[KEY]
        d = docs[doc_id]
        measures = q("document_measures", document_id=doc_id)
        ids = [m["id"] for m in measures]
        if st.session_state.get(MEASURE_KEY) not in ids:
            st.session_state[MEASURE_KEY] = None
        _header(d)
        left, right = st.columns([1, 1])
        with left:
            st.subheader("结构 · Structure")
            names = {m["id"]: f"{m.get('label') or ''}{m.get('title') or ''}" for m in measures}
            st.selectbox("措施 Measure", ids, key=MEASURE_KEY, index=None,
                         format_func=lambda i: ("　" * ((next(m for m in measures
                                                              if m["id"] == i).get("level") or 1)
                                                       - 1)) + names[i],
                         placeholder="选择措施以在原文中突出显示 · pick a measure to highlight")
            selected = st.session_state.get(MEASURE_KEY)
            remember_url("document", d["source_file"])
            remember_url("measure", selected)
            share_note(link("document", measure=selected) if selected
                       else link("document", document=d["source_file"]))
            _tree(doc_id, selected)
        with right:
            st.subheader("原文 · Text")
            if selected:
                m = next(m for m in measures if m["id"] == selected)
                st.info(m.get("text") or "")
                st.markdown(f"[在图谱中查看 in the graph]({link('graph', node=selected)})")
            text = q("document_text", document_id=doc_id)
            if not text:
                st.caption("没有存储原文。 No text stored for this document.")
                return
            targets = [t for t in q("target_rows", document=doc_id)]
            marks = spans(text, measures, targets, selected)
            n_found = sum(1 for s in marks if s[2] in ("m0", "m1", "sel"))
            st.html(_STYLE + '<div class="kg-legend"><span class="m0" style="background:#eef6ee">'
                    '措施 measure</span><span style="background:#fff2a8">所选 selected</span>'
                    '<span style="color:#a0141e;text-decoration:underline">责任部门 clause</span>'
                    '<span style="background:#ffd8b0">目标 target</span></div>'
                    f'<div class="kg-text" id="kg-text">{highlight_html(text, marks)}</div>'
                    + (_SCROLL if selected else ""),
                    unsafe_allow_javascript=bool(selected))
            st.caption(f"{n_found}/{len(measures)} 条措施已在原文中定位 · measures located in the "
                       "text (whitespace-insensitive search; offsets refer to the original file).")
