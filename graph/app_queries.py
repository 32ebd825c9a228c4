"""Small read helpers the explorer app needs beyond ``graph.queries`` (kept separate on purpose).

Takes: a ``GraphStore`` (any backend) and parameters; uses only portable, parameterized Cypher
(the rules at the top of ``graph.cypher`` apply: explicit labels, no ``label()``/APOC, ``end``
back-quoted).
Gives: plain dicts / lists:

=========================  ====================================================================
graph_fingerprint          a short string that changes when the stored graph changes
node                       one node as a normalized store dict (or None)
node_relations             a node's relationships with provenance (type, direction, other end)
document_text              the normalized full text of a document
document_measures          measures of a document with their text (for highlighting)
document_chapters          chapters of a document in order
document_shared_entities   pairs of documents sharing agencies, sectors or places (counts)
related_measures           measures of other documents sharing sectors/places/agencies with one
                           measure, best first (a stand-in until CONTINUES chains exist)
measure_chains             CONTINUES predecessors and successors of one measure
=========================  ====================================================================

If one of these becomes generally useful, it should move to ``graph.queries``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional

from graph.store import GraphStore

_INTERNAL_TIMEOUT_S = 60.0

FINGERPRINT = """
MATCH (d:Document)
RETURN d.id AS id, d.sha256 AS sha256, d.title AS title
"""
COUNT_MEASURES = "MATCH (m:Measure) RETURN count(m) AS n"
COUNT_RESPONSIBLE = "MATCH (:Agency)-[r:RESPONSIBLE_FOR]->(:Measure) RETURN count(r) AS n"

NODE = "MATCH (n) WHERE n.id = $id RETURN n"

NODE_OUT = "MATCH (n)-[r]->(m) WHERE n.id = $id RETURN r, m LIMIT $limit"
NODE_IN = "MATCH (m)-[r]->(n) WHERE n.id = $id RETURN r, m LIMIT $limit"

DOCUMENT_TEXT = "MATCH (d:Document) WHERE d.id = $id RETURN d.text AS text"

DOCUMENT_MEASURES = """
MATCH (m:Measure) WHERE m.document_id = $id
RETURN m.id AS id, m.key AS key, m.parent_key AS parent_key, m.number AS number,
       m.label AS label, m.title AS title, m.text AS text, m.kind AS kind, m.chapter AS chapter,
       m.level AS level, m.seq AS seq, m.line AS line, m.start AS start, m.`end` AS stop
"""

DOCUMENT_CHAPTERS = """
MATCH (c:Chapter) WHERE c.document_id = $id
RETURN c.id AS id, c.key AS key, c.heading AS heading, c.seq AS seq, c.line AS line
"""

MEASURE_RESPONSIBILITY_CLAUSES = """
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure) WHERE m.document_id = $id
RETURN DISTINCT m.id AS measure_id, r.source_text AS clause
"""

SHARED_AGENCIES = """
MATCH (a:Agency)-[:RESPONSIBLE_FOR]->(m1:Measure), (a)-[:RESPONSIBLE_FOR]->(m2:Measure)
WHERE m1.document_id < m2.document_id
RETURN m1.document_id AS doc_a, m2.document_id AS doc_b, a.name AS name,
       count(DISTINCT m1) AS n_a, count(DISTINCT m2) AS n_b
"""
SHARED_SECTORS = """
MATCH (m1:Measure)-[:CONCERNS]->(s:Sector)<-[:CONCERNS]-(m2:Measure)
WHERE m1.document_id < m2.document_id
RETURN m1.document_id AS doc_a, m2.document_id AS doc_b, s.name AS name,
       count(DISTINCT m1) AS n_a, count(DISTINCT m2) AS n_b
"""
SHARED_PLACES = """
MATCH (m1:Measure)-[:LOCATED_IN]->(p:Place)<-[:LOCATED_IN]-(m2:Measure)
WHERE m1.document_id < m2.document_id
RETURN m1.document_id AS doc_a, m2.document_id AS doc_b, p.name AS name,
       count(DISTINCT m1) AS n_a, count(DISTINCT m2) AS n_b
"""

RELATED_BY_SECTOR = """
MATCH (m:Measure)-[:CONCERNS]->(s:Sector)<-[:CONCERNS]-(o:Measure)
WHERE m.id = $id AND o.document_id <> m.document_id
RETURN o.id AS id, s.name AS shared
"""
RELATED_BY_PLACE = """
MATCH (m:Measure)-[:LOCATED_IN]->(p:Place)<-[:LOCATED_IN]-(o:Measure)
WHERE m.id = $id AND o.document_id <> m.document_id
RETURN o.id AS id, p.name AS shared
"""
RELATED_BY_AGENCY = """
MATCH (m:Measure)<-[:RESPONSIBLE_FOR]-(a:Agency)-[:RESPONSIBLE_FOR]->(o:Measure)
WHERE m.id = $id AND o.document_id <> m.document_id
RETURN o.id AS id, a.name AS shared
"""
MEASURES_BY_ID = """
MATCH (o:Measure) WHERE o.id IN $ids
RETURN o.id AS id, o.source_file AS source_file, o.document_id AS document_id,
       o.number AS number, o.title AS title, o.chapter AS chapter
"""

CONTINUES_FROM = """
MATCH (m:Measure)-[c:CONTINUES]->(e:Measure) WHERE m.id = $id
RETURN e.id AS id, e.source_file AS source_file, e.number AS number, e.title AS title,
       c.relation AS relation, c.score AS score, c.evidence AS evidence
"""
CONTINUED_BY = """
MATCH (l:Measure)-[c:CONTINUES]->(m:Measure) WHERE m.id = $id
RETURN l.id AS id, l.source_file AS source_file, l.number AS number, l.title AS title,
       c.relation AS relation, c.score AS score, c.evidence AS evidence
"""


def _rows(store: GraphStore, cypher: str, params: Optional[dict[str, Any]] = None) -> list[dict]:
    return store.query(cypher, params or {}, timeout_s=_INTERNAL_TIMEOUT_S,
                       max_rows=None).records()


def graph_fingerprint(store: GraphStore) -> str:
    """Documents (id, hash, title) plus measure and responsibility counts, hashed."""
    docs = sorted((r["id"], r["sha256"] or "", r["title"] or "")
                  for r in _rows(store, FINGERPRINT))
    parts = [docs, _rows(store, COUNT_MEASURES)[0]["n"], _rows(store, COUNT_RESPONSIBLE)[0]["n"]]
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()[:12]


def node(store: GraphStore, node_id: str) -> Optional[dict]:
    rows = _rows(store, NODE, {"id": node_id})
    return rows[0]["n"] if rows else None


def node_relations(store: GraphStore, node_id: str, limit: int = 200) -> list[dict]:
    """Relationships of a node: ``{direction, type, other (node dict), properties}``."""
    out = []
    for direction, cy in (("out", NODE_OUT), ("in", NODE_IN)):
        for r in _rows(store, cy, {"id": node_id, "limit": int(limit)}):
            props = {k: v for k, v in r["r"].items() if not k.startswith("_")}
            out.append({"direction": direction, "type": r["r"]["_type"], "other": r["m"],
                        "properties": props})
    return out


def document_text(store: GraphStore, document_id: str) -> str:
    rows = _rows(store, DOCUMENT_TEXT, {"id": document_id})
    return (rows[0]["text"] or "") if rows else ""


def document_measures(store: GraphStore, document_id: str) -> list[dict]:
    """Measures in document order with text and the responsibility clauses found in them."""
    clauses: dict[str, list[str]] = {}
    for r in _rows(store, MEASURE_RESPONSIBILITY_CLAUSES, {"id": document_id}):
        if r["clause"]:
            clauses.setdefault(r["measure_id"], []).append(r["clause"])
    rows = _rows(store, DOCUMENT_MEASURES, {"id": document_id})
    for r in rows:
        r["clauses"] = sorted(set(clauses.get(r["id"], [])))
    return sorted(rows, key=lambda r: (r["seq"] or 0, r["id"]))


def document_chapters(store: GraphStore, document_id: str) -> list[dict]:
    return sorted(_rows(store, DOCUMENT_CHAPTERS, {"id": document_id}),
                  key=lambda r: (r["seq"] or 0, r["id"]))


def document_shared_entities(store: GraphStore) -> list[dict]:
    """``{doc_a, doc_b, kind (agency|sector|place), name, n_a, n_b}``: what the measures of two
    documents share (``doc_a < doc_b``; ``n_a``/``n_b`` count the measures on each side)."""
    out = []
    for kind, cy in (("agency", SHARED_AGENCIES), ("sector", SHARED_SECTORS),
                     ("place", SHARED_PLACES)):
        for r in _rows(store, cy):
            out.append({**r, "kind": kind})
    return sorted(out, key=lambda r: (r["doc_a"], r["doc_b"], r["kind"], r["name"] or ""))


def related_measures(store: GraphStore, measure_id: str, limit: int = 15) -> list[dict]:
    """Measures in other documents sharing sectors, places or agencies, most shared first."""
    shared: dict[str, dict[str, set[str]]] = {}
    for kind, cy in (("sectors", RELATED_BY_SECTOR), ("places", RELATED_BY_PLACE),
                     ("agencies", RELATED_BY_AGENCY)):
        for r in _rows(store, cy, {"id": measure_id}):
            shared.setdefault(r["id"], {"sectors": set(), "places": set(), "agencies": set()})[
                kind].add(r["shared"])

    def score(item: tuple[str, dict[str, set[str]]]) -> tuple:
        s = item[1]
        return (-(2 * len(s["places"]) + 2 * len(s["sectors"]) + len(s["agencies"])), item[0])

    best = sorted(shared.items(), key=score)[:limit]
    info = {r["id"]: r for r in _rows(store, MEASURES_BY_ID, {"ids": [i for i, _ in best]})}
    out = []
    for mid, s in best:
        row = dict(info.get(mid, {"id": mid}))
        row.update({k: sorted(v) for k, v in s.items()})
        row["score"] = -score((mid, s))[0]
        out.append(row)
    return out


def measure_chains(store: GraphStore, measure_id: str) -> dict[str, list[dict]]:
    """``{"predecessors": [...], "successors": [...]}`` along CONTINUES (later -> earlier)."""
    return {"predecessors": _rows(store, CONTINUES_FROM, {"id": measure_id}),
            "successors": _rows(store, CONTINUED_BY, {"id": measure_id})}
