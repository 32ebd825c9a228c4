"""Build the neutral policy graph from loader records.

Takes: ``DocumentRecord``s (from ``loaders.pipeline``) and optionally a gazetteer
(``loaders.gazetteer.load_gazetteer()``; the API used is ``agencies``/``sectors``/``places``,
``resolve_agency(written)`` and ``sector_ancestors(id)``).
Gives: ``GraphBuilder`` -- the graph built one document at a time (``add(record)`` gives that
document's part, ``finish()`` the shared nodes, citations and plan chains), which is how the CLI
streams a build to the store without holding the corpus; ``iter_graph_parts(records)``;
``build_graph(records, gazetteer=None) -> GraphData`` (all parts merged), with the labels and
relationship types of ``graph.schema``; the id helpers (``document_id``, ``measure_id`` ...);
``normalize_title``; ``dedupe_records``.

Ids are stable (same input => same id, whatever the load order):

=========  ===============================================================================
Document   ``doc:<sha1(文号 NFKC, no spaces)[:12]>``, or ``doc:<sha1(source_file)[:12]>``
           without a 文号; external (cited, not loaded) ``doc:ext:<sha1(normalized title)[:12]>``
Chapter    ``<document id>/<chapter key>``     e.g. ``doc:1a2b3c4d5e6f/c2``
Measure    ``<document id>/<measure key>``     e.g. ``doc:1a2b3c4d5e6f/c2.m1``
Target     ``<document id>/t<n>`` (document list) or ``<measure id>/t<n>`` (n: 1-based position)
Agency     ``agency:<canonical short name>``
Sector     ``sector:<vocabulary id>``
Place      ``place:<gazetteer id>``
=========  ===============================================================================

Choices worth knowing:

* Group places (e.g. 三个生态园) are linked to their members with ``(member)-[:WITHIN]->(group)``,
  like a park to its district: "within" reads as "part of". A place is also ``WITHIN`` its
  gazetteer parent (``within``) and its district's Place when the district is a known place.
* ``BROADER`` edges cover the whole ancestor chain of every sector used (by a measure, a document
  or a place), so a query for a broad sector can follow ``BROADER*`` down.
* A cited title becomes a ``CITES {relation: cites|implements}`` edge to the loaded document with
  the same normalized title (brackets, quotes, spaces removed; bracketed year ranges normalized;
  a title without its period matches when exactly one document fits), else to an external
  Document node (``external=true``, title only). Self-citations (the 印发《…》的通知 line) are dropped.
* Two records with the same document id (same 文号) are deduplicated by ``dedupe_records``: the
  one with the smaller ``source_file`` wins; the CLI reports the dropped file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, Iterable, Iterator, Optional

from graph.chains import chain_view, compute_chains, republication_digest
from graph.model import Edge, GraphData, Node
from loaders.records import DocumentRecord, Measure, PlaceMention, SourceSpan, Target

_TITLE_DROP_RE = re.compile(r"[《》«»〈〉<>“”\"'‘’「」『』\s]")
_PERIOD_RE = re.compile(r"\(\s*(\d{4})\s*[-—–－~～至到]+\s*(\d{4})\s*年?\s*\)")
_CJK_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def _sha(text: str, n: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def normalize_doc_number(doc_number: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", doc_number))


def normalize_title(title: str) -> str:
    """Matching key of a title: NFKC, no brackets/quotes/spaces, year ranges as ``(2020-2022年)``."""
    t = unicodedata.normalize("NFKC", title or "")
    t = _TITLE_DROP_RE.sub("", t)
    return _PERIOD_RE.sub(lambda m: f"({m.group(1)}-{m.group(2)}年)", t)


def _title_without_period(key: str) -> str:
    return re.sub(r"\(\d{4}-\d{4}年\)", "", key)


def clean_title(title: str) -> str:
    """A cited title for display: brackets removed, spaces between Chinese characters removed."""
    t = unicodedata.normalize("NFKC", title or "").strip().strip("《》«»〈〉").strip()
    return _CJK_SPACE_RE.sub("", t)


def document_id(record: DocumentRecord) -> str:
    if record.meta.doc_number and record.meta.doc_number.strip():
        return "doc:" + _sha(normalize_doc_number(record.meta.doc_number))
    return "doc:" + _sha(record.meta.source_file)


def external_document_id(title: str) -> str:
    return "doc:ext:" + _sha(normalize_title(title))


def chapter_id(doc_id: str, chapter_key: str) -> str:
    return f"{doc_id}/{chapter_key}"


def measure_id(doc_id: str, measure_key: str) -> str:
    return f"{doc_id}/{measure_key}"


def agency_id(name: str) -> str:
    return name if name.startswith("agency:") else f"agency:{name}"


def sector_id(vocab_id: str) -> str:
    return f"sector:{vocab_id}"


def place_id(gazetteer_id: str) -> str:
    """``place:<id>``; ids already carrying the prefix (uncatalogued places) are kept."""
    return gazetteer_id if gazetteer_id.startswith("place:") else f"place:{gazetteer_id}"


class _SeenDocuments:
    """The documents kept so far, by file and by document id: the first of two duplicates wins."""

    def __init__(self) -> None:
        self.by_file: dict[str, str] = {}
        self.by_id: dict[str, str] = {}  # document id -> source file

    def duplicate(self, rec: DocumentRecord, did: str) -> Optional[str]:
        """Why ``rec`` duplicates a kept document (a message naming both), or None after keeping it."""
        if rec.source_file in self.by_file:
            return f"{rec.source_file}: loaded twice; keeping one copy"
        if did in self.by_id:
            return (f"{rec.source_file}: same document number {rec.meta.doc_number} as "
                    f"{self.by_id[did]}; keeping {self.by_id[did]}")
        self.by_file[rec.source_file] = did
        self.by_id[did] = rec.source_file
        return None


def dedupe_records(records: Iterable[DocumentRecord]) -> tuple[list[DocumentRecord], list[str]]:
    """Records sorted by source_file with duplicates (same file or same document id) removed.

    Returns ``(kept, messages)``; each message names the dropped file and the one kept.
    """
    kept: list[DocumentRecord] = []
    seen = _SeenDocuments()
    messages: list[str] = []
    for rec in sorted(records, key=lambda r: r.source_file):
        message = seen.duplicate(rec, document_id(rec))
        if message:
            messages.append(message)
        else:
            kept.append(rec)
    return kept, messages


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value if v]
    return [str(value)]


def _prov(span: Optional[SourceSpan], text: Optional[str] = None) -> dict[str, Any]:
    if span is None:
        return {"source_file": None, "line": None, "source_text": text}
    return {"source_file": span.source_file, "line": span.line,
            "source_text": text if text is not None else span.text}


def _link_mentions(g: GraphData, b: "_Builder", owner: str, sectors, places, source_file: str) -> None:
    """CONCERNS/LOCATED_IN edges from a measure or document, and the places' FOCUSES_ON sectors."""
    for s in sectors:
        g.add_edge(Edge(owner, "CONCERNS", b.sector(s.sector_id, s.name), _prov(s.span)))
    for p in places:
        pid = b.place(p.place_id, p)
        g.add_edge(Edge(owner, "LOCATED_IN", pid, _prov(p.span)))
        for sid_raw in p.sectors:  # place -> sector: a shared edge, kept by the builder
            sid = b.sector(sid_raw)
            if (pid, "FOCUSES_ON", sid) in b.g.edges:  # the first mention gives the provenance
                continue
            b.g.add_edge(Edge(pid, "FOCUSES_ON", sid, {
                "source_file": source_file, "line": p.span.line if p.span else None,
            }))


class _Builder:
    def __init__(self, gazetteer: Any):
        self.g = GraphData()
        self.gaz = gazetteer
        self.sectors = {s.id: s for s in getattr(gazetteer, "sectors", [])} if gazetteer else {}
        self.places = {p.id: p for p in getattr(gazetteer, "places", [])} if gazetteer else {}
        self.place_by_name: dict[str, str] = {}
        for p in self.places.values():
            for name in [p.name, *_as_list(getattr(p, "aliases", None))]:
                self.place_by_name.setdefault(name, p.id)
        self.agency_written: dict[str, list[str]] = {}
        self._agency_ids: dict[tuple[str, Optional[str], bool], str] = {}

    # -- agencies ---------------------------------------------------------------------------
    def agency(self, name: str, written: Optional[str] = None, catalogued: bool = False) -> str:
        key = (name, written, catalogued)
        aid = self._agency_ids.get(key)
        if aid is not None:  # the node and its written forms are already recorded
            return aid
        aid = self._agency(name, written, catalogued)
        self._agency_ids[key] = aid
        return aid

    def _agency(self, name: str, written: Optional[str], catalogued: bool) -> str:
        entry = None
        if self.gaz is not None:
            entry = self.gaz.resolve_agency(name) or (
                self.gaz.resolve_agency(written) if written else None
            )
        if entry is not None:
            aid = agency_id(entry.name)
            aliases = _as_list(getattr(entry, "aliases", None))
            self.g.add_node(Node(aid, "Agency", {
                "name": entry.name, "full_name": getattr(entry, "full_name", None) or None,
                "kind": getattr(entry, "kind", None) or None,
                "aliases": "|".join(aliases) or None, "catalogued": True,
            }))
        else:
            aid = agency_id(name)
            self.g.add_node(Node(aid, "Agency", {
                "name": name, "full_name": None, "kind": None, "aliases": None,
                "catalogued": bool(catalogued) and self.gaz is None,
            }))
            if written and written != name:
                forms = self.agency_written.setdefault(aid, [])
                if written not in forms:
                    forms.append(written)
        return aid

    def finish_agencies(self) -> None:
        """Uncatalogued agencies: the written forms seen become their aliases."""
        for aid, forms in self.agency_written.items():
            node = self.g.nodes[aid]
            if node.properties.get("aliases") is None and not node.properties.get("full_name"):
                props = dict(node.properties, aliases="|".join(sorted(forms)))
                self.g.nodes[aid] = Node(aid, "Agency", props)

    # -- sectors ----------------------------------------------------------------------------
    def sector(self, vid: str, name: Optional[str] = None) -> str:
        sid = sector_id(vid)
        if sid in self.g.nodes:
            return sid
        entry = self.sectors.get(vid)
        self.g.add_node(Node(sid, "Sector", {
            "name": getattr(entry, "name", None) or name or vid,
            "name_en": getattr(entry, "name_en", None) or None,
            "level": getattr(entry, "level", None),
        }))
        if entry is not None:
            for parent in _as_list(getattr(entry, "broader", None)):
                if parent != vid:
                    pid = self.sector(parent)
                    self.g.add_edge(Edge(sid, "BROADER", pid))
        return sid

    # -- places -----------------------------------------------------------------------------
    def place(self, pid_raw: str, mention: Optional[PlaceMention] = None) -> str:
        pid = place_id(pid_raw)
        if pid in self.g.nodes:
            if mention is not None:  # fill district/kind a later mention knows
                self.g.add_node(Node(pid, "Place", {"district": mention.district,
                                                    "kind": mention.kind}))
            return pid
        entry = self.places.get(pid_raw)
        self.g.add_node(Node(pid, "Place", {
            "name": getattr(entry, "name", None) or (mention.name if mention else pid_raw),
            "kind": getattr(entry, "kind", None) or (mention.kind if mention else None),
            "district": getattr(entry, "district", None) or (mention.district if mention else None),
            "catalogued": entry is not None,
            "aliases": "|".join(_as_list(getattr(entry, "aliases", None))) or None,
        }))
        if entry is not None:
            for parent in _as_list(getattr(entry, "within", None)):
                parent_id = parent if parent in self.places else self.place_by_name.get(parent)
                if parent_id and parent_id != pid_raw:
                    self.g.add_edge(Edge(pid, "WITHIN", self.place(parent_id)))
            district = getattr(entry, "district", None)
            did = None
            if district:
                did = district if district in self.places else self.place_by_name.get(district)
            if did and did != pid_raw:
                self.g.add_edge(Edge(pid, "WITHIN", self.place(did)))
            for member in _as_list(getattr(entry, "members", None)):
                mid = member if member in self.places else self.place_by_name.get(member)
                if mid and mid != pid_raw:
                    self.g.add_edge(Edge(self.place(mid), "WITHIN", pid))
        return pid

def _measure_props(doc_id: str, rec: DocumentRecord, m: Measure) -> dict[str, Any]:
    return {
        "document_id": doc_id, "source_file": rec.source_file,
        "doc_number": rec.meta.doc_number, "number": m.number, "label": m.label,
        "title": m.title, "text": m.text, "kind": m.kind, "chapter": m.chapter,
        "level": m.level, "seq": m.order, "line": m.span.line if m.span else None,
        "start": m.span.start if m.span else None, "end": m.span.end if m.span else None,
        "key": m.key, "parent_key": m.parent_key,
    }


def default_gazetteer() -> Any:
    """The project gazetteer, or None when ``loaders.gazetteer`` is not available."""
    try:
        from loaders.gazetteer import load_gazetteer
    except ImportError:
        return None
    return load_gazetteer()


class GraphBuilder:
    """Builds the graph one document at a time, so a build never holds the whole corpus.

    ``add(record)`` returns the document's own part of the graph -- its Document, Chapter,
    Measure and Target nodes and every edge that starts or ends at one of them -- or ``None``
    when the record duplicates an earlier one (same file, or same document id; the message is in
    ``dropped``). Shared nodes (Agency, Sector, Place, external Documents) and the links that need
    every document (CITES, plan chains) come last, from ``finish()``. Records must arrive sorted by
    ``source_file`` (the first of two duplicates wins, as in ``dedupe_records``).

    Between the two, the builder keeps only what the cross-document passes need: the shared
    nodes, one title/citation entry per document, and for plan chains the records without their
    full text -- one per group of re-published copies (``graph.chains``).
    """

    def __init__(self, gazetteer: Any = None):
        if gazetteer is None:
            gazetteer = default_gazetteer()
        self.gazetteer = gazetteer
        self._b = _Builder(gazetteer)
        self.shared = self._b.g  # shared nodes and the edges among them
        self.dropped: list[str] = []
        self.documents = 0
        self._seen = _SeenDocuments()
        self._citations: list[tuple[str, str, str, Optional[int], list[tuple[str, str]]]] = []
        self._chain_records: list[DocumentRecord] = []
        self._chain_digests: set[str] = set()
        self._measure_ids: set[str] = set()
        self._last_file = ""
        self._finished = False

    def add(self, rec: DocumentRecord) -> Optional[GraphData]:
        if self._finished:
            raise RuntimeError("GraphBuilder.add after finish()")
        if rec.source_file < self._last_file:
            raise ValueError(f"records must arrive sorted by source_file: {rec.source_file} "
                             f"after {self._last_file}")
        self._last_file = rec.source_file
        did = document_id(rec)
        message = self._seen.duplicate(rec, did)
        if message:
            self.dropped.append(message)
            return None
        self.documents += 1
        part = self._document_part(rec, did)
        meta = rec.meta
        self._citations.append((did, rec.source_file, normalize_title(meta.title),
                                meta.span.line if meta.span else None,
                                [("implements", t) for t in meta.implements]
                                + [("cites", t) for t in meta.cites]))
        digest = republication_digest(rec)
        if digest is None or digest not in self._chain_digests:
            if digest is not None:
                self._chain_digests.add(digest)
            self._chain_records.append(chain_view(rec))
        self._measure_ids.update(n.id for n in part.nodes.values() if n.label == "Measure")
        return part

    def _document_part(self, rec: DocumentRecord, did: str) -> GraphData:
        b = self._b
        g = GraphData()
        meta = rec.meta
        g.add_node(Node(did, "Document", {
            "title": meta.title, "doc_number": meta.doc_number, "issuer": meta.issuer,
            "issued": meta.issued, "valid_from": meta.valid_from, "valid_to": meta.valid_to,
            "kind": meta.kind, "source_file": meta.source_file, "sha256": rec.raw_sha256 or None,
            "external": False, "text": rec.text,
        }))
        if meta.issuer:
            g.add_edge(Edge(did, "ISSUED_BY", b.agency(meta.issuer, meta.issuer)))

        for ch in rec.chapters:
            cid = chapter_id(did, ch.key)
            g.add_node(Node(cid, "Chapter", {
                "document_id": did, "source_file": rec.source_file, "number": ch.number,
                "label": ch.label, "title": ch.title, "heading": ch.heading, "seq": ch.order,
                "line": ch.span.line if ch.span else None, "key": ch.key,
            }))
            g.add_edge(Edge(did, "CONTAINS", cid, {"seq": ch.order}))

        measure_keys = {m.key for m in rec.measures}
        chapter_keys = {c.key for c in rec.chapters}
        for m in rec.measures:
            mid = measure_id(did, m.key)
            g.add_node(Node(mid, "Measure", _measure_props(did, rec, m)))
            if m.parent_key and m.parent_key in measure_keys:
                parent = measure_id(did, m.parent_key)
            elif m.chapter_key and m.chapter_key in chapter_keys:
                parent = chapter_id(did, m.chapter_key)
            else:
                parent = did
            g.add_edge(Edge(parent, "CONTAINS", mid, {"seq": m.order}))

            for r in m.responsibilities:
                aid = b.agency(r.agency, r.written, r.catalogued)
                g.add_edge(Edge(aid, "RESPONSIBLE_FOR", mid, {
                    "role": r.role, "rank": r.rank, "written": r.written,
                    **_prov(r.span, r.clause),
                }))
            _link_mentions(g, b, mid, m.sectors, m.places, rec.source_file)
            for n, t in enumerate(m.targets, 1):
                g.add_edge(Edge(mid, "SETS", _target(g, f"{mid}/t{n}", t)))
            for am in m.agency_mentions:
                aid = b.agency(am.agency, am.written, am.catalogued)
                g.add_edge(Edge(mid, "MENTIONS", aid, _prov(am.span)))

        for r in rec.leads:
            aid = b.agency(r.agency, r.written, r.catalogued)
            g.add_edge(Edge(aid, "LEADS", did, {"rank": r.rank, **_prov(r.span, r.clause)}))
        for n, t in enumerate(rec.targets, 1):
            owner = measure_id(did, t.measure_key) if t.measure_key in measure_keys else did
            g.add_edge(Edge(owner, "SETS", _target(g, f"{did}/t{n}", t)))
        _link_mentions(g, b, did, rec.sectors, rec.places, rec.source_file)
        self._label_references(g)
        return g

    def _label_references(self, g: GraphData) -> None:
        """Name the label of every node an edge of ``g`` reaches outside ``g`` (see GraphData)."""
        for source, _type, target in g.edges:
            for nid in (source, target):
                if nid not in g.nodes and nid not in g.refs:
                    g.refs[nid] = self.shared.label_of(nid)

    def finish(self) -> GraphData:
        """The shared nodes, citations and plan chains: the last part of the graph."""
        if self._finished:
            raise RuntimeError("GraphBuilder.finish called twice")
        self._finished = True
        b = self._b
        g = self.shared
        by_title: dict[str, list[str]] = {}
        by_short: dict[str, list[str]] = {}
        for did, _file, key, _line, _titles in self._citations:
            if key:
                by_title.setdefault(key, []).append(did)
                by_short.setdefault(_title_without_period(key), []).append(did)
        loaded = set(self._seen.by_id)
        # citations: implements first so it wins over a plain cite of the same title
        for did, source_file, own_key, line, titles in self._citations:
            for relation, title in titles:
                key = normalize_title(title)
                if not key or key == own_key:
                    continue
                match = by_title.get(key) or []
                if len(match) != 1:
                    short = by_short.get(_title_without_period(key)) or []
                    match = short if len(short) == 1 else []
                if match and match[0] == did:
                    continue
                if match:
                    target = match[0]
                else:
                    target = external_document_id(title)
                    g.add_node(Node(target, "Document", {
                        "title": clean_title(title), "external": True,
                    }))
                g.add_edge(Edge(did, "CITES", target, {
                    "relation": relation, "source_file": source_file, "line": line,
                    "source_text": title,
                }))
        b.finish_agencies()
        doc_ids = dict(self._seen.by_file)
        for link in compute_chains(self._chain_records, doc_ids, gazetteer=self.gazetteer):
            ends = (link.later_id, link.earlier_id)
            if all(e in loaded or e in self._measure_ids or e in g.nodes for e in ends):
                g.add_edge(Edge(link.later_id, "CONTINUES", link.earlier_id, {
                    "score": float(link.score), "evidence": link.evidence,
                    "relation": link.relation,
                }))
        for source, _type, target in g.edges:
            for nid in (source, target):
                if nid not in g.nodes:
                    g.refs[nid] = "Document" if nid in loaded else "Measure"
        self._chain_records = []
        return g


def _target(g: GraphData, tid: str, t: Target) -> str:
    g.add_node(Node(tid, "Target", {
        "metric": t.metric, "value": float(t.value) if t.value is not None else None,
        "unit": t.unit, "comparator": t.comparator, "year": t.year, "text": t.text,
        "source_file": t.span.source_file if t.span else None,
        "line": t.span.line if t.span else None,
    }))
    return tid


def iter_graph_parts(records: Iterable[DocumentRecord], gazetteer: Any = None) -> Iterator[GraphData]:
    """The graph of ``records`` (sorted by source_file) in parts: one per document, then the
    shared part (``GraphBuilder``)."""
    builder = GraphBuilder(gazetteer)
    for rec in records:
        part = builder.add(rec)
        if part is not None:
            yield part
    yield builder.finish()


def build_graph(records: list[DocumentRecord], gazetteer: Any = None) -> GraphData:
    """Canonicalize, dedupe and link ``records`` into one ``GraphData`` (all parts merged).

    ``gazetteer=None`` uses the project gazetteer when ``loaders.gazetteer`` exists; pass any object
    with the gazetteer API (tests pass a small one) to control it.
    """
    g = GraphData()
    for part in iter_graph_parts(sorted(records, key=lambda r: r.source_file), gazetteer):
        g.merge(part)
    g.refs = {}
    return g
