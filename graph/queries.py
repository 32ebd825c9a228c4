"""Typed read functions over any ``GraphStore``: the query layer used by the CLI, exports and app.

Takes: a ``GraphStore`` (LadybugDB or Neo4j) holding a graph built by ``graph.build``.
Gives: functions returning lists of plain dicts with documented keys (or small dataclasses),
in a stable order (by ``source_file``, then document order), using only the named Cypher in
``graph.cypher`` with parameters:

===========================  ==================================================================
function                     row keys
===========================  ==================================================================
responsibility_rows          RESPONSIBILITY_KEYS + measure_id, agency_id, document_id, seq,
                             line, written
measure_rows                 MEASURE_KEYS + id, document_id, label, level, seq, line, key,
                             parent_key
target_rows                  TARGET_KEYS + id, document_id, measure_id, measure_title, owners,
                             seq, line
place_rows                   PLACE_KEYS + id, catalogued, within
document_rows                DOCUMENT_KEYS + id, external, leads
chain_rows                   CHAIN_KEYS (+ changes for measure links) + level ("document" | "measure"), from_title, to_title
agency_rows                  id, name, full_name, kind, aliases (list), catalogued
agency_summary               agency, source_file, document, led, supported
co_responsibility            agency, shared_measures, source_files
agency_pairs                 agency_a, agency_b, shared_measures
agency_sector_matrix         agency, sector, sector_id, measures, led
unowned_measures             source_file, chapter, measure_number, title, kind, id
search_nodes                 id, label, name, source_file
neighbourhood                (nodes, edges, capped) -- nodes/edges as normalized store dicts
stats                        Stats(nodes, relationships, documents)
===========================  ==================================================================

``*_KEYS`` are the DESIGN.md export contract; ``graph.exports`` writes exactly those keys.
Bad user input (unknown agency or document) raises ``QueryInputError`` whose message names the
value and lists what is available.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from graph import cypher as C
from graph.store import GraphStore, QueryResult

INTERNAL_TIMEOUT_S = 300.0

RESPONSIBILITY_KEYS = (
    "source_file", "doc_number", "document", "chapter", "measure_number", "measure_title",
    "agency", "agency_full_name", "role", "rank", "source_text",
)
MEASURE_KEYS = (
    "source_file", "doc_number", "chapter", "measure_number", "title", "kind", "agencies",
    "sectors", "places", "targets",
)
TARGET_KEYS = ("source_file", "measure_number", "metric", "value", "unit", "comparator", "year",
               "text")
PLACE_KEYS = ("name", "kind", "district", "sectors", "mentions")
CHAIN_KEYS = ("from", "to", "relation", "score", "evidence", "changes")  # changes: extra key (what changed)
DOCUMENT_KEYS = ("source_file", "title", "doc_number", "issuer", "issued", "valid_from",
                 "valid_to", "kind", "cites", "continues")


class QueryInputError(ValueError):
    """A user-supplied value (agency, document, node id) matches nothing; the message says why."""


def _run(store: GraphStore, cypher: str, params: Optional[dict[str, Any]] = None) -> list[dict]:
    res: QueryResult = store.query(cypher, params or {}, timeout_s=INTERNAL_TIMEOUT_S,
                                   max_rows=None)
    return res.records()


def _last(value: Optional[str]) -> str:
    """Sort key that puts missing strings last."""
    return "\uffff" if value is None else str(value)


def _num(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


# -- agencies and documents: resolving user input --------------------------------------------
def agency_rows(store: GraphStore) -> list[dict]:
    rows = _run(store, C.AGENCIES)
    for r in rows:
        r["aliases"] = [a for a in (r.get("aliases") or "").split("|") if a]
    return sorted(rows, key=lambda r: r["name"] or "")


def resolve_agency_ids(store: GraphStore, name: str, gazetteer: Any = None) -> list[str]:
    """Agency node ids for a short name, full name or alias (whitespace/width-insensitive).

    Uses the graph's Agency.name/full_name/aliases and, when given, ``gazetteer.resolve_agency``.
    Raises ``QueryInputError`` listing known agencies when nothing matches.
    """
    want = _norm(name)
    rows = agency_rows(store)
    canonical = None
    if gazetteer is not None:
        entry = gazetteer.resolve_agency(name)
        canonical = entry.name if entry is not None else None
    ids = [r["id"] for r in rows
           if want in {_norm(r["name"]), _norm(r.get("full_name") or ""),
                       *(_norm(a) for a in r["aliases"])}
           or (canonical is not None and r["name"] == canonical)]
    if not ids:
        names = ", ".join(r["name"] for r in rows[:40])
        more = " …" if len(rows) > 40 else ""
        raise QueryInputError(f"no agency {name!r} in the graph; known agencies: {names}{more}")
    return ids


def resolve_document_ids(store: GraphStore, ref: str) -> list[str]:
    """Document ids for a reference: node id, source file (or its leading part), 文号 or title."""
    from graph.build import normalize_doc_number, normalize_title

    docs = [d for d in _run(store, C.DOCUMENTS) if not d.get("external")]
    ref_s = ref.strip()
    exact = [d["id"] for d in docs
             if ref_s in (d["id"], d.get("source_file"))
             or (d.get("doc_number") and normalize_doc_number(d["doc_number"])
                 == normalize_doc_number(ref_s))
             or normalize_title(d.get("title") or "") == normalize_title(ref_s)]
    if exact:
        return exact
    prefix = [d["id"] for d in docs if (d.get("source_file") or "").startswith(ref_s)]
    if len(prefix) == 1:
        return prefix
    choices = ", ".join(sorted(d.get("source_file") or d["id"] for d in docs))
    what = "matches several documents" if prefix else "matches no document"
    raise QueryInputError(f"{ref!r} {what}; use a file name, 文号 or title: {choices}")


# -- responsibilities -------------------------------------------------------------------------
def responsibility_rows(store: GraphStore, agency: Optional[str] = None,
                        document: Optional[str] = None, gazetteer: Any = None) -> list[dict]:
    """One row per (measure, agency); see RESPONSIBILITY_KEYS. Ordered by file, measure, rank."""
    params = {
        "agency_ids": resolve_agency_ids(store, agency, gazetteer) if agency else [],
        "document_ids": resolve_document_ids(store, document) if document else [],
    }
    rows = _run(store, C.RESPONSIBILITIES, params)
    return sorted(rows, key=lambda r: (_last(r["source_file"]), r["seq"] or 0, r["rank"] or 0,
                                       r["agency"] or ""))


# -- measures ---------------------------------------------------------------------------------
def _ordered_names(pairs: Iterable[tuple[Any, str]]) -> list[str]:
    out: list[str] = []
    for _, name in sorted(pairs, key=lambda p: (p[0] if p[0] is not None else 1 << 30, p[1])):
        if name not in out:
            out.append(name)
    return out


def _target_obj(r: dict) -> dict:
    return {"metric": r["metric"], "value": _num(r["value"]), "unit": r["unit"],
            "comparator": r["comparator"], "year": r["year"], "text": r["text"]}


def measure_rows(store: GraphStore, document: Optional[str] = None) -> list[dict]:
    """Measures with agencies (written order), sectors, places and targets; see MEASURE_KEYS."""
    params = {"document_ids": resolve_document_ids(store, document) if document else []}
    measures = _run(store, C.MEASURES, params)
    agencies: dict[str, list[tuple[int, str]]] = {}
    for r in _run(store, C.RESPONSIBILITIES, {"agency_ids": [], "document_ids": params["document_ids"]}):
        agencies.setdefault(r["measure_id"], []).append((r["rank"], r["agency"]))
    sectors: dict[str, list[tuple[Any, str]]] = {}
    for r in _run(store, C.MEASURE_SECTORS):
        sectors.setdefault(r["measure_id"], []).append((r["line"], r["sector"]))
    places: dict[str, list[tuple[Any, str]]] = {}
    for r in _run(store, C.MEASURE_PLACES):
        places.setdefault(r["measure_id"], []).append((r["line"], r["place"]))
    targets: dict[str, list[dict]] = {}
    for r in sorted(_run(store, C.MEASURE_TARGETS), key=lambda r: r["id"]):
        targets.setdefault(r["measure_id"], []).append(_target_obj(r))
    out = []
    for m in measures:
        row = dict(m)
        row["agencies"] = [name for _, name in sorted(agencies.get(m["id"], []))]
        row["sectors"] = _ordered_names(sectors.get(m["id"], []))
        row["places"] = _ordered_names(places.get(m["id"], []))
        row["targets"] = targets.get(m["id"], [])
        out.append(row)
    return sorted(out, key=lambda r: (_last(r["source_file"]), r["seq"] or 0))


# -- targets ----------------------------------------------------------------------------------
def target_rows(store: GraphStore, document: Optional[str] = None,
                year: Optional[int] = None) -> list[dict]:
    """Targets with their measure (or null for document-level) and lead owners; see TARGET_KEYS.

    Document-level targets come first within a document, then by measure order.
    """
    doc_ids = set(resolve_document_ids(store, document)) if document else None
    leads: dict[str, list[tuple[int, str]]] = {}
    for r in _run(store, C.MEASURE_LEADS):
        leads.setdefault(r["measure_id"], []).append((r["rank"] or 0, r["agency"]))
    doc_leads: dict[str, list[tuple[int, str]]] = {}
    for r in _run(store, C.DOCUMENT_LEADS):
        doc_leads.setdefault(r["document_id"], []).append((r["rank"] or 0, r["agency"]))
    rows = []
    for r in _run(store, C.DOCUMENT_TARGETS):
        rows.append({**_target_obj(r), "source_file": r["source_file"], "measure_number": None,
                     "id": r["id"], "document_id": r["document_id"], "measure_id": None,
                     "measure_title": None, "seq": -1, "line": r["line"],
                     "owners": [a for _, a in sorted(doc_leads.get(r["document_id"], []))]})
    for r in _run(store, C.MEASURE_TARGETS):
        rows.append({**_target_obj(r), "source_file": r["source_file"],
                     "measure_number": r["measure_number"], "id": r["id"],
                     "document_id": r["document_id"], "measure_id": r["measure_id"],
                     "measure_title": r["measure_title"], "seq": r["seq"] or 0, "line": r["line"],
                     "owners": [a for _, a in sorted(leads.get(r["measure_id"], []))]})
    if doc_ids is not None:
        rows = [r for r in rows if r["document_id"] in doc_ids]
    if year is not None:
        rows = [r for r in rows if r["year"] == year]
    return sorted(rows, key=lambda r: (_last(r["source_file"]), r["seq"], r["line"] or 0, r["id"]))


# -- places -----------------------------------------------------------------------------------
def place_rows(store: GraphStore, mentioned_only: bool = False) -> list[dict]:
    """Places with district, sectors (FOCUSES_ON) and mentions; see PLACE_KEYS.

    ``mentions`` lists ``{source_file, measure_number}`` (measure_number null for a mention at
    document level). Places only present as a parent/member (never mentioned) have no mentions;
    ``mentioned_only=True`` leaves them out.
    """
    sectors: dict[str, set[str]] = {}
    for r in _run(store, C.PLACE_SECTORS):
        sectors.setdefault(r["place_id"], set()).add(r["sector"])
    within: dict[str, set[str]] = {}
    for r in _run(store, C.PLACE_WITHIN):
        within.setdefault(r["place_id"], set()).add(r["parent"])
    mentions: dict[str, list[tuple]] = {}
    for r in _run(store, C.PLACE_DOCUMENT_MENTIONS):
        mentions.setdefault(r["place_id"], []).append((r["source_file"], -1, None))
    for r in _run(store, C.PLACE_MEASURE_MENTIONS):
        mentions.setdefault(r["place_id"], []).append(
            (r["source_file"], r["seq"] or 0, r["measure_number"]))
    out = []
    for p in _run(store, C.PLACES):
        ms = []
        for sf, _, num in sorted(set(mentions.get(p["id"], [])), key=lambda t: (_last(t[0]), t[1])):
            item = {"source_file": sf, "measure_number": num}
            if item not in ms:
                ms.append(item)
        if mentioned_only and not ms:
            continue
        out.append({"name": p["name"], "kind": p["kind"], "district": p["district"],
                    "sectors": sorted(sectors.get(p["id"], set())), "mentions": ms,
                    "id": p["id"], "catalogued": p["catalogued"],
                    "within": sorted(within.get(p["id"], set()))})
    return sorted(out, key=lambda r: (r["name"] or "", r["id"]))


# -- documents --------------------------------------------------------------------------------
def document_rows(store: GraphStore, include_external: bool = False) -> list[dict]:
    """Documents with cited titles and the documents they continue; see DOCUMENT_KEYS."""
    cites: dict[str, list[tuple]] = {}
    for r in _run(store, C.DOCUMENT_CITES):
        cites.setdefault(r["document_id"], []).append((r["line"] or 0, r["cited_title"] or ""))
    continues: dict[str, set[str]] = {}
    for r in _run(store, C.DOCUMENT_CONTINUES):
        continues.setdefault(r["document_id"], set()).add(
            r["earlier_source_file"] or r["earlier_title"])
    for r in _run(store, C.MEASURE_CHAINS):
        if r["later_source_file"] != r["earlier_source_file"]:
            continues.setdefault(r["later_source_file"], set()).add(r["earlier_source_file"])
    issuers = {r["document_id"]: r["issuer"] for r in _run(store, C.DOCUMENT_ISSUERS)}
    leads: dict[str, list[tuple[int, str]]] = {}
    for r in _run(store, C.DOCUMENT_LEADS):
        leads.setdefault(r["document_id"], []).append((r["rank"] or 0, r["agency"]))
    out = []
    for d in _run(store, C.DOCUMENTS):
        if d.get("external") and not include_external:
            continue
        cont = continues.get(d["id"], set()) | continues.get(d.get("source_file") or "", set())
        out.append({
            "source_file": d["source_file"], "title": d["title"], "doc_number": d["doc_number"],
            "issuer": d["issuer"] or issuers.get(d["id"]), "issued": d["issued"],
            "valid_from": d["valid_from"], "valid_to": d["valid_to"], "kind": d["kind"],
            "cites": _ordered_names(cites.get(d["id"], [])),
            "continues": sorted(x for x in cont if x),
            "id": d["id"], "external": bool(d.get("external")),
            "leads": [a for _, a in sorted(leads.get(d["id"], []))],
        })
    return sorted(out, key=lambda r: (_last(r["source_file"]), r["title"] or ""))


# -- chains -----------------------------------------------------------------------------------
def chain_rows(store: GraphStore) -> list[dict]:
    """CONTINUES links, later item first; see CHAIN_KEYS (measure_number null at document level)."""
    rows = []
    for r in _run(store, C.DOCUMENT_CHAINS):
        rows.append({
            "from": {"source_file": r["later_source_file"], "measure_number": None},
            "to": {"source_file": r["earlier_source_file"], "measure_number": None},
            "relation": r["relation"], "score": r["score"], "evidence": r["evidence"],
            "level": "document", "from_title": r["later_title"], "to_title": r["earlier_title"],
            "_order": (_last(r["later_source_file"]), -1, _last(r["earlier_source_file"])),
        })
    measure_chains = _run(store, C.MEASURE_CHAINS)
    facts = _chain_measure_facts(store) if measure_chains else {}
    for r in measure_chains:
        rows.append({
            "from": {"source_file": r["later_source_file"], "measure_number": r["later_number"]},
            "to": {"source_file": r["earlier_source_file"], "measure_number": r["earlier_number"]},
            "relation": r["relation"], "score": r["score"], "evidence": r["evidence"],
            "level": "measure", "from_title": r["later_title"], "to_title": r["earlier_title"],
            "changes": _changes(facts, r["later_id"], r["earlier_id"]),
            "_order": (_last(r["later_source_file"]), r["later_seq"] or 0,
                       _last(r["earlier_source_file"]) + (r["earlier_id"] or "")),
        })
    rows.sort(key=lambda r: r["_order"])
    for r in rows:
        del r["_order"]
    return rows


def _chain_measure_facts(store: GraphStore) -> dict[str, dict[str, list]]:
    """Agencies (rank order), sectors, places and targets of every measure, by measure id."""
    facts: dict[str, dict[str, list]] = {}

    def slot(mid: str, key: str) -> list:
        return facts.setdefault(mid, {"agencies": [], "sectors": [], "places": [], "targets": []})[key]

    for r in sorted(_run(store, C.CHAIN_MEASURE_AGENCIES), key=lambda r: (r["id"], r["rank"] or 0)):
        slot(r["id"], "agencies").append({"agency": r["agency"], "role": r["role"], "rank": r["rank"]})
    for r in _run(store, C.CHAIN_MEASURE_SECTORS):
        slot(r["id"], "sectors").append(r["name"])
    for r in _run(store, C.CHAIN_MEASURE_PLACES):
        slot(r["id"], "places").append(r["name"])
    for r in _run(store, C.CHAIN_MEASURE_TARGETS):
        slot(r["id"], "targets").append({k: r[k] for k in ("metric", "value", "unit", "comparator", "year", "text")})
    return facts


def _changes(facts: dict[str, dict[str, list]], later_id: str, earlier_id: str) -> dict:
    """What changed from the earlier item to the later one (graph.chains.chain_diff_from_rows)."""
    from graph.chains import chain_diff_from_rows

    empty: dict[str, list] = {}
    return chain_diff_from_rows(facts.get(later_id, empty), facts.get(earlier_id, empty)).to_dict()


# -- analysis ---------------------------------------------------------------------------------
def agency_summary(store: GraphStore, agency: Optional[str] = None,
                   gazetteer: Any = None) -> list[dict]:
    """Measures led / supported per (agency, document)."""
    ids = resolve_agency_ids(store, agency, gazetteer) if agency else []
    titles = {d["id"]: d["title"] for d in _run(store, C.DOCUMENTS)}
    rows = [{"agency": r["agency"], "source_file": r["source_file"],
             "document": titles.get(r["document_id"]), "led": r["led"],
             "supported": r["supported"]}
            for r in _run(store, C.AGENCY_SUMMARY, {"agency_ids": ids})]
    return sorted(rows, key=lambda r: (r["agency"] or "", _last(r["source_file"])))


def co_responsibility(store: GraphStore, agency: str, gazetteer: Any = None) -> list[dict]:
    """Agencies sharing measures with ``agency``, most shared first."""
    ids = resolve_agency_ids(store, agency, gazetteer)
    rows = _run(store, C.CO_RESPONSIBILITY, {"agency_ids": ids})
    out = [{"agency": r["agency"], "shared_measures": r["shared_measures"],
            "source_files": sorted(r["source_files"] or [])} for r in rows]
    return sorted(out, key=lambda r: (-r["shared_measures"], r["agency"] or ""))


def agency_pairs(store: GraphStore, limit: int = 20) -> list[dict]:
    """Pairs of agencies that share the most measures."""
    return _run(store, C.AGENCY_PAIRS, {"limit": int(limit)})


def agency_sector_matrix(store: GraphStore) -> list[dict]:
    """(agency, sector) cells: measures the agency is responsible for that concern the sector."""
    rows = _run(store, C.AGENCY_SECTOR_MATRIX)
    return sorted(rows, key=lambda r: (r["agency"] or "", r["sector"] or ""))


def unowned_measures(store: GraphStore) -> list[dict]:
    """Measures without any responsible agency."""
    rows = _run(store, C.UNOWNED_MEASURES)
    return sorted(rows, key=lambda r: (_last(r["source_file"]), r["seq"] or 0))


# -- search and neighbourhood -----------------------------------------------------------------
def search_nodes(store: GraphStore, text: str, limit: int = 20,
                 labels: Optional[Iterable[str]] = None) -> list[dict]:
    """Nodes whose name/title/text contains ``text`` (plain substring), best labels first."""
    text = (text or "").strip()
    if not text:
        return []
    wanted = set(labels) if labels else None
    out: list[dict] = []
    for label, cy in C.SEARCH.items():
        if wanted is not None and label not in wanted:
            continue
        for r in _run(store, cy, {"text": text, "limit": int(limit)}):
            out.append({"id": r["id"], "label": label, "name": r["name"],
                        "source_file": r["source_file"]})
    # exact names first, then shorter names, then by label order above
    out.sort(key=lambda r: (r["name"] != text, len(r["name"] or ""),))
    return out[:limit]


def neighbourhood(store: GraphStore, node_id: str, hops: int = 1,
                  labels: Optional[Iterable[str]] = None,
                  limit: int = 250) -> tuple[list[dict], list[dict], bool]:
    """Nodes and edges within ``hops`` (1 or 2) of ``node_id``.

    ``labels`` keeps only neighbours with those labels (the centre is always kept). At most
    ``limit`` nodes are returned; ``capped`` is True when more existed.
    """
    if hops not in (1, 2):
        raise QueryInputError(f"hops must be 1 or 2, not {hops!r}")
    centre = _run(store, C.NODE_BY_ID, {"ids": [node_id]})
    if not centre:
        raise QueryInputError(f"no node with id {node_id!r}")
    wanted = set(labels) if labels else None
    nodes: dict[str, dict] = {node_id: centre[0]["n"]}
    edges: dict[tuple, dict] = {}
    capped = False
    frontier = [node_id]
    for _ in range(hops):
        res = store.query(C.NEIGHBOURS, {"ids": frontier, "limit": int(limit) * 4 + 1},
                          timeout_s=INTERNAL_TIMEOUT_S, max_rows=None)
        if len(res.rows) > limit * 4:
            capped = True
        nxt = []
        for row in res.records():
            m, r = row["m"], row["r"]
            if wanted is not None and m["_label"] not in wanted:
                continue
            if m["id"] not in nodes:
                if len(nodes) >= limit:
                    capped = True
                    continue
                nodes[m["id"]] = m
                nxt.append(m["id"])
            edges[(r["_source"], r["_type"], r["_target"])] = r
        frontier = nxt
        if not frontier:
            break
    return list(nodes.values()), list(edges.values()), capped


# -- statistics -------------------------------------------------------------------------------
@dataclass
class Stats:
    nodes: dict[str, int] = field(default_factory=dict)  # label -> count
    relationships: dict[str, int] = field(default_factory=dict)  # type -> count
    documents: list[dict] = field(default_factory=list)  # per document, see stats()


def stats(store: GraphStore) -> Stats:
    """Counts by label and relationship type, and per document: source_file, title, chapters,
    measures, responsibilities, targets."""
    s = Stats()
    for label, cy in C.COUNT_NODES.items():
        s.nodes[label] = _run(store, cy)[0]["n"]
    for rtype, cy in C.COUNT_RELS.items():
        s.relationships[rtype] = _run(store, cy)[0]["n"]

    def per_doc(cy: str) -> dict[str, int]:
        return {r["document_id"]: r["n"] for r in _run(store, cy)}

    chapters = per_doc(C.STATS_CHAPTERS_PER_DOCUMENT)
    measures = per_doc(C.STATS_MEASURES_PER_DOCUMENT)
    resp = per_doc(C.STATS_RESPONSIBILITIES_PER_DOCUMENT)
    t1 = per_doc(C.STATS_MEASURE_TARGETS_PER_DOCUMENT)
    t2 = per_doc(C.STATS_DOCUMENT_TARGETS_PER_DOCUMENT)
    for d in _run(store, C.DOCUMENTS):
        if d.get("external"):
            continue
        i = d["id"]
        s.documents.append({"source_file": d["source_file"], "title": d["title"],
                            "chapters": chapters.get(i, 0), "measures": measures.get(i, 0),
                            "responsibilities": resp.get(i, 0),
                            "targets": t1.get(i, 0) + t2.get(i, 0)})
    s.documents.sort(key=lambda r: _last(r["source_file"]))
    return s


def run_example(store: GraphStore, name: str, params: Optional[dict[str, Any]] = None) -> QueryResult:
    """Run one of ``graph.cypher.EXAMPLE_QUERIES`` with its default parameters overridden."""
    try:
        q = C.EXAMPLE_QUERY_BY_NAME[name]
    except KeyError:
        raise QueryInputError(
            f"no example query {name!r}; available: {', '.join(C.EXAMPLE_QUERY_BY_NAME)}"
        ) from None
    return store.query(q.cypher, {**q.params, **(params or {})})
