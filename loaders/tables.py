"""Task-division tables (任务分工表 / 重点任务分工表) flattened to text.

Takes: the original decoded text of a document (tables lose their cell borders when a PDF or a
web page is turned into text: cells become tokens separated by spaces, tabs or line breaks), and
an agency resolver.
Gives: ``TableRow`` records -- row number (序号), task text, lead units (牵头单位), supporting
units (配合单位), with offsets into the original text -- which the pipeline attaches to the
document's measures (matching by title) or adds as ``task`` measures.

Recognised: a header with 序号 and 牵头 (牵头单位/牵头部门/责任单位) columns, optionally 任务/事项/
内容 and 配合 (配合/协同/参与/协办 + 单位/部门) and 时限 columns; rows starting with the next 序号; cells on
one line or one per line; task text and agency names broken across lines; group rows (一、…) between
rows, with 序号 running on or restarting at 1 under each group (``TableRow.group``); a 备注 column is
remarks, never units (its cell by position in a tab-separated row, else the cells after the 时限 cell). With a 具体措施/具体内容/
工作措施 column the row's title is its task cell alone (``TableRow.task``; the offsets still cover both).
A unit cell keeps all its names (an unknown one is uncatalogued); companies (…公司/集团) are units, and so
are offices in a cell after the task cell (金山第二工业区管委会, 山阳镇人民政府, a wrapped name joined).
A table of projects (task column 项目名称/工程名称) gives ``kind="project"`` rows; with attribute columns
between the task and unit columns (建设地点/总投资/建设周期) the row's title is its first cell and a cell
wrapped over lines is the first attribute's (``TableRow.wraps``: read as one line); every unit of a
牵头单位 column without a 配合 column leads (a single 责任单位 column: the first leads).
A markdown pipe table ("| 序号 | 重点任务 | 牵头单位 |", a "|---|" separator line, "| 一、… | | |" group
rows) is read as a tab-separated one (``pipe_tables``: cells split on |, the separator blanked, a cell wrapped
onto a line not starting with | is one cell) and ends at its first line that is not a table line; a group
row's text is its rows' chapter (``TableRow.group_title``).
In a tab-separated table the header names the columns: the 责任单位/牵头 column's cell is the row's units
whatever its names (市西软件信息园 in that cell is a unit), and a year-goal column (2024年目标 / 2025年任务) is
taken out of the task text: its cells are ``TableRow.year_cells`` (year, start, end), the row's targets by year.
``repeated_item`` finds the body item an annex row repeats (the row then belongs to it): the same
title, one containing the other, or the row abridging the title (characters left out, same start and
end, ≥ 3/4 of its length, a single such item).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from loaders.responsibilities import clean_name, looks_like_listed_unit

Resolver = Callable[[str], Optional[str]]

HEADER = re.compile(r"序\s*号")
LEAD_COL = re.compile(r"牵\s*头\s*(?:单\s*位|部\s*门)|责\s*任\s*(?:单\s*位|部\s*门)|主\s*责\s*单\s*位")
SUPPORT_COL = re.compile(r"(?:配\s*合|协\s*同|参\s*与|协\s*办)\s*(?:单\s*位|部\s*门)")
# A column of measures beside the task column (序号/主要任务/具体措施/牵头部门…): the task cell alone titles
# the row.
MEASURE_COL = re.compile(r"(?:具\s*体|工\s*作|主\s*要)\s*(?:措\s*施|举\s*措|内\s*容)")
# A task column naming projects (项目名称 / 工程名称): the rows are projects.
PROJECT_COL = re.compile(r"项\s*目|工\s*程")
# A cell that reads as a sentence (a measure), not as a task's short title.
SENTENCE_PUNCT = re.compile(r"[，,。；;：:！？]")
TOKEN = re.compile(r"[^\s]+")
ROW_NUMBER = re.compile(r"^\d{1,3}$")
# A group row between rows (一、强化创新策源): a line of its own; 序号 may restart at 1 below it.
GROUP_ROW = re.compile(r"^(?P<n>[一二三四五六七八九十]{1,3})、")
# A year-goal column of a task list (2024年目标 / 2025年任务 / 2026年预期目标): each cell is the row's
# target for that year.
YEAR_GOAL_COL = re.compile(r"^((?:19|20)\d{2})\s*年\s*(?:度\s*)?(?:预期)?\s*(?:目\s*标|任\s*务)(?:值)?$")
# A remarks column (备注) holds remarks ("已纳入年度计划", "市科委、市财政局联合发文"), never units.
REMARK_COL = re.compile(r"备\s*注")
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
    group: Optional[str] = None  # the group row's number (二 for "二、…") when 序号 restarts per group
    group_title: Optional[str] = None  # the group row above the row ("二、推进消费品以旧换新"), its chapter
    split: bool = False  # separate 牵头 and 配合 columns (the row marks its roles itself)
    kind: str = "task"  # "project" in a table of projects (a 项目名称 column)
    wraps: list[int] = field(default_factory=list)  # offsets of line breaks inside a cell (a wrapped cell)
    year_cells: list = field(default_factory=list)  # (year, start, end) of the row's year-goal cells


def _agency_names(token: str) -> list[str]:
    return [clean_name(p) for p in re.split(r"[、，,；;]", token) if clean_name(p)]


def _is_agency_list(token: str, resolve: Resolver) -> bool:
    pieces = _agency_names(token)
    return bool(pieces) and all(looks_like_listed_unit(p, resolve) for p in pieces)


# A unit named by its office, whatever its place name (金山第二工业区管委会, 山阳镇人民政府): a unit when
# it fills a cell after the row's first (task) cell.
UNIT_CELL = re.compile(r"^[\u4e00-\u9fff（）()]{2,20}(?:管委会|管理委员会|人民政府|街道办事处|办事处)$")


def _is_unit_cell(token: str, resolve: Resolver) -> bool:
    """A cell after the task cell that lists units: agencies, companies, or offices (…管委会/…人民政府)."""
    pieces = _agency_names(token)
    return bool(pieces) and all(looks_like_listed_unit(p, resolve) or UNIT_CELL.match(p) for p in pieces)


def _is_partial_agency_list(token: str, resolve: Resolver) -> bool:
    """A cell after the first unit cell that lists units, one of them not unit-like (a unit the
    gazetteer does not know and whose name has no unit suffix): short names, one of them a unit."""
    pieces = _agency_names(token)
    return len(pieces) > 1 and any(looks_like_listed_unit(p, resolve) for p in pieces) and all(
        2 <= len(p) <= 25 and not re.search(r"[。！？：:]", p) for p in pieces)


# A markdown pipe table (a web page or a DOCX converted to text): "| 序号 | 任务 | 牵头单位 |", a separator
# line "|---|:---:|", rows "| 1 | … | … |"; a cell wrapped by a line break continues on a line not starting
# with "|" (the previous line did not end with "|").
PIPE_LINE = re.compile(r"^[ \t\u3000]*\|")
PIPE_SEPARATOR = re.compile(r"^[ \t\u3000]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*(?::?-{3,}:?[ \t]*)?$")


def pipe_tables(raw: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the markdown pipe tables in ``raw``: two or more consecutive lines
    starting with "|" (with the continuation lines of wrapped cells); a table ends at the first line that
    is not a table line."""
    spans: list[tuple[int, int]] = []
    start: Optional[int] = None
    lines = 0
    open_cell = False  # the previous table line did not end with "|": this line continues its cell
    pos = 0
    for line in raw.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if PIPE_LINE.match(body) or (open_cell and body.strip() and "|" in body):
            if start is None:
                start, lines = pos, 0
            lines += 1
            open_cell = not body.rstrip().endswith("|")
        else:
            if start is not None and lines >= 2:
                spans.append((start, pos))
            start, open_cell = None, False
        pos += len(line)
    if start is not None and lines >= 2:
        spans.append((start, pos))
    return spans


def _unpipe(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with its pipe tables as tab-separated rows (same length, offsets kept): a separator line
    is blanked, a "|" between cells becomes a tab, one opening or closing a line a space."""
    if not spans:
        return text
    chars = list(text)
    for s, e in spans:
        pos = s
        for line in text[s:e].splitlines(keepends=True):
            body = line.rstrip("\r\n")
            if PIPE_SEPARATOR.match(body):
                for k in range(pos, pos + len(body)):
                    chars[k] = " "
            else:
                bars = [pos + k for k, ch in enumerate(body) if ch == "|"]
                first = PIPE_LINE.match(body) is not None
                last = body.rstrip().endswith("|")
                for n, k in enumerate(bars):
                    edge = (n == 0 and first) or (n == len(bars) - 1 and last)
                    chars[k] = " " if edge else "\t"
            pos += len(line)
    return "".join(chars)


def find_task_tables(raw: str, resolve: Resolver, original: Optional[str] = None) -> list[TableRow]:
    """The rows of every task table in ``raw``; ``original`` is the same text before width
    normalization (same offsets), whose tabs tell a tab-separated row's columns. A markdown pipe table
    is read as a tab-separated one and ends at its last line."""
    cols = original if original is not None and len(original) == len(raw) else raw
    pipes = pipe_tables(raw)
    if pipes:
        raw, cols = _unpipe(raw, pipes), _unpipe(cols, pipes)
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
        # a tab-separated header names the columns: a 备注 cell of a tab-separated row is dropped
        line_start = raw.rfind("\n", 0, m.start()) + 1
        header_cells = cols[line_start:body_start].rstrip("\n").split("\t")
        remark_col = next((k for k, c in enumerate(header_cells) if REMARK_COL.search(c)), None) \
            if len(header_cells) > 2 else None
        # columns between the task column and the unit column other than a measures column (建设地点 /
        # 总投资 / 建设周期 of a 重点项目表): the row's title is its first cell, the others are its text
        between = [c for c in TOKEN.findall(raw[m.end():m.start() + lead_m.start()]) if not MEASURE_COL.search(c)]
        # a tab-separated header names its columns: the unit column's cell is the row's units whatever
        # its names, and a year-goal column (2024年目标 / 2025年目标) holds the row's target for that year
        unit_col = next((k for k, c in enumerate(header_cells) if LEAD_COL.search(c)), None) \
            if len(header_cells) > 2 else None
        year_cols = {k: int(y.group(1)) for k, c in enumerate(header_cells)
                     if (y := YEAR_GOAL_COL.match(c.strip()))} if unit_col is not None else {}
        if year_cols:  # the year columns are not attributes between the task and the unit columns
            between = [c for c in between if not YEAR_GOAL_COL.match(c)]
        layout = _Layout(
            unit_col=unit_col, year_cols=year_cols,
            attributes=max(0, len(between) - 1) if not has_measures else 0,
            project=bool(between) and bool(PROJECT_COL.search(between[0])),
            all_lead=bool(re.search(r"牵\s*头", lead_m.group())) and not has_support,
        )
        limit = next((e for s, e in pipes if s <= m.start() < e), None)
        table_rows, pos = _parse_rows(raw, body_start, has_support, resolve, has_measures, remark_col, m.start(),
                                      cols, layout, limit)
        rows.extend(table_rows)
        if pos <= m.end():
            pos = m.end()
    return rows


@dataclass
class _Layout:
    attributes: int = 0  # attribute columns between the task cell and the unit cell
    project: bool = False  # the task column names projects (项目名称): rows are projects
    all_lead: bool = False  # a 牵头单位 column without a 配合 column: every unit in it leads
    unit_col: Optional[int] = None  # the unit column of a tab-separated header
    year_cols: dict = field(default_factory=dict)  # column index -> year of a 2024年目标 column


def _is_number(token: tuple[str, int, int], value: int) -> bool:
    return bool(ROW_NUMBER.match(token[0])) and int(token[0]) == value


def _in_remark_column(raw: str, offset: int, remark_col: Optional[int]) -> bool:
    """Is the token at ``offset`` in the 备注 cell of a tab-separated row?"""
    if remark_col is None:
        return False
    line_start = raw.rfind("\n", 0, offset) + 1
    line_end = raw.find("\n", offset)
    line = raw[line_start: line_end if line_end != -1 else len(raw)]
    return "\t" in line and raw.count("\t", line_start, offset) >= remark_col


def _group_row_end(raw: str, tokens: list[tuple[str, int, int]], j: int) -> Optional[int]:
    """When token ``j`` opens a group row (a line "二、壮大产业链条"), the index of the first token
    after that line; else None."""
    text, s, _ = tokens[j]
    if not GROUP_ROW.match(text) or raw[raw.rfind("\n", 0, s) + 1: s].strip():
        return None
    line_end = raw.find("\n", s)
    line_end = len(raw) if line_end == -1 else line_end
    k = j + 1
    while k < len(tokens) and tokens[k][1] < line_end:
        k += 1
    return k


def _group_title(raw: str, offset: int) -> str:
    """The text of the group row whose number is at ``offset`` (its line, empty cells dropped)."""
    line_end = raw.find("\n", offset)
    return re.sub(r"\s+", "", raw[offset: len(raw) if line_end == -1 else line_end])


def _parse_rows(raw: str, start: int, has_support: bool, resolve: Resolver,
                has_measures: bool = False, remark_col: Optional[int] = None,
                header_start: Optional[int] = None, cols: Optional[str] = None,
                layout: Optional[_Layout] = None, limit: Optional[int] = None) -> tuple[list[TableRow], int]:
    tokens = [(t.group(), t.start(), t.end()) for t in TOKEN.finditer(raw, start, limit if limit is not None else len(raw))
              if not _in_remark_column(cols or raw, t.start(), remark_col)]
    # drop header leftovers before the first row number (a group row may open the table)
    i = 0
    group: Optional[str] = None
    group_title: Optional[str] = None
    while i < len(tokens) and not _is_number(tokens[i], 1):
        if i > 8:
            return [], start
        if _group_row_end(raw, tokens, i) is not None:
            group = GROUP_ROW.match(tokens[i][0]).group("n")
            group_title = _group_title(raw, tokens[i][1])
        i += 1
    # a one-cell-per-line table with a 备注 column after 时限: the cells after the deadline are remarks
    remarks_after_deadline = remark_col is None and i < len(tokens) and bool(
        REMARK_COL.search(raw[header_start if header_start is not None else start: tokens[i][1]]))
    rows: list[TableRow] = []
    expected = 1
    restarted = False  # 序号 restarts at 1 under every group row
    while i < len(tokens):
        text, s, e = tokens[i]
        if not _is_number(tokens[i], expected):
            break
        j = i + 1
        next_group: Optional[int] = None  # index of the first token after a group row ending the row
        while j < len(tokens) and not _is_number(tokens[j], expected + 1):
            # a long sentence ends the table (back to running text)
            if len(tokens[j][0]) > 80 and "。" in tokens[j][0]:
                break
            k = _group_row_end(raw, tokens, j)
            if k is not None and k < len(tokens) and (_is_number(tokens[k], 1) or _is_number(tokens[k], expected + 1)):
                next_group = k
                break
            j += 1
        cells = tokens[i + 1 : j]
        year_cells: list = []
        if layout is not None and layout.unit_col is not None:
            cells, year_cells, unit_offsets = _by_column(cols or raw, cells, layout)
        else:
            unit_offsets = set()
        row = _row(text, cells, has_support, resolve, has_measures, remarks_after_deadline,
                   layout or _Layout(), unit_offsets)
        if row is None:
            break
        row.start, row.end = s, tokens[j - 1][2]
        row.year_cells = year_cells
        if remark_col is not None:  # the row's 备注 cell is still the row's (not document text)
            line_end = raw.find("\n", row.end)
            row.end = len(raw) if line_end == -1 else line_end
        rows.append(row)
        row.group, row.group_title = group, group_title
        expected += 1
        i = j
        if next_group is not None:
            group = GROUP_ROW.match(tokens[j][0]).group("n")
            group_title = _group_title(raw, tokens[j][1])
            i = next_group
            if _is_number(tokens[i], 1) and expected != 1:
                expected, restarted = 1, True
        if j < len(tokens) and len(tokens[j][0]) > 80:
            break
    if not restarted:
        for row in rows:
            row.group = None  # 序号 run on over the groups: the number alone names the row
    end = rows[-1].end if rows else start
    return rows, end


def _column(raw: str, offset: int) -> Optional[int]:
    """The column of the token at ``offset`` on a tab-separated line, None off such a line."""
    line_start = raw.rfind("\n", 0, offset) + 1
    line_end = raw.find("\n", offset)
    if "\t" not in raw[line_start: line_end if line_end != -1 else len(raw)]:
        return None
    return raw.count("\t", line_start, offset)


def _by_column(raw: str, cells: list, layout: _Layout) -> tuple[list, list, set]:
    """A tab-separated row's tokens read by the header's columns: the year-goal cells taken out
    ((year, start, end), one per column), and the offsets of the tokens in the unit column."""
    kept, units = [], set()
    years: dict[int, list] = {}
    for tok in cells:
        col = _column(raw, tok[1])
        if col is not None and col in layout.year_cols:
            span = years.setdefault(col, [layout.year_cols[col], tok[1], tok[2]])
            span[2] = tok[2]
            continue
        if col is not None and col == layout.unit_col:
            units.add(tok[1])
        kept.append(tok)
    return kept, [tuple(v) for _, v in sorted(years.items())], units


def _row(number: str, cells: list[tuple[str, int, int]], has_support: bool, resolve: Resolver,
         has_measures: bool = False, remarks_after_deadline: bool = False,
         layout: Optional[_Layout] = None, unit_offsets: Optional[set] = None) -> Optional[TableRow]:
    layout = layout or _Layout()
    # merge wrapped cells: a token ending in 、 continues; two fragments that form an agency join
    merged: list[list] = []
    for text, s, e in cells:
        if merged:
            prev = merged[-1]
            if prev[0].endswith(("、", "，")):
                prev[0] += text
                prev[2] = e
                continue
            if not _is_unit_cell(prev[0], resolve) and not _is_unit_cell(text, resolve) and (
                    _is_agency_list(prev[0] + text, resolve) or (len(merged) > 1 and _is_unit_cell(prev[0] + text, resolve))):
                prev[0] += text
                prev[2] = e
                continue
        merged.append([text, s, e])
    kinds = ["agency" if _is_agency_list(t, resolve) or (k > 0 and _is_unit_cell(t, resolve))
             or (k > 0 and unit_offsets and s in unit_offsets)
             else ("deadline" if DEADLINE.match(t) else "text") for k, (t, s, _) in enumerate(merged)]
    if "agency" not in kinds:
        return None
    first_agency = kinds.index("agency")
    if remarks_after_deadline and "deadline" in kinds[first_agency:]:
        cut = kinds.index("deadline", first_agency) + 1  # the 备注 cells follow the 时限 cell
        merged, kinds = merged[:cut], kinds[:cut]
    # a unit cell with one name not known as a unit keeps its known names and the unknown one
    for k in range(first_agency + 1, len(merged)):
        if kinds[k] == "text" and _is_partial_agency_list(merged[k][0], resolve):
            kinds[k] = "agency"
    task_cells = merged[:first_agency]
    if not task_cells:
        return None
    wraps: list[int] = []
    if layout.attributes:
        # 项目名称 | 建设地点 | 总投资 | 建设周期: the title is the first cell; a cell wrapped over lines
        # is the first attribute's (the amounts and periods of the last columns are one line each)
        title_cells = task_cells[:1]
        extra = len(task_cells) - 1 - layout.attributes
        if extra > 0:
            wraps = [task_cells[k][1] - 1 for k in range(2, 2 + extra)]
    else:
        title_cells = _title_cells(task_cells) if has_measures else task_cells
        wraps = [c[1] - 1 for c in title_cells[1:]]
    task = "".join(t for t, _, _ in title_cells)
    agency_cells = [merged[k] for k in range(first_agency, len(merged)) if kinds[k] == "agency"]
    leads = _agency_names(agency_cells[0][0])
    supports: list[str] = []
    for cell in agency_cells[1:]:
        supports.extend(_agency_names(cell[0]))
    if not has_support and len(leads) > 1 and not layout.all_lead:
        leads, supports = leads[:1], leads[1:]
    return TableRow(number=number, task=task, leads=leads, supports=supports, task_start=task_cells[0][1],
                    task_end=task_cells[-1][2], split=has_support, kind="project" if layout.project else "task",
                    wraps=wraps)


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

    An annex 任务分工表 often lists the body's items again (序号 running 1…N over the sections, or
    restarting under each group row) with their units: the row belongs to the item whose title is
    the row's task (or contains it, or is contained in it -- a row may abridge or expand the title),
    or, failing that, whose title the row abridges by leaving characters out (拓宽科技金融渠道 for
    拓宽科技金融服务渠道: the shorter is an ordered subsequence of the longer, sharing its first two
    and last characters and at least 3/4 of its length) -- when exactly one item does so. ``items``
    are (item, title) in document order; an exact title wins over containment, the earlier item over
    a later one.
    """
    row = _squash(task)
    if len(row) < 4:
        return None
    titles = [(item, squashed) for item, title in items if title and len(squashed := _squash(title)) >= 4]
    exact = next((item for item, title in titles if title == row), None)
    if exact is not None:
        return exact
    contained = next((item for item, title in titles if title in row or row in title), None)
    if contained is not None:
        return contained
    abridged = [item for item, title in titles if _abridges(row, title) or _abridges(title, row)]
    return abridged[0] if len(abridged) == 1 else None


def _abridges(short: str, long: str) -> bool:
    """Is ``short`` ``long`` with a few characters left out (same start and end, same order)?"""
    if len(short) < 6 or len(short) >= len(long) or len(short) * 4 < len(long) * 3:
        return False
    if short[:2] != long[:2] or short[-1] != long[-1]:
        return False
    chars = iter(long)
    return all(ch in chars for ch in short)
