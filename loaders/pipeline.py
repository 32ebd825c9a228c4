"""The loader pipeline: document file -> DocumentRecord.

Takes: paths of document files (.txt today: UTF-8 with/without BOM, UTF-16, GB18030/GBK).
Gives: ``load_file(path) -> DocumentRecord`` (raises ``LoadError`` naming file and line) and
``load_paths(paths) -> LoadReport`` (per-file status; one bad file does not stop the others).

Stages, each a module with typed inputs and outputs:
    read.read_document            file -> RawDocument
    normalize.normalize           RawDocument.text -> NormalizedText (+ offset map)
    metadata.extract_metadata     NormalizedText -> DocumentMeta
    structure.parse_structure     NormalizedText -> Chapter, Measure skeletons, free paragraphs
    responsibilities              measure text -> Responsibility (lead/support, rank)
    entities.EntityMatcher        measure text -> sectors, places, agency mentions (spaCy)
    targets.extract_targets       measure text -> Target

Task-table rows (``tables``) are attached to the body items they repeat: they fill an item without a
list, and a row's separate 牵头/配合 columns refine a plain body list of the same units (two 牵头
units both lead); other rows become ``task`` measures (key ``t.<n>``, or ``t.g<group>.<n>`` when 序号
restarts under group rows), in the chapter its group row names (一、…, else 任务分工表); a row's places are read from all its cells before the unit cell, a wrapped
cell as one line. A row's year-goal cells (2024年目标 …) are its item's targets, each dated by its column;
rows filling body items count as the items' lists (a 保障措施 item's "A牵头" then stays the item's, not the
document's lead). A list closing a chapter (``Structure.chapter_lists``) goes to every item of the
chapter without a list of its own, after clauses, inline lists and task-table rows. A measure's own
facts are read from its text without its sub-points' text (a parent may enclose them when a paragraph
after an enumeration is its again). A section heading over items with no list of its own
(``Structure.section_heads``) gives its places and targets to the document. Free paragraphs under a ■ 保障措施 part heading can name document leads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from loaders.errors import LoadError
from loaders.metadata import extract_metadata
from loaders.normalize import NormalizedText, normalize
from loaders.read import read_document
from loaders.records import (
    AgencyMention,
    DocumentRecord,
    LoadIssue,
    Measure,
    PlaceMention,
    Responsibility,
    SectorMention,
    Target,
)
from loaders.normalize import translate_width
from loaders.records import SourceSpan
from loaders.responsibilities import (assign_roles, extract_responsibilities, inline_responsibilities, is_proposal,
                                     lift_subpoint_responsibilities)
from loaders.structure import cn_to_int, parse_structure
from loaders.tables import TableRow, find_task_tables, repeated_item

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_DIR = REPO_ROOT / "data" / "corpus"
SUPPORTED_SUFFIXES = (".txt",)

# Chapters whose inline "X牵头" names the lead of the whole document (保障措施, 组织实施 …).
DOCUMENT_LEAD_CHAPTER = re.compile(r"保障|组织实施|实施保障|组织领导|工作机制")
YEAR_FRAME = re.compile(r"(?:到|至|截至)\s*((?:19|20)\d{2})\s*年")


@dataclass
class LoadReport:
    records: list[DocumentRecord] = field(default_factory=list)
    failures: list[LoadIssue] = field(default_factory=list)


def iter_document_files(dirs: Iterable[str | Path]) -> list[Path]:
    """Document files in the given folders (not recursive) or given directly, sorted by name."""
    files: list[Path] = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
            continue
        if not d.is_dir():
            raise LoadError(d.name, f"no such file or folder: {d}")
        files.extend(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    return sorted(files, key=lambda p: p.name)


@dataclass
class _Context:
    """Shared, expensive-to-build resources (built once per process)."""

    gazetteer: object
    matcher: object

    def __post_init__(self) -> None:
        # the same written names recur in every document (and joint issuers are split by trying
        # prefixes): resolving is cached per process; the gazetteer does not change
        self.resolve = lru_cache(maxsize=65536)(self._resolve)

    def _resolve(self, written: str) -> Optional[str]:
        entry = self.gazetteer.resolve_agency(written)
        return entry.name if entry is not None else None


MATCHER_ENV = "POLICY_KG_MATCHER"  # "trie" (default) or "spacy": the entity matching engine


def _context() -> _Context:
    import os

    return _context_for(os.environ.get(MATCHER_ENV, "trie").strip().lower() or "trie")


@lru_cache(maxsize=2)
def _context_for(engine: str) -> _Context:
    from loaders.entities import ENGINES, EntityMatcher
    from loaders.gazetteer import load_gazetteer

    if engine not in ENGINES:
        raise LoadError(MATCHER_ENV, f"unknown matching engine {engine!r}; use {' or '.join(ENGINES)}")
    gazetteer = load_gazetteer()
    return _Context(gazetteer=gazetteer, matcher=EntityMatcher(gazetteer, engine=engine))


def load_file(path: str | Path) -> DocumentRecord:
    """Load one document file into a ``DocumentRecord``; raises ``LoadError``."""
    raw = read_document(path)
    nt = normalize(raw.text, raw.source_file)
    if not nt.text.strip():
        raise LoadError(raw.source_file, "no text left after removing blank lines and page numbers")
    return build_record(nt, raw.sha256, raw.encoding)


def build_record(nt: NormalizedText, sha256: str = "", encoding: str = "utf-8") -> DocumentRecord:
    ctx = _context()
    meta = extract_metadata(nt, ctx.resolve)
    structure = parse_structure(nt, meta.kind)
    issues: list[LoadIssue] = []
    record = DocumentRecord(
        meta=meta,
        chapters=structure.chapters,
        measures=structure.measures,
        text=nt.text,
        raw_sha256=sha256,
        encoding=encoding,
    )
    chapter_title = {c.key: c.title for c in structure.chapters}
    by_key = {m.key: m for m in structure.measures}

    # Responsibilities: clauses first; inline "X牵头" only where the document has no clauses.
    own = _own_text(nt, structure)
    has_clauses = False
    for m in structure.measures:
        start, end = structure.measure_offsets[m.key]
        segment = own(m.key, start, end)
        resp, found_issues = extract_responsibilities(segment, start, nt, ctx.resolve, m.key, allow_inline=False)
        issues.extend(found_issues)
        if resp:
            has_clauses = True
            m.responsibilities = resp
    has_clauses = has_clauses or bool(structure.chapter_lists)
    inline: list[tuple[Measure, list[Responsibility]]] = []
    for m in structure.measures:
        if m.responsibilities:
            continue
        start, end = structure.measure_offsets[m.key]
        segment = own(m.key, start, end)
        resp = inline_responsibilities(segment, start, nt, ctx.resolve, m.key)
        if resp and m.kind == "recommendation" and is_proposal(segment, resp[0].clause):
            continue  # "建议由A牵头，会同B…": the authors' proposal assigns nothing
        if resp:
            inline.append((m, resp))
    # a document whose items carry their own lists (clauses, or "由A牵头，B配合。" closing each item)
    # keeps the lists of its 保障措施 items on those items; otherwise a 保障措施 item's "A牵头" (a
    # working mechanism) names the lead of the whole document
    in_lead_chapter = {m.key for m, _ in inline
                       if DOCUMENT_LEAD_CHAPTER.search(chapter_title.get(m.chapter_key or "", ""))}
    item_lists = has_clauses or any(m.key not in in_lead_chapter for m, _ in inline)
    for m, resp in inline:
        if item_lists or m.key not in in_lead_chapter:
            m.responsibilities = resp
    lift_subpoint_responsibilities(structure.measures)
    table_rows = _attach_task_tables(nt, record, ctx.resolve, structure.measure_offsets)
    # an annex task list giving the body items their units is the items' lists too
    item_lists = item_lists or bool(table_rows.filled)
    for m, resp in inline:
        if m.key in in_lead_chapter and not m.responsibilities:
            if item_lists:
                m.responsibilities = resp
            else:
                record.leads.extend(_as_document_leads(resp, record.leads))
    _apply_chapter_lists(structure, by_key, nt, ctx.resolve)
    for paragraph, chapter_key in structure.free_paragraphs:
        heading = chapter_title.get(chapter_key, "") if chapter_key else structure.part_titles.get(paragraph.start, "")
        if heading and DOCUMENT_LEAD_CHAPTER.search(heading):
            resp = inline_responsibilities(paragraph.text, paragraph.start, nt, ctx.resolve, None)
            record.leads.extend(_as_document_leads(resp, record.leads))

    # Entities and targets per measure.
    for m in structure.measures:
        if m.key not in structure.measure_offsets:
            continue
        start, end = structure.measure_offsets[m.key]
        segment = own(m.key, start, end)
        m.sectors = _sectors(ctx, nt, segment, start)
        # units in a clause are not places (a task-table row's offsets cover its task cell only)
        clauses = [] if m.key in table_rows.task_keys else m.responsibilities
        m.places = [p for p in _places(ctx, nt, segment, start, table_rows.wraps.get(m.key))
                    if not any(r.span.start <= p.span.start < r.span.end for r in clauses)]
        m.agency_mentions = _agency_mentions(ctx, nt, segment, start, m.responsibilities)
        m.targets = _targets(nt, segment, start, m.key, _default_year(m, by_key, nt, structure.measure_offsets),
                             _section_headings(m, by_key, chapter_title))

    # a task list's year-goal cells (2024年目标 | 2025年目标 …): each is its row's item's target, dated
    # by its column
    for m in record.measures:
        for year, a, b in table_rows.year_cells.get(m.key, ()):
            m.targets.extend(_targets(nt, nt.text[a:b], a, m.key, year))

    # A section heading over numbered items ("（一）北部宝山：打造…" then 1．…) with no list of its own is
    # no measure of its own content: its places and targets are the document's.
    for m in structure.measures:
        if m.key in structure.section_heads and not m.responsibilities:
            record.places.extend(m.places)
            record.targets.extend(replace(t, measure_key=None) for t in m.targets)
            m.places, m.targets = [], []

    # Document-level mentions from text outside measures.
    for paragraph, _chapter in structure.free_paragraphs:
        record.sectors.extend(_sectors(ctx, nt, paragraph.text, paragraph.start))
        record.places.extend(_places(ctx, nt, paragraph.text, paragraph.start))
        if meta.kind != "research_report":
            record.targets.extend(_targets(nt, paragraph.text, paragraph.start, None, None,
                                           (chapter_title.get(_chapter or "", ""),)))
    # table cells are read per row (task tables) or per indicator (主要指标 tables), not as prose
    record.places = [p for p in record.places if not table_rows.covers(p.span.start)]
    record.targets = [t for t in record.targets if not table_rows.covers(t.span.start)]
    if meta.kind != "research_report":
        _attach_indicator_tables(nt, record, structure.measure_offsets)

    record.issues = issues
    return record


def _own_text(nt: NormalizedText, structure):
    """``own(key, start, end)``: the text of a measure without the text of its sub-points. A sub-point
    normally follows its parent's own text, but a paragraph closing an enumeration ("（2）…补贴：" "①…；"
    "②…。" then "单个企业最高不超过2000万元。（责任单位：…）") is the parent's again, so the parent's span
    may enclose its sub-points: their text is blanked (same length, offsets kept)."""
    offsets = structure.measure_offsets
    parent_of = {m.key: m.parent_key for m in structure.measures}
    inner: dict[str, list[tuple[int, int]]] = {}
    for m in structure.measures:
        if m.key not in offsets:
            continue
        s, e = offsets[m.key]
        anc = parent_of.get(m.key)
        while anc is not None and anc in offsets and offsets[anc][0] <= s < offsets[anc][1]:
            inner.setdefault(anc, []).append((s, e))
            anc = parent_of.get(anc)

    def own(key: str, start: int, end: int) -> str:
        spans = inner.get(key)
        if not spans:
            return nt.text[start:end]
        chars = list(nt.text[start:end])
        for s, e in spans:
            for i in range(max(s, start), min(e, end)):
                if chars[i - start] != "\n":
                    chars[i - start] = " "
        return "".join(chars)

    return own


def _apply_chapter_lists(structure, by_key: dict[str, Measure], nt: NormalizedText, resolve) -> None:
    """A list closing a chapter ("责任单位：A、B、C" after its last item) gives its units to every item of
    the chapter that has no list of its own (an item's own clause, inline list or task-table row wins)."""
    for (start, end), keys in structure.chapter_lists:
        for key in keys:
            m = by_key.get(key)
            if m is None or m.responsibilities:
                continue
            resp, _ = extract_responsibilities(nt.text[start:end], start, nt, resolve, key, allow_inline=False)
            m.responsibilities = resp


def _squash(text: str) -> str:
    return re.sub(r"[\s，。、；：“”（）《》]", "", text)


@dataclass
class _TableRows:
    task_keys: set = field(default_factory=set)  # measures made from rows (offsets = task cell)
    wraps: dict = field(default_factory=dict)  # row measure key -> normalized offsets of line breaks inside a cell
    ranges: list = field(default_factory=list)  # (start, end) of every row in the original text
    # measure key -> (year, normalized start, end) of its row's year-goal cells (2024年目标 …)
    year_cells: dict = field(default_factory=dict)
    filled: set = field(default_factory=set)  # body items given their units by a row repeating them

    def covers(self, raw_offset: int) -> bool:
        return any(s <= raw_offset < e for s, e in self.ranges)


def _nt_index(nt: NormalizedText, raw_offset: int) -> int:
    """The normalized index of original offset ``raw_offset`` (the next kept character)."""
    from bisect import bisect_left

    return min(bisect_left(nt.offsets, raw_offset, 0, len(nt.text)), len(nt.text))


def _attach_indicator_tables(nt: NormalizedText, record: DocumentRecord, offsets: dict) -> None:
    """Targets of a flattened 主要指标 table: to the innermost item around it, else the document."""
    from loaders.targets import extract_indicator_tables

    if "指标" not in nt.raw:
        return
    by_key = {m.key: m for m in record.measures}
    taken = [(t.span.start, t.span.end) for m in record.measures for t in m.targets] + \
        [(t.span.start, t.span.end) for t in record.targets]
    for t in extract_indicator_tables(translate_width(nt.raw)):
        if any(s < t.end and t.start < e for s, e in taken):
            continue
        idx = _nt_index(nt, t.start)
        around = [(e - s, k) for k, (s, e) in offsets.items() if s <= idx < e and k in by_key]
        span = SourceSpan(nt.source_file, nt.raw_line(t.start), t.start, t.end, re.sub(r"\s+", " ", t.text))
        owner = by_key[min(around)[1]] if around else None
        target = Target(metric=t.metric, value=t.value, unit=t.unit, comparator=t.comparator, year=t.year,
                        text=span.text, span=span, measure_key=owner.key if owner else None)
        (owner.targets if owner else record.targets).append(target)


def _attach_task_tables(nt: NormalizedText, record: DocumentRecord, resolve, offsets: dict) -> _TableRows:
    """Rows of a 任务分工表 give responsibilities to the measures they name (or become tasks)."""
    found = _TableRows()
    if not re.search("牵|责任|主责", nt.raw) or "序" not in nt.raw:
        return found  # no 序号/牵头 (责任单位) columns: no task-division table
    raw = translate_width(nt.raw)
    rows = find_task_tables(raw, resolve, nt.raw)
    if not rows:
        return found
    body = [(m, m.title) for m in record.measures]
    from_table: set[str] = set()  # body items given their units by a row
    for row in rows:
        clause = _squash(raw[row.start : row.end])
        span = SourceSpan(nt.source_file, nt.raw_line(row.start), row.start, row.end, clause)
        # a row repeating a body item belongs to it: its units are the item's when the item has
        # no list of its own (a body clause wins); no new measure
        target = repeated_item(row.task, [(m, t) for m, t in body if m.key not in from_table])
        if target is not None and row.year_cells:  # a year-goal cell is the row's item's target that year
            found.year_cells.setdefault(target.key, []).extend(
                (y, _nt_index(nt, a), _nt_index(nt, b)) for y, a, b in row.year_cells)
        if target is not None and target.responsibilities:
            _refine_roles(target, row, resolve)
            found.ranges.append((row.start, row.end))
            continue
        if target is not None:
            from_table.add(target.key)
            found.filled.add(target.key)
        if target is None:
            group = cn_to_int(row.group) if row.group else None
            target = Measure(
                key=f"t.g{group}.{row.number}" if group else f"t.{row.number}",
                number=row.number,
                label=row.number,
                title=row.task,
                text=clause,
                kind=row.kind,
                chapter_key=None,
                chapter=row.group_title or "任务分工表",
                parent_key=None,
                level=1,
                order=len(record.measures),
                span=span,
            )
            record.measures.append(target)
            if row.task_end > row.task_start:  # entities and targets are read from the task cell
                offsets[target.key] = (_nt_index(nt, row.task_start), _nt_index(nt, row.task_end))
                found.task_keys.add(target.key)
                found.wraps[target.key] = {i for i in (_nt_index(nt, w) for w in row.wraps)
                                           if i < len(nt.text) and nt.text[i] == "\n"}
            if row.year_cells:
                found.year_cells.setdefault(target.key, []).extend(
                    (y, _nt_index(nt, a), _nt_index(nt, b)) for y, a, b in row.year_cells)
        found.ranges.append((row.start, row.end))
        units = [(n, "lead") for n in row.leads] + [(n, "support") for n in row.supports]
        target.responsibilities.extend(assign_roles(units, clause, span, resolve, target.key, explicit=True))
    return found


PLAIN_LIST_ROLE = re.compile(r"牵头|配合|协同|协办|参与|会同")


def _refine_roles(item: Measure, row: TableRow, resolve) -> None:
    """A task-table row with separate 牵头/配合 columns refines the plain list of the body item it
    repeats ("（责任单位：A、B、C）" -- first leads -- with the row "A、B | C": A and B lead), when
    both name the same units; a body clause that marks its roles itself wins."""
    if not row.split or (not row.supports and len(row.leads) < 2):
        return  # a single 责任单位 column marks no roles
    if any(PLAIN_LIST_ROLE.search(r.clause or "") for r in item.responsibilities):
        return

    def canon(names: list[str]) -> set[str]:
        return {resolve(n) or n for n in names}

    leads = canon(row.leads)
    if canon(row.leads + row.supports) != {r.agency for r in item.responsibilities}:
        return
    for r in item.responsibilities:
        r.role = "lead" if r.agency in leads else "support"


def _as_document_leads(resp: list[Responsibility], existing: list[Responsibility]) -> list[Responsibility]:
    names = {r.agency for r in existing}
    out = []
    for r in resp:
        if r.role == "lead" and r.agency not in names:
            names.add(r.agency)
            r.rank = len(existing) + len(out) + 1
            r.measure_key = None
            out.append(r)
    return out


def _default_year(m: Measure, by_key: dict[str, Measure], nt: NormalizedText, offsets: dict) -> Optional[int]:
    """The 到YYYY年 frame of a goal item (or its parent) applies to its bullets."""
    node: Optional[Measure] = m
    while node is not None:
        if node.kind == "goal":
            start, end = offsets[node.key]
            ym = YEAR_FRAME.search(nt.text[start:end])
            if ym:
                return int(ym.group(1))
        node = by_key.get(node.parent_key) if node.parent_key else None
    return None


def _sectors(ctx: _Context, nt: NormalizedText, text: str, base: int) -> list[SectorMention]:
    out: list[SectorMention] = []
    seen: set[str] = set()
    for match in ctx.matcher.find_sectors(text):
        if match.entry_id in seen:
            continue
        seen.add(match.entry_id)
        entry = ctx.gazetteer.sector(match.entry_id)
        out.append(SectorMention(sector_id=match.entry_id, name=entry.name, span=nt.span(base + match.start, base + match.end)))
    return out


def _places(ctx: _Context, nt: NormalizedText, text: str, base: int, wraps: Optional[set] = None) -> list[PlaceMention]:
    """Places in ``text`` (at ``base``); ``wraps``: offsets of line breaks inside a table cell, read as
    if the cell were one line ("上海湾区高新技术产业\n开发区")."""
    at = None
    if wraps:
        keep = [i for i in range(len(text)) if base + i not in wraps]
        if len(keep) < len(text):
            text, at = "".join(text[i] for i in keep), [base + i for i in keep]
    out: list[PlaceMention] = []
    seen: set[str] = set()
    for match in ctx.matcher.find_places(text):
        if match.place_id in seen:
            continue
        seen.add(match.place_id)
        start, end = (base + match.start, base + match.end) if at is None else (at[match.start], at[match.end - 1] + 1)
        out.append(
            PlaceMention(
                place_id=match.place_id,
                name=match.name,
                kind=match.kind,
                district=match.district,
                span=nt.span(start, end),
                sectors=list(match.sectors),
                catalogued=match.catalogued,
            )
        )
    return out


def _agency_mentions(
    ctx: _Context, nt: NormalizedText, text: str, base: int, responsibilities: list[Responsibility]
) -> list[AgencyMention]:
    clause_spans = [(r.span.start, r.span.end) for r in responsibilities]
    out: list[AgencyMention] = []
    seen = {r.agency for r in responsibilities}
    for match in ctx.matcher.find_agencies(text):
        span = nt.span(base + match.start, base + match.end)
        if any(s <= span.start < e for s, e in clause_spans):
            continue
        entry = ctx.gazetteer.resolve_agency(match.text)
        name = entry.name if entry else match.text
        if name in seen:
            continue
        seen.add(name)
        out.append(AgencyMention(agency=name, written=match.text, catalogued=entry is not None, span=span))
    return out


def _section_headings(m: Measure, by_key: dict[str, Measure], chapter_title: dict) -> tuple[str, ...]:
    """The titles around a measure (its own, its parents', its chapter's): a section of application
    conditions (三、申报条件) or a review of the past (一、2024年工作回顾) holds no target (loaders/targets.py)."""
    out = [chapter_title.get(m.chapter_key or "", "")]
    node: Optional[Measure] = m
    while node is not None:
        out.append(node.title or "")
        node = by_key.get(node.parent_key) if node.parent_key else None
    return tuple(out)


def _targets(nt: NormalizedText, text: str, base: int, measure_key: Optional[str], default_year: Optional[int],
             headings: tuple[str, ...] = ()) -> list[Target]:
    from loaders.targets import extract_targets

    out: list[Target] = []
    for t in extract_targets(text, default_year=default_year, headings=headings):
        out.append(
            Target(
                metric=t.metric,
                value=t.value,
                unit=t.unit,
                comparator=t.comparator,
                year=t.year,
                text=t.text,
                span=nt.span(base + t.start, base + t.end),
                measure_key=measure_key,
            )
        )
    return out


def _load_one(path: str) -> tuple[str, Optional[DocumentRecord], Optional[LoadError], Optional[str]]:
    try:
        return path, load_file(path), None, None
    except LoadError as exc:
        return path, None, exc, None
    except Exception as exc:  # a loader bug must not stop the other files
        first = str(exc).splitlines()[0] if str(exc) else ""
        return path, None, None, f"unexpected {type(exc).__name__}: {first}"


def iter_load(paths: Iterable[str | Path], workers: Optional[int] = None):
    """Load files in order, yielding ``(path, record | None, LoadError | None, bug message | None)``.

    With many files the work is spread over ``workers`` processes (default: one per CPU core);
    each process builds the gazetteer and matchers once.
    """
    import os

    paths = [str(p) for p in paths]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < 16:
        for path in paths:
            yield _load_one(path)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from collections import deque

    # Files go to the workers in chunks (fewer hand-offs: the pool's dispatcher shares the main
    # process with the graph builder), and a window of chunks is in flight, so finished records
    # never pile up when the consumer is slower than the workers (nothing is kept once yielded).
    chunk = max(1, min(CHUNK_FILES, len(paths) // (4 * workers)))
    chunks = iter([paths[i:i + chunk] for i in range(0, len(paths), chunk)])
    window = 2 * workers
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()

        def submit(part: list[str]) -> None:
            try:
                pending.append((part, pool.submit(_load_chunk, part)))
            except BrokenProcessPool:  # the pool is gone: these are retried alone
                pending.append((part, _Done([_load_isolated(p) for p in part])))

        for part in chunks:
            submit(part)
            if len(pending) >= window:
                break
        while pending:
            part, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                # a worker died (killed, out of memory) and took the pool with it: each file not
                # yet returned is retried alone, so only the file that kills its process fails
                results = [_load_isolated(p) for p in part]
            del future
            nxt = next(chunks, None)
            if nxt is not None:
                submit(nxt)
            yield from results


CHUNK_FILES = 16  # files per task handed to a loader process


def _load_chunk(paths: list[str]) -> list:
    return [_load_one(path) for path in paths]


class _Done:
    """A result already computed, in the place of a future."""

    def __init__(self, result):
        self._result = result

    def result(self):
        return self._result


def _load_isolated(path: str):
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_load_one, path).result()
    except BrokenProcessPool:
        return path, None, None, "the loader process died on this file (killed or out of memory?)"


def load_paths(paths: Iterable[str | Path]) -> LoadReport:
    """Load every file; failures are reported per file and do not stop the others."""
    report = LoadReport()
    for path in paths:
        try:
            report.records.append(load_file(path))
        except LoadError as exc:
            report.failures.append(LoadIssue(exc.source_file, exc.line, exc.message, "error"))
    return report
