"""Task-division tables (任务分工表 / 重点任务分工表) flattened to text.

Takes: the original decoded text of a document (tables lose their cell borders when a PDF or a
web page is turned into text: cells become tokens separated by spaces, tabs or line breaks), and
an agency resolver.
Gives: ``TableRow`` records -- row number (序号), task text, lead units (牵头单位), supporting
units (配合单位), with offsets into the original text -- which the pipeline attaches to the
document's measures (matching by title) or adds as ``task`` measures.

Recognised: a header with 序号 and 牵头 (牵头单位/牵头部门/责任单位) columns, optionally 任务/事项/
内容 and 配合 (配合/协同/参与/协办 + 单位/部门) and 时限 columns; rows starting with the next 序号; cells on
one line or one per line; task text and agency names broken across lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from loaders.responsibilities import clean_name, looks_like_agency

Resolver = Callable[[str], Optional[str]]

HEADER = re.compile(r"序\s*号")
LEAD_COL = re.compile(r"牵\s*头\s*(?:单\s*位|部\s*门)|责\s*任\s*(?:单\s*位|部\s*门)|主\s*责\s*单\s*位")
SUPPORT_COL = re.compile(r"(?:配\s*合|协\s*同|参\s*与|协\s*办)\s*(?:单\s*位|部\s*门)")
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
    return bool(pieces) and all(looks_like_agency(p, resolve) for p in pieces)


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
        header_end = m.start() + max(lead_m.end(), (SUPPORT_COL.search(window).end() if has_support else 0))
        # the header line ends at the next line break after the last column name
        nl = raw.find("\n", header_end)
        # skip any remaining header cells (时限 …) on following short lines
        body_start = nl + 1 if nl != -1 else len(raw)
        table_rows, pos = _parse_rows(raw, body_start, has_support, resolve)
        rows.extend(table_rows)
        if pos <= m.end():
            pos = m.end()
    return rows


def _parse_rows(raw: str, start: int, has_support: bool, resolve: Resolver) -> tuple[list[TableRow], int]:
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
        row = _row(text, tokens[i + 1 : j], has_support, resolve)
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


def _row(number: str, cells: list[tuple[str, int, int]], has_support: bool, resolve: Resolver) -> Optional[TableRow]:
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
    task_cells = merged[:first_agency]
    if not task_cells:
        return None
    task = "".join(t for t, _, _ in task_cells)
    agency_cells = [merged[k] for k in range(first_agency, len(merged)) if kinds[k] == "agency"]
    leads = _agency_names(agency_cells[0][0])
    supports: list[str] = []
    for cell in agency_cells[1:]:
        supports.extend(_agency_names(cell[0]))
    if not has_support and len(leads) > 1:
        leads, supports = leads[:1], leads[1:]
    return TableRow(number=number, task=task, leads=leads, supports=supports, task_start=task_cells[0][1],
                    task_end=task_cells[-1][2])
