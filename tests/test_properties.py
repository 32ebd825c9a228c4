"""Property-based tests (hypothesis) for the normalizer, the structure parser and the
responsibility parser, on generated Chinese-policy-like texts.

Each generated text mixes numbering labels (第一章 一、 （一） 1． 1. （1） ① 一是, full-width digits),
responsibility clauses (（责任部门：…） (责任单位:…) （牵头单位：…；配合单位：…） （A牵头，B配合）
由A牵头，B、C配合), unclosed brackets, agency names broken across lines, random CJK text and
punctuation, spaces and every kind of line break. The properties:

- nothing raises;
- every ``SourceSpan`` keeps the contract of ``loaders/records.py``: ``start``/``end`` are offsets
  into the original (decoded) text with ``0 <= start <= end <= len(original)``; ``line`` is the
  1-based line of ``original[start]``; ``text`` is a piece of the normalized text, and the
  normalized text is ``original[start:end]`` rewritten character by character -- each normalized
  character comes, in order, from a character of ``original[start:end]`` (identical, its
  full-width/ASCII-punctuation form, or a whitespace character for a paragraph break), the first
  from ``original[start]`` and the last from ``original[end - 1]``; the rest of the slice is what
  normalization deleted (spaces, line breaks, zero-width characters, footnote markers);
- the normalizer's offset map sends every normalized character to its origin in that way;
- structure and responsibility records are consistent (unique keys, parents before children,
  ranks 1..n, roles lead/support, a measure's text is its span's text without paragraph breaks).
"""

from __future__ import annotations

import os
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.normalize import LINE_BREAK, normalize, translate_width
from loaders.records import SourceSpan
from loaders.responsibilities import extract_responsibilities, inline_responsibilities
from loaders.structure import parse_structure

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Examples per test (each test stays under ~6 s); search deeper with e.g.
# POLICY_KG_PROPERTY_EXAMPLES=3000 python -m pytest tests/test_properties.py
EXAMPLES = int(os.environ.get("POLICY_KG_PROPERTY_EXAMPLES", "150"))

# -- generated policy-like text -------------------------------------------------------------
LABELS = [
    "", "", "", "一、", "二、", "三、", "四、", "十一、", "（一）", "（二）", "（三）", "（十）", "(四)",
    "1．", "2．", "3．", "１．", "２．", "1.", "2.", "3、", "4 .", "（1）", "（2）", "(3)", "①", "②",
    "一是", "二是", "第一章", "第二章", "第一部分", "附件1", "附件：", "注：", "——",
]
AGENCIES = [
    "市经济信息化委", "市发展改革委", "市科委", "市商务委", "市财政局", "各区政府", "各区、县级市",
    "市经济信\n息化委", "市发展\n\n改革委", "市未来产业促进署", "浦东新区政府", "市经信委", "上海海关",
    "市科委（牵头）", "相关单位", "市 科 委", "",
]
WORDS = [
    "建设", "推动", "在线新经济", "数字化转型", "平台", "到２０２５年", "到2025年", "培育", "100家",
    "１００家", "3.5万例", "以上", "标杆企业", "张江科学城", "智能制造", "工业互联网", "牵头", "配合",
    "责任", "单位", "部门", "。", "，", "、", "；", "：", ",", ".", ":", ";", "(", ")", "（", "）",
    "《", "》", "«", "»", " ", "  ", "　", "\t", "5G", "Web3.0", "%", "％", "一", "二", "十", "1", "2",
    "\u200b", "\ufeff", "\u00a0", "号", "〔2020〕", "沪府办发〔2020〕1号",
]
BREAKS = ["\n", "\n", "\n\n", "\r\n", "\r", "  ", "", " \n", "\n 3 \n", "\u2028", "\x0c"]


@st.composite
def clause(draw) -> str:
    names = draw(st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=4))
    a, b = names[0], "、".join(names[1:])
    template = draw(st.sampled_from([
        "（责任部门：{a}、{b}）", "(责任单位:{a}、{b})", "（牵头单位：{a}；配合单位：{b}）",
        "（{a}牵头，{b}配合）", "由{a}牵头，{b}配合", "{a}牵头负责", "（责任单位：{a}（牵头）、{b}）",
        "（主要责任单位：{a}）", "（责任部门：{a}",  # unclosed
        "（责任\n\n单位：{a}、{b}）", "(牵头单位:{a}  配合单位:{b})",
    ]))
    text = template.format(a=a, b=b)
    if draw(st.booleans()) and text.endswith(("）", ")")):
        text = text[:-1]  # the closing bracket is missing
    return text


@st.composite
def paragraph(draw) -> str:
    label = draw(st.sampled_from(LABELS))
    body = "".join(draw(st.lists(st.sampled_from(WORDS), max_size=12)))
    noise = draw(st.text(alphabet="上海市委办局区政府（）()：:，。、；一二三四五1２3.．是牵头配合责任单位\n 　", max_size=8))
    tail = draw(clause()) if draw(st.booleans()) else ""
    return label + body + noise + tail


@st.composite
def policy_text(draw) -> str:
    paras = draw(st.lists(paragraph(), min_size=1, max_size=12))
    out = draw(st.sampled_from(["", "上海市促进测试经济发展行动方案\n沪府办发〔2020〕1号\n"]))
    for p in paras:
        out += p + draw(st.sampled_from(BREAKS))
    return out


DOC_KINDS = st.sampled_from(["action_plan", "policy_measures", "five_year_plan", "research_report",
                             "policy_document"])


# -- the SourceSpan contract ----------------------------------------------------------------
_PUNCT_FORMS = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", ".": "。", "!": "！", "?": "？"}


def forms(original_char: str) -> set[str]:
    """The characters the normalizer may turn one original character into."""
    w = translate_width(original_char)
    out = {original_char, w}
    if w in _PUNCT_FORMS:
        out.add(_PUNCT_FORMS[w])
    if original_char.isspace() or w.isspace():
        out.add("\n")  # a paragraph break is anchored on the whitespace it replaces
    return out


def comes_from(normalized: str, original: str) -> bool:
    """Each normalized character is, in order, a form of a character of ``original``."""
    j = 0
    for ch in normalized:
        while j < len(original) and ch not in forms(original[j]):
            j += 1
        if j == len(original):
            return False
        j += 1
    return True


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


def line_of(raw: str, offset: int) -> int:
    """1-based line of ``raw[offset]``: line breaks are \\n, \\r\\n and a lone \\r."""
    return 1 + sum(1 for m in LINE_BREAK.finditer(raw) if m.end() <= offset)


def check_span(span: SourceSpan, raw: str, normalized: str, source_file: str) -> None:
    assert span.source_file == source_file
    assert 0 <= span.start <= span.end <= len(raw), (span, len(raw))
    assert span.line == line_of(raw, span.start), span
    assert span.text in normalized, span
    piece = raw[span.start:span.end]
    if span.text:
        assert span.end > span.start, span
        assert span.text[0] in forms(raw[span.start]), (span, piece)
        assert span.text[-1] in forms(raw[span.end - 1]), (span, piece)
        assert comes_from(span.text, piece), (span, piece)


@lru_cache(maxsize=1)
def _gazetteer():
    from loaders.gazetteer import load_gazetteer

    return load_gazetteer()


@lru_cache(maxsize=None)
def resolve(written: str):
    entry = _gazetteer().resolve_agency(written)
    return entry.name if entry is not None else None


# -- normalizer -----------------------------------------------------------------------------
@settings(max_examples=EXAMPLES, **SETTINGS)
@given(policy_text())
def test_normalizer_maps_every_character_back_to_its_origin(raw):
    nt = normalize(raw, "p.txt")
    assert len(nt.offsets) == len(nt.text) + 1
    offs = list(nt.offsets)
    assert offs == sorted(offs)
    assert offs[-1] == len(raw)
    for i, ch in enumerate(nt.text):
        o = offs[i]
        assert 0 <= o < len(raw)
        assert ch in forms(raw[o]), (i, ch, raw[o], raw)
    assert "\n\n" not in nt.text and not nt.text.startswith("\n")
    # a span over the whole text keeps the contract
    check_span(nt.span(0, len(nt.text)), raw, nt.text, "p.txt")


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(st.text(alphabet=st.sampled_from(list("a1Z%+. 智能\n，5x")), max_size=60))
def test_vectorized_fast_paths_equal_the_regex_rules(text):
    """The numpy space deletion and the vectorized offset gathering (the normalizer's speed-ups)
    give exactly what the regex rule and per-line copying give."""
    from array import array

    from loaders import normalize as nz

    offs = array("q", range(len(text) + 1))
    assert nz._delete_spaces(text, offs) == nz._delete(nz._SPACE, text, offs)
    ranges = [(0, len(text) // 2), (len(text) // 3, len(text) // 3 + 1), (len(text), len(text) + 1)]
    expected = array("q")
    for start, end in ranges:
        expected.extend(offs[start:end])
    assert nz._gather(offs, [r[0] for r in ranges], [r[1] for r in ranges]) == expected


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(policy_text(), st.data())
def test_any_normalized_slice_is_a_valid_source_span(raw, data):
    nt = normalize(raw, "p.txt")
    n = len(nt.text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    span = nt.span(start, end)
    assert span.text == nt.text[start:end]
    check_span(span, raw, nt.text, "p.txt")
    assert nt.raw_text(start, end) == raw[span.start:span.end]


# -- structure ------------------------------------------------------------------------------
@settings(max_examples=EXAMPLES, **SETTINGS)
@given(policy_text(), DOC_KINDS)
def test_structure_never_crashes_and_spans_point_into_the_original(raw, kind):
    nt = normalize(raw, "s.txt")
    s = parse_structure(nt, kind)
    keys = [m.key for m in s.measures]
    assert len(keys) == len(set(keys)), keys
    chapter_keys = {c.key for c in s.chapters}
    seen: dict[str, int] = {}
    for m in s.measures:
        check_span(m.span, raw, nt.text, "s.txt")
        assert m.text == m.span.text.replace("\n", "")
        assert m.kind in ("measure", "task", "project", "recommendation", "goal")
        assert m.chapter_key is None or m.chapter_key in chapter_keys
        if m.parent_key is not None:
            assert m.parent_key in seen, (m.key, m.parent_key)  # parents come first
            assert m.level == seen[m.parent_key] + 1
        else:
            assert m.level == 1
        seen[m.key] = m.level
        a, b = s.measure_offsets[m.key]
        assert 0 <= a <= b <= len(nt.text)
        assert nt.span(a, b) == m.span
    for c in s.chapters:
        check_span(c.span, raw, nt.text, "s.txt")
    for p, chapter_key in s.free_paragraphs:
        assert nt.text[p.start:p.end] == p.text
        assert chapter_key is None or chapter_key in chapter_keys


# -- responsibilities -----------------------------------------------------------------------
def check_responsibilities(resp, raw, nt, measure_key):
    assert [r.rank for r in resp] == list(range(1, len(resp) + 1))
    assert len({r.agency for r in resp}) == len(resp)  # one row per agency
    for r in resp:
        assert r.role in ("lead", "support")
        assert r.agency and r.written
        if r.catalogued:  # a canonical short name from the gazetteer
            assert resolve(r.agency) == r.agency, r
        else:  # kept as written
            assert r.agency == r.written, r
        assert r.measure_key == measure_key
        check_span(r.span, raw, nt.text, nt.source_file)
        assert is_subsequence(r.clause, r.span.text), (r.clause, r.span.text)
        assert is_subsequence(r.written.replace("、", ""), r.clause), (r.written, r.clause)
    if resp:
        assert any(r.role == "lead" for r in resp), resp


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(policy_text(), DOC_KINDS)
def test_responsibility_parser_never_crashes_and_spans_point_into_the_original(raw, kind):
    nt = normalize(raw, "r.txt")
    s = parse_structure(nt, kind)
    pieces = [(m.key, *s.measure_offsets[m.key]) for m in s.measures]
    pieces += [(None, p.start, p.end) for p, _ in s.free_paragraphs]
    pieces.append((None, 0, len(nt.text)))  # the whole document at once
    for key, a, b in pieces:
        segment = nt.text[a:b]
        resp, issues = extract_responsibilities(segment, a, nt, resolve, key)
        check_responsibilities(resp, raw, nt, key)
        for issue in issues:
            assert issue.source_file == "r.txt"
            assert 1 <= issue.line <= len(LINE_BREAK.findall(raw)) + 1
            assert "unclosed" in issue.message
        check_responsibilities(inline_responsibilities(segment, a, nt, resolve, key), raw, nt, key)


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(clause(), st.sampled_from(["1．建设平台。", "（一）推进工作，", ""]), st.sampled_from(BREAKS))
def test_every_clause_form_gives_agencies_in_written_order(text, head, brk):
    raw = "一、主要任务\n" + head + text + brk
    nt = normalize(raw, "c.txt")
    resp, issues = extract_responsibilities(nt.text, 0, nt, resolve, "k")
    check_responsibilities(resp, raw, nt, "k")
    # written order: each agency's name appears in the clause after the previous one's
    pos = 0
    squashed = nt.text.replace("\n", "")
    for r in resp:
        first = r.written.split("、")[0]
        found = squashed.find(first, pos)
        assert found != -1, (r.written, squashed)
        pos = found + 1
