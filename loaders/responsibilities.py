"""Responsible agencies of a measure (and document-level leads), in the order written.

Takes: a piece of normalized text (a measure's text or a free paragraph) with its offset in the
document's ``NormalizedText``, and an agency resolver (the gazetteer).
Gives: ``Responsibility`` records (agency, written name, role lead/support, 1-based rank,
catalogued flag, the whole clause, source span), and ``LoadIssue`` warnings (e.g. an unclosed
clause).

Forms recognised (conventions of Chinese government documents):
- parenthesised clauses: （责任部门：A、B、C） (责任单位:A、B) （牵头单位：A；配合单位：B、C）
  （责任单位：A（牵头）、B） （A牵头，B、C配合）;
- inline: "由A牵头，B、C配合", "A牵头负责", "牵头单位：A  配合单位：B";
- an unclosed clause runs to the end of the paragraph (with a warning).
Roles: explicit 牵头/主办/负责 markers make leads and the others supports; without markers the
first listed unit leads. Groups such as 各区政府 or "各区、县级市" are one unit. Units not in the
gazetteer are kept (catalogued=False), never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

from loaders.normalize import NormalizedText
from loaders.records import LoadIssue, Responsibility

CLAUSE_KEYWORD = (
    r"(?:主要)?(?:责任|牵头|负责|实施|承办|主办)\s*(?:部门|单位|处室|机构|主体)"
)
CLAUSE_START = re.compile(rf"[（(]\s*(?P<kw>{CLAUSE_KEYWORD})\s*[：:]\s*")
# "（A牵头，B配合）" -- a parenthesis whose content is an agency list with role words.
ROLE_PAREN = re.compile(r"[（(](?P<body>[^（）()\n]{2,200}?(?:牵头|配合|协同|参与)[^（）()\n]{0,200}?)[）)]")
ROLE_LABEL = re.compile(
    r"(?P<role>牵头|主办|主责|负责|配合|协办|协同|参与|责任)\s*(?:部门|单位|处室|机构)?\s*[：:]"
)
INLINE_LEAD = re.compile(
    r"(?:由|请)?(?P<names>[\u4e00-\u9fffA-Za-z0-9、和及与]{2,80}?)(?:共同)?牵头(?:负责|推进|实施|落实|组织)?"
)
INLINE_SUPPORT = re.compile(
    r"(?P<names>[\u4e00-\u9fffA-Za-z0-9、和及与]{2,80}?)(?:按职责)?(?:分工)?(?:配合|协同推进|协同配合|参与|协助)"
)
AGENCY_SUFFIX = re.compile(
    r"(?:委员会|委|局|办公厅|办公室|办|厅|中心|政府|管委会|管理委员会|海关|分局|总部|总局|部|院|署|会|行|所|公司|集团|单位|部门)$"
)
AGENCY_PREFIX = re.compile(r"^(?:市|区|县|上海|国家|中国|中央|国务院|各|人民银行|金融监管|证监|银保监|[\u4e00-\u9fff]{1,4}区)")
SPLIT = re.compile(r"[、，,；;／/]|\s+")
LEAD_MARK = re.compile(r"[（(]\s*(?:牵头|主办|主责|牵头单位)\s*[）)]|牵头$|为牵头单位$")
SUPPORT_MARK = re.compile(r"[（(]\s*(?:配合|协办|参与)\s*[）)]|(?:按职责)?(?:分工)?(?:配合|协办|参与|协同)$")
TRAILERS = re.compile(r"(?:等(?:部门|单位)?|按职责分工负责|按职责负责|分别负责|按职责分工|共同负责|负责)$")
GROUP_TAIL = re.compile(r"^(?:县级市|县|街道|乡镇|镇|开发区|园区|委办局|办|局|委|管委会)$")


@dataclass(frozen=True)
class ResolvedAgency:
    name: str  # canonical short name or the cleaned written name
    catalogued: bool


Resolver = Callable[[str], Optional[str]]  # written name -> canonical short name or None


def clean_name(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    name = name.strip("：:，,。.；;、（）() “”\"'")
    name = TRAILERS.sub("", name)
    return name.strip("：:，,。.；;、 ")


def looks_like_agency(name: str, resolve: Resolver) -> bool:
    if not name or len(name) < 2 or len(name) > 30:
        return False
    if resolve(name):
        return True
    return bool(AGENCY_SUFFIX.search(name)) and bool(AGENCY_PREFIX.match(name))


def _find_clause_end(text: str, start: int) -> Optional[int]:
    """Index just past the ')' closing the clause that opened before ``start``."""
    depth = 1
    i = start
    while i < len(text):
        ch = text[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == "\n":
            return None
        i += 1
    return None


@dataclass
class _Unit:
    written: str
    start: int  # offset of the name in the clause text
    end: int
    role: Optional[str]  # "lead" | "support" | None (unmarked)


def _split_units(body: str, body_offset: int, default_role: Optional[str], resolve: Resolver) -> list[_Unit]:
    """Split an agency list into units with explicit role markers where written."""
    units: list[_Unit] = []
    # role sections: "牵头单位：A、B；配合单位：C"
    sections: list[tuple[int, int, Optional[str]]] = []
    marks = list(ROLE_LABEL.finditer(body))
    if marks:
        if marks[0].start() > 0:
            sections.append((0, marks[0].start(), default_role))
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(body)
            role = m.group("role")
            sections.append((m.end(), end, "lead" if role in ("牵头", "主办", "主责") else ("support" if role in ("配合", "协办", "协同", "参与") else default_role)))
    else:
        sections.append((0, len(body), default_role))
    for s0, s1, role in sections:
        segment = body[s0:s1]
        # protect parenthesised role markers inside names: "A（牵头）"
        pos = 0
        pieces: list[tuple[int, int]] = []
        depth = 0
        piece_start = 0
        for i, ch in enumerate(segment):
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth = max(0, depth - 1)
            elif depth == 0 and SPLIT.match(ch):
                pieces.append((piece_start, i))
                piece_start = i + 1
        pieces.append((piece_start, len(segment)))
        del pos
        for a, b in pieces:
            raw = segment[a:b]
            if not raw.strip():
                continue
            piece_role = role
            if LEAD_MARK.search(raw):
                piece_role = "lead"
                raw_clean = LEAD_MARK.sub("", raw)
            elif SUPPORT_MARK.search(raw) and not resolve(clean_name(raw)):
                piece_role = "support"
                raw_clean = SUPPORT_MARK.sub("", raw)
            else:
                raw_clean = raw
            name = clean_name(raw_clean)
            if not name:
                continue
            # "X牵头，Y配合" inside a clause body
            if name.endswith("牵头"):
                name, piece_role = name[:-2], "lead"
            name = clean_name(name)
            if not name:
                continue
            if units and units[-1].written.startswith("各") and GROUP_TAIL.match(name) and not resolve(name):
                prev = units[-1]
                units[-1] = _Unit(f"{prev.written}、{name}", prev.start, body_offset + s0 + b, prev.role)
                continue
            units.append(_Unit(name, body_offset + s0 + a, body_offset + s0 + b, piece_role))
    return units


def _to_responsibilities(
    units: list[_Unit],
    clause: str,
    clause_start: int,
    clause_end: int,
    nt: NormalizedText,
    base: int,
    resolve: Resolver,
    measure_key: Optional[str],
) -> list[Responsibility]:
    explicit = any(u.role == "lead" for u in units)
    out: list[Responsibility] = []
    seen: set[str] = set()
    rank = 0
    for u in units:
        canonical = resolve(u.written)
        name = canonical or u.written
        if name in seen:
            continue
        seen.add(name)
        rank += 1
        if explicit:
            role = "lead" if u.role == "lead" else "support"
        else:
            role = "lead" if rank == 1 else "support"
        span = nt.span(base + clause_start, base + clause_end)
        out.append(
            Responsibility(
                agency=name,
                written=u.written,
                role=role,
                rank=rank,
                catalogued=canonical is not None,
                clause=clause,
                span=span,
                measure_key=measure_key,
            )
        )
    return out


def find_clauses(text: str) -> list[tuple[int, int, int, bool]]:
    """Responsibility clauses in ``text``: (start, body_start, end, closed)."""
    out = []
    for m in CLAUSE_START.finditer(text):
        end = _find_clause_end(text, m.end())
        closed = end is not None
        if end is None:
            nl = text.find("\n", m.end())
            end = nl if nl != -1 else len(text)
        out.append((m.start(), m.end(), end, closed))
    return out


def extract_responsibilities(
    text: str,
    base: int,
    nt: NormalizedText,
    resolve: Resolver,
    measure_key: Optional[str] = None,
    allow_inline: bool = True,
) -> tuple[list[Responsibility], list[LoadIssue]]:
    """Responsibilities written in ``text`` (= nt.text[base:base+len(text)])."""
    issues: list[LoadIssue] = []
    clauses = find_clauses(text)
    if clauses:
        # The clause closing the item is authoritative; several clauses (rare) are merged in order.
        units: list[_Unit] = []
        first_start, last_end = clauses[0][0], clauses[-1][2]
        for start, body_start, end, closed in clauses:
            body = text[body_start : end - 1 if closed else end]
            units.extend(_split_units(body, body_start, None, resolve))
            if not closed:
                issues.append(
                    LoadIssue(
                        nt.source_file,
                        nt.line_of(base + start),
                        f"unclosed responsibility clause {text[start:end][:40]!r}: read to the end of the paragraph",
                    )
                )
        clause = "".join(text[s:e] for s, _, e, _ in clauses)
        return _to_responsibilities(units, clause, first_start, last_end, nt, base, resolve, measure_key), issues
    # "（A牵头，B、C配合）"
    for m in ROLE_PAREN.finditer(text):
        units = _split_units(m.group("body"), m.start("body"), None, resolve)
        units = [u for u in units if looks_like_agency(u.written, resolve)]
        if units and any(u.role == "lead" for u in units):
            return _to_responsibilities(units, m.group(), m.start(), m.end(), nt, base, resolve, measure_key), issues
    if allow_inline:
        return inline_responsibilities(text, base, nt, resolve, measure_key), issues
    return [], issues


def inline_responsibilities(
    text: str, base: int, nt: NormalizedText, resolve: Resolver, measure_key: Optional[str] = None
) -> list[Responsibility]:
    """"由A牵头，B、C配合" written in running text (no clause)."""
    if "牵头" not in text:
        return []
    units: list[_Unit] = []
    first = last = None
    for m in INLINE_LEAD.finditer(text):
        names = _tail_agencies(m.group("names"), resolve)
        if not names:
            continue
        offset = m.start("names") + len(m.group("names")) - len("、".join(names))
        for name in names:
            units.append(_Unit(name, offset, offset + len(name), "lead"))
        first = m.start() if first is None else first
        last = m.end()
        # supporters written right after: "，B、C配合"
        tail = text[m.end() : m.end() + 120]
        sm = re.match(r"[，,]\s*" + INLINE_SUPPORT.pattern, tail)
        if sm:
            for name in _tail_agencies(sm.group("names"), resolve, require_all=True):
                units.append(_Unit(name, m.end(), m.end() + sm.end(), "support"))
            last = m.end() + sm.end()
    if not units:
        return []
    clause = text[first:last]
    return _to_responsibilities(units, clause, first, last, nt, base, resolve, measure_key)


def _tail_agencies(names: str, resolve: Resolver, require_all: bool = False) -> list[str]:
    """The agency names at the end of ``names`` (text before 牵头), in order."""
    # cut at the last clause boundary words such as 建立/由/和 before the agency list
    parts = [clean_name(p) for p in re.split(r"[、和及与]", names)]
    out: list[str] = []
    for p in reversed(parts):
        cand = _longest_agency_suffix(p, resolve)
        if cand is None:
            if require_all:
                return []
            break
        out.insert(0, cand)
        if cand != p:
            break
    return out


def _longest_agency_suffix(text: str, resolve: Resolver) -> Optional[str]:
    for i in range(len(text) - 1):
        cand = text[i:]
        if looks_like_agency(cand, resolve):
            return cand
    return None
