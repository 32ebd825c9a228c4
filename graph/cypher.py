"""Every Cypher text the project runs (except the store-internal DDL/COPY), as named constants.

Takes: nothing.
Gives: named query strings used by ``graph.queries`` (and by any ``GraphStore`` backend), the
per-label/per-type count queries generated from ``graph.schema``, and ``EXAMPLE_QUERIES``: the
DESIGN.md example questions as ``ExampleQuery(name, title_zh, title_en, cypher, params)``.

Portability rules (the same text must run on LadybugDB and on Neo4j 5):

* labels are matched explicitly (``(m:Measure)``); no ``label()``/``labels()``/``type()``;
* no ``shortestPath``, no APOC, no ``UNION`` with ``null`` columns (LadybugDB types them ANY);
* optional filters are list parameters tested with ``size($x) = 0 OR v IN $x``;
* counting with ``count(CASE WHEN … THEN 1 END)`` (``sum`` of CASE is DECIMAL on LadybugDB);
* ``end`` is a LadybugDB keyword: write ``m.`end` `` when it is needed;
* every user value is a ``$parameter``, never formatted into the text.

Final ordering for exports is done in ``graph.queries`` (engines order nulls differently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.schema import NODE_TYPES, REL_TYPES

# -- counts (generated from the schema) ------------------------------------------------------
COUNT_NODES: dict[str, str] = {
    nt.label: f"MATCH (n:{nt.label}) RETURN count(n) AS n" for nt in NODE_TYPES
}
COUNT_RELS: dict[str, str] = {
    rt.name: f"MATCH ()-[r:{rt.name}]->() RETURN count(r) AS n" for rt in REL_TYPES
}

# -- documents --------------------------------------------------------------------------------
DOCUMENTS = """
MATCH (d:Document)
RETURN d.id AS id, d.source_file AS source_file, d.title AS title, d.doc_number AS doc_number,
       d.issuer AS issuer, d.issued AS issued, d.valid_from AS valid_from,
       d.valid_to AS valid_to, d.kind AS kind, d.external AS external
"""

DOCUMENT_CITES = """
MATCH (d:Document)-[c:CITES]->(e:Document)
RETURN d.id AS document_id, e.id AS cited_id, e.title AS cited_title,
       e.source_file AS cited_source_file, c.relation AS relation, c.line AS line
"""

DOCUMENT_CONTINUES = """
MATCH (d:Document)-[c:CONTINUES]->(e:Document)
RETURN d.id AS document_id, e.id AS earlier_id, e.title AS earlier_title,
       e.source_file AS earlier_source_file, c.relation AS relation, c.score AS score,
       c.evidence AS evidence
"""

DOCUMENT_ISSUERS = """
MATCH (d:Document)-[:ISSUED_BY]->(a:Agency)
RETURN d.id AS document_id, a.name AS issuer
"""

DOCUMENT_LEADS = """
MATCH (a:Agency)-[l:LEADS]->(d:Document)
RETURN d.id AS document_id, a.id AS agency_id, a.name AS agency, l.rank AS rank,
       l.source_text AS source_text, l.line AS line
"""

# -- agencies ---------------------------------------------------------------------------------
AGENCIES = """
MATCH (a:Agency)
RETURN a.id AS id, a.name AS name, a.full_name AS full_name, a.kind AS kind,
       a.aliases AS aliases, a.catalogued AS catalogued
"""

# -- responsibilities -------------------------------------------------------------------------
# $agency_ids, $document_ids: lists; an empty list means "all".
RESPONSIBILITIES = """
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure)
WHERE (size($agency_ids) = 0 OR a.id IN $agency_ids)
  AND (size($document_ids) = 0 OR m.document_id IN $document_ids)
MATCH (d:Document)
WHERE d.id = m.document_id
RETURN m.source_file AS source_file, d.doc_number AS doc_number, d.title AS document,
       m.chapter AS chapter, m.number AS measure_number, m.title AS measure_title,
       a.name AS agency, a.full_name AS agency_full_name, r.role AS role, r.rank AS rank,
       r.source_text AS source_text, m.id AS measure_id, a.id AS agency_id,
       d.id AS document_id, m.seq AS seq, r.line AS line, r.written AS written
"""

# -- measures ---------------------------------------------------------------------------------
MEASURES = """
MATCH (m:Measure)
WHERE size($document_ids) = 0 OR m.document_id IN $document_ids
RETURN m.id AS id, m.document_id AS document_id, m.source_file AS source_file,
       m.doc_number AS doc_number, m.chapter AS chapter, m.number AS measure_number,
       m.label AS label, m.title AS title, m.kind AS kind, m.level AS level, m.seq AS seq,
       m.line AS line, m.key AS key, m.parent_key AS parent_key
"""

MEASURE_SECTORS = """
MATCH (m:Measure)-[c:CONCERNS]->(s:Sector)
RETURN m.id AS measure_id, s.id AS sector_id, s.name AS sector, c.line AS line
"""

MEASURE_PLACES = """
MATCH (m:Measure)-[l:LOCATED_IN]->(p:Place)
RETURN m.id AS measure_id, p.id AS place_id, p.name AS place, l.line AS line
"""

# -- targets ----------------------------------------------------------------------------------
MEASURE_TARGETS = """
MATCH (m:Measure)-[:SETS]->(t:Target)
RETURN t.id AS id, m.id AS measure_id, m.document_id AS document_id,
       m.source_file AS source_file, m.number AS measure_number, m.title AS measure_title,
       m.seq AS seq, t.metric AS metric, t.value AS value, t.unit AS unit,
       t.comparator AS comparator, t.year AS year, t.text AS text, t.line AS line
"""

DOCUMENT_TARGETS = """
MATCH (d:Document)-[:SETS]->(t:Target)
RETURN t.id AS id, d.id AS document_id, d.source_file AS source_file,
       t.metric AS metric, t.value AS value, t.unit AS unit, t.comparator AS comparator,
       t.year AS year, t.text AS text, t.line AS line
"""

MEASURE_LEADS = """
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure)
WHERE r.role = 'lead'
RETURN m.id AS measure_id, a.name AS agency, r.rank AS rank
"""

# -- places -----------------------------------------------------------------------------------
PLACES = """
MATCH (p:Place)
RETURN p.id AS id, p.name AS name, p.kind AS kind, p.district AS district,
       p.catalogued AS catalogued, p.aliases AS aliases
"""

PLACE_SECTORS = """
MATCH (p:Place)-[f:FOCUSES_ON]->(s:Sector)
RETURN p.id AS place_id, s.id AS sector_id, s.name AS sector, f.source_file AS source_file
"""

PLACE_WITHIN = """
MATCH (p:Place)-[:WITHIN]->(q:Place)
RETURN p.id AS place_id, q.id AS parent_id, q.name AS parent, q.kind AS parent_kind
"""

PLACE_MEASURE_MENTIONS = """
MATCH (m:Measure)-[l:LOCATED_IN]->(p:Place)
RETURN p.id AS place_id, m.source_file AS source_file, m.number AS measure_number,
       m.seq AS seq, l.line AS line
"""

PLACE_DOCUMENT_MENTIONS = """
MATCH (d:Document)-[l:LOCATED_IN]->(p:Place)
RETURN p.id AS place_id, d.source_file AS source_file, l.line AS line
"""

# -- chains -----------------------------------------------------------------------------------
# Per-measure facts for the "what changed" view of measure chains (one query per kind).
CHAIN_MEASURE_AGENCIES = """
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure)<-[:CONTINUES]-(:Measure)
RETURN DISTINCT m.id AS id, a.name AS agency, r.role AS role, r.rank AS rank
UNION
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure)-[:CONTINUES]->(:Measure)
RETURN DISTINCT m.id AS id, a.name AS agency, r.role AS role, r.rank AS rank
"""
CHAIN_MEASURE_SECTORS = """
MATCH (m:Measure)-[:CONCERNS]->(s:Sector)
RETURN m.id AS id, s.name AS name
"""
CHAIN_MEASURE_PLACES = """
MATCH (m:Measure)-[:LOCATED_IN]->(p:Place)
RETURN m.id AS id, p.name AS name
"""
CHAIN_MEASURE_TARGETS = """
MATCH (m:Measure)-[:SETS]->(t:Target)
RETURN m.id AS id, t.metric AS metric, t.value AS value, t.unit AS unit,
       t.comparator AS comparator, t.year AS year, t.text AS text
"""

MEASURE_CHAINS = """
MATCH (l:Measure)-[c:CONTINUES]->(e:Measure)
RETURN l.id AS later_id, l.source_file AS later_source_file, l.number AS later_number,
       l.title AS later_title, l.seq AS later_seq,
       e.id AS earlier_id, e.source_file AS earlier_source_file, e.number AS earlier_number,
       e.title AS earlier_title, c.relation AS relation, c.score AS score,
       c.evidence AS evidence
"""

DOCUMENT_CHAINS = """
MATCH (l:Document)-[c:CONTINUES]->(e:Document)
RETURN l.id AS later_id, l.source_file AS later_source_file, l.title AS later_title,
       e.id AS earlier_id, e.source_file AS earlier_source_file, e.title AS earlier_title,
       c.relation AS relation, c.score AS score, c.evidence AS evidence
"""

# -- analysis ---------------------------------------------------------------------------------
AGENCY_SUMMARY = """
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure)
WHERE size($agency_ids) = 0 OR a.id IN $agency_ids
RETURN a.id AS agency_id, a.name AS agency, m.document_id AS document_id,
       m.source_file AS source_file,
       count(CASE WHEN r.role = 'lead' THEN 1 END) AS led,
       count(CASE WHEN r.role = 'support' THEN 1 END) AS supported
"""

CO_RESPONSIBILITY = """
MATCH (a:Agency)-[:RESPONSIBLE_FOR]->(m:Measure)<-[:RESPONSIBLE_FOR]-(b:Agency)
WHERE a.id IN $agency_ids AND NOT b.id IN $agency_ids
RETURN b.id AS agency_id, b.name AS agency, count(DISTINCT m) AS shared_measures,
       collect(DISTINCT m.source_file) AS source_files
"""

AGENCY_PAIRS = """
MATCH (a:Agency)-[:RESPONSIBLE_FOR]->(m:Measure)<-[:RESPONSIBLE_FOR]-(b:Agency)
WHERE a.id < b.id
RETURN a.name AS agency_a, b.name AS agency_b, count(DISTINCT m) AS shared_measures
ORDER BY shared_measures DESC, agency_a, agency_b
LIMIT $limit
"""

AGENCY_SECTOR_MATRIX = """
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure)-[:CONCERNS]->(s:Sector)
RETURN a.name AS agency, s.id AS sector_id, s.name AS sector,
       count(DISTINCT m) AS measures,
       count(DISTINCT CASE WHEN r.role = 'lead' THEN m.id END) AS led
"""

UNOWNED_MEASURES = """
MATCH (m:Measure)
OPTIONAL MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m)
WITH m, count(r) AS owners
WHERE owners = 0
RETURN m.id AS id, m.source_file AS source_file, m.chapter AS chapter,
       m.number AS measure_number, m.title AS title, m.kind AS kind, m.seq AS seq
"""

# -- per-document statistics ------------------------------------------------------------------
STATS_MEASURES_PER_DOCUMENT = """
MATCH (m:Measure) RETURN m.document_id AS document_id, count(m) AS n
"""
STATS_CHAPTERS_PER_DOCUMENT = """
MATCH (c:Chapter) RETURN c.document_id AS document_id, count(c) AS n
"""
STATS_RESPONSIBILITIES_PER_DOCUMENT = """
MATCH (:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure) RETURN m.document_id AS document_id, count(r) AS n
"""
STATS_MEASURE_TARGETS_PER_DOCUMENT = """
MATCH (m:Measure)-[:SETS]->(t:Target) RETURN m.document_id AS document_id, count(t) AS n
"""
STATS_DOCUMENT_TARGETS_PER_DOCUMENT = """
MATCH (d:Document)-[:SETS]->(t:Target) RETURN d.id AS document_id, count(t) AS n
"""

# -- search and neighbourhood -----------------------------------------------------------------
# One query per label: (label, cypher); each returns id, label-free display name and match text.
SEARCH: dict[str, str] = {
    "Document": """MATCH (n:Document) WHERE n.title CONTAINS $text OR n.doc_number CONTAINS $text
        OR n.source_file CONTAINS $text
        RETURN n.id AS id, n.title AS name, n.source_file AS source_file LIMIT $limit""",
    "Agency": """MATCH (n:Agency) WHERE n.name CONTAINS $text OR n.full_name CONTAINS $text
        OR n.aliases CONTAINS $text
        RETURN n.id AS id, n.name AS name, null AS source_file LIMIT $limit""",
    "Measure": """MATCH (n:Measure) WHERE n.title CONTAINS $text OR n.text CONTAINS $text
        RETURN n.id AS id, n.title AS name, n.source_file AS source_file LIMIT $limit""",
    "Chapter": """MATCH (n:Chapter) WHERE n.heading CONTAINS $text
        RETURN n.id AS id, n.heading AS name, n.source_file AS source_file LIMIT $limit""",
    "Sector": """MATCH (n:Sector) WHERE n.name CONTAINS $text OR n.name_en CONTAINS $text
        RETURN n.id AS id, n.name AS name, null AS source_file LIMIT $limit""",
    "Place": """MATCH (n:Place) WHERE n.name CONTAINS $text OR n.aliases CONTAINS $text
        RETURN n.id AS id, n.name AS name, null AS source_file LIMIT $limit""",
    "Target": """MATCH (n:Target) WHERE n.metric CONTAINS $text OR n.text CONTAINS $text
        RETURN n.id AS id, n.text AS name, n.source_file AS source_file LIMIT $limit""",
}

NODE_BY_ID = """
MATCH (n) WHERE n.id IN $ids RETURN n
"""

NEIGHBOURS = """
MATCH (n)-[r]-(m) WHERE n.id IN $ids RETURN n, r, m LIMIT $limit
"""


# -- the example questions (DESIGN.md) --------------------------------------------------------
@dataclass(frozen=True)
class ExampleQuery:
    name: str
    title_zh: str
    title_en: str
    cypher: str
    params: dict[str, Any] = field(default_factory=dict)


EXAMPLE_QUERIES: tuple[ExampleQuery, ...] = (
    ExampleQuery(
        "agency_lead_support",
        "某部门牵头和配合的措施（按文件）",
        "Which measures does an agency lead, and which does it only support, per document?",
        """
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure)
WHERE a.name = $agency OR a.full_name = $agency
MATCH (d:Document) WHERE d.id = m.document_id
RETURN d.title AS document, r.role AS role, m.number AS number, m.title AS measure,
       m.seq AS seq
ORDER BY document, role, seq
""",
        {"agency": "市经济信息化委"},
    ),
    ExampleQuery(
        "agency_pairs",
        "哪些部门最常共同负责措施",
        "Which agencies work together most often (share measures)?",
        AGENCY_PAIRS.strip() + "\n",
        {"limit": 20},
    ),
    ExampleQuery(
        "targets_by_year",
        "各规划对某年的量化承诺及牵头部门",
        "What does each plan commit to for a year, with numbers, and who owns each commitment?",
        """
MATCH (m:Measure)-[:SETS]->(t:Target)
WHERE t.year = $year
OPTIONAL MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m)
WHERE r.role = 'lead'
RETURN m.source_file AS source_file, m.number AS measure, t.metric AS metric,
       t.comparator AS comparator, t.value AS value, t.unit AS unit, t.text AS text,
       collect(a.name) AS owners
ORDER BY source_file, measure, metric
""",
        {"year": 2025},
    ),
    ExampleQuery(
        "continued_measures",
        "后出台政策的哪些措施延续了早期规划的措施，有何变化",
        "Which measures of a later policy continue measures of an earlier plan, and what changed?",
        """
MATCH (l:Measure)-[c:CONTINUES]->(e:Measure)
MATCH (dl:Document), (de:Document)
WHERE dl.id = l.document_id AND de.id = e.document_id
  AND dl.issued STARTS WITH $later_year AND de.issued STARTS WITH $earlier_year
RETURN dl.title AS later_document, l.number AS later_number, l.title AS later_measure,
       de.title AS earlier_document, e.number AS earlier_number, e.title AS earlier_measure,
       c.relation AS relation, c.score AS score, c.evidence AS what_changed
ORDER BY later_document, later_number
""",
        {"later_year": "2023", "earlier_year": "2020"},
    ),
    ExampleQuery(
        "places_named",
        "文件提到哪些园区，在哪个区，面向哪些产业",
        "Which parks are named, in which district, for which sectors, by which documents?",
        """
MATCH (x)-[:LOCATED_IN]->(p:Place)
WHERE NOT p.kind IN $exclude_kinds
OPTIONAL MATCH (p)-[:FOCUSES_ON]->(s:Sector)
RETURN p.name AS place, p.kind AS kind, p.district AS district,
       collect(DISTINCT s.name) AS sectors, collect(DISTINCT x.source_file) AS documents
ORDER BY place
""",
        {"exclude_kinds": ["district", "city"]},
    ),
)

EXAMPLE_QUERY_BY_NAME = {q.name: q for q in EXAMPLE_QUERIES}
