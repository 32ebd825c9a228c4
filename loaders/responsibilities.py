"""Responsible agencies of a measure (and document-level leads), in the order written.

Takes: a piece of normalized text (a measure's text or a free paragraph) with its offset in the
document's ``NormalizedText``, and an agency resolver (the gazetteer).
Gives: ``Responsibility`` records (agency, written name, role lead/support, 1-based rank,
catalogued flag, the whole clause, source span), and ``LoadIssue`` warnings (e.g. an unclosed
clause).

Forms recognised (conventions of Chinese government documents):
- parenthesised clauses: （责任部门：A、B、C） (责任单位:A、B) （牵头单位：A；配合单位：B、C）
  （牵头部门：A，协同部门：B） （牵头单位：A；参与单位：B） （责任单位：A（牵头）、B）
  （A牵头，B、C配合） （A、B、C牵头，D配合） （A、B按职责分工负责） and a bare list of units
  closing the item （A、B）; the same in lenticular brackets 【责任单位：A、B】 【A、B等按职责分工负责】; a clause
  broken over lines (a PDF line ends after 单位：) is one clause;
- lists on a line of their own after the item: "责任部门：A、B", "牵头部门：A  协同部门：B、C",
  "牵头单位：A；责任单位：B、C" (the 责任单位 then support the lead);
- the same list unbracketed as the paragraph's last sentence: "…。责任单位：A、B。";
- inline: "由A牵头，B、C配合", "由A牵头，B、C按职责分工负责" (工作要点 style), "A牵头负责X，B配合负责Y",
  "由A牵头，会同B、C", "A会同B…", "A每年会同B…" and "A每年发布X，会同B…" (the subject of the sentence leads,
  the units after 会同 support; "会同有关部门" names no unit; an article's label and caption are skipped);
- sentences of 办法/细则 articles and 工作要点 items: "A为本细则的主管部门，负责…；B负责…；C依法…"
  (the 主管部门 leads, the units that are the subjects of the other clauses support); "A、B按职责分工
  负责X" or "A、B按照职责分工，对…" with the unit list as the sentence's subject (the first leads); an article
  (item) body opening with a unit list as the subject of 负责/依法 ("A负责…；B负责…；C负责…", "A、B依法对…":
  the first leads, the other units of the subject and those opening the other clauses support; 企业/项目单位 are
  not units); "由A负责。" (or "由A、B负责。") closing the item (not "由A负责解释");
- duty sentences anywhere in an item (规章 articles, 一是… paragraphs): a sentence whose subject is only a unit
  list (trailer 等部门/等行业主管部门 dropped) followed by 应当/要/负责/依法/按照(各自)职责 -- "A应当…", "A、B要…",
  "A、B等部门按照各自职责，…", "A应当会同B…" -- the first such subject leads; later duty clauses (after 。/；, or
  after a comma with 要/应当/负责: "A要指导…，B要会同C…") and the units after 会同 support; "市场监管等部门",
  "各部门、各单位" and 可以 (permission) make no duty; in document text a group addressed (各区要…) leads nothing;
  "市、区人民政府" names both levels, and a bare 区人民政府 in a city document is 各区政府;
- a 法律责任 article's enforcing authority: "由A责令改正" / "由A处…罚款" (A leads);
- a 会同 list ends where the verb begins ("会同市科委组建…委员会" -> 市科委) and "会同市有关部门" names none;
  after 由…牵头 / in its 会同 list / in "由A负责。" an unknown name with a unit's suffix (经济发展处, 临港集团) is a unit;
- "请A会同B…" (a notice's polite imperative) reads as "A会同B…", A may be a group with its alternative (各区经委（商务委）);
- a 法规's function names 市X部门 are the units holding them (gazetteer aliases), and a list sharing the level and the
  部门 suffix "市发展改革、科技、财政等部门" names 市发展改革部门, 市科技部门, 市财政部门 (when each is known);
- an unclosed clause runs to the end of the paragraph (with a warning).
A 各 group without a unit suffix (各高校, 沿河各区, 各有关单位) is a unit in a bracketed list whose other names are
units (kept as written when uncatalogued); "（由A、B按职责分工负责）" and "…按职责分工落实" read like "（A、B按职责分工
负责）"; "建立由A牵头，B、C等参加的…机制": the participants support; in a document issued by a 管委会 (its red
header "X管理委员会文件" or title line "X管理委员会关于…") a bare 管委会 is that issuer.
A company (…公司/集团/有限公司) in a list of units is a unit (kept uncatalogued unless known), never one cut
out of running text. A recommendation proposing an arrangement (建议由A牵头…) assigns nothing (``is_proposal``).
Roles: explicit 牵头/主办 markers make leads (a marker after a list, "A、B牵头", applies to the whole
list; "A（牵头）" to A only, also at the end of a list on a line of its own: "A、B、C（牵头）" -> C) and the others
supports; in a bracket with role words (A牵头，B、C参与) and in a bare list closing an item (or its first line) beside
a unit, an unknown name with a unit's suffix (X管理局, X实验室, X开发办) is a unit; 牵头单位/配合单位 keywords give their list its
role; without markers the first listed unit leads. Groups such as 各区政府 or "各区、县级市" are one
unit, as is a group with its bracketed alternative (各区经委（商务委）); a name plate after a single unit is
dropped (市委组织部（市人才办） -> 市委组织部), as are trailers
(等相关部门, 按职责分工负责). In a city-level document (沪… 文号) a unit written without 市
(经济信息化委, 财政局) is the municipal one; in a district's document it is kept as written. Units not
in the gazetteer (区科经委, 浦东新区科经委) are kept (catalogued=False), never dropped; so are units of other
provinces in a joint document (江苏省数据局), never read as the municipal unit.
A list closing an item's last sub-point (一是/①/（1）) belongs to the item when the other
sub-points have none (``lift_subpoint_responsibilities``; the deepest sub-points first, so a list after ②
goes to its (1), which then keeps it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Optional

from loaders.normalize import NormalizedText
from loaders.records import LoadIssue, Responsibility, SourceSpan
from loaders.structure import parse_label

CLAUSE_KEYWORD = (
    r"(?:主要)?(?:责任|牵头|负责|实施|承办|主办)\s*(?:部门|单位|处室|机构|主体)"
)
CLAUSE_START = re.compile(rf"[（(【]\s*(?P<kw>{CLAUSE_KEYWORD})\s*[：:]\s*")
# A responsibility list on a line of its own (no brackets), after the item it closes:
# "责任部门：区科委、区经委" / "牵头部门：区经委" + "协同部门：…" on the next line.
LINE_KEYWORD = r"(?:主要)?(?:责任|牵头|主责|负责|配合|协同|协办|参与)\s*(?:部门|单位|处室|机构)"
CLAUSE_LINE = re.compile(rf"(?m)^[ \t]*(?P<kw>{LINE_KEYWORD})\s*[：:]\s*")
# The same list as the last sentence of the item's paragraph, unbracketed:
# "…产业规模力争达到1500亿元。责任单位：区发展改革委、区商务委。" (district 若干举措 style).
CLAUSE_SENTENCE = re.compile(rf"(?<=[。；;！？])[ \t]*(?P<kw>{LINE_KEYWORD})\s*[：:]\s*")
# Generic groups written after 会同 in running text ("会同有关部门") name no unit.
GENERIC_UNIT = re.compile(r"^(?:各)?(?:有关|相关)(?:部门|单位|方面|委办局)$")
# ... also with a level ("会同市有关部门每年发布…"): the list after 会同 names no unit from there on.
GENERIC_HEAD = re.compile(r"^(?:各|市|区|本市|本区)?(?:各)?(?:有关|相关)(?:部门|单位|方面|委办局|处室)")
# Groups that name nobody in particular as the subject of a duty sentence ("各部门、各单位要…").
GENERIC_SUBJECT = re.compile(r"^(?:各|市|区)?(?:各)?(?:有关|相关)?(?:部门|单位|方面|委办局|处室)$")
# "（A、B按职责分工负责）" / "（A、B分别负责）": every unit responsible, the first listed leads.
DUTY_PAREN = re.compile(
    r"[（(【]\s*由?(?P<body>[^（）()【】\n]{2,200}?)(?:按(?:照)?职责(?:分工)?(?:负责|落实)|分别负责|共同负责|负责)[）)】]"
)
# "…加强监管。（市市场监管局、市商务委）" -- a bare list of units closing the item.
BARE_PAREN = re.compile(r"[（(【](?P<body>[^（）()【】\n：:]{2,200}?)[）)】][。.；;]?\s*$")
# "（A牵头，B配合）" -- a parenthesis whose content is an agency list with role words.
ROLE_PAREN = re.compile(r"[（(【]\s*由?(?P<body>[^（）()【】\n]{2,200}?(?:牵头|配合|协同|参与)[^（）()【】\n]{0,200}?)[）)】]")
ROLE_LABEL = re.compile(
    r"(?P<role>牵头|主办|主责|负责|配合|协办|协同|参与|责任)\s*(?:部门|单位|处室|机构)?\s*[：:]"
)
INLINE_LEAD = re.compile(
    r"(?:由|请)?(?P<names>[\u4e00-\u9fffA-Za-z0-9、和及与]{2,80}?)(?:共同)?牵头(?:负责|推进|实施|落实|组织)?"
)
INLINE_SUPPORT = re.compile(
    r"(?P<names>[\u4e00-\u9fffA-Za-z0-9、和及与]{2,80}?)"
    r"(?:按(?:照)?职责(?:分工)?(?:负责|落实)|分别负责|共同负责|(?:按职责)?(?:分工)?(?:配合|协同推进|协同配合|参与|参加|协助))"
)
# (社会 -- 人力资源社会保障局 -- is not the end of a unit's name.)
AGENCY_SUFFIX = re.compile(
    r"(?:委员会|委|局|办公厅|办公室|办|厅|中心|政府|管委会|管理委员会|海关|分局|总部|总局|部|院|署|(?<!社)会|行|所|公司|集团|单位|部门|街镇|镇|街道)$"
)
# ... or a unit of another province in a joint document (江苏省数据局, 浙江省科技厅: kept uncatalogued).
# A district or province name has no function characters (本政策由区商务委 is not a unit).
_PLACE_CHAR = r"(?:(?![由在对向将把请和与及为从会的是本其该此])[\u4e00-\u9fff])"
AGENCY_PREFIX = re.compile(
    rf"^(?:市|区|县|上海|国家|中国|中央|国务院|各|相关|有关|人民银行|金融监管|证监|银保监|{_PLACE_CHAR}{{1,4}}区"
    rf"|{_PLACE_CHAR}{{2,3}}省(?!级|内|外|市))")
SPLIT = re.compile(r"[、，,；;／/]|\s+")
LEAD_MARK = re.compile(r"[（(]\s*(?:牵头|主办|主责|牵头单位)\s*[）)]|牵头$|为牵头单位$")
SUPPORT_MARK = re.compile(r"[（(]\s*(?:配合|协办|参与)\s*[）)]|(?:按职责)?(?:分工)?(?:配合|协办|参与|协同)$")
# A role word after a list applies to the whole list: "A、B、C牵头，D、E配合" (three leads).
GROUP_LEAD = re.compile(r"(?:共同)?牵头(?:负责)?$|为牵头单位$")
GROUP_SUPPORT = re.compile(r"(?:按职责)?(?:分工)?(?:配合|协办|参与|协同)$")
# A name plate or former name after a unit: 市委组织部（市人才办） is one unit.
NAME_PLATE = re.compile(r"[（(][^（）()]{1,20}[）)]$")
# Clause keywords that give every unit of their list a role.
_KEYWORD_ROLE = (("牵头", "lead"), ("主办", "lead"), ("主责", "lead"),
                 ("配合", "support"), ("协同", "support"), ("协办", "support"), ("参与", "support"))
# A level prefix: a unit written with one of these is not a municipal unit with 市 left out.
LEVEL_PREFIX = re.compile(r"^(?:市|区|县|镇|街道|上海|国家|中国|中央|国务院|各|相关|有关|全国|[\u4e00-\u9fff]{1,4}(?:区|县|镇))")
TRAILERS = re.compile(
    r"(?:等(?:相关|有关|行业)?(?:主管)?(?:部门|单位|方面|区|区政府)?|按(?:照)?职责(?:分工)?(?:负责|落实)|分别负责|按职责分工|共同负责|负责)$"
)
GROUP_TAIL = re.compile(r"^(?:县级市|县|街道|乡镇|镇|开发区|园区|委办局|办|局|委|管委会)$")


@dataclass(frozen=True)
class ResolvedAgency:
    name: str  # canonical short name or the cleaned written name
    catalogued: bool


Resolver = Callable[[str], Optional[str]]  # written name -> canonical short name or None


def clean_name(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    name = name.strip("：:，,。.；;、（）()【】 “”\"'")
    name = TRAILERS.sub("", name)
    return name.strip("：:，,。.；;、 ")


def looks_like_agency(name: str, resolve: Resolver) -> bool:
    if not name or len(name) < 2 or len(name) > 30:
        return False
    if resolve(name):
        return True
    return bool(AGENCY_SUFFIX.search(name)) and bool(AGENCY_PREFIX.match(name))


# A company or group named in a list of units (国网上海市电力公司, 上海电气集团, 上海久事（集团）有限公司):
# a unit by its suffix whatever its first characters -- but only inside a list (clause, table cell),
# never cut out of running text.
COMPANY = re.compile(
    r"^(?!(?:以下)?简称|包括|含|如|例如|即|其中)[\u4e00-\u9fffA-Za-z0-9（）()]{2,36}?"
    r"(?:股份有限公司|有限责任公司|有限公司|集团公司|分公司|公司|（集团）|集团)$"
)


def is_company(name: str) -> bool:
    return 4 <= len(name) <= 40 and bool(COMPANY.match(name))


def looks_like_listed_unit(name: str, resolve: Resolver) -> bool:
    """A name in a list of units (a clause, a table cell): an agency, or a company by its suffix."""
    return looks_like_agency(name, resolve) or is_company(name)


# A group of units addressed by 各 (各高校, 各区, 各有关单位, 沿河各区, 各成员单位): no unit suffix, but one
# unit (kept as written when not catalogued) in a list whose other names are units. A short qualifier of
# place may stand before 各 (沿江各区, 相关各区); 各类/各项/各种/各自/各方 are not groups of units.
GROUP_NAME = re.compile(
    rf"^(?:{_PLACE_CHAR}{{1,3}})?各(?!类|项|种|自|方|个|级别|界|地)(?:有关|相关)?[\u4e00-\u9fff]{{1,6}}$")


def is_group_name(name: str) -> bool:
    return bool(GROUP_NAME.match(name)) and not re.search(r"[的了着是和与及]", name)


def _list_of_units(units: list["_Unit"], resolve: Resolver) -> bool:
    """Every name a unit or a 各 group, at least one of them a unit (not only groups); beside a unit, an
    unknown name with a unit's suffix (北外滩开发办) is one too."""
    real = [u for u in units if looks_like_listed_unit(u.written, resolve)]
    return bool(real) and all(u in real or is_group_name(u.written) or _marked_units(u.written) for u in units)


MAX_CLAUSE_CHARS = 400


def _find_clause_end(text: str, start: int) -> Optional[int]:
    """Index just past the ')' closing the clause that opened before ``start``.

    A clause may be broken over lines ("（牵头单位：A；\n配合单位：B）" -- a line of a PDF
    ends after a colon): it continues on the next line unless that line starts a numbered item.
    """
    depth = 1
    i = start
    crossed = False
    limit = min(len(text), start + MAX_CLAUSE_CHARS)
    while i < limit:
        ch = text[i]
        if ch in "（(【":
            depth += 1
        elif ch in "）)】":
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == "\n":
            if parse_label(text[i + 1 : i + 40]) is not None:
                return None
            crossed = True
        elif ch == "。" and crossed:
            return None  # a sentence on the next line: the clause was never closed
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
            # "牵头单位：A；责任单位：B、C": a 责任/负责 section has no role of its own (A leads)
            sections.append((m.end(), end, "lead" if role in ("牵头", "主办", "主责") else ("support" if role in ("配合", "协办", "协同", "参与") else None)))
    else:
        sections.append((0, len(body), default_role))
    for s0, s1, role in sections:
        segment = body[s0:s1]
        # groups split at ，； ("A、B牵头，C配合"), units within a group at 、 and spaces; brackets
        # protect role markers and name plates inside a unit: "A（牵头）", "市委组织部（市人才办）"
        groups: list[list[tuple[int, int]]] = [[]]
        depth = 0
        piece_start = 0
        for i, ch in enumerate(segment):
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth = max(0, depth - 1)
            elif depth == 0 and SPLIT.match(ch):
                groups[-1].append((piece_start, i))
                piece_start = i + 1
                if ch in "，,；;\n":
                    groups.append([])
        groups[-1].append((piece_start, len(segment)))
        for group in groups:
            pieces = [(a, b) for a, b in group if segment[a:b].strip()]
            group_role = None
            if len(pieces) > 1:
                raw_last = segment[pieces[-1][0] : pieces[-1][1]].strip()
                last = clean_name(raw_last) if not raw_last.endswith(("）", ")")) else ""  # not "A（牵头）"
                if GROUP_LEAD.search(last):
                    group_role = "lead"
                elif GROUP_SUPPORT.search(last) and not resolve(last):
                    group_role = "support"
            for a, b in pieces:
                raw = segment[a:b]
                piece_role = group_role or role
                if LEAD_MARK.search(raw):
                    piece_role = "lead"
                    raw_clean = LEAD_MARK.sub("", raw)
                elif SUPPORT_MARK.search(raw) and not resolve(clean_name(raw)):
                    piece_role = "support"
                    raw_clean = SUPPORT_MARK.sub("", raw)
                else:
                    raw_clean = raw
                raw_clean = raw_clean.strip()
                plate = NAME_PLATE.search(raw_clean)
                if plate and plate.start() > 0 and not resolve(clean_name(raw_clean)) \
                        and not _is_group_alternative(raw_clean.strip(), resolve):
                    raw_clean = raw_clean[: plate.start()]
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
    span = nt.span(base + clause_start, base + clause_end)
    return assign_roles([(u.written, u.role) for u in units], clause, span, resolve, measure_key)


def assign_roles(
    units: list[tuple[str, Optional[str]]],
    clause: str,
    span: SourceSpan,
    resolve: Resolver,
    measure_key: Optional[str],
    explicit: Optional[bool] = None,
) -> list[Responsibility]:
    """Responsibilities from ``(written name, role or None)`` in written order.

    Names are canonicalized through ``resolve`` (kept as written, uncatalogued, when unknown); a
    unit listed twice is kept once, at its first place. When any unit is marked lead (or
    ``explicit`` is true, as for a table's 牵头/配合 columns) the marked units lead and the others
    support; otherwise the first listed leads.
    """
    if explicit is None:
        explicit = any(role == "lead" for _written, role in units)
    # a unit listed twice (two clauses of one item) leads when either listing marks it as lead
    lead_names = {resolve(written) or written for written, role in units if role == "lead"}
    out: list[Responsibility] = []
    seen: set[str] = set()
    for written, _role in units:
        canonical = resolve(written)
        name = canonical or written
        if name in seen:
            continue
        seen.add(name)
        rank = len(seen)
        if explicit:
            role = "lead" if name in lead_names else "support"
        else:
            role = "lead" if rank == 1 else "support"
        out.append(Responsibility(agency=name, written=written, role=role, rank=rank,
                                  catalogued=canonical is not None, clause=clause, span=span,
                                  measure_key=measure_key))
    return out


def _keyword_role(keyword: str) -> Optional[str]:
    """The role a clause keyword gives its list: 牵头单位 -> lead, 配合单位 -> support, 责任单位 -> None."""
    return next((role for word, role in _KEYWORD_ROLE if word in keyword), None)


def find_clauses(text: str) -> list[tuple[int, int, int, bool]]:
    """Responsibility clauses in ``text``: (start, body_start, end, closed)."""
    return [c[:4] for c in _clauses(text)]


def _clauses(text: str) -> list[tuple[int, int, int, bool, Optional[str]]]:
    """(start, body_start, end, closed, role of the keyword) of every clause, in text order:
    bracketed （责任单位：…） and lists on a line of their own (责任部门：… after the item)."""
    out = []
    for m in CLAUSE_START.finditer(text):
        end = _find_clause_end(text, m.end())
        closed = end is not None
        if end is None:
            nl = text.find("\n", m.end())
            end = nl if nl != -1 else len(text)
        out.append((m.start(), m.end(), end, closed, _keyword_role(m.group("kw"))))
    bracketed = list(out)
    for m in CLAUSE_LINE.finditer(text):
        if any(s <= m.start() < e for s, _, e, _, _ in bracketed):
            continue  # the second line of a bracketed clause broken over lines
        nl = text.find("\n", m.end())
        end = nl if nl != -1 else len(text)
        out.append((m.start(), m.end(), end, True, _keyword_role(m.group("kw"))))
    for m in CLAUSE_SENTENCE.finditer(text):
        if any(s <= m.start() < e for s, _, e, _, _ in out):
            continue
        # the list runs to the end of its sentence; it must close the paragraph (a following
        # sentence of prose means "责任单位：" was prose)
        stop = re.search(r"[。！？\n]", text[m.end():])
        end = m.end() + stop.start() if stop else len(text)
        rest = text[end:]
        nl = rest.find("\n")
        if rest[: nl if nl != -1 else len(rest)].strip("。 \t"):
            continue
        out.append((m.start(), m.end(), end, True, _keyword_role(m.group("kw"))))
    # Clauses never overlap: a clause keyword inside a closed （…） clause is part of it; an
    # unclosed clause or a list on a line of its own runs up to the next clause.
    closed_brackets = {c[0] for c in bracketed if c[3]}
    kept: list[tuple[int, int, int, bool, Optional[str]]] = []
    for c in sorted(out):
        if kept and c[0] < kept[-1][2]:
            if kept[-1][0] in closed_brackets:
                continue
            kept[-1] = kept[-1][:2] + (c[0],) + kept[-1][3:]
        kept.append(c)
    return kept


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
    resolve = _municipal_resolver(resolve, nt)
    clauses = _clauses(text)
    if clauses:
        # The clause closing the item is authoritative; several clauses (牵头部门：… + 协同部门：…
        # lines, or rare repeated clauses) are merged in order.
        units: list[_Unit] = []
        first_start, last_end = clauses[0][0], clauses[-1][2]
        for start, body_start, end, closed, role in clauses:
            # the closing bracket of a bracketed clause (not the （牵头） closing a list on a line of its own)
            bracketed = text[start] in "（(【"
            body = text[body_start : end - 1 if closed and bracketed and text[end - 1 : end] in "）)】" else end]
            found = _split_units(body, body_start, role, resolve)
            if text[start] not in "（(【" and not _is_unit_list(found, resolve):
                continue  # "责任单位：" at a line start followed by prose, not by a list of units
            units.extend(found)
            if not closed:
                issues.append(
                    LoadIssue(
                        nt.source_file,
                        nt.line_of(base + start),
                        f"unclosed responsibility clause {text[start:end][:40]!r}: read to the end of the paragraph",
                    )
                )
        clause = "".join(text[s:e] for s, _, e, _, _ in clauses)
        return _to_responsibilities(units, clause, first_start, last_end, nt, base, resolve, measure_key), issues
    # "（A牵头，B、C配合）"
    for m in ROLE_PAREN.finditer(text):
        units = _split_units(m.group("body"), m.start("body"), None, resolve)
        groups = [u for u in units if is_group_name(u.written) and not looks_like_listed_unit(u.written, resolve)]
        # a name the role words mark as a unit (张江科学城管理局牵头, 张江实验室参与) is one by its suffix
        units = [u for u in units if looks_like_listed_unit(u.written, resolve) or _marked_units(u.written)]
        if units:  # a 各 group in a list of units is a unit (沿河各区配合)
            units = sorted(units + groups, key=lambda u: u.start)
        if units and any(u.role == "lead" for u in units):
            return _to_responsibilities(units, m.group(), m.start(), m.end(), nt, base, resolve, measure_key), issues
    # "（A、B按职责分工负责）", and a bare list of units closing the item "（A、B）"
    # ... or closing the item's first line (a paragraph of document text after it: "各单位要…")
    first_line = text[:text.find("\n")] if "\n" in text.strip() else text
    for rx, where in ((DUTY_PAREN, text), (BARE_PAREN, text), (BARE_PAREN, first_line)):
        for m in rx.finditer(where):
            units = _split_units(m.group("body"), m.start("body"), None, resolve)
            if units and _list_of_units(units, resolve) and (
                rx is DUTY_PAREN or any(_is_unit_name(u.written, resolve) and not is_company(u.written) for u in units)
            ):
                return _to_responsibilities(units, m.group(), m.start(), m.end(), nt, base, resolve, measure_key), issues
    if allow_inline:
        return inline_responsibilities(text, base, nt, resolve, measure_key), issues
    return [], issues


def _is_unit_list(units: list[_Unit], resolve: Resolver) -> bool:
    """Short names, at least one of them unit-like: a list of units, not a sentence."""
    return bool(units) and all(len(u.written) <= 25 and not re.search(r"[。！？]", u.written) for u in units) and any(
        looks_like_agency(u.written, resolve) for u in units
    )


def _is_unit_name(name: str, resolve: Resolver) -> bool:
    """A name that can only be a unit (not a place: 浦东新区 alone is also a district)."""
    return bool(AGENCY_SUFFIX.search(name)) and not name.endswith(("区", "县"))


# A document issued by a district (闵行区人民政府办公室, 浦府办发〔…〕): its bare unit names
# (财政局) are district units, not municipal ones.
_DISTRICT_HEADER = re.compile(r"(?:^|\n)(?:上海市)?[\u4e00-\u9fff]{1,4}区(?:人民政府|委员会|政府)(?:办公室)?(?:文件|关于)")
_DOC_NUMBER_PREFIX = re.compile(r"(?P<prefix>[\u4e00-\u9fff]{1,12}?)\s*[〔［\[（(【]\s*(?:19|20)\d{2}\s*[〕］\]）)】]\s*\d{1,4}\s*号")


def is_municipal_document(nt: NormalizedText) -> bool:
    """Issued at city level (沪… 文号, no district issuer in the header)."""
    return _is_municipal_header(nt.text[:800])


@lru_cache(maxsize=64)
def _is_municipal_header(header: str) -> bool:
    if _DISTRICT_HEADER.search(header):
        return False
    m = _DOC_NUMBER_PREFIX.search(header)
    return m is None or m.group("prefix").startswith("沪")


# "区人民政府" written without a district's name in a city-level document: every district government.
DISTRICT_GOVERNMENT = re.compile(r"^区(?:人民)?政府$")


# The issuing 管委会 of a document, from its header ("上海XX管理委员会文件" / "上海XX管理委员会关于印发…"):
# in its own document a bare "管委会" is the issuer itself.
_COMMITTEE_ISSUER = re.compile(r"(?m)^[ \t]*(?P<name>[\u4e00-\u9fff（）()]{2,40}?(?:管理委员会|管委会))[ \t]*(?:文件|关于)")
SELF_COMMITTEE = re.compile(r"^本?(?:管委会|管理委员会)$")


@lru_cache(maxsize=64)
def _header_committee(header: str, resolve: Resolver) -> Optional[str]:
    m = _COMMITTEE_ISSUER.search(header)
    return resolve(m.group("name")) if m else None


def _municipal_resolver(resolve: Resolver, nt: NormalizedText) -> Resolver:
    """In a city-level document a unit written without 市 (经济信息化委, 财政局) is the municipal one; in a
    document issued by a 管委会 a bare "管委会" is the issuer (when catalogued)."""
    if getattr(resolve, "_municipal", False):
        return resolve
    municipal = is_municipal_document(nt)
    committee = _header_committee(nt.text[:1000], resolve)
    if not municipal and committee is None:
        return resolve

    def resolver(written: str) -> Optional[str]:
        found = resolve(written)
        if found is None:
            name = clean_name(written)
            if committee is not None and SELF_COMMITTEE.match(name):
                found = committee
            elif not municipal:
                pass
            elif name and not LEVEL_PREFIX.match(name) and AGENCY_SUFFIX.search(name):
                found = resolve("市" + name)
            elif DISTRICT_GOVERNMENT.match(name):
                found = resolve("各" + name)  # "区人民政府应当…" in a city's regulation: every district's
        return found

    resolver._municipal = True  # type: ignore[attr-defined]
    return resolver


def inline_responsibilities(
    text: str, base: int, nt: NormalizedText, resolve: Resolver, measure_key: Optional[str] = None
) -> list[Responsibility]:
    """"由A牵头，B、C配合" (or "，会同B、C"), "A会同B、C…", a 主管部门 article, "A、B按职责分工负责…" and
    "由A负责。" written in running text (no clause)."""
    resolve = _municipal_resolver(resolve, nt)
    if "牵头" in text:
        found = _lead_inline(text, base, nt, resolve, measure_key)
        if found:
            return found
    found = _competent_authority(text, base, nt, resolve, measure_key)
    if found:
        return found
    # "A要会同B…" read either way; a duty sentence written before the 会同 sentence ("市国资委要指导…，
    # 市委金融办要会同市财政局…") names the lead
    duties = _duty_clauses(text, base, nt, resolve, measure_key)
    huitong = _huitong(text, base, nt, resolve, measure_key)
    if duties and (not huitong or duties[0].span.start <= huitong[0].span.start):
        return duties
    if huitong:
        return huitong
    for rule in (_duty_sentence, _by_unit_closing, _enforcer):
        found = rule(text, base, nt, resolve, measure_key)
        if found:
            return found
    return []


def _lead_inline(text: str, base: int, nt: NormalizedText, resolve: Resolver, measure_key: Optional[str]) -> list[Responsibility]:
    """"由A牵头，B、C配合" / "由A牵头，B、C按职责分工负责" / "由A牵头，会同B、C"."""
    units: list[_Unit] = []
    first = last = None
    for m in INLINE_LEAD.finditer(text):
        names = _tail_agencies(m.group("names"), resolve)
        marked = m.group().startswith(("由", "请"))  # "由经济发展处牵头": 由 marks the unit
        if not names and marked:
            names = _marked_units(m.group("names"))
        if not names:
            continue
        offset = m.start("names") + len(m.group("names")) - len("、".join(names))
        for name in names:
            units.append(_Unit(name, offset, offset + len(name), "lead"))
        first = m.start() if first is None else first
        last = m.end()
        # supporters in a following clause of the same sentence: "，B、C配合" /
        # "A牵头负责X，B配合负责Y"
        tail = text[m.end() : m.end() + 120]
        stop = re.search(r"[。；;！？\n]", tail)
        tail = tail[: stop.start()] if stop else tail
        sm = re.search(r"(?:^|[，,])\s*" + INLINE_SUPPORT.pattern, tail)
        if sm and not _tail_agencies(sm.group("names"), resolve, require_all=True):
            sm = None
        if sm:
            for name in _tail_agencies(sm.group("names"), resolve, require_all=True):
                units.append(_Unit(name, m.end(), m.end() + sm.end(), "support"))
            last = m.end() + sm.end()
        else:
            hm = HUITONG_AFTER.match(tail)
            if hm:
                names = _head_agencies(hm.group("names"), resolve)
                if marked and len(names) < len(re.split(r"[、和及与]", hm.group("names"))):
                    loose = _marked_units(hm.group("names"), head=True)
                    names = loose if len(loose) > len(names) else names
                for name in names:
                    units.append(_Unit(name, m.end(), m.end() + hm.end(), "support"))
                if names:
                    last = m.end() + hm.start("names") + len("、".join(names))
    if not units:
        return []
    clause = text[first:last]
    return _to_responsibilities(units, clause, first, last, nt, base, resolve, measure_key)


# A unit the gazetteer does not know, named where 由…牵头 / 会同 mark it as a unit: a short name ending
# in a unit's suffix (a 管委会's 经济发展处, 临港集团), no function words.
MARKED_UNIT = re.compile(
    r"^(?:(?![由在对向将把请和与及为从的是本其该此等])[\u4e00-\u9fff]){1,12}"
    r"(?:处|局|委|办|中心|集团|公司|管委会|政府|分局|海关|实验室)$")


def _marked_units(names: str, head: bool = False) -> list[str]:
    """Every piece of ``names`` (split at 、和及与) when each is unit-like by its suffix (``head``: the
    unit-like pieces from the start, the list ending at the first other piece, "…临港集团，每季度…")."""
    out: list[str] = []
    for part in re.split(r"[、和及与]", names):
        name = clean_name(part)
        if not MARKED_UNIT.match(name) or GENERIC_UNIT.match(name):
            if head:
                break
            return []
        out.append(name)
    return out


# "区经委为本细则的主管部门，负责…；区财政局负责…；区审计局依法…" -- the 主管部门 leads, the units that
# open the article's other clauses support.
COMPETENT = re.compile(r"(?P<lead>[\u4e00-\u9fff、（）()]{2,40}?)(?:为|是|作为)(?:本(?:细则|办法|规定|政策|措施|方案)的?)?[\u4e00-\u9fff]{0,12}?主管部门")
# the verb after a unit that opens a clause of a duties article: "区财政局负责…", "区审计局依法对…"
DUTY_VERB = re.compile(r"\s*(?:负责|依法|依据|按照|按|对|会同|配合|协助|承担|做好|参与|牵头)")
# "区财政局、区审计局按职责分工负责…" (or "由A、B按职责分工负责。") -- a unit list as the subject of a
# duties sentence.
DUTY_SENTENCE = re.compile(
    r"(?:^|(?<=[。；;！？\n]))\s*由?(?P<names>[^，。；;！？\n]{2,80}?)按(?:照)?职责(?:分工)?(?:负责|落实|做好|[，,](?=对|做好|加强|开展|负责))")
# A duty sentence: a unit list (and nothing else) as the subject of a duty verb -- "市财政局负责…",
# "市财政局、市审计局依法对…", "市科委应当…", "A、B要…", "A、B等部门按照各自职责/按照职责分工…"
# (conventions of 办法/规定 articles and of the 一是… paragraphs of a 通知/工作要点).
DUTY_SUBJECT = re.compile(
    r"[ \t]*(?P<names>(?:(?!会同|牵头|配合)[^，,。；;！？\n]){2,60}?)"
    r"(?P<verb>应当|要(?![求素件点])|负责(?!解释)|依法(?=对|负责|开展|实施|履行|做好|加强|查处)"
    r"|按照?(?:各自)?职责(?:分工)?(?=负责|落实|做好|[，,]))")
# a clause after a comma opens a duty only with a modal: "…作用，市委金融办要会同市财政局…"
_COMMA_VERBS = ("应当", "要", "负责")
# "A应当会同B、C…" / "A要会同B…": the units after 会同 support
HUITONG_NEXT = re.compile(r"\s*(?:每年|每季度|定期)?会同(?P<names>[^，。；\n]{2,80})")
# "由A责令改正" / "由A处…罚款" in a 法律责任 article: the enforcing authority
ENFORCER = re.compile(
    r"(?:^|(?<=[。；;！？\n，,]))\s*由(?P<names>[^，,。；;！？\n]{2,40}?)(?:依法)?(?:责令|处以?\d|予以处罚|给予行政处罚|没收|吊销)")
# "…。由市财政局负责。" -- a sentence closing the item that names who is responsible.
BY_UNIT_CLOSING = re.compile(r"(?:^|(?<=[。；;！？\n]))\s*由(?P<names>[^，。；;！？\n]{2,80}?)(?:共同|分别)?负责[。；;.]?\s*$")
# the caption of an article right after its label: 第三条（部门职责）…
_CAPTION = re.compile(r"\s*[（(][^（）()。，,；;：:\n]{1,20}[）)]")


def _strip_label(text: str) -> tuple[str, int]:
    """The text after the article's or item's label (第十条 / 3．) and an article's caption
    (第三条（部门职责）), and its offset."""
    lead = len(text) - len(text.lstrip())
    label = parse_label(text[lead:])
    if label is None:
        return text, 0
    at = lead + label.end
    if label.style == "article":
        cap = _CAPTION.match(text, at)
        if cap:
            at = cap.end()
    return text[at:], at


def _subject_units(subject: str, resolve: Resolver) -> Optional[list[str]]:
    """The units of a sentence subject that is only a list of units ("A、B"), else None. A trailer
    (等部门, 等行业主管部门) is dropped; "市、区人民政府" names both levels (市人民政府、区人民政府)."""
    shared = _shared_affix_list(subject.strip(), resolve)
    if shared:
        return shared
    if _is_group_alternative(subject.strip(), resolve):
        return [subject.strip()]
    subject = clean_name(subject.strip())
    both = re.match(r"^市、区(?P<rest>[\u4e00-\u9fff]{2,20})$", subject)
    if both:
        subject = f"市{both.group('rest')}、区{both.group('rest')}"
    if re.search(r"[（(]", subject):  # a group with its bracketed alternative: 各区经委（商务委）
        out: list[str] = []
        for piece in re.split(r"、(?![^（）()]*[）)])", subject):
            if _is_group_alternative(piece, resolve):
                out.append(piece)
                continue
            names = _subject_units(piece, resolve) if not re.search(r"[（(]", piece) else None
            if not names:
                return None
            out.extend(names)
        return out
    names = _tail_agencies(subject, resolve, require_all=True)
    if not names or "".join(names) != re.sub(r"[、和及与\s]", "", subject):
        return None
    return names


# "市发展改革、科技、财政等部门": a list of functions sharing the level prefix and the 部门 suffix (the
# 法规 convention) -- each function is the unit 市发展改革部门, 市科技部门, … (expanded only when every
# one of them is a known unit).
_SHARED_AFFIX = re.compile(r"^(?P<lvl>市|区)(?P<list>[\u4e00-\u9fff]{2,12}(?:、[\u4e00-\u9fff]{2,12}?)+?)等?(?P<suf>部门)$")


def _shared_affix_list(subject: str, resolve: Resolver) -> Optional[list[str]]:
    m = _SHARED_AFFIX.match(subject)
    if not m:
        return None
    names = [f"{m.group('lvl')}{piece}{m.group('suf')}" for piece in m.group("list").split("、")]
    return names if all(resolve(n) for n in names) else None


def _competent_authority(text: str, base: int, nt: NormalizedText, resolve: Resolver,
                         measure_key: Optional[str]) -> list[Responsibility]:
    if "主管部门" not in text:
        return []
    body, off = _strip_label(text)
    m = COMPETENT.match(body)
    if not m:
        return []
    leads = _subject_units(m.group("lead"), resolve)
    if not leads:
        return []
    units = [_Unit(n, off + m.start("lead"), off + m.end("lead"), "lead") for n in leads]
    _, end = _collect_duties(body, off, resolve, units, m.end(), first=False)
    end = max(end, m.end("lead"))
    return _to_responsibilities(units, text[off + m.start("lead"):off + end], off + m.start("lead"), off + end, nt,
                                base, resolve, measure_key)


def _clause_starts(body: str):
    """Where the sentences and clauses of ``body`` start, with the separator before them."""
    yield 0, ""
    for m in re.finditer(r"[。；;！？\n，,]\s*", body):
        if m.end() < len(body):
            yield m.end(), m.group()[0]


def _duty_head(body: str, at: int, resolve: Resolver, sep: str,
               first: bool) -> Optional[tuple[list[str], int, int, int]]:
    """The units opening the clause at ``at`` as the subject of a duty: (names, start, end of the names,
    end of the verb), or None. The first duty of a text needs a duty verb (应当/要/负责/依法/按照职责);
    a later clause after 。/； may also be "B对…" / "B会同…" / "B做好…"; after a comma only a modal."""
    comma = sep in ("，", ",")
    m = DUTY_SUBJECT.match(body, at)
    if m and (not comma or m.group("verb") in _COMMA_VERBS):
        names = _subject_units(m.group("names"), resolve)
        if names and not any(GENERIC_UNIT.match(n) or GENERIC_SUBJECT.match(n) for n in names):
            return names, m.start("names"), m.end("names"), m.end()
    if first or comma:
        return None
    head = _agency_prefix(body[at:], resolve)
    if head is None or GENERIC_UNIT.match(head) or not body.startswith(head, at) \
            or not DUTY_VERB.match(body, at + len(head)):
        return None
    return [head], at, at + len(head), at + len(head)


def _collect_duties(body: str, off: int, resolve: Resolver, units: list[_Unit], after: int,
                    first: bool, groups_lead: bool = True) -> tuple[Optional[int], int]:
    """Append to ``units`` the subjects of the duty clauses of ``body`` from ``after`` on (and the units
    they work with: "A应当会同B…"). Returns (start of the first, end of the last) in ``body``.
    ``groups_lead=False``: a group of addressees ("各区要结合…") does not open the list."""
    start: Optional[int] = None
    end = after
    for at, sep in _clause_starts(body):
        if at < after or (first and start is None and sep in ("，", ",")):
            continue
        head = _duty_head(body, at, resolve, sep, first and start is None)
        if head is None:
            continue
        names, n0, n1, verb_end = head
        if start is None and not groups_lead and all(n.startswith("各") for n in names):
            continue
        units.extend(_Unit(n, off + n0, off + n1, None) for n in names)
        start = n0 if start is None else start
        end = n1
        hm = HUITONG_NEXT.match(body, verb_end)
        if hm:
            supports = _head_agencies(hm.group("names"), resolve)
            units.extend(_Unit(n, off + hm.start("names"), off + hm.end("names"), None) for n in supports)
            if supports:
                end = hm.start("names") + len("、".join(supports))
    return start, end


def _duty_clauses(text: str, base: int, nt: NormalizedText, resolve: Resolver,
                  measure_key: Optional[str]) -> list[Responsibility]:
    """"A负责…；B负责…", "A、B依法对…", "A应当会同B…。C应当…", "A、B要…，C要会同D…": the unit list opening
    the first duty sentence leads; the units opening later duty clauses (and those after 会同) support."""
    body, off = _strip_label(text)
    units: list[_Unit] = []
    # in document text (a 保障措施 paragraph: measure_key None) the groups addressed lead nothing
    start, end = _collect_duties(body, off, resolve, units, 0, first=True, groups_lead=measure_key is not None)
    if start is None:
        return []
    return _to_responsibilities(units, text[off + start:off + end], off + start, off + end, nt, base, resolve,
                                measure_key)


def _enforcer(text: str, base: int, nt: NormalizedText, resolve: Resolver,
              measure_key: Optional[str]) -> list[Responsibility]:
    """"…的，由A责令改正，给予警告" (法律责任 articles): the authority named to enforce leads."""
    body, off = _strip_label(text)
    for m in ENFORCER.finditer(body):
        names = _subject_units(m.group("names"), resolve)
        if not names or any(GENERIC_UNIT.match(n) or GENERIC_SUBJECT.match(n) for n in names):
            continue
        units = [_Unit(n, off + m.start("names"), off + m.end("names"), None) for n in names]
        return _to_responsibilities(units, body[m.start("names"):m.end()], off + m.start("names"), off + m.end(),
                                    nt, base, resolve, measure_key)
    return []


def _duty_sentence(text: str, base: int, nt: NormalizedText, resolve: Resolver,
                   measure_key: Optional[str]) -> list[Responsibility]:
    body, off = _strip_label(text)
    for m in DUTY_SENTENCE.finditer(body):
        names = _subject_units(m.group("names"), resolve)
        if not names:
            continue
        units = [_Unit(n, off + m.start("names"), off + m.end("names"), None) for n in names]
        return _to_responsibilities(units, body[m.start("names"):m.end()], off + m.start("names"), off + m.end(), nt, base,
                                    resolve, measure_key)
    return []


def _by_unit_closing(text: str, base: int, nt: NormalizedText, resolve: Resolver,
                     measure_key: Optional[str]) -> list[Responsibility]:
    m = BY_UNIT_CLOSING.search(text.rstrip())
    if not m:
        return []
    # 由 marks the unit: an unknown name with a unit's suffix is one ("由张江集团负责。")
    names = _subject_units(m.group("names"), resolve) or _marked_units(m.group("names"))
    if not names:
        return []
    units = [_Unit(n, m.start("names"), m.end("names"), None) for n in names]
    return _to_responsibilities(units, text[m.start("names") - 1:m.end()].rstrip(), m.start("names") - 1, m.end(), nt,
                                base, resolve, measure_key)


# "A会同B、C制定…" -- A leads, B and C support (the formula of 办法/细则 articles).
HUITONG = re.compile(r"(?:^|(?<=[。；！？\n，,]))\s*(?:由|请)?(?P<lead>[\u4e00-\u9fff、（）()]{2,40}?)(?:每年|每季度|定期|应当|要|负责)?会同(?P<names>[^，。；\n]{2,80})")
HUITONG_AFTER = re.compile(r"[，,]\s*会同(?P<names>[^，。；\n]{2,80})")


def _huitong(text: str, base: int, nt: NormalizedText, resolve: Resolver, measure_key: Optional[str]) -> list[Responsibility]:
    resolve = _municipal_resolver(resolve, nt)
    body, off = _strip_label(text)  # "第七条（申报）市经济信息化委会同…"
    for m in HUITONG.finditer(body):
        subject = m.group("lead")
        if re.search(r"[（(]", subject):  # a group with its bracketed alternative: 各区经委（商务委）
            leads = _subject_units(subject, resolve) or []
        else:
            leads = _tail_agencies(subject, resolve, require_all=True)
            if "".join(leads) != subject.replace("、", ""):
                leads = []
        if not leads:
            continue  # the subject of the sentence must be the unit list itself
        supports = _head_agencies(m.group("names"), resolve)
        if not supports:
            continue
        s0, s1 = off + m.start("lead"), off + m.start("names")
        units = [_Unit(n, s0, off + m.end("lead"), "lead") for n in leads]
        units += [_Unit(n, s1, off + m.end("names"), "support") for n in supports]
        end = s1 + len("、".join(supports))
        return _to_responsibilities(units, text[s0:end], s0, end, nt, base, resolve, measure_key)
    # "区经委每年发布申报指南，会同区财政局组织专家评审": the unit opening the sentence leads
    for m in HUITONG_AFTER.finditer(text):
        starts = [k.end() for k in re.finditer(r"[。；;！？\n]", text[:m.start()])]
        s0 = starts[-1] if starts else 0
        sentence, off = _strip_label(text[s0:m.start()])
        sentence = sentence.lstrip()
        off = s0 + off + (len(text[s0:m.start()]) - off - len(sentence))
        head = _agency_prefix(sentence, resolve)
        if head is None or GENERIC_UNIT.match(head) or not sentence.startswith(head) or sentence[len(head):len(head) + 1] in "、和及与":
            continue
        supports = _head_agencies(m.group("names"), resolve)
        if not supports:
            continue
        units = [_Unit(head, off, off + len(head), "lead")]
        units += [_Unit(n, m.start("names"), m.end("names"), "support") for n in supports]
        end = m.start("names") + len("、".join(supports))
        return _to_responsibilities(units, text[off:end], off, end, nt, base, resolve, measure_key)
    return []


def _head_agencies(names: str, resolve: Resolver) -> list[str]:
    """The agency names at the start of ``names`` (text after 会同), in order: "B、C等部门制定…" -> [B, C]."""
    out: list[str] = []
    for part in re.split(r"[、和及与]", names):
        part = part.strip()
        if GENERIC_HEAD.match(part):
            break  # "会同市有关部门…": no unit named from here on
        whole = clean_name(part)
        # a whole piece of the list is one unit (江苏省人力资源社会保障厅, not 江苏省人力资源社会) -- unless
        # a catalogued unit opens it and a long run of words follows: the list ended and the verb
        # began ("会同市科委组建…专家咨询委员会" -> 市科委)
        known = _catalogued_prefix(part, resolve)
        if resolve(whole):
            head = whole
        elif known and len(whole) - len(known) > 6:
            head = known
        elif looks_like_agency(whole, resolve):
            head = whole
        else:
            head = _agency_prefix(part, resolve)
        if head is None or GENERIC_UNIT.match(head):
            break
        out.append(head)
        if clean_name(part) != head:
            break  # the list ends inside this part ("C等部门制定…")
    return out


# "各区经委（商务委）": a group of units whose bracket names the alternative unit where a district
# merged them -- one unit as written (unlike the name plate of one unit, 市委组织部（市人才办）).
_GROUP_ALTERNATIVE = re.compile(r"^各[\u4e00-\u9fff]{1,12}[（(](?P<alt>[\u4e00-\u9fff、]{1,20})[）)]$")


def _is_group_alternative(name: str, resolve: Resolver) -> bool:
    m = _GROUP_ALTERNATIVE.match(name)
    return bool(m) and looks_like_agency(name[: m.start("alt") - 1], resolve) and all(
        AGENCY_SUFFIX.search(alt) for alt in m.group("alt").split("、"))


def _catalogued_prefix(text: str, resolve: Resolver) -> Optional[str]:
    """The longest catalogued unit name at the start of ``text``."""
    for j in range(min(len(text), 30), 1, -1):
        if resolve(text[:j]):
            return clean_name(text[:j])
    return None


def _agency_prefix(text: str, resolve: Resolver) -> Optional[str]:
    """The unit name at the start of ``text``: the longest catalogued one, else the shortest unit-like one
    (with the bracketed alternative of a group: 各区经委（商务委）)."""
    group = re.match(r"各[\u4e00-\u9fff]{1,12}?[（(][^（）()]{1,20}[）)]", text)
    if group and _is_group_alternative(group.group(), resolve):
        return group.group()
    known = _catalogued_prefix(text, resolve)
    if known is not None:
        return known
    limit = min(len(text), 30)
    for j in range(3, limit + 1):
        cand = clean_name(text[:j])
        if looks_like_agency(cand, resolve):
            alt = re.match(r"[（(][^（）()]{1,20}[）)]", text[j:])
            if alt and _is_group_alternative(cand + alt.group(), resolve):
                return cand + alt.group()
            return cand
    return None


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


# Labels of sub-points inside an item: 一是 / ① / （1）.
_SUBPOINT_LABEL = re.compile(r"^(?:[一二三四五六七八九十]{1,3}是|[①-⑳]|[（(]\d{1,3}[）)])$")


def lift_subpoint_responsibilities(measures: list) -> None:
    """A responsibility list closing an item's last sub-point belongs to the item.

    "1．突破关键核心技术。…\n一是…；\n二是…；\n三是…。（市经济信息化委牵头，…）" and
    "2．支持大模型研发和应用。\n（1）…\n（2）…\n责任部门：区经委、…": the sub-points 一是/①/（1）
    enumerate the item's content; the list after the last one is the item's. It stays with the
    sub-point when its siblings carry lists of their own (then each sub-point is an item).
    """
    by_key = {m.key: m for m in measures}
    children: dict[str, list] = {}
    for m in measures:
        if m.parent_key:
            children.setdefault(m.parent_key, []).append(m)
    # the deepest parents first: a list after ② lifts to its (1) before (1)'s siblings are compared
    for parent_key, kids in reversed(list(children.items())):
        parent = by_key.get(parent_key)
        last = kids[-1]
        if parent is None or parent.responsibilities or not last.responsibilities:
            continue
        if not _SUBPOINT_LABEL.match(last.label or "") or any(k.responsibilities for k in kids[:-1]):
            continue
        parent.responsibilities, last.responsibilities = last.responsibilities, []
        for r in parent.responsibilities:
            r.measure_key = parent.key


# "建议由A牵头，会同B…" / "建议A加快…": the authors of a research article propose an arrangement.
PROPOSAL = re.compile(r"建议|提议|可考虑|可以考虑")


def is_proposal(text: str, clause: str) -> bool:
    """Is ``clause`` (found in ``text``) part of a sentence that proposes (建议由A牵头…) rather than
    assigns? A recommendation of a research article that proposes who should act assigns nothing."""
    at = text.find(clause)
    if at < 0:
        return False
    starts = [m.end() for m in re.finditer(r"[。；;！？\n]", text[:at])]
    return bool(PROPOSAL.search(text[starts[-1] if starts else 0: at + len(clause)]))

