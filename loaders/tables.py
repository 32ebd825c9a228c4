"""Task-division tables (任务分工表 / 重点任务分工表) flattened to text.

Takes: the original decoded text of a document (tables lose their cell borders when a PDF or a
web page is turned into text: cells become tokens separated by spaces, tabs or line breaks), and
an agency resolver.
Gives: ``TableRow`` records -- row number (序号), task text, lead units (牵头单位), supporting
units (配合单位), with offsets into the original text -- which the pipeline attaches to the
document's measures (matching by title) or adds as ``task`` measures.

Recognised: a header with 序号 and 牵头 (牵头单位/牵头部门/责任单位) columns, optionally 任务/事项/
内容 and 配合 (配合/协同/参与/协办 + 单位/部门) and 时限 columns; rows starting with the next 序号; cells on
one line or one per line; task text and agency names broken across lines. With a 具体措施/具体内容/
工作措施 column the row's title is its task cell alone (``TableRow.task``; the offsets still cover both).
A unit cell keeps all its names (an unknown one is uncatalogued); companies (…公司/集团) are units.
``repeated_item`` finds the body item an annex row repeats (the row then belongs to it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from loaders.responsibilities import clean_name, looks_like_agency, looks_like_listed_unit

Resolver = Callable[[str], Optional[str]]

HEADER = re.compile(r"序\s*号")
LEAD_COL = re.compile(r"牵\s*头\s*(?:单\s*位|部\s*门)|责\s*任\s*(?:单\s*位|部\s*门)|主\s*责\s*单\s*位")
SUPPORT_COL = re.compile(r"(?:配\s*合|协\s*同|参\s*与|协\s*办)\s*(?:单\s*位|部\s*门)")
# A column of measures beside the task column (序号/主要任务/具体措施/牵头部门…): the task cell alone titles
# the row.
MEASURE_COL = re.compile(r"(?:具\s*体|工\s*作|主\s*要)\s*(?:措\s*施|举\s*措|内\s*容)")
# A cell that reads as a sentence (a measure), not as a task's short title.
SENTENCE_PUNCT = re.compile(r"[，,。；;：:！？]")
TOKEN = re.compile(r"[^\s]+")
ROW_NUMBER = re.compile(r"^\d{1,3}$")
# A 完成时限 cell: 2024年 / 2024年底 / 2024年12月底前 / 2025年6月30日前 / 2024年第四季度 /
# 2024年上半年 / 长期坚持 / 每季度 / 2023—2025年 ...
DEADLINE = re.compile(
    r"^(?:\d{4}年(?:年底|年内|上半年|下半年|第?[一二三四1-4]季度|\d{1,2}月(?:\d{1,2}日)?)?"
    r"(?:底|末)?(?:前|内|以前|之前)?(?:完成)?"
    r"|长期(?:坚持)?|持续推进|持续|每年|每季度|每月|逐年推进|\d{4}[-—－~至]\d{4}年?)$"
)


@dataclass
class TableRow:
    number: str
    task: str
    leads: list[str] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)
    start: int = 0  # offsets into the original text
    end: int = 0
    task_start: int = 0
    task_end: int = 0  # end of the task cell(s) in the original text


def _is_agency_list(token: str, resolve: Resolver) -> bool:
    pieces = [clean_name(p) for p in re.split(r"[、，,；;]", token) if clean_name(p)]
    return bool(pieces) and all(looks_like_listed_unit(p, resolve) for p in pieces)


def _is_partial_agency_list(token: str, resolve: Resolver) -> bool:
    """A cell after the first unit cell that lists units, one of them not unit-like (a unit the
    gazetteer does not know and whose name has no unit suffix): short names, one of them a unit."""
    pieces = [clean_name(p) for p in re.split(r"[、，,；;]", token) if clean_name(p)]
    return len(pieces) > 1 and any(looks_like_listed_unit(p, resolve) for p in pieces) and all(
        2 <= len(p) <= 25 and not re.search(r"[。！？：:]", p) for p in pieces)


def _agency_names(token: str) -> list[str]:
    return [clean_name(p) for p in re.split(r"[、，,；;]", token) if clean_name(p)]


def find_task_tables(raw: str, resolve: Resolver) -> list[TableRow]:
    rows: list[TableRow] = []
    pos = 0
    while True:
        m = HEADER.search(raw, pos)
        if not m:
            break
        window = raw[m.start() : m.start() + 200]
        lead_m = LEAD_COL.search(window)
        if not lead_m:
            pos = m.end()
            continue
        has_support = bool(SUPPORT_COL.search(window))
        has_measures = bool(MEASURE_COL.search(window[: lead_m.start()]))
        header_end = m.start() + max(lead_m.end(), (SUPPORT_COL.search(window).end() if has_support else 0))
        # the header line ends at the next line break after the last column name
        nl = raw.find("\n", header_end)
        # skip any remaining header cells (时限 …) on following short lines
        body_start = nl + 1 if nl != -1 else len(raw)
        table_rows, pos = _parse_rows(raw, body_start, has_support, resolve, has_measures)
        rows.extend(table_rows)
        if pos <= m.end():
            pos = m.end()
    return rows


def _parse_rows(raw: str, start: int, has_support: bool, resolve: Resolver,
                has_measures: bool = False) -> tuple[list[TableRow], int]:
    tokens = [(t.group(), t.start(), t.end()) for t in TOKEN.finditer(raw, start)]
    # drop header leftovers before the first row number
    i = 0
    while i < len(tokens) and not (ROW_NUMBER.match(tokens[i][0]) and int(tokens[i][0]) == 1):
        if i > 8:
            return [], start
        i += 1
    rows: list[TableRow] = []
    expected = 1
    while i < len(tokens):
        text, s, e = tokens[i]
        if not (ROW_NUMBER.match(text) and int(text) == expected):
            break
        j = i + 1
        while j < len(tokens) and not (ROW_NUMBER.match(tokens[j][0]) and int(tokens[j][0]) == expected + 1):
            # a long sentence ends the table (back to running text)
            if len(tokens[j][0]) > 80 and "。" in tokens[j][0]:
                break
            j += 1
        row = _row(text, tokens[i + 1 : j], has_support, resolve, has_measures)
        if row is None:
            break
        row.start, row.end = s, tokens[j - 1][2]
        rows.append(row)
        expected += 1
        i = j
        if j < len(tokens) and len(tokens[j][0]) > 80:
            break
    end = rows[-1].end if rows else start
    return rows, end


def _row(number: str, cells: list[tuple[str, int, int]], has_support: bool, resolve: Resolver,
         has_measures: bool = False) -> Optional[TableRow]:
    # merge wrapped cells: a token ending in 、 continues; two fragments that form an agency join
    merged: list[list] = []
    for text, s, e in cells:
        if merged:
            prev = merged[-1]
            if prev[0].endswith(("、", "，")):
                prev[0] += text
                prev[2] = e
                continue
            if not _is_agency_list(prev[0], resolve) and not _is_agency_list(text, resolve) and _is_agency_list(prev[0] + text, resolve):
                prev[0] += text
                prev[2] = e
                continue
        merged.append([text, s, e])
    kinds = ["agency" if _is_agency_list(t, resolve) else ("deadline" if DEADLINE.match(t) else "text") for t, _, _ in merged]
    if "agency" not in kinds:
        return None
    first_agency = kinds.index("agency")
    # a unit cell with one name not known as a unit keeps its known names and the unknown one
    for k in range(first_agency + 1, len(merged)):
        if kinds[k] == "text" and _is_partial_agency_list(merged[k][0], resolve):
            kinds[k] = "agency"
    task_cells = merged[:first_agency]
    if not task_cells:
        return None
    task = "".join(t for t, _, _ in (_title_cells(task_cells) if has_measures else task_cells))
    agency_cells = [merged[k] for k in range(first_agency, len(merged)) if kinds[k] == "agency"]
    leads = _agency_names(agency_cells[0][0])
    supports: list[str] = []
    for cell in agency_cells[1:]:
        supports.extend(_agency_names(cell[0]))
    if not has_support and len(leads) > 1:
        leads, supports = leads[:1], leads[1:]
    return TableRow(number=number, task=task, leads=leads, supports=supports, task_start=task_cells[0][1],
                    task_end=task_cells[-1][2])


def _title_cells(cells: list) -> list:
    """The task cell of a row whose table also has a measures column (具体措施): the leading lines
    that are a short title (no sentence punctuation; a wrapped title spans two lines) before the
    first line of the measure. When that cannot be told, the first line."""
    title: list = []
    for cell in cells:
        if SENTENCE_PUNCT.search(cell[0]):
            break
        title.append(cell)
    if not title or len(title) == len(cells) or len(title) > 3 or sum(len(c[0]) for c in title) > 40:
        return cells[:1]
    return title


def _squash(text: str) -> str:
    return re.sub(r"[\s，,。.、；;：:“”\"（）()《》]", "", text)


def repeated_item(task: str, items: list[tuple[object, str]]):
    """The body item a table row repeats, or None.

    An annex 任务分工表 often lists the body's items again (序号 running 1…N over the sections) with
    their units: the row belongs to the item whose title is the row's task (or contains it, or is
    contained in it -- a row may abridge or expand the title). ``items`` are (item, title) in
    document order; an exact title wins over containment, the earlier item over a later one.
    """
    row = _squash(task)
    if len(row) < 4:
        return None
    titles = [(item, _squash(title)) for item, title in items if title and len(_squash(title)) >= 4]
    exact = next((item for item, title in titles if title == row), None)
    if exact is not None:
        return exact
    return next((item for item, title in titles if title in row or row in title), None)
