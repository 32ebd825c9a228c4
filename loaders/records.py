"""Typed records passed between the loader stages and handed to the graph builder.

Takes: nothing (pure data definitions).
Gives: the dataclasses every stage produces or consumes:

    read.py            -> RawDocument
    normalize.py       -> NormalizedText        (text + offset map back to the raw text)
    structure.py       -> DocumentMeta, Chapter, Measure (skeleton, no entities yet)
    responsibilities.py-> Responsibility
    entities.py        -> SectorMention, PlaceMention, AgencyMention
    targets.py         -> Target
    pipeline.py        -> DocumentRecord (everything above, for one document)

Every extracted fact carries a ``SourceSpan``: the document file, the 1-based line in the
original file, character offsets into the original (decoded) text, and the exact text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

MeasureKind = Literal["measure", "task", "project", "recommendation", "goal"]
Role = Literal["lead", "support"]
Comparator = Literal[">=", ">", "<=", "<", "=", "~"]


@dataclass(frozen=True)
class SourceSpan:
    """Where a fact comes from: file, line and character offsets in the *original* text."""

    source_file: str  # base name of the ingested file
    line: int  # 1-based line in the original file where the span starts
    start: int  # offset into the decoded original text (inclusive)
    end: int  # offset into the decoded original text (exclusive)
    text: str  # the normalized text of the span (what users read)


@dataclass(frozen=True)
class RawDocument:
    """A decoded file: the text exactly as stored, and how it was decoded."""

    path: str
    source_file: str
    text: str
    encoding: str
    sha256: str


@dataclass
class DocumentMeta:
    source_file: str
    title: str
    doc_number: Optional[str] = None  # 文号, e.g. 沪府办发〔2020〕1号
    issuer: Optional[str] = None  # canonical short name when it is a known agency
    issued: Optional[str] = None  # ISO date
    valid_from: Optional[str] = None
    valid_to: Optional[str] = None
    kind: str = "policy_document"  # action_plan, policy_measures, five_year_plan, ...
    cites: list[str] = field(default_factory=list)  # titles in 《》 / «»
    implements: list[str] = field(default_factory=list)  # 贯彻落实《…》 titles
    span: Optional[SourceSpan] = None


@dataclass
class Chapter:
    key: str  # stable within the document: "c1", "c2", ...
    number: str  # as written, without punctuation: "一"
    label: str  # as written with punctuation: "一、"
    title: str
    heading: str  # label + title, e.g. "二、聚焦发展重点"
    order: int
    span: SourceSpan


@dataclass
class Responsibility:
    """One agency's part in one measure (or in the whole document when measure_key is None)."""

    agency: str  # canonical short name (or the cleaned written name when uncatalogued)
    written: str  # the name as written in the text (line breaks removed)
    role: Role
    rank: int  # 1-based position in the list as written
    catalogued: bool  # True when the gazetteer knows the agency
    clause: str  # the whole responsibility clause, e.g. "（责任部门：市经济信息化委、市科委）"
    span: SourceSpan
    measure_key: Optional[str] = None


@dataclass
class SectorMention:
    sector_id: str  # id from data/vocab/sectors.yaml
    name: str
    span: SourceSpan


@dataclass
class PlaceMention:
    place_id: str  # id from data/vocab/places.yaml (or derived from the name)
    name: str  # canonical name
    kind: str  # park, zone, new_town, district, area, ...
    district: Optional[str]
    span: SourceSpan
    sectors: list[str] = field(default_factory=list)  # sector ids assigned in this mention
    catalogued: bool = True  # False: recognised by naming convention, not in places.yaml


@dataclass
class AgencyMention:
    """An agency named in running text (not in a responsibility clause)."""

    agency: str
    written: str
    catalogued: bool
    span: SourceSpan


@dataclass
class Target:
    metric: str
    value: float
    unit: str
    comparator: Comparator
    year: Optional[int]
    text: str  # the source phrase
    span: SourceSpan
    measure_key: Optional[str] = None  # None: document-level target (e.g. a goals chapter)


@dataclass
class Measure:
    key: str  # stable within the document, e.g. "c2.m1" or "c2.m1.t3"
    number: str  # as written, without brackets/punctuation: "1", "十四", "一"
    label: str  # as written: "1．", "（十四）", "一是"
    title: str
    text: str  # normalized full text of the item, including its responsibility clause
    kind: MeasureKind
    chapter_key: Optional[str]
    chapter: Optional[str]  # chapter heading, e.g. "二、聚焦发展重点"
    parent_key: Optional[str]  # enclosing measure for nested tasks
    level: int  # 1 = directly under a chapter, 2 = nested, ...
    order: int  # position in the document
    span: SourceSpan
    responsibilities: list[Responsibility] = field(default_factory=list)
    sectors: list[SectorMention] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    agency_mentions: list[AgencyMention] = field(default_factory=list)


@dataclass
class LoadIssue:
    """A problem found while loading: an error stops the file, a warning does not."""

    source_file: str
    line: Optional[int]
    message: str
    severity: Literal["error", "warning"] = "warning"

    def __str__(self) -> str:
        where = f"{self.source_file}:{self.line}" if self.line else self.source_file
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class DocumentRecord:
    """Everything extracted from one document."""

    meta: DocumentMeta
    chapters: list[Chapter]
    measures: list[Measure]
    leads: list[Responsibility] = field(default_factory=list)  # document-level leads
    targets: list[Target] = field(default_factory=list)  # document-level targets
    sectors: list[SectorMention] = field(default_factory=list)  # document-level sector mentions
    places: list[PlaceMention] = field(default_factory=list)  # document-level place mentions
    issues: list[LoadIssue] = field(default_factory=list)
    text: str = ""  # normalized text of the whole document
    raw_sha256: str = ""
    encoding: str = "utf-8"

    @property
    def source_file(self) -> str:
        return self.meta.source_file

    def all_targets(self) -> list[Target]:
        return self.targets + [t for m in self.measures for t in m.targets]
