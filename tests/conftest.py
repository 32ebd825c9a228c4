"""Shared test fixtures: hand-built DocumentRecords and a small gazetteer, independent of loaders.

Gives:
  - ``make_record(source_file, title, doc_number=None, measures=[...], ...)`` and ``measure_spec``
    helpers that build real ``loaders.records.DocumentRecord`` objects from compact specs;
  - ``FakeGazetteer`` with the ``loaders.gazetteer`` API (agencies, sectors, places,
    resolve_agency, agency_id, sector_ancestors);
  - fixtures ``sample_records`` (two small documents), ``sample_gazetteer``, ``sample_graph``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from loaders.records import (  # noqa: E402
    AgencyMention,
    Chapter,
    DocumentMeta,
    DocumentRecord,
    Measure,
    PlaceMention,
    Responsibility,
    SectorMention,
    SourceSpan,
    Target,
)


def span(source_file: str, line: int, text: str = "", start: int = 0) -> SourceSpan:
    return SourceSpan(source_file, line, start, start + len(text), text)


@dataclass
class MeasureSpec:
    key: str
    number: str
    title: str
    chapter_key: Optional[str] = None
    agencies: list[str] = field(default_factory=list)  # first = lead
    parent_key: Optional[str] = None
    kind: str = "measure"
    sectors: list[str] = field(default_factory=list)  # sector ids
    places: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (id, name, sectors)
    targets: list[tuple[str, float, str, Optional[int]]] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)


def measure_spec(key, number, title, chapter_key=None, agencies=(), **kw) -> MeasureSpec:
    return MeasureSpec(key, number, title, chapter_key, list(agencies), **kw)


def make_record(
    source_file: str,
    title: str,
    doc_number: Optional[str] = None,
    chapters: tuple[tuple[str, str, str], ...] = (),  # (key, number, title)
    measures: tuple[MeasureSpec, ...] = (),
    issuer: Optional[str] = None,
    issued: Optional[str] = None,
    cites: tuple[str, ...] = (),
    implements: tuple[str, ...] = (),
    leads: tuple[str, ...] = (),
    doc_targets: tuple[tuple[str, float, str, Optional[int]], ...] = (),
    kind: str = "action_plan",
) -> DocumentRecord:
    line = 1
    meta = DocumentMeta(source_file=source_file, title=title, doc_number=doc_number,
                        issuer=issuer, issued=issued, kind=kind, cites=list(cites),
                        implements=list(implements), span=span(source_file, 1, title))
    chs = []
    for order, (key, number, ctitle) in enumerate(chapters, 1):
        line += 2
        chs.append(Chapter(key=key, number=number, label=f"{number}、", title=ctitle,
                           heading=f"{number}、{ctitle}", order=order,
                           span=span(source_file, line, f"{number}、{ctitle}")))
    heading = {c.key: c.heading for c in chs}
    ms = []
    for order, spec in enumerate(measures, 1):
        line += 3
        clause = "（责任部门：" + "、".join(spec.agencies) + "）" if spec.agencies else ""
        text = f"{spec.number}．{spec.title}。内容。{clause}"
        sp = span(source_file, line, text, start=order * 100)
        m = Measure(
            key=spec.key, number=spec.number, label=f"{spec.number}．", title=spec.title,
            text=text, kind=spec.kind, chapter_key=spec.chapter_key,
            chapter=heading.get(spec.chapter_key), parent_key=spec.parent_key,
            level=2 if spec.parent_key else 1, order=order, span=sp,
        )
        for rank, name in enumerate(spec.agencies, 1):
            m.responsibilities.append(Responsibility(
                agency=name, written=name, role="lead" if rank == 1 else "support", rank=rank,
                catalogued=True, clause=clause, span=span(source_file, line + 1, clause),
                measure_key=spec.key))
        for sid in spec.sectors:
            m.sectors.append(SectorMention(sid, sid, span(source_file, line, sid)))
        for pid, pname, psectors in spec.places:
            m.places.append(PlaceMention(pid, pname, "park", None, span(source_file, line, pname),
                                         sectors=list(psectors)))
        for metric, value, unit, year in spec.targets:
            m.targets.append(Target(metric, value, unit, "=", year, f"{metric}{value}{unit}",
                                    span(source_file, line, metric), measure_key=spec.key))
        for name in spec.mentions:
            m.agency_mentions.append(AgencyMention(name, name, True, span(source_file, line, name)))
        ms.append(m)
    rec = DocumentRecord(meta=meta, chapters=chs, measures=ms,
                         text=f"{title}\n" + "\n".join(m.text for m in ms), raw_sha256="0" * 64)
    for rank, name in enumerate(leads, 1):
        rec.leads.append(Responsibility(name, name, "lead", rank, True, f"{name}牵头",
                                        span(source_file, line + 5, f"{name}牵头")))
    for metric, value, unit, year in doc_targets:
        rec.targets.append(Target(metric, value, unit, ">=", year, f"{metric}{value}{unit}",
                                  span(source_file, 2, metric)))
    return rec


# -- a small gazetteer with the loaders.gazetteer API ----------------------------------------
@dataclass
class AgencyEntry:
    id: str
    name: str
    full_name: str
    kind: str = "commission"
    aliases: list[str] = field(default_factory=list)


@dataclass
class SectorEntry:
    id: str
    name: str
    name_en: str = ""
    broader: Optional[str] = None
    synonyms: list[str] = field(default_factory=list)
    level: int = 1


@dataclass
class PlaceEntry:
    id: str
    name: str
    kind: str
    district: Optional[str] = None
    aliases: list[str] = field(default_factory=list)
    within: Optional[str] = None
    members: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)


class FakeGazetteer:
    def __init__(self) -> None:
        self.agencies = [
            AgencyEntry("jxw", "市经济信息化委", "上海市经济和信息化委员会", aliases=["市经信委"]),
            AgencyEntry("fgw", "市发展改革委", "上海市发展和改革委员会", aliases=["市发改委"]),
            AgencyEntry("kw", "市科委", "上海市科学技术委员会"),
            AgencyEntry("swj", "市商务委", "上海市商务委员会"),
            AgencyEntry("bgt", "市政府办公厅", "上海市人民政府办公厅", kind="office"),
        ]
        self.sectors = [
            SectorEntry("digital_economy", "数字经济", "digital economy", None, level=1),
            SectorEntry("industrial_internet", "工业互联网", "industrial internet",
                        "smart_manufacturing", level=3),
            SectorEntry("smart_manufacturing", "智能制造", "smart manufacturing",
                        "digital_economy", level=2),
        ]
        self.places = [
            PlaceEntry("jiading", "嘉定区", "district"),
            PlaceEntry("jiading_new_town", "嘉定新城", "new_town", district="嘉定区"),
            PlaceEntry("eco_parks", "三个生态园", "group", members=["park_a", "park_b"]),
            PlaceEntry("park_a", "甲生态园", "park", district="嘉定区"),
            PlaceEntry("park_b", "乙生态园", "park"),
        ]

    def resolve_agency(self, written: Optional[str]):
        if not written:
            return None
        for a in self.agencies:
            if written in (a.name, a.full_name, *a.aliases):
                return a
        return None

    def agency_id(self, name: str) -> str:
        a = self.resolve_agency(name)
        return f"agency:{a.name if a else name}"

    def sector_ancestors(self, sid: str) -> list[str]:
        by_id = {s.id: s for s in self.sectors}
        out = []
        cur = by_id.get(sid)
        while cur is not None and cur.broader:
            out.append(cur.broader)
            cur = by_id.get(cur.broader)
        return out


def sample_records_list() -> list[DocumentRecord]:
    plan = make_record(
        "a_plan.txt", "上海市促进测试经济发展行动方案（2020-2022年）", "沪府办发〔2020〕1号",
        chapters=(("c1", "一", "总体要求"), ("c2", "二", "聚焦发展重点")),
        measures=(
            measure_spec("c2.m1", "1", "打造标杆性无人工厂", "c2",
                         ["市经济信息化委", "市发展改革委", "市科委"],
                         sectors=["industrial_internet"],
                         places=[("jiading_new_town", "嘉定新城", ["smart_manufacturing"])],
                         targets=[("无人工厂", 100, "家", 2022)]),
            measure_spec("c2.m2", "2", "加快发展工业互联网", "c2", ["市经济信息化委", "市商务委"],
                         mentions=["市科委"]),
            measure_spec("c2.m2.t1", "一", "建设平台", "c2", ["市商务委", "市测试办"],
                         parent_key="c2.m2", kind="task",
                         places=[("eco_parks", "三个生态园", [])]),
        ),
        issuer="市政府办公厅", issued="2020-04-08",
        doc_targets=(("在线新经济规模", 1, "万亿元", 2022),),
    )
    measures = make_record(
        "b_measures.txt", "上海市促进测试经济健康发展的若干政策措施", "沪府办规〔２０２３〕２７号",
        chapters=(("c1", "一", "梯度培育"),),
        measures=(
            measure_spec("c1.m1", "一", "加大总部型企业支持力度", "c1",
                         ["市经信委", "市发展改革委"]),
            measure_spec("m2", "二", "附则条款", None, ["市科委"]),
        ),
        issued="2023-12-29",
        implements=("国务院办公厅关于促进平台经济规范健康发展的指导意见",),
        cites=("上海市促进测试经济发展行动方案（2020—2022年）",),
        leads=("市发展改革委",),
    )
    # the loaders give canonical short names; emulate one written alias
    measures.measures[0].responsibilities[0].agency = "市经济信息化委"
    return [plan, measures]


@pytest.fixture
def sample_records() -> list[DocumentRecord]:
    return sample_records_list()


@pytest.fixture
def sample_gazetteer() -> FakeGazetteer:
    return FakeGazetteer()


@pytest.fixture
def sample_graph(sample_records, sample_gazetteer):
    from graph.build import build_graph

    return build_graph(sample_records, sample_gazetteer)


def corpus_pipeline_ready() -> bool:
    """True when loaders.pipeline.load_file works (the lead's loader is in place)."""
    try:
        from loaders.pipeline import load_file

        load_file(REPO_ROOT / "data" / "corpus" / "002_eb27fe6b47101308.txt")
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pipeline_ready() -> bool:
    return corpus_pipeline_ready()


os.environ.setdefault("POLICY_KG_READ_BUFFER_MB", "64")
os.environ.setdefault("POLICY_KG_WRITE_BUFFER_MB", "256")
