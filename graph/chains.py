"""Plan chains: how documents and measures continue each other, and what changed along each link.

Takes: the loader ``DocumentRecord``s of one build, ``doc_ids`` (source_file -> Document node id,
as assigned by ``graph.build``), optionally a gazetteer (``loaders.gazetteer`` API: ``sector``,
``sector_ancestors``, ``places``) and the term/threshold file ``data/vocab/chain_terms.yaml``.
Gives:

* ``compute_chains(records, doc_ids, gazetteer=None, config=None, stats=None) -> list[ChainLink]``;
  ``graph.build`` turns each link into a ``CONTINUES {score, evidence, relation}`` edge from the
  later item (``later_id``) to the earlier one (``earlier_id``). Relations:

  ===========  ==================================================================================
  successor    Document -> Document: a later edition of the same series (same title once the
               period ``（2020-2022年）`` and ``上海市`` are removed); score 1.0
  continues    Document -> Document of the same policy line (later issue date -> earlier), and
               Measure -> Measure when a later item carries on an earlier one
  realizes     plan Measure -> research-article recommendation it takes up, and plan Document ->
               article Document when several of its items do
  ===========  ==================================================================================

* ``chain_diff(later, earlier) -> ChainDiff`` (loader ``Measure``s) and
  ``chain_diff_from_rows(later_row, earlier_row) -> ChainDiff`` (plain dicts, e.g. read back from
  the graph at export time): agencies added/dropped, lead before/after, sectors/places added and
  dropped, targets before/after and raised/lowered where metric and unit are comparable.
* ``estimate_written_after(text) -> (iso_date | None, evidence)``: the earliest date a text without
  an issue date can have been written, from the latest year it reports as a fact.
* ``load_chain_config(path=None) -> ChainConfig`` and ``ChainStats`` (pairs compared vs all pairs,
  runtime), filled when a ``ChainStats`` is passed to ``compute_chains``.

How a measure link is found (details and the reasons for each threshold: docs/chains.md):

1. every item's title and text (responsibility clause removed) are normalized (NFKC, spellings
   in ``equivalents`` rewritten, ``stop_phrases`` cut out) and turned into character 2/3-grams;
2. blocking: an inverted index over rare title grams, canonical entities (sectors, places,
   agencies) and rare text 3-grams proposes, for each later item, its ``top_k`` earlier items of
   eligible documents (later date; or plan -> research article); nothing else is scored;
3. score = w_title * title similarity (cosine x overlap of title grams) + w_text * scaled text
   cosine (TF-IDF) + w_entities * IDF-weighted overlap of sectors (with broader sectors), places
   (with group members) and agencies;
4. gates and selection: minimum score, minimum text similarity, a subject match (title, or
   enough shared text), the best few per later item and per earlier item; the evidence names
   the shared terms and entities. A plan item realizing a sub-item also realizes its parent
   recommendation.

Items are matched as ``ChainLink.later_key``/``earlier_key`` (loader keys) and ``later_id``/
``earlier_id`` (node ids, ``graph.build.measure_id``), so ``graph.build`` needs no change.

No pair of items, documents or files is special-cased: everything comes from the records, the
gazetteer and the YAML file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import yaml

from loaders import yamlio
from loaders.records import DocumentRecord, Measure

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TERMS_FILE = REPO_ROOT / "data" / "vocab" / "chain_terms.yaml"


# =============================================================================== public types
@dataclass
class ChainLink:
    later_id: str  # node id of the later document/measure (``from`` in exports)
    earlier_id: str  # node id of the earlier document/measure (``to`` in exports)
    relation: str  # successor | continues | realizes
    score: float  # 0..1
    evidence: str  # human-readable reason (shared terms, entities, similarities)
    level: str = "document"  # document | measure
    terms: tuple[str, ...] = ()  # the shared terms named in the evidence
    later_source_file: Optional[str] = None
    earlier_source_file: Optional[str] = None
    later_key: Optional[str] = None  # loader measure key (measure links)
    earlier_key: Optional[str] = None


@dataclass
class ChainStats:
    """What one ``compute_chains`` call did (filled in place when passed)."""

    documents: int = 0
    items: int = 0
    eligible_pairs: int = 0  # item pairs of eligible document pairs (what a full scan compares)
    candidate_pairs: int = 0  # pairs proposed by the blocking index
    scored_pairs: int = 0  # pairs actually scored (after top_k)
    measure_links: int = 0
    document_links: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        share = self.scored_pairs / self.eligible_pairs if self.eligible_pairs else 0.0
        return (f"{self.documents} documents, {self.items} items: scored {self.scored_pairs} of "
                f"{self.eligible_pairs} eligible item pairs ({share:.2%}; blocking proposed "
                f"{self.candidate_pairs}); {self.measure_links} measure links, "
                f"{self.document_links} document links in {self.seconds:.3f} s")


@dataclass
class TargetChange:
    metric: str
    unit: str
    before: float
    after: float
    year_before: Optional[int] = None
    year_after: Optional[int] = None
    comparator: Optional[str] = None


@dataclass
class ChainDiff:
    """What changed from the earlier item to the later one."""

    agencies_before: list[str] = field(default_factory=list)  # in rank order, lead first
    agencies_after: list[str] = field(default_factory=list)
    agencies_added: list[str] = field(default_factory=list)
    agencies_dropped: list[str] = field(default_factory=list)
    lead_before: Optional[str] = None
    lead_after: Optional[str] = None
    lead_changed: bool = False  # only when both sides name a lead
    sectors_added: list[str] = field(default_factory=list)
    sectors_dropped: list[str] = field(default_factory=list)
    places_added: list[str] = field(default_factory=list)
    places_dropped: list[str] = field(default_factory=list)
    targets_before: list[dict[str, Any]] = field(default_factory=list)
    targets_after: list[dict[str, Any]] = field(default_factory=list)
    targets_raised: list[TargetChange] = field(default_factory=list)
    targets_lowered: list[TargetChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def empty(self) -> bool:
        return not (self.agencies_added or self.agencies_dropped or self.lead_changed
                    or self.sectors_added or self.sectors_dropped or self.places_added
                    or self.places_dropped or self.targets_raised or self.targets_lowered)


# ================================================================================ config
@dataclass(frozen=True)
class ChainConfig:
    equivalents: tuple[tuple[str, str], ...]  # (variant, canonical), longest variant first
    stop_phrases: tuple[str, ...]
    forward_prefixes: tuple[str, ...]
    past_prefixes: tuple[str, ...]
    forward_markers: tuple[str, ...]
    fact_words: tuple[str, ...]
    w_title: float
    w_text: float
    w_entities: float
    broader_weight: float
    group_weight: float
    agency_weight: float
    entity_prior: float
    short_title_factor: float
    title_gate: float
    text_gate: float
    text_scale: float
    min_score: float
    min_text: float
    relative_to_best: float
    max_per_item: int
    max_per_item_realizes: int
    max_per_earlier: int
    realizes_min_score: float
    document_min_score: float
    document_min_links: int
    min_body_chars: int
    max_df_share: float
    max_df_floor: int
    max_df_cap: int
    keys_title: int
    keys_entities: int
    keys_text: int
    top_k: int
    rare_text_df: int
    actionable_kinds: tuple[str, ...]
    goal_kinds: tuple[str, ...]
    recommendation_kinds: tuple[str, ...]


class ChainConfigError(ValueError):
    pass


def _need(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise ChainConfigError(f"{where}: missing '{key}'")
    return d[key]


@lru_cache(maxsize=4)
def load_chain_config(path: Optional[str] = None) -> ChainConfig:
    """Read ``chain_terms.yaml`` (default: data/vocab/chain_terms.yaml); raises ChainConfigError."""
    p = Path(path) if path else DEFAULT_TERMS_FILE
    name = p.name
    try:
        raw = yamlio.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ChainConfigError(f"{name}: {exc}") from exc
    eq: list[tuple[str, str]] = []
    for canonical, variants in (raw.get("equivalents") or {}).items():
        for v in variants or []:
            eq.append((_nfkc(str(v)), _nfkc(str(canonical))))
    eq.sort(key=lambda x: -len(x[0]))
    dating = _need(raw, "dating", name)
    sc = _need(raw, "scoring", name)
    w = _need(sc, "weights", f"{name}: scoring")
    bl = _need(raw, "blocking", name)
    kinds = _need(raw, "kinds", name)
    stops = sorted({_nfkc(str(s)) for s in raw.get("stop_phrases") or [] if s}, key=lambda s: -len(s))
    return ChainConfig(
        equivalents=tuple(eq),
        stop_phrases=tuple(stops),
        forward_prefixes=tuple(dating.get("forward_prefixes") or ()),
        past_prefixes=tuple(dating.get("past_prefixes") or ()),
        forward_markers=tuple(dating.get("forward_markers") or ()),
        fact_words=tuple(dating.get("fact_words") or ()),
        w_title=float(_need(w, "title", name)), w_text=float(_need(w, "text", name)),
        w_entities=float(_need(w, "entities", name)),
        broader_weight=float(sc.get("broader_weight", 0.4)),
        group_weight=float(sc.get("group_weight", 0.6)),
        agency_weight=float(sc.get("agency_weight", 0.5)),
        short_title_factor=float(sc.get("short_title_factor", 0.5)),
        entity_prior=float(sc.get("entity_prior", 0.0)),
        title_gate=float(sc.get("title_gate", 0.0)),
        text_gate=float(sc.get("text_gate", 0.0)),
        text_scale=float(sc.get("text_scale", 1.0)),
        min_score=float(_need(sc, "min_score", name)),
        min_text=float(sc.get("min_text", 0.0)),
        relative_to_best=float(sc.get("relative_to_best", 0.0)),
        max_per_item=int(sc.get("max_per_item", 2)),
        max_per_item_realizes=int(sc.get("max_per_item_realizes", 3)),
        max_per_earlier=int(sc.get("max_per_earlier", 3)),
        realizes_min_score=float(sc.get("realizes_min_score", sc["min_score"])),
        document_min_score=float(sc.get("document_min_score", 0.35)),
        document_min_links=int(sc.get("document_min_links", 2)),
        min_body_chars=int(sc.get("min_body_chars", 10)),
        max_df_share=float(bl.get("max_df_share", 0.05)),
        max_df_floor=int(bl.get("max_df_floor", 40)),
        max_df_cap=int(bl.get("max_df_cap", 200)),
        keys_title=int(bl.get("keys_title", 8)),
        keys_entities=int(bl.get("keys_entities", 6)),
        keys_text=int(bl.get("keys_text", 8)),
        top_k=int(bl.get("top_k", 40)),
        rare_text_df=int(bl.get("rare_text_df", 8)),
        actionable_kinds=tuple(kinds.get("actionable") or ("measure", "task", "project")),
        goal_kinds=tuple(kinds.get("goal") or ("goal",)),
        recommendation_kinds=tuple(kinds.get("recommendation") or ("recommendation",)),
    )


# ============================================================================ text handling
_WS_RE = re.compile(r"\s+")
_CLAUSE_RE = re.compile(r"[（(]\s*责任(?:部门|单位)\s*[:：][^）)]*[）)]")
_CJK = "\u4e00-\u9fff"
_RUN_RE = re.compile(rf"[{_CJK}]+|[A-Za-z0-9][A-Za-z0-9.+]*")
_CJK_RUN_RE = re.compile(rf"[{_CJK}]+")


def _nfkc(text: str) -> str:
    return _WS_RE.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class _TextTools:
    eq_re: Optional[re.Pattern]
    eq_map: dict
    stop_re: Optional[re.Pattern]


@lru_cache(maxsize=4)
def _tools(cfg: ChainConfig) -> _TextTools:
    eq_map = dict(cfg.equivalents)
    eq_re = re.compile("|".join(re.escape(v) for v, _ in cfg.equivalents)) if eq_map else None
    stop_re = re.compile("|".join(re.escape(s) for s in cfg.stop_phrases)) if cfg.stop_phrases else None
    return _TextTools(eq_re, eq_map, stop_re)


def normalize_for_matching(text: str, cfg: ChainConfig) -> str:
    """NFKC, no spaces, equivalent spellings rewritten, stop phrases replaced by ``|``."""
    tools = _tools(cfg)
    t = _nfkc(text)
    if tools.eq_re is not None:
        t = tools.eq_re.sub(lambda m: tools.eq_map[m.group(0)], t)
    if tools.stop_re is not None:
        t = tools.stop_re.sub("|", t)
    return t


def char_grams(normalized: str) -> Counter:
    """Character 2- and 3-grams of the CJK runs, plus whole Latin/digit tokens (5G, Web3.0)."""
    grams: list[str] = []
    for run in _RUN_RE.findall(normalized):
        if run[0].isascii():
            tok = run.lower().rstrip(".+")
            if len(tok) >= 2 and not tok.replace(".", "").isdigit():
                grams.append(tok)
            continue
        grams.extend(run[i:i + 2] for i in range(len(run) - 1))
        grams.extend(run[i:i + 3] for i in range(len(run) - 2))
    return Counter(grams)


def _strip_label_title(m: Measure) -> str:
    text = _nfkc(m.text)
    for prefix in (_nfkc(m.label), _nfkc(m.title)):
        if prefix and text.startswith(prefix):
            text = text[len(prefix):]
    return _CLAUSE_RE.sub("", text)


# ================================================================================ dating
_YEAR_RE = re.compile(r"(?<![0-9])((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月)?")
_RANGE_YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*[-—–－~～至到]\s*(?:19|20)\d{2}\s*年")
_TITLE_RE = re.compile(r"《[^》]*》")
_SENT_SPLIT_RE = re.compile(r"[。；;！!？?\n]")


def estimate_written_after(text: str, config: Optional[ChainConfig] = None) -> tuple[Optional[str], str]:
    """The earliest ISO date ``text`` can have been written, and the phrase that shows it.

    The latest year the text reports as a fact (a fact word follows it in its clause and no
    forward-looking marker is near it; years in 《titles》 and year ranges are ignored) bounds the
    writing date: a whole-year figure (``2020年…实现增加值``) needs the year to be over
    (``2021-01-01``); a month figure (``2022年6月``) needs that month to be over. Returns
    ``(None, "")`` when the text states no dated fact.
    """
    cfg = config or load_chain_config()
    t = unicodedata.normalize("NFKC", text or "")
    t = _TITLE_RE.sub("", t)
    t = _RANGE_YEAR_RE.sub("", t)
    best: Optional[tuple[str, str]] = None
    for sentence in _SENT_SPLIT_RE.split(t):
        for clause in re.split(r"[，,：:]", sentence):
            for m in _YEAR_RE.finditer(clause):
                before = clause[max(0, m.start() - 2):m.start()]
                if any(before.endswith(p) for p in cfg.forward_prefixes) and not any(
                        before.endswith(p) for p in cfg.past_prefixes):
                    continue
                if any(marker in clause for marker in cfg.forward_markers):
                    continue
                after = clause[m.end():]
                if not any(w in after for w in cfg.fact_words):
                    continue
                year = int(m.group(1))
                month = int(m.group(2)) if m.group(2) else None
                if month and 1 <= month <= 12:
                    y, mo = (year + 1, 1) if month == 12 else (year, month + 1)
                    date = f"{y:04d}-{mo:02d}-01"
                else:
                    date = f"{year + 1:04d}-01-01"
                if best is None or date > best[0]:
                    best = (date, clause.strip()[:60])
    return (best[0], best[1]) if best else (None, "")


# ========================================================================= item profiles
@dataclass
class _Doc:
    index: int
    record: DocumentRecord
    doc_id: str
    date: Optional[str]  # issue date (ISO)
    written_after: Optional[str]  # research article without a date: lower bound
    written_after_evidence: str
    research: bool
    text_hash: str


@dataclass
class _Item:
    index: int
    doc: int
    measure: Measure
    node_id: str
    kind: str
    title_norm: str
    body_norm: str
    title_grams: Counter
    body_grams: Counter
    entities: dict[str, float]  # key -> match weight (1 direct, <1 broader / group)
    entity_names: dict[str, str]  # key -> display name
    title_vec: dict[str, float] = field(default_factory=dict)
    title_w: dict[str, float] = field(default_factory=dict)  # gram -> IDF (for the overlap)
    title_wsum: float = 1.0
    body_vec: dict[str, float] = field(default_factory=dict)
    ent_norm: float = 0.0


def _doc_is_research(rec: DocumentRecord, cfg: ChainConfig) -> bool:
    if (rec.meta.kind or "").startswith("research"):
        return True
    kinds = {m.kind for m in rec.measures}
    return bool(kinds) and kinds <= set(cfg.recommendation_kinds) | set(cfg.goal_kinds) and bool(
        kinds & set(cfg.recommendation_kinds))


def _group_index(gazetteer: Any) -> dict[str, list[str]]:
    """member place id -> ids of the group places it belongs to."""
    out: dict[str, list[str]] = defaultdict(list)
    for p in getattr(gazetteer, "places", None) or []:
        for member in getattr(p, "members", ()) or ():
            out[member].append(p.id)
    return out


def _sector_name(gazetteer: Any, sid: str, fallback: str) -> str:
    try:
        return gazetteer.sector(sid).name if gazetteer is not None else fallback
    except Exception:  # unknown id: keep the id
        return fallback


def _item_entities(m: Measure, gazetteer: Any, groups: dict[str, list[str]],
                   cfg: ChainConfig) -> tuple[dict[str, float], dict[str, str]]:
    ent: dict[str, float] = {}
    names: dict[str, str] = {}

    def put(key: str, weight: float, name: str) -> None:
        if weight > ent.get(key, 0.0):
            ent[key] = weight
        names.setdefault(key, name)

    for s in m.sectors:
        put("s:" + s.sector_id, 1.0, s.name)
        ancestors: Sequence[str] = ()
        if gazetteer is not None and hasattr(gazetteer, "sector_ancestors"):
            try:
                ancestors = gazetteer.sector_ancestors(s.sector_id) or ()
            except Exception:
                ancestors = ()
        for a in ancestors:
            put("s:" + a, cfg.broader_weight, _sector_name(gazetteer, a, a))
    places = getattr(gazetteer, "places", None) or []
    by_id = {p.id: p for p in places}
    for p in m.places:
        pid = p.place_id[6:] if p.place_id.startswith("place:") else p.place_id
        put("p:" + pid, 1.0, p.name)
        entry = by_id.get(pid)
        for member in (getattr(entry, "members", ()) or ()) if entry else ():
            put("p:" + member, cfg.group_weight, getattr(by_id.get(member), "name", member))
        for group in groups.get(pid, ()):
            put("p:" + group, cfg.group_weight, getattr(by_id.get(group), "name", group))
    for r in m.responsibilities:
        put("a:" + r.agency, cfg.agency_weight, r.agency)
    return ent, names


def _idf(df: int, n: int) -> float:
    return math.log((1.0 + n) / (1.0 + df))


def _tfidf(grams: Counter, idf: Mapping[str, float], sublinear: bool = True,
           keep: Optional[Any] = None) -> dict[str, float]:
    get = idf.get
    vec = {g: ((1.0 + math.log(c)) if sublinear and c > 1 else 1.0) * get(g, 0.0)
           for g, c in grams.items() if keep is None or keep(g)}
    vec = {g: v for g, v in vec.items() if v > 0}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {g: v / norm for g, v in vec.items()} if norm else {}


def _cos(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    return sum(a[k] * b[k] for k in a.keys() & b.keys())


# ============================================================================= eligibility
def _pair_relation(later: _Doc, earlier: _Doc) -> Optional[str]:
    """``continues`` / ``realizes`` when items of ``later`` may point to items of ``earlier``."""
    if later.index == earlier.index or later.text_hash == earlier.text_hash:
        return None
    if later.research:
        return None  # articles do not continue or realize anything
    if earlier.research:
        if earlier.written_after is None:
            return "realizes"  # undated article: no order known, the plan may take it up
        if later.date is None:
            return None
        return "realizes" if later.date >= earlier.written_after else None
    if later.date is None or earlier.date is None:
        return None
    return "continues" if later.date > earlier.date else None


def _kinds_match(relation: str, later_kind: str, earlier_kind: str, cfg: ChainConfig) -> bool:
    if relation == "realizes":
        return later_kind in cfg.actionable_kinds and earlier_kind in cfg.recommendation_kinds
    if later_kind in cfg.actionable_kinds:
        return earlier_kind in cfg.actionable_kinds
    if later_kind in cfg.goal_kinds:
        return earlier_kind in cfg.goal_kinds
    return False


# ================================================================================ engine
class _Engine:
    def __init__(self, records: list[DocumentRecord], doc_ids: Mapping[str, str],
                 gazetteer: Any, cfg: ChainConfig):
        from graph.build import measure_id  # lazy: graph.build imports this module

        self.cfg = cfg
        self.gaz = gazetteer
        self.docs: list[_Doc] = []
        self.items: list[_Item] = []
        self.headings: list[tuple[int, Measure]] = []  # (doc index, measure) not scored
        self.measure_ids: dict[tuple[int, str], str] = {}  # (doc index, key) -> node id
        groups = _group_index(gazetteer)
        for rec in records:
            if rec.source_file not in doc_ids:
                continue
            research = _doc_is_research(rec, cfg)
            written_after, wa_ev = (None, "")
            if research and not rec.meta.issued:
                written_after, wa_ev = estimate_written_after(rec.text, cfg)
            body = rec.text or "".join(m.text for m in rec.measures)
            doc = _Doc(len(self.docs), rec, doc_ids[rec.source_file], rec.meta.issued,
                       written_after, wa_ev, research,
                       hashlib.sha1(_nfkc(body).encode("utf-8")).hexdigest())
            self.docs.append(doc)
            for m in rec.measures:
                self.measure_ids[(doc.index, m.key)] = measure_id(doc.doc_id, m.key)
                body = _strip_label_title(m)
                if sum(map(len, _CJK_RUN_RE.findall(body))) < cfg.min_body_chars:
                    self.headings.append((doc.index, m))  # its sub-items carry the content
                    continue
                title_norm = normalize_for_matching(m.title, cfg)
                body_norm = normalize_for_matching(body, cfg)
                ent, names = _item_entities(m, gazetteer, groups, cfg)
                self.items.append(_Item(
                    len(self.items), doc.index, m, measure_id(doc.doc_id, m.key), m.kind,
                    title_norm, body_norm, char_grams(title_norm), char_grams(body_norm),
                    ent, names))
        n = len(self.items)
        df: Counter = Counter()
        edf: Counter = Counter()
        for it in self.items:
            df.update(set(it.title_grams) | set(it.body_grams))
            edf.update(it.entities.keys())
        self.df = df
        self.idf = {g: _idf(c, n) for g, c in df.items()}
        self.edf = edf
        self.eidf = {k: _idf(c, n) for k, c in edf.items()}
        for it in self.items:
            # text grams only one item uses cannot be shared; they would only dilute the cosine
            # (titles keep theirs: a title's unshared words show a different subject)
            shared = (lambda g: df[g] >= 2)  # noqa: E731
            it.title_vec = _tfidf(it.title_grams, self.idf, sublinear=False)
            it.title_w = {g: self.idf.get(g, 0.0) for g in it.title_grams}
            it.title_wsum = sum(it.title_w.values()) or 1.0
            full = Counter(it.body_grams)
            full.update(it.title_grams)
            it.body_vec = _tfidf(full, self.idf, keep=shared)
            it.ent_norm = sum(w * self.eidf[k] for k, w in it.entities.items())
        self.max_df = min(cfg.max_df_cap, max(cfg.max_df_floor, int(cfg.max_df_share * n)))
        self.item_by_id = {it.node_id: it for it in self.items}

    # -- scoring ---------------------------------------------------------------------------
    def entity_similarity(self, a: _Item, b: _Item) -> float:
        if not a.ent_norm or not b.ent_norm:
            return 0.0
        small, big = (a, b) if len(a.entities) <= len(b.entities) else (b, a)
        shared = sum(min(w, big.entities[k]) * self.eidf[k]
                     for k, w in small.entities.items() if k in big.entities)
        return 2.0 * shared / (a.ent_norm + b.ent_norm + self.cfg.entity_prior)

    def title_similarity(self, a: _Item, b: _Item) -> float:
        """Geometric mean of the titles' TF-IDF cosine and their overlap coefficient.

        The overlap coefficient (shared IDF weight / the smaller title's weight) is 1 when one
        title contains the other's subject (在线医疗 in 在线医疗体验, 生态园 in 生态园综合配套环境);
        the cosine keeps what the titles do not share in view. The result is halved unless the
        titles share a 3-character gram or a Latin token: one shared two-character word (科技,
        企业, 金融) is too often a generic noun to show a common subject on its own.
        """
        shared = a.title_vec.keys() & b.title_vec.keys()
        if not shared:
            return 0.0
        cos = sum(a.title_vec[k] * b.title_vec[k] for k in shared)
        overlap = sum(a.title_w[k] for k in shared) / min(a.title_wsum, b.title_wsum)
        t = math.sqrt(max(0.0, cos) * min(1.0, overlap))
        if not any(len(g) >= 3 or g.isascii() for g in shared):
            t *= self.cfg.short_title_factor
        return t

    def score(self, a: _Item, b: _Item) -> tuple[float, float, float, float]:
        t = self.title_similarity(a, b)
        x = _cos(a.body_vec, b.body_vec)
        e = self.entity_similarity(a, b)
        cfg = self.cfg
        s = cfg.w_title * t + cfg.w_text * min(1.0, cfg.text_scale * x) + cfg.w_entities * e
        return s, t, x, e

    # -- blocking --------------------------------------------------------------------------
    def blocking_keys(self, it: _Item) -> dict[str, float]:
        """The item's most specific keys (weight = IDF) by kind, each shared with another item.

        Title grams (at most ``keys_title``), direct entities (``keys_entities``) and text
        3-grams at most ``rare_text_df`` items share (``keys_text``); a key only this item has
        cannot propose a candidate and is skipped.
        """
        cfg = self.cfg
        title = [("t:" + g, self.idf.get(g, 0.0)) for g in it.title_grams if self.df[g] >= 2]
        ents = [("e:" + k, self.eidf.get(k, 0.0)) for k, w in it.entities.items()
                if (w >= 1.0 or k.startswith("a:")) and self.edf[k] >= 2]
        text = [("x:" + g, self.idf.get(g, 0.0)) for g in it.body_grams
                if len(g) == 3 and 2 <= self.df[g] <= cfg.rare_text_df]
        keys: dict[str, float] = {}
        for group, limit in ((title, cfg.keys_title), (ents, cfg.keys_entities),
                             (text, cfg.keys_text)):
            group.sort(key=lambda kv: (-kv[1], kv[0]))
            keys.update(group[:limit])
        return keys


def compute_chains(records: list[DocumentRecord], doc_ids: Mapping[str, str],
                   gazetteer: Any = None, config: Optional[ChainConfig] = None,
                   stats: Optional[ChainStats] = None) -> list[ChainLink]:
    """All continuation links for one build, in a stable order (see the module docstring).

    ``gazetteer=None`` uses the project gazetteer when it can be loaded (sector hierarchy, place
    groups); pass one to control it. ``stats`` (a ``ChainStats``) is filled in place.
    """
    started = time.perf_counter()
    cfg = config or load_chain_config()
    if gazetteer is None:
        gazetteer = _default_gazetteer()
    records = _without_republications(records)
    eng = _Engine(list(records), doc_ids, gazetteer, cfg)
    links = document_links(records, doc_ids)
    successor_pairs = {(l.later_id, l.earlier_id) for l in links}
    mlinks, eligible, candidates, scored = _measure_links(eng)
    dlinks = _lineage_links(eng, mlinks, successor_pairs)
    links = links + dlinks + mlinks
    if stats is not None:
        stats.documents = len(eng.docs)
        stats.items = len(eng.items)
        stats.eligible_pairs = eligible
        stats.candidate_pairs = candidates
        stats.scored_pairs = scored
        stats.measure_links = len(mlinks)
        stats.document_links = len(links) - len(mlinks)
        stats.seconds = time.perf_counter() - started
    return sorted(links, key=lambda l: (l.later_id, l.earlier_id, l.relation))


def republication_digest(rec: DocumentRecord) -> Optional[str]:
    """A digest of the document's items, word for word (None when it has none): two documents
    with the same digest are one text re-published (see ``_without_republications``)."""
    items = "\n".join(f"{m.label}{m.text}" for m in rec.measures)
    return hashlib.sha1(items.encode("utf-8")).hexdigest() if items else None


def chain_view(rec: DocumentRecord) -> DocumentRecord:
    """The part of a record plan chains read: without the full text and the chapters, which a
    streamed build need not keep for every document. The text stays for an undated document,
    whose date is estimated from it (``estimate_written_after``)."""
    return dataclasses.replace(rec, text=rec.text if not rec.meta.issued else "", chapters=[])


def _without_republications(records: list[DocumentRecord]) -> list[DocumentRecord]:
    """Keep one document of each group whose items are word for word the same.

    A document re-issued under another file name or 文号 (the same measures, the same text) would
    otherwise continue -- and be continued by -- every copy of its neighbours, so links would grow
    with the square of the number of copies. Chains are computed through the first copy (by file
    name); the other copies keep their own measures and responsibilities, but no chains.
    """
    seen: set[str] = set()
    kept: list[DocumentRecord] = []
    for rec in sorted(records, key=lambda r: r.source_file):
        digest = republication_digest(rec)
        if digest is None:
            kept.append(rec)
            continue
        if digest in seen:
            continue
        seen.add(digest)
        kept.append(rec)
    return kept


def _default_gazetteer() -> Any:
    try:
        from loaders.gazetteer import load_gazetteer
    except ImportError:
        return None
    try:
        return load_gazetteer()
    except Exception:
        return None


def measure_links(records: list[DocumentRecord], doc_ids: Mapping[str, str],
                  gazetteer: Any = None, config: Optional[ChainConfig] = None) -> list[ChainLink]:
    """Only the measure-level links (``continues`` / ``realizes``)."""
    return [l for l in compute_chains(records, doc_ids, gazetteer, config) if l.level == "measure"]


# ---------------------------------------------------------------------- measure level
def _measure_links(eng: _Engine) -> tuple[list[ChainLink], int, int, int]:
    cfg = eng.cfg
    docs, items = eng.docs, eng.items
    relation_of: dict[tuple[int, int], str] = {}
    for a in docs:
        for b in docs:
            rel = _pair_relation(a, b)
            if rel:
                relation_of[(a.index, b.index)] = rel
    by_doc: dict[int, list[_Item]] = defaultdict(list)
    for it in items:
        by_doc[it.doc].append(it)
    kinds = sorted({it.kind for it in items})
    kind_ok = {(rel, ka, kb): _kinds_match(rel, ka, kb, cfg)
               for rel in ("continues", "realizes") for ka in kinds for kb in kinds}
    kind_count = {d: Counter(it.kind for it in its) for d, its in by_doc.items()}
    eligible = 0
    for (da, db), rel in relation_of.items():
        # a document may have no items at all (kind_count has no entry for it)
        for ka, na in kind_count.get(da, {}).items():
            for kb, nb in kind_count.get(db, {}).items():
                if kind_ok[(rel, ka, kb)]:
                    eligible += na * nb

    # inverted index over blocking keys (purged when too common)
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    item_keys: list[dict[str, float]] = []
    for it in items:
        keys = eng.blocking_keys(it)
        item_keys.append(keys)
        for k, w in keys.items():
            postings[k].append((it.index, w))
    postings = {k: v for k, v in postings.items() if len(v) <= eng.max_df}

    candidates = scored = 0
    found: list[tuple[_Item, _Item, str, float, float, float, float]] = []
    for a in items:
        acc: dict[int, float] = defaultdict(float)
        for k, wa in item_keys[a.index].items():
            plist = postings.get(k)
            if not plist:
                continue
            for j, wb in plist:
                b = items[j]
                rel = relation_of.get((a.doc, b.doc))
                if rel is None or not kind_ok[(rel, a.kind, b.kind)]:
                    continue
                acc[j] += wa * wb + 1e-6
        candidates += len(acc)
        if not acc:
            continue
        top = sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))[:cfg.top_k]
        for j, _ in top:
            b = items[j]
            scored += 1
            s, t, x, e = eng.score(a, b)
            rel = relation_of[(a.doc, b.doc)]
            floor = cfg.realizes_min_score if rel == "realizes" else cfg.min_score
            if s < floor or x < cfg.min_text or (t < cfg.title_gate and x < cfg.text_gate):
                continue
            found.append((a, b, rel, s, t, x, e))

    # selection: best few per (later item, earlier document), then per (earlier item, later doc)
    per_item: dict[tuple[int, int], list] = defaultdict(list)
    for f in found:
        per_item[(f[0].index, f[1].doc)].append(f)
    kept = []
    for group in per_item.values():
        group.sort(key=lambda f: (-f[3], f[1].index))
        best = group[0][3]
        cap = cfg.max_per_item_realizes if group[0][2] == "realizes" else cfg.max_per_item
        kept.extend(f for f in group[:cap] if f[3] >= cfg.relative_to_best * best)
    per_earlier: dict[tuple[int, int], list] = defaultdict(list)
    for f in kept:
        per_earlier[(f[1].index, f[0].doc)].append(f)
    final = []
    for group in per_earlier.values():
        group.sort(key=lambda f: (-f[3], f[0].index))
        final.extend(group[:cfg.max_per_earlier])

    links = []
    for a, b, rel, s, t, x, e in final:
        terms = shared_terms(eng, a, b)
        links.append(ChainLink(
            later_id=a.node_id, earlier_id=b.node_id, relation=rel, score=round(min(1.0, s), 4),
            evidence=_evidence(eng, a, b, terms, t, x, e), level="measure", terms=tuple(terms),
            later_source_file=docs[a.doc].record.source_file,
            earlier_source_file=docs[b.doc].record.source_file,
            later_key=a.measure.key, earlier_key=b.measure.key))
    links.extend(_parent_recommendations(eng, links))
    return links, eligible, candidates, scored


def _parent_recommendations(eng: _Engine, links: list[ChainLink]) -> list[ChainLink]:
    """A plan item that realizes a sub-item (一是…, 1.…) also realizes the enclosing recommendation.

    Score: the best of its sub-items' links; evidence names the sub-item.
    """
    cfg = eng.cfg
    doc_of_file = {d.record.source_file: d.index for d in eng.docs}
    measures = {(d.index, m.key): m for d in eng.docs for m in d.record.measures}
    have = {(l.later_id, l.earlier_id) for l in links}
    best: dict[tuple[str, str], tuple[ChainLink, Measure, Measure]] = {}
    for l in links:
        if l.relation != "realizes" or l.earlier_key is None:
            continue
        di = doc_of_file[l.earlier_source_file]
        child = measures.get((di, l.earlier_key))
        parent = measures.get((di, child.parent_key)) if child and child.parent_key else None
        if parent is None or parent.kind not in cfg.recommendation_kinds:
            continue
        pid = eng.measure_ids[(di, parent.key)]
        key = (l.later_id, pid)
        if key in have:
            continue
        if key not in best or l.score > best[key][0].score:
            best[key] = (l, child, parent)
    out = []
    for (later_id, pid), (l, child, parent) in sorted(best.items()):
        out.append(ChainLink(
            later_id=later_id, earlier_id=pid, relation="realizes", score=l.score,
            evidence=f"through its sub-item {child.label}{child.title}: {l.evidence}",
            level="measure", terms=l.terms, later_source_file=l.later_source_file,
            earlier_source_file=l.earlier_source_file, later_key=l.later_key,
            earlier_key=parent.key))
    return out


def shared_terms(eng: _Engine, a: _Item, b: _Item, limit: int = 6) -> list[str]:
    """Terms both items use, most specific first (linear time).

    A term is a maximal run of ``a``'s text whose every character bigram occurs in ``b`` and
    which ``b`` contains as written (longer runs are cut into the longest pieces ``b`` contains,
    at most 8 characters); terms whose bigrams are common (in more than 15% of items) are dropped.
    """
    sa = a.title_norm + "|" + a.body_norm
    sb = b.title_norm + "|" + b.body_norm
    bigrams_b = {sb[i:i + 2] for i in range(len(sb) - 1)}
    runs: list[str] = []
    for run in _CJK_RUN_RE.findall(sa):
        start = None
        for i in range(len(run) - 1):
            if run[i:i + 2] in bigrams_b:
                if start is None:
                    start = i
            elif start is not None:
                runs.append(run[start:i + 1])
                start = None
        if start is not None:
            runs.append(run[start:])
    terms: set[str] = set()
    for run in runs:
        i = 0
        while i < len(run) - 1:
            for n in range(min(8, len(run) - i), 1, -1):
                if run[i:i + n] in sb:
                    terms.add(run[i:i + n])
                    i += n - 1
                    break
            else:
                pass
            i += 1
    n_items = len(eng.items)
    common = _idf(max(2, int(0.15 * n_items)), n_items)

    def weight(term: str) -> float:
        grams = [term[i:i + 2] for i in range(len(term) - 1)]
        return sum(eng.idf.get(g, 0.0) for g in grams) / max(1, len(grams))

    scored = [(weight(t), len(t), t) for t in terms]
    scored = [x for x in scored if x[0] > common and not any(
        x[2] != other and x[2] in other for other in terms)]
    scored.sort(key=lambda x: (-(x[0] * min(x[1], 4)), x[2]))
    return [t for _, _, t in scored[:limit]]


def _evidence(eng: _Engine, a: _Item, b: _Item, terms: list[str], t: float, x: float,
              e: float) -> str:
    parts = [f"title {t:.2f} · text {x:.2f} · entities {e:.2f}"]
    if terms:
        parts.append("shared terms: " + "、".join(terms))
    shared = [k for k in a.entities if k in b.entities and (k.startswith("a:") or (
        a.entities[k] >= 1 and b.entities[k] >= 1))]
    for prefix, label in (("s:", "sectors"), ("p:", "places"), ("a:", "agencies")):
        names = [a.entity_names[k] for k in shared if k.startswith(prefix)]
        if names:
            parts.append(f"{label}: " + "、".join(names))
    return "; ".join(parts)


# ---------------------------------------------------------------------- document level
_PERIOD_RE = re.compile(r"[(（]\s*(\d{4})\s*[-—–－~～至到]+\s*(\d{4})\s*年?\s*[)）]")


def _series_key(title: str) -> str:
    t = unicodedata.normalize("NFKC", title or "")
    t = re.sub(r"\s+", "", t)
    t = _PERIOD_RE.sub("", t)
    t = re.sub(r"^上海市", "", t)
    return t


def _order_key(rec: DocumentRecord) -> Optional[str]:
    if rec.meta.issued:
        return rec.meta.issued
    m = _PERIOD_RE.search(unicodedata.normalize("NFKC", rec.meta.title or ""))
    return f"{m.group(1)}-01-01" if m else None


def document_links(records: list[DocumentRecord], doc_ids: Mapping[str, str]) -> list[ChainLink]:
    """Certain document-level links: editions of one series (later edition -> earlier), score 1.0.

    Two documents are editions of one series when their titles are identical after removing the
    bracketed period and the ``上海市`` prefix, e.g. ``…行动方案（2020-2022年）`` and
    ``…行动方案（2023-2025年）``. Documents without dates to order them are not linked.
    """
    by_series: dict[str, list[DocumentRecord]] = {}
    for rec in records:
        key = _series_key(rec.meta.title)
        if key and rec.source_file in doc_ids and _PERIOD_RE.search(
            unicodedata.normalize("NFKC", rec.meta.title or "")
        ):
            by_series.setdefault(key, []).append(rec)
    links: list[ChainLink] = []
    for key, recs in sorted(by_series.items()):
        dated = sorted(
            (r for r in recs if _order_key(r)), key=lambda r: (_order_key(r), r.source_file)
        )
        for earlier, later in zip(dated, dated[1:]):
            if _order_key(earlier) == _order_key(later):
                continue
            links.append(ChainLink(
                later_id=doc_ids[later.source_file], earlier_id=doc_ids[earlier.source_file],
                relation="successor", score=1.0,
                evidence=f"same series 《{later.meta.title}》 follows 《{earlier.meta.title}》",
                level="document", later_source_file=later.source_file,
                earlier_source_file=earlier.source_file))
    return links


def _title_bigrams(title: str) -> set[str]:
    t = _PERIOD_RE.sub("", _nfkc(title))
    t = re.sub(r"^上海市", "", t)
    grams: set[str] = set()
    for run in _CJK_RUN_RE.findall(t):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def _lineage_links(eng: _Engine, mlinks: list[ChainLink],
                   successor_pairs: set[tuple[str, str]]) -> list[ChainLink]:
    """Document -> Document links of one policy line, from the measure links between them.

    score = 0.2·title + 0.2·sectors + 0.3·coverage + 0.3·strength, where title is the Dice
    overlap of the titles' character bigrams (period and 上海市 removed), sectors the IDF-weighted
    Dice overlap of the sectors the two documents' items concern, coverage the share of the
    smaller document's items taking part in a link (saturating at one half) and strength the
    mean of the three best item-link scores (saturating at 0.5). A pair needs
    ``document_min_links`` item links and ``document_min_score``.
    """
    cfg = eng.cfg
    by_pair: dict[tuple[str, str, str], list[ChainLink]] = defaultdict(list)
    for l in mlinks:
        by_pair[(l.later_source_file, l.earlier_source_file, l.relation)].append(l)
    doc_by_file = {d.record.source_file: d for d in eng.docs}
    doc_sectors: dict[int, dict[str, float]] = defaultdict(dict)
    sector_name: dict[str, str] = {}
    counts: Counter = Counter()
    for it in eng.items:
        for k, w in it.entities.items():
            if k.startswith("s:") and w >= 1.0:
                doc_sectors[it.doc][k] = eng.eidf.get(k, 0.0)
                sector_name.setdefault(k, it.entity_names.get(k, k[2:]))
        if it.kind not in cfg.goal_kinds:
            counts[it.doc] += 1
    out: list[ChainLink] = []
    for (lf, ef, relation), links in sorted(by_pair.items()):
        a, b = doc_by_file[lf], doc_by_file[ef]
        if (a.doc_id, b.doc_id) in successor_pairs or len(links) < cfg.document_min_links:
            continue
        ta, tb = _title_bigrams(a.record.meta.title), _title_bigrams(b.record.meta.title)
        title = 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0
        sa, sb = doc_sectors[a.index], doc_sectors[b.index]
        shared = set(sa) & set(sb)
        den = sum(sa.values()) + sum(sb.values())
        sect = 2 * sum(sa[k] for k in shared) / den if den else 0.0
        involved_a = {l.later_key for l in links}
        involved_b = {l.earlier_key for l in links}
        smaller = min(counts[a.index], counts[b.index]) or 1
        coverage = min(1.0, min(len(involved_a), len(involved_b)) / smaller / 0.5)
        top3 = sorted((l.score for l in links), reverse=True)[:3]
        strength = min(1.0, sum(top3) / len(top3) / 0.5)
        score = 0.2 * title + 0.2 * sect + 0.3 * coverage + 0.3 * strength
        if score < cfg.document_min_score:
            continue
        linked = Counter()
        for l in links:
            ia, ib = eng.item_by_id.get(l.later_id), eng.item_by_id.get(l.earlier_id)
            if ia is not None and ib is not None:
                linked.update(k for k in ia.entities if k.startswith("s:") and k in ib.entities
                              and ia.entities[k] >= 1.0 and ib.entities[k] >= 1.0)
        top_names = [sector_name[k] for k in sorted(shared, key=lambda k: (-linked[k], -sa[k], k))[:8]]
        parts = [f"{len(links)} item links ({len(involved_a)} later items, {len(involved_b)} "
                 f"earlier items); title {title:.2f} · sectors {sect:.2f} · coverage "
                 f"{coverage:.2f} · strength {strength:.2f}"]
        if top_names:
            parts.append("shared sectors: " + "、".join(top_names))
        if relation == "realizes" and b.written_after:
            parts.append(f"article written after {b.written_after} (it states: "
                         f"{b.written_after_evidence})")
        elif relation == "continues":
            parts.append(f"issued {a.date}, after {b.date}")
        out.append(ChainLink(
            later_id=a.doc_id, earlier_id=b.doc_id, relation=relation,
            score=round(min(1.0, score), 4), evidence="; ".join(parts), level="document",
            terms=tuple(top_names), later_source_file=lf, earlier_source_file=ef))
    return out


# ================================================================================== diff
def _agency_list(rows: Any) -> tuple[list[str], Optional[str]]:
    """Agencies in rank order and the lead, from names or {agency, role, rank} dicts."""
    if not rows:
        return [], None
    entries = []
    for pos, r in enumerate(rows):
        if isinstance(r, str):
            entries.append((pos + 1, r, "lead" if pos == 0 else "support"))
        else:
            name = r.get("agency") or r.get("name")
            entries.append((int(r.get("rank") or pos + 1), name, r.get("role") or "support"))
    entries.sort(key=lambda e: e[0])
    names = list(dict.fromkeys(e[1] for e in entries if e[1]))
    leads = [e[1] for e in entries if e[2] == "lead"]
    return names, (leads[0] if leads else None)


def _names(values: Any) -> list[str]:
    out = []
    for v in values or []:
        name = v if isinstance(v, str) else (v.get("name") or v.get("id"))
        if name and name not in out:
            out.append(name)
    return out


def _target_dict(t: Any) -> dict[str, Any]:
    if isinstance(t, Mapping):
        d = dict(t)
    else:
        d = {k: getattr(t, k, None) for k in ("metric", "value", "unit", "comparator", "year", "text")}
    return {k: d.get(k) for k in ("metric", "value", "unit", "comparator", "year", "text")}


def _metric_similar(a: str, b: str) -> bool:
    a, b = _nfkc(a or ""), _nfkc(b or "")
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    ga = {a[i:i + 2] for i in range(len(a) - 1)}
    gb = {b[i:i + 2] for i in range(len(b) - 1)}
    return bool(ga and gb) and 2 * len(ga & gb) / (len(ga) + len(gb)) >= 0.5


def chain_diff_from_rows(later: Mapping[str, Any], earlier: Mapping[str, Any]) -> ChainDiff:
    """What changed between two items given as plain data (e.g. read back from the graph).

    Each row: ``{"agencies": [...], "sectors": [...], "places": [...], "targets": [...]}``, all
    optional. ``agencies`` are names in rank order (first = lead) or dicts ``{"agency", "role",
    "rank"}``; ``sectors``/``places`` are names (or dicts with ``name``); ``targets`` are dicts
    with ``metric, value, unit, comparator, year`` (``text`` optional). Targets are comparable
    when their units are equal and their metrics share most of their characters.
    """
    before, lead_b = _agency_list(earlier.get("agencies"))
    after, lead_a = _agency_list(later.get("agencies"))
    sb, sa = _names(earlier.get("sectors")), _names(later.get("sectors"))
    pb, pa = _names(earlier.get("places")), _names(later.get("places"))
    tb = [_target_dict(t) for t in earlier.get("targets") or []]
    ta = [_target_dict(t) for t in later.get("targets") or []]
    raised: list[TargetChange] = []
    lowered: list[TargetChange] = []
    for t_after in ta:
        for t_before in tb:
            if (t_after.get("value") is None or t_before.get("value") is None
                    or (t_after.get("unit") or "") != (t_before.get("unit") or "")
                    or not _metric_similar(t_after.get("metric"), t_before.get("metric"))):
                continue
            change = TargetChange(
                metric=t_after.get("metric") or t_before.get("metric") or "",
                unit=t_after.get("unit") or "", before=float(t_before["value"]),
                after=float(t_after["value"]), year_before=t_before.get("year"),
                year_after=t_after.get("year"), comparator=t_after.get("comparator"))
            if change.after > change.before:
                raised.append(change)
            elif change.after < change.before:
                lowered.append(change)
            break
    return ChainDiff(
        agencies_before=before, agencies_after=after,
        agencies_added=[x for x in after if x not in before],
        agencies_dropped=[x for x in before if x not in after],
        lead_before=lead_b, lead_after=lead_a,
        lead_changed=bool(lead_b and lead_a and lead_b != lead_a),
        sectors_added=[x for x in sa if x not in sb], sectors_dropped=[x for x in sb if x not in sa],
        places_added=[x for x in pa if x not in pb], places_dropped=[x for x in pb if x not in pa],
        targets_before=tb, targets_after=ta, targets_raised=raised, targets_lowered=lowered)


def measure_row(m: Measure) -> dict[str, Any]:
    """A loader ``Measure`` as the plain row ``chain_diff_from_rows`` takes."""
    return {
        "agencies": [{"agency": r.agency, "role": r.role, "rank": r.rank} for r in m.responsibilities],
        "sectors": [s.name for s in m.sectors],
        "places": [p.name for p in m.places],
        "targets": [_target_dict(t) for t in m.targets],
    }


def chain_diff(later: Measure, earlier: Measure) -> ChainDiff:
    """What changed from ``earlier`` to ``later`` (loader ``Measure``s)."""
    return chain_diff_from_rows(measure_row(later), measure_row(earlier))


# ============================================================================= benchmark
def synthetic_corpus(records: list[DocumentRecord], n_docs: int, seed: int = 7) -> list[DocumentRecord]:
    """``n_docs`` documents sampled from ``records`` (benchmark only; see docs/chains.md).

    Each synthetic document takes a template document's metadata with its own file name, 文号 and
    issue date (2015-2025; research articles stay undated), and the template's number of items,
    each built from a random item's entities and label, its title with a quarter of the
    characters replaced at random, and three sentences sampled from the whole corpus with 15% of
    the characters replaced: a corpus as large as a real 1,000-document one, with the corpus's
    vocabulary, in which no two documents share their text.
    """
    import copy
    import random

    rng = random.Random(seed)
    pool = [m for r in records for m in r.measures]
    sentences = [s for m in pool for s in re.split(r"(?<=[。；])", _strip_label_title(m)) if len(s) > 8]
    chars = sorted({c for r in records for c in r.text if "\u4e00" <= c <= "\u9fff"})

    def noisy(text: str, p: float) -> str:
        return "".join(rng.choice(chars) if "\u4e00" <= c <= "\u9fff" and rng.random() < p else c
                       for c in text)

    out: list[DocumentRecord] = []
    for i in range(n_docs):
        tpl = records[i % len(records)]
        rec = copy.copy(tpl)
        meta = copy.copy(tpl.meta)
        meta.source_file = f"syn{i:05d}_{tpl.source_file}"
        if meta.doc_number or meta.issued:
            year = rng.randint(2015, 2025)
            meta.doc_number = f"沪合成〔{year}〕{i}号"
            meta.issued = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rec.meta = meta
        measures = []
        for k in range(max(5, len(tpl.measures))):
            src = rng.choice(pool)
            m = copy.copy(src)
            m.key = f"s{k}"
            m.kind = tpl.measures[k % len(tpl.measures)].kind if tpl.measures else src.kind
            m.title = noisy(src.title, 0.25)
            body = noisy("".join(rng.sample(sentences, 3)), 0.15)
            m.text = f"{m.label}{m.title}。{body}"
            measures.append(m)
        rec.measures = measures
        rec.text = "".join(m.text for m in measures)
        out.append(rec)
    return out


def _bench(n_docs: int) -> None:
    from graph.build import document_id
    from loaders.pipeline import DEFAULT_CORPUS_DIR, iter_document_files, load_file

    records = [load_file(p) for p in iter_document_files([DEFAULT_CORPUS_DIR])]
    st = ChainStats()
    compute_chains(records, {r.source_file: document_id(r) for r in records}, stats=st)
    print("corpus:   ", st.summary())
    if n_docs:
        syn = synthetic_corpus(records, n_docs)
        st = ChainStats()
        compute_chains(syn, {r.source_file: document_id(r) for r in syn}, stats=st)
        print("synthetic:", st.summary())


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="plan-chain runtime on the corpus (and a synthetic one)")
    parser.add_argument("--bench", type=int, default=0, metavar="N_DOCS")
    _bench(parser.parse_args().bench)
