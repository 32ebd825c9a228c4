"""The policy graph as linked data: RDF export, SHACL validation and SPARQL questions.

Takes: a ``GraphData`` (``graph.model``; labels and relationship types of ``graph.schema``), e.g.
``store.snapshot()``; the ontology and shapes in ``ontology/`` (read from disk, never fetched).
Gives:

* ``to_rdf(graph, base=DEFAULT_BASE) -> rdflib.Graph`` -- the graph in the vocabulary of
  ``ontology/policy.ttl`` (ORG, SKOS, PROV-O, DCTERMS, ELI and the small ``pkg:`` namespace);
* ``export_rdf(graph, fmt="turtle", base=DEFAULT_BASE) -> str`` with ``fmt`` in ``FORMATS``
  (``turtle``, ``json-ld``, ``nt``); any other value raises ``ValueError`` naming the valid ones;
* ``validate_graph(graph) -> (conforms, report)`` and ``validate_rdf(rdf_graph)`` -- pySHACL with
  ``ontology/shapes.ttl`` (``ontology/policy.ttl`` as the ontology graph); the report has one line
  per violation: focus node, path, message;
* ``node_iri(node_id, label, base)`` -- the stable IRI of a node;
* ``SPARQL_QUESTIONS`` (name -> SPARQL text), ``SPARQL_DEFAULTS`` (name -> parameter bindings)
  and ``run_question(rdf_graph, name, **params) -> list[dict]`` -- the five questions of
  DESIGN.md, answered over the RDF with rdflib.

IRIs (``base`` defaults to ``https://policy-kg.example.org/id/``) are ``<base><segment>/<local>``:
the segment is the lower-cased node label, the local part the node id without its builder prefix
(``agency:``, ``sector:``, ``place:``, ``doc:``), percent-encoded as UTF-8 (``/`` and ``:`` kept):
``agency:市经济信息化委`` -> ``<base>agency/%E5%B8%82...``, ``doc:1a2b3c4d5e6f/c2.m1`` ->
``<base>measure/1a2b3c4d5e6f/c2.m1``. Reified resources (responsibilities, document leads,
continuations, link statements, source passages) get ``<base><kind>/<sha1 of their key>``. The same
GraphData always gives the same triples. See docs/rdf.md and ontology/README.md.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional
from urllib.parse import quote, unquote

import rdflib
from rdflib import Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from graph.model import Edge, GraphData, Node

DEFAULT_BASE = "https://policy-kg.example.org/id/"
ONTOLOGY_IRI = "https://policy-kg.example.org/ontology"
PKG = Namespace(ONTOLOGY_IRI + "#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_PATH = ONTOLOGY_DIR / "policy.ttl"
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"

FORMATS = ("turtle", "json-ld", "nt")

PREFIXES: dict[str, str] = {
    "pkg": str(PKG), "eli": str(ELI), "org": str(ORG), "skos": str(SKOS), "prov": str(PROV),
    "dcterms": str(DCTERMS), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD),
    "owl": str(OWL),
}

# node label -> (IRI path segment, class IRIs asserted on the node)
_NODE_CLASSES: dict[str, tuple[str, tuple[URIRef, ...]]] = {
    "Document": ("document", (PKG.Document,)),  # + eli:LegalResource unless a research kind
    "Chapter": ("chapter", (PKG.Chapter, ELI.LegalResourceSubdivision)),
    "Measure": ("measure", (PKG.Measure, ELI.LegalResourceSubdivision)),
    "Agency": ("agency", (ORG.Organization,)),
    "Sector": ("sector", (PKG.Sector, SKOS.Concept)),
    "Place": ("place", (PKG.Place,)),
    "Target": ("target", (PKG.Target,)),
}
_ID_PREFIXES = ("doc:", "agency:", "sector:", "place:", "target:", "chapter:", "measure:")
_IRI_SAFE = "/:@!$&'()*+,;=-._~"
# Document kinds that are not legal resources (think-tank articles): typed eli:Work only.
_NON_LEGAL_KIND_WORDS = ("research", "article", "report", "analysis", "study", "paper")
_ROLE_IRIS = {"lead": PKG.lead, "support": PKG.support}
_ALIAS_SPLIT_RE = re.compile(r"[|;；、,，]")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

# Link relationships exported as a direct triple plus a reified rdf:Statement carrying provenance
_LINK_PREDICATES = {
    "CONCERNS": ELI.is_about,
    "LOCATED_IN": PKG.locatedIn,
    "MENTIONS": PKG.mentions,
    "FOCUSES_ON": PKG.focusesOn,
    "CITES": ELI.cites,
}

class RDFExportError(ValueError):
    """Bad export arguments (unknown format, unusable base IRI)."""


# ----------------------------------------------------------------------------------------------
# IRIs
# ----------------------------------------------------------------------------------------------

def _check_base(base: str) -> str:
    if not isinstance(base, str) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", base or ""):
        raise RDFExportError(f"base IRI must be absolute (e.g. {DEFAULT_BASE!r}); got {base!r}")
    if re.search(r"[\s<>\"{}|\\^`]", base):
        raise RDFExportError(f"base IRI contains characters not allowed in an IRI: {base!r}")
    return base if base.endswith(("/", "#")) else base + "/"


def _segment(label: str) -> str:
    entry = _NODE_CLASSES.get(label)
    return entry[0] if entry else (label.lower() or "node")


def _local(node_id: str) -> str:
    for prefix in _ID_PREFIXES:
        if node_id.startswith(prefix):
            node_id = node_id[len(prefix):]
            break
    return quote(node_id, safe=_IRI_SAFE)


def node_iri(node_id: str, label: str, base: str = DEFAULT_BASE) -> URIRef:
    """The stable IRI of a node: ``<base><label segment>/<percent-encoded id without prefix>``."""
    return URIRef(_check_base(base) + _segment(label) + "/" + _local(node_id))


def _hash(*parts: Any) -> str:
    key = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


# ----------------------------------------------------------------------------------------------
# Literals
# ----------------------------------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _text(value: Any, lang: Optional[str] = "zh") -> Literal:
    return Literal(str(value), lang=lang) if lang else Literal(str(value))


def _integer(value: Any) -> Literal:
    """xsd:integer for whole numbers; anything else stays a plain literal (and fails SHACL)."""
    if isinstance(value, bool):
        return Literal(str(value).lower())
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float) and value.is_integer():
        return Literal(int(value), datatype=XSD.integer)
    return Literal(str(value))


def _decimal(value: Any) -> Literal:
    """xsd:decimal for numbers (exact, round-trips through every format); else a plain literal."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return Literal(str(value))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return Literal(str(value))
    if not number.is_finite():
        return Literal(str(value))
    return Literal(format(number, "f"), datatype=XSD.decimal)  # never exponent notation


def _boolean(value: Any) -> Literal:
    if isinstance(value, str):
        value = value.strip().lower() in ("true", "1", "yes")
    return Literal(bool(value), datatype=XSD.boolean)


def _date(value: Any) -> Literal:
    """xsd:date / gYearMonth / gYear for ISO dates; anything else a plain literal (fails SHACL)."""
    text = str(value).strip()
    m = _DATE_RE.match(text)
    if m:
        year, month, day = m.groups()
        if day:
            return Literal(text, datatype=XSD.date)
        if month:
            return Literal(text, datatype=XSD.gYearMonth)
        return Literal(year, datatype=XSD.gYear)
    return Literal(text)


def _split_aliases(value: Any) -> list[str]:
    if _empty(value):
        return []
    items = value if isinstance(value, (list, tuple, set)) else _ALIAS_SPLIT_RE.split(str(value))
    out: list[str] = []
    for item in items:
        item = str(item).strip()
        if item and item not in out:
            out.append(item)
    return out


def _camel(name: str) -> str:
    parts = [p for p in re.split(r"[_\W]+", name) if p]
    if not parts:
        return "related"
    return parts[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in parts[1:])


# ----------------------------------------------------------------------------------------------
# GraphData -> RDF
# ----------------------------------------------------------------------------------------------

class _Exporter:
    def __init__(self, graph: GraphData, base: str):
        self.data = graph
        self.base = _check_base(base)
        self.triples: set[tuple[URIRef, URIRef, Any]] = set()
        self.add = self.triples.add
        self.iris: dict[str, URIRef] = {
            nid: URIRef(self.base + _segment(n.label) + "/" + _local(nid))
            for nid, n in graph.nodes.items()
        }
        self.passages: dict[tuple, URIRef] = {}
        self.files: dict[str, URIRef] = {}
        self.scheme = URIRef(self.base + "scheme/sectors")

    # -- helpers ---------------------------------------------------------------------------
    def iri(self, node_id: str) -> URIRef:
        found = self.iris.get(node_id)
        if found is None:  # an edge to a node that is not in the graph: keep the link visible
            found = self.iris[node_id] = URIRef(self.base + "node/" + _local(node_id))
        return found

    def source_file(self, name: str) -> URIRef:
        iri = self.files.get(name)
        if iri is None:
            iri = self.files[name] = URIRef(self.base + "source/" + quote(name, safe=_IRI_SAFE))
            self.add((iri, RDF.type, PKG.SourceFile))
            self.add((iri, DCTERMS.identifier, Literal(name)))
        return iri

    def passage(self, source_file: Any, line: Any, text: Any) -> Optional[URIRef]:
        """The SourcePassage for (file, line, text); None when there is nothing to cite."""
        if _empty(source_file) and _empty(text):
            return None
        key = (source_file or None, line if not _empty(line) else None, text or None)
        iri = self.passages.get(key)
        if iri is not None:
            return iri
        iri = self.passages[key] = URIRef(self.base + "passage/" + _hash(*key))
        self.add((iri, RDF.type, PKG.SourcePassage))
        if not _empty(source_file):
            self.add((iri, DCTERMS.source, self.source_file(str(source_file))))
        if not _empty(line):
            self.add((iri, PKG.line, _integer(line)))
        if not _empty(text):
            self.add((iri, RDF.value, _text(text)))
        return iri

    def derive(self, subject: URIRef, props: dict[str, Any], text_key: str = "source_text") -> None:
        p = self.passage(props.get("source_file"), props.get("line"), props.get(text_key))
        if p is not None:
            self.add((subject, PROV.wasDerivedFrom, p))

    def opt(self, s: URIRef, p: URIRef, value: Any, make=_text) -> None:
        if not _empty(value):
            self.add((s, p, make(value)))

    # -- nodes -----------------------------------------------------------------------------
    def node(self, n: Node) -> None:
        s = self.iris[n.id]
        props = n.properties
        method = getattr(self, "_node_" + n.label.lower(), None)
        if method is None:
            self._node_generic(s, n)
            return
        for cls in _NODE_CLASSES[n.label][1]:
            self.add((s, RDF.type, cls))
        method(s, props)

    def _node_document(self, s: URIRef, p: dict[str, Any]) -> None:
        kind = str(p.get("kind") or "")
        if not any(word in kind.lower() for word in _NON_LEGAL_KIND_WORDS):
            self.add((s, RDF.type, ELI.LegalResource))
        self.opt(s, DCTERMS.title, p.get("title"))
        self.opt(s, DCTERMS.identifier, p.get("doc_number"), lambda v: Literal(str(v)))
        if not _empty(p.get("issued")):
            issued = _date(p["issued"])
            self.add((s, DCTERMS.issued, issued))
            self.add((s, ELI.date_document, issued))
        self.opt(s, ELI.first_date_entry_in_force, p.get("valid_from"), _date)
        self.opt(s, ELI.date_no_longer_in_force, p.get("valid_to"), _date)
        self.opt(s, PKG.kind, p.get("kind"), lambda v: Literal(str(v)))
        if p.get("external") is not None:
            self.add((s, PKG.external, _boolean(p["external"])))
        if not _empty(p.get("source_file")):
            f = self.source_file(str(p["source_file"]))
            self.add((s, DCTERMS.source, f))
            self.opt(f, PKG.sha256, p.get("sha256"), lambda v: Literal(str(v)))

    def _node_chapter(self, s: URIRef, p: dict[str, Any]) -> None:
        self.opt(s, ELI.number, p.get("number"), lambda v: Literal(str(v)))
        self.opt(s, PKG.label, p.get("label"), lambda v: Literal(str(v)))
        self.opt(s, DCTERMS.title, p.get("title"))
        self.opt(s, RDFS.label, p.get("heading"))
        self.opt(s, PKG.seq, p.get("seq"), _integer)
        self.derive(s, p, "heading")

    def _node_measure(self, s: URIRef, p: dict[str, Any]) -> None:
        self.opt(s, ELI.number, p.get("number"), lambda v: Literal(str(v)))
        self.opt(s, PKG.label, p.get("label"), lambda v: Literal(str(v)))
        self.opt(s, DCTERMS.title, p.get("title"))
        self.opt(s, PKG.kind, p.get("kind"), lambda v: Literal(str(v)))
        self.opt(s, PKG.level, p.get("level"), _integer)
        self.opt(s, PKG.seq, p.get("seq"), _integer)
        self.derive(s, p, "text")

    def _node_agency(self, s: URIRef, p: dict[str, Any]) -> None:
        name = p.get("name")
        full = p.get("full_name")
        self.opt(s, PKG.shortName, name, lambda v: Literal(str(v)))
        pref = full if not _empty(full) else name
        self.opt(s, SKOS.prefLabel, pref)
        alt = [] if _empty(name) or name == pref else [str(name)]
        alt += [a for a in _split_aliases(p.get("aliases")) if a not in alt and a != pref]
        for a in alt:
            self.add((s, SKOS.altLabel, _text(a)))
        self.opt(s, PKG.kind, p.get("kind"), lambda v: Literal(str(v)))
        if p.get("catalogued") is not None:
            self.add((s, PKG.catalogued, _boolean(p["catalogued"])))
        parent = p.get("parent")  # not in the core schema; honoured when a builder provides it
        if not _empty(parent):
            pid = parent if parent in self.data.nodes else f"agency:{parent}"
            if pid in self.data.nodes:
                self.add((s, ORG.subOrganizationOf, self.iri(pid)))

    def _node_sector(self, s: URIRef, p: dict[str, Any]) -> None:
        self.add((s, SKOS.inScheme, self.scheme))
        self.opt(s, SKOS.prefLabel, p.get("name"))
        self.opt(s, SKOS.prefLabel, p.get("name_en"), lambda v: _text(v, "en"))
        self.opt(s, PKG.level, p.get("level"), _integer)

    def _node_place(self, s: URIRef, p: dict[str, Any]) -> None:
        self.opt(s, RDFS.label, p.get("name"))
        self.opt(s, PKG.kind, p.get("kind"), lambda v: Literal(str(v)))
        self.opt(s, PKG.district, p.get("district"), lambda v: Literal(str(v)))
        for a in _split_aliases(p.get("aliases")):
            if a != p.get("name"):
                self.add((s, SKOS.altLabel, _text(a)))
        if p.get("catalogued") is not None:
            self.add((s, PKG.catalogued, _boolean(p["catalogued"])))

    def _node_target(self, s: URIRef, p: dict[str, Any]) -> None:
        self.opt(s, PKG.metric, p.get("metric"))
        self.opt(s, PKG.value, p.get("value"), _decimal)
        self.opt(s, PKG.unit, p.get("unit"), lambda v: Literal(str(v)))
        self.opt(s, PKG.comparator, p.get("comparator"), lambda v: Literal(str(v)))
        self.opt(s, PKG.year, p.get("year"), _integer)
        self.derive(s, p, "text")

    def _node_generic(self, s: URIRef, n: Node) -> None:
        """Labels added after this module was written: pkg:<Label> with pkg:<property> values."""
        self.add((s, RDF.type, PKG[n.label]))
        for key, value in sorted(n.properties.items()):
            if _empty(value) or key == "id":
                continue
            if isinstance(value, bool):
                lit = _boolean(value)
            elif isinstance(value, int):
                lit = _integer(value)
            elif isinstance(value, float):
                lit = _decimal(value)
            else:
                lit = Literal(str(value))
            self.add((s, PKG[_camel(key)], lit))

    # -- edges -----------------------------------------------------------------------------
    def edge(self, e: Edge) -> None:
        s, o, p = self.iri(e.source), self.iri(e.target), e.properties
        t = e.type
        if t == "CONTAINS":
            self.add((o, ELI.is_part_of, s))
            self.add((s, ELI.has_part, o))
            child = self.data.nodes.get(e.target)
            if child is not None and _empty(child.properties.get("seq")):
                self.opt(o, PKG.seq, p.get("seq"), _integer)
        elif t == "RESPONSIBLE_FOR":
            r = URIRef(self.base + "responsibility/" + _hash(e.target, e.source))
            self.add((r, RDF.type, PKG.Responsibility))
            self.add((r, PKG.agency, s))
            self.add((r, PKG.measure, o))
            role = p.get("role")
            if not _empty(role):
                self.add((r, PKG.role, _ROLE_IRIS.get(str(role), Literal(str(role)))))
            self.opt(r, PKG.rank, p.get("rank"), _integer)
            self.opt(r, PKG.written, p.get("written"), lambda v: Literal(str(v)))
            self.derive(r, p)
        elif t == "LEADS":
            r = URIRef(self.base + "lead/" + _hash(e.target, e.source))
            self.add((r, RDF.type, PKG.DocumentLead))
            self.add((r, PKG.agency, s))
            self.add((r, PKG.document, o))
            self.opt(r, PKG.rank, p.get("rank"), _integer)
            self.derive(r, p)
        elif t == "ISSUED_BY":
            self.add((s, DCTERMS.publisher, o))
            self.add((s, ELI.passed_by, o))
        elif t == "BROADER":
            self.add((s, SKOS.broader, o))
            self.add((o, SKOS.narrower, s))
        elif t == "WITHIN":
            self.add((s, PKG.within, o))
        elif t == "SETS":
            self.add((s, PKG.sets, o))
        elif t == "CONTINUES":
            self.add((s, PKG.continues, o))
            c = URIRef(self.base + "continuation/" + _hash(e.source, e.target))
            self.add((c, RDF.type, PKG.Continuation))
            self.add((c, PKG.later, s))
            self.add((c, PKG.earlier, o))
            self.opt(c, PKG.score, p.get("score"), _decimal)
            self.opt(c, PKG.evidence, p.get("evidence"), lambda v: Literal(str(v)))
            self.opt(c, PKG.relation, p.get("relation"), lambda v: Literal(str(v)))
        elif t in _LINK_PREDICATES:
            pred = _LINK_PREDICATES[t]
            self.add((s, pred, o))
            if t == "CITES" and p.get("relation") == "implements":
                self.add((s, ELI.ensures_implementation_of, o))
            st = URIRef(self.base + "statement/" + _hash(s, pred, o))
            self.add((st, RDF.type, RDF.Statement))
            self.add((st, RDF.subject, s))
            self.add((st, RDF.predicate, pred))
            self.add((st, RDF.object, o))
            if t == "CITES":
                self.opt(st, PKG.relation, p.get("relation"), lambda v: Literal(str(v)))
            self.derive(st, p)
        else:  # relationship types added later: pkg:<camelCase> direct triple
            self.add((s, PKG[_camel(t)], o))

    def run(self) -> set[tuple[URIRef, URIRef, Any]]:
        for n in self.data.nodes.values():
            self.node(n)
        sectors = [n.id for n in self.data.nodes.values() if n.label == "Sector"]
        if sectors:
            self.add((self.scheme, RDF.type, SKOS.ConceptScheme))
            self.add((self.scheme, SKOS.prefLabel, Literal("行业领域", lang="zh")))
            self.add((self.scheme, SKOS.prefLabel, Literal("Sectors", lang="en")))
            has_broader = {e.source for e in self.data.edges.values() if e.type == "BROADER"}
            for sid in sectors:
                if sid not in has_broader:
                    self.add((self.iris[sid], SKOS.topConceptOf, self.scheme))
                    self.add((self.scheme, SKOS.hasTopConcept, self.iris[sid]))
        for e in self.data.edges.values():
            self.edge(e)
        self.documents_of_parts()
        return self.triples

    def documents_of_parts(self) -> None:
        """Materialize ``pkg:inDocument``: the Document(s) a chapter or measure is (transitively)
        part of, following CONTAINS upwards. Queries use it instead of ``eli:is_part_of+``
        (rdflib evaluates property paths slowly); SHACL still checks the structural path."""
        parents: dict[str, list[str]] = {}
        for e in self.data.edges.values():
            if e.type == "CONTAINS":
                parents.setdefault(e.target, []).append(e.source)
        nodes = self.data.nodes
        for nid, n in nodes.items():
            if n.label not in ("Chapter", "Measure"):
                continue
            seen: set[str] = set()
            stack = list(parents.get(nid, []))
            while stack:
                cur = stack.pop()
                if cur in seen:
                    continue
                seen.add(cur)
                if cur in nodes and nodes[cur].label == "Document":
                    self.add((self.iris[nid], PKG.inDocument, self.iris[cur]))
                else:
                    stack.extend(parents.get(cur, []))


def _new_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def to_triples(graph: GraphData, base: str = DEFAULT_BASE) -> set[tuple[URIRef, URIRef, Any]]:
    """The RDF triples of ``graph`` as a set of rdflib terms (what ``to_rdf`` loads)."""
    return _Exporter(graph, base).run()


def to_rdf(graph: GraphData, base: str = DEFAULT_BASE) -> rdflib.Graph:
    """The whole graph as an ``rdflib.Graph`` in the policy-kg ontology (see module docstring)."""
    g = _new_graph()
    g.addN((s, p, o, g) for s, p, o in to_triples(graph, base))
    return g


def export_rdf(graph: GraphData, fmt: str = "turtle", base: str = DEFAULT_BASE) -> str:
    """Serialize ``graph`` as ``turtle``, ``json-ld`` or ``nt`` (N-Triples); UTF-8 text.

    The writers below are small and deterministic (subjects, predicates and objects sorted), and
    several times faster than rdflib's general serializers; tests parse every format back with
    rdflib and compare it with ``to_rdf`` by graph isomorphism.
    """
    key = (fmt or "").strip().lower()
    if key not in FORMATS:
        raise RDFExportError(
            f"unknown RDF format {fmt!r}; valid formats: {', '.join(FORMATS)}"
        )
    triples = to_triples(graph, base)
    if key == "nt":
        return _write_ntriples(triples)
    if key == "json-ld":
        return _write_jsonld(triples)
    return _write_turtle(triples)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPE_RE = re.compile(r'[\\"\x00-\x1f\x7f]')
_PN_LOCAL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_TTL_INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")
_TTL_DECIMAL_RE = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")
_NS_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _escape(text: str) -> str:
    return _ESCAPE_RE.sub(
        lambda m: _ESCAPES.get(m.group(0)) or f"\\u{ord(m.group(0)):04X}", text)


def _nt_term(term: Any) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        out = f'"{_escape(str(term))}"'
        if term.language:
            return f"{out}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{out}^^<{term.datatype}>"
        return out
    return f"_:{term}"


def _qname(iri: str) -> Optional[str]:
    for prefix, ns in _NS_BY_LENGTH:
        if iri.startswith(ns) and _PN_LOCAL_RE.match(iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return None


def _ttl_term(term: Any) -> str:
    if isinstance(term, URIRef):
        return _qname(str(term)) or f"<{term}>"
    if isinstance(term, Literal) and not term.language and term.datatype is not None:
        lex = str(term)
        if term.datatype == XSD.integer and _TTL_INTEGER_RE.match(lex):
            return lex
        if term.datatype == XSD.decimal and _TTL_DECIMAL_RE.match(lex):
            return lex
        if term.datatype == XSD.boolean and lex in ("true", "false"):
            return lex
        if term.datatype != XSD.string:
            dt = _qname(str(term.datatype)) or f"<{term.datatype}>"
            return f'"{_escape(lex)}"^^{dt}'
    return _nt_term(term)


def _sort_key(term: Any) -> tuple:
    return (0 if isinstance(term, URIRef) else 1, str(term),
            str(getattr(term, "language", "") or ""), str(getattr(term, "datatype", "") or ""))


def _by_subject(triples: Iterable[tuple]) -> list[tuple[Any, list[tuple[Any, list[Any]]]]]:
    subjects: dict[Any, dict[Any, list[Any]]] = {}
    for s, p, o in triples:
        subjects.setdefault(s, {}).setdefault(p, []).append(o)
    out = []
    for s in sorted(subjects, key=_sort_key):
        preds = subjects[s]
        order = sorted(preds, key=lambda p: (p != RDF.type, str(p)))
        out.append((s, [(p, sorted(preds[p], key=_sort_key)) for p in order]))
    return out


def _write_ntriples(triples: Iterable[tuple]) -> str:
    lines = sorted(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} ." for s, p, o in triples)
    return "\n".join(lines) + ("\n" if lines else "")


def _write_turtle(triples: Iterable[tuple]) -> str:
    parts = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    parts.append("")
    for s, preds in _by_subject(triples):
        body = []
        for p, objs in preds:
            verb = "a" if p == RDF.type else _ttl_term(p)
            body.append(f"    {verb} " + " ,\n        ".join(_ttl_term(o) for o in objs))
        parts.append(_ttl_term(s) + "\n" + " ;\n".join(body) + " .\n")
    return "\n".join(parts)


def _jsonld_value(term: Any) -> Any:
    if isinstance(term, URIRef):
        return {"@id": str(term)}
    if isinstance(term, Literal):
        if term.language:
            return {"@value": str(term), "@language": term.language}
        if term.datatype is not None and term.datatype != XSD.string:
            return {"@value": str(term), "@type": _qname(str(term.datatype)) or str(term.datatype)}
        return str(term)
    return {"@id": f"_:{term}"}


def _write_jsonld(triples: Iterable[tuple]) -> str:
    import json

    nodes = []
    for s, preds in _by_subject(triples):
        obj: dict[str, Any] = {"@id": str(s)}
        for p, objs in preds:
            if p == RDF.type:
                types = [_qname(str(o)) or str(o) for o in objs]
                obj["@type"] = types[0] if len(types) == 1 else types
                continue
            values = [_jsonld_value(o) for o in objs]
            obj[_qname(str(p)) or str(p)] = values[0] if len(values) == 1 else values
        nodes.append(obj)
    doc = {"@context": dict(PREFIXES), "@graph": nodes}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


# ----------------------------------------------------------------------------------------------
# SHACL validation
# ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_PATH, format="turtle")


@lru_cache(maxsize=1)
def _ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_PATH, format="turtle")


def load_ontology() -> rdflib.Graph:
    """A fresh copy of ``ontology/policy.ttl``."""
    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for t in _ontology_graph():
        g.add(t)
    return g


def _short(term: Any, g: rdflib.Graph, base: str) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        if base and text.startswith(base):
            return "<" + unquote(text[len(base):]) + ">"
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and re.fullmatch(r"[\w.-]+", text[len(ns):]):
                return f"{prefix}:{text[len(ns):]}"
        return f"<{unquote(text)}>"
    if isinstance(term, Literal):
        return f'"{term}"' + (f"@{term.language}" if term.language else "")
    return "[]" if term is None else str(term)


def _path_text(path: Any, shapes: rdflib.Graph, base: str) -> str:
    if path is None:
        return "(node)"
    if isinstance(path, URIRef):
        return _short(path, shapes, base)
    for pred, fmt in ((SH.inversePath, "^{}"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrMorePath, "{}*"), (SH.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, pred)
        if inner is not None:
            return fmt.format(_path_text(inner, shapes, base))
    alt = shapes.value(path, SH.alternativePath)
    if alt is not None:
        return "|".join(_path_text(x, shapes, base) for x in Collection(shapes, alt))
    if shapes.value(path, RDF.first) is not None:
        return "/".join(_path_text(x, shapes, base) for x in Collection(shapes, path))
    return str(path)


def _display_name(node: Any, data: rdflib.Graph, depth: int = 0) -> str:
    """A short human name for a focus node; reified nodes are named after what they link."""
    for pred in (PKG.shortName, DCTERMS.title, RDFS.label, SKOS.prefLabel, PKG.metric):
        value = data.value(node, pred)
        if value is not None:
            return str(value)
    if depth:
        return ""
    for left, right in ((PKG.agency, PKG.measure), (PKG.agency, PKG.document),
                        (PKG.later, PKG.earlier), (RDF.subject, RDF.object)):
        a, b = data.value(node, left), data.value(node, right)
        if a is not None or b is not None:
            names = [_display_name(x, data, 1) or "?" if x is not None else "?" for x in (a, b)]
            return " → ".join(names)
    return ""


def _report_lines(results: rdflib.Graph, data: rdflib.Graph, base: str) -> list[str]:
    lines = []
    shapes = _shapes_graph()
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        severity = results.value(r, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        value = results.value(r, SH.value)
        focus_text = _short(focus, data, base)
        name = _display_name(focus, data) if focus is not None else ""
        if name:
            focus_text += f" «{name[:40]}»"
        # paths inside the results graph are copies of the shapes' path nodes
        path_text = _path_text(path, results if (path, None, None) in results else shapes, base)
        sev = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        msg = messages[0] if messages else "constraint violated"
        extra = ""
        if value is not None and value != focus:
            extra = f" (value: {_short(value, data, base)})"
        lines.append(f"{sev}: {focus_text} | path {path_text} | {msg}{extra}")
    return sorted(set(lines))


def validate_rdf(rdf_graph: rdflib.Graph, *, inference: str = "none",
                 base: str = DEFAULT_BASE) -> tuple[bool, str]:
    """Validate an exported RDF graph against ``ontology/shapes.ttl``; (conforms, report).

    The ontology is mixed into ``rdf_graph`` in place (pass a copy to keep it clean).
    """
    import pyshacl  # deferred: importing pyshacl costs ~0.5 s

    data_triples = len(rdf_graph)
    conforms, results, _ = pyshacl.validate(
        rdf_graph, shacl_graph=_shapes_graph(), ont_graph=_ontology_graph(),
        inference=inference, abort_on_first=False, allow_warnings=True, meta_shacl=False,
        advanced=False, inplace=True,
    )
    lines = _report_lines(results, rdf_graph, base)
    violations = sum(1 for line in lines if line.startswith("Violation"))
    if conforms:
        head = f"Conforms: {data_triples} triples checked against {SHAPES_PATH.name}"
        if lines:
            head += f" ({len(lines)} warnings)"
    else:
        head = f"Does not conform: {violations} violation(s) of {SHAPES_PATH.name}"
    return bool(conforms), "\n".join([head, *lines])


def validate_graph(graph: GraphData, *, inference: str = "none",
                   base: str = DEFAULT_BASE) -> tuple[bool, str]:
    """Export ``graph`` to RDF and validate it; (conforms, readable report, one line per issue)."""
    return validate_rdf(to_rdf(graph, base), inference=inference, base=_check_base(base))


# ----------------------------------------------------------------------------------------------
# SPARQL versions of the DESIGN.md questions
# ----------------------------------------------------------------------------------------------

_SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

SPARQL_QUESTIONS: dict[str, str] = {
    # Which measures does <agency> lead, and which does it only support, per document?
    # ?agencyName: short name, full name or any alias.
    "agency_roles": _SPARQL_PREFIXES + """
SELECT DISTINCT ?agency ?document ?docNumber ?measureNumber ?measureTitle ?role ?rank ?seq
WHERE {
  { SELECT DISTINCT ?a WHERE {
      ?a pkg:shortName|skos:prefLabel|skos:altLabel ?anyName .
      FILTER(STR(?anyName) = STR(?agencyName)) } }
  ?r pkg:agency ?a .
  ?r pkg:measure ?m .
  ?r pkg:role ?roleIri .
  ?a pkg:shortName ?agency .
  ?m pkg:inDocument ?doc .
  ?doc dcterms:title ?document .
  OPTIONAL { ?r pkg:rank ?rank }
  OPTIONAL { ?doc dcterms:identifier ?docNumber }
  OPTIONAL { ?m eli:number ?measureNumber }
  OPTIONAL { ?m dcterms:title ?measureTitle }
  OPTIONAL { ?m pkg:seq ?seq }
  BIND(STRAFTER(STR(?roleIri), "#") AS ?role)
}
ORDER BY ?document ?role ?seq ?measureNumber
""",
    # Which agencies work together most often (share measures)?
    "agency_pairs": _SPARQL_PREFIXES + """
SELECT ?agencyA ?agencyB (COUNT(DISTINCT ?m) AS ?sharedMeasures)
WHERE {
  ?r1 a pkg:Responsibility .
  ?r1 pkg:measure ?m .
  ?r2 pkg:measure ?m .
  ?r1 pkg:agency ?a1 .
  ?r2 pkg:agency ?a2 .
  ?a1 pkg:shortName ?agencyA .
  ?a2 pkg:shortName ?agencyB .
  FILTER(STR(?agencyA) < STR(?agencyB))
}
GROUP BY ?agencyA ?agencyB
ORDER BY DESC(?sharedMeasures) ?agencyA ?agencyB
""",
    # What does each plan commit to for <year>, with numbers, and who owns each commitment?
    # Owner: the measure's lead; for a document-level target (or a measure without a
    # responsibility list) the document's rank-1 lead (pkg:DocumentLead).
    "targets_for_year": _SPARQL_PREFIXES + """
SELECT ?document ?measureNumber ?measureTitle ?metric ?comparator ?value ?unit ?year
       ?owner ?ownerScope ?text
WHERE {
  ?t pkg:year ?year .
  FILTER(?year = ?targetYear)
  ?t pkg:value ?value .
  ?t pkg:unit ?unit .
  ?t pkg:comparator ?comparator .
  ?setter pkg:sets ?t .
  { ?setter a pkg:Document . BIND(?setter AS ?doc) }
  UNION
  { ?setter pkg:inDocument ?doc .
    OPTIONAL { ?setter eli:number ?measureNumber }
    OPTIONAL { ?setter dcterms:title ?measureTitle } }
  ?doc dcterms:title ?document .
  OPTIONAL { ?t pkg:metric ?metric }
  OPTIONAL { ?t prov:wasDerivedFrom ?passage . ?passage rdf:value ?text }
  OPTIONAL { ?lr pkg:measure ?setter .
             { ?lr pkg:role pkg:lead . ?lr pkg:agency ?leadAgency .
               ?leadAgency pkg:shortName ?measureLead } }
  OPTIONAL { ?dl pkg:document ?doc .
             { ?dl pkg:rank 1 . ?dl pkg:agency ?docAgency .
               ?docAgency pkg:shortName ?documentLead } }
  BIND(COALESCE(?measureLead, ?documentLead) AS ?owner)
  BIND(IF(BOUND(?measureLead), "measure", IF(BOUND(?documentLead), "document", ""))
       AS ?ownerScope)
}
ORDER BY ?document ?measureNumber ?metric
""",
    # Which measures of a later policy continue measures of an earlier plan, and what changed?
    # Narrow it with ?laterDocNumber / ?earlierDocNumber (文号) bindings.
    "measure_continuations": _SPARQL_PREFIXES + """
SELECT ?laterDocument ?laterNumber ?laterTitle ?earlierDocument ?earlierNumber ?earlierTitle
       ?relation ?score ?evidence
WHERE {
  ?c a pkg:Continuation .
  ?c pkg:later ?later .
  ?c pkg:earlier ?earlier .
  ?later pkg:inDocument ?ld .
  ?earlier pkg:inDocument ?ed .
  ?ld dcterms:title ?laterDocument .
  ?ed dcterms:title ?earlierDocument .
  OPTIONAL { ?ld dcterms:identifier ?laterNo }
  OPTIONAL { ?ed dcterms:identifier ?earlierNo }
  FILTER(!BOUND(?laterDocNumber) || STR(?laterNo) = STR(?laterDocNumber))
  FILTER(!BOUND(?earlierDocNumber) || STR(?earlierNo) = STR(?earlierDocNumber))
  OPTIONAL { ?c pkg:score ?score }
  OPTIONAL { ?c pkg:relation ?relation }
  OPTIONAL { ?c pkg:evidence ?evidence }
  OPTIONAL { ?later eli:number ?laterNumber }
  OPTIONAL { ?later dcterms:title ?laterTitle }
  OPTIONAL { ?later pkg:seq ?laterSeq }
  OPTIONAL { ?earlier eli:number ?earlierNumber }
  OPTIONAL { ?earlier dcterms:title ?earlierTitle }
}
ORDER BY ?laterDocument ?laterSeq ?laterNumber DESC(?score) ?earlierNumber
""",
    # Which parks are named, in which district, for which sectors, by which documents?
    # One row per place named by a document (directly or through one of its measures).
    "places": _SPARQL_PREFIXES + """
SELECT ?place ?kind ?district ?sectors ?documents
WHERE {
  { SELECT ?p (GROUP_CONCAT(DISTINCT ?document; separator="、") AS ?documents)
    WHERE {
      ?p a pkg:Place .
      ?x pkg:locatedIn ?p .
      { ?x a pkg:Document . BIND(?x AS ?doc) }
      UNION
      { ?x pkg:inDocument ?doc . }
      ?doc dcterms:title ?document .
    }
    GROUP BY ?p }
  OPTIONAL {
    { SELECT ?p (GROUP_CONCAT(DISTINCT ?sector; separator="、") AS ?sectors)
      WHERE { ?p pkg:focusesOn ?s . ?s skos:prefLabel ?sector . FILTER(LANG(?sector) = "zh") }
      GROUP BY ?p }
  }
  ?p rdfs:label ?place .
  OPTIONAL { ?p pkg:kind ?kind }
  OPTIONAL { ?p pkg:district ?districtName }
  OPTIONAL { ?p pkg:within ?dp . ?dp pkg:kind "district" . ?dp rdfs:label ?districtPlace }
  BIND(COALESCE(?districtName, STR(?districtPlace)) AS ?district)
}
ORDER BY ?place
""",
}

# Each question's patterns are written in an order rdflib evaluates well: rdflib sorts a basic
# graph pattern by how many variables are unbound *when the query is compiled* and evaluates the
# block of best-bound patterns together, so two "?x a Class" patterns on unrelated variables
# become a cross product, and a constant pattern inside an OPTIONAL runs before the variable the
# outer pattern binds. So each block has one anchor and joins outwards from it, and OPTIONAL
# parts that need an outer binding first are split into a nested group (joined lazily).

# Default parameter bindings of the questions that take parameters.
SPARQL_DEFAULTS: dict[str, dict[str, Any]] = {
    "agency_roles": {"agencyName": "市经济信息化委"},
    "targets_for_year": {"targetYear": 2025},
}


def _python_value(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, Literal):  # unknown datatype
            return str(value)
        return value if not hasattr(value, "isoformat") else value.isoformat()
    return str(term)


def run_question(rdf_graph: rdflib.Graph, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run ``SPARQL_QUESTIONS[name]`` over ``rdf_graph``; rows as dicts of plain Python values.

    Parameters default to ``SPARQL_DEFAULTS[name]``; strings bind as plain literals, ints as
    xsd:integer.
    """
    if name not in SPARQL_QUESTIONS:
        raise ValueError(
            f"no SPARQL question {name!r}; available: {', '.join(SPARQL_QUESTIONS)}"
        )
    bindings = {**SPARQL_DEFAULTS.get(name, {}), **params}
    init = {k: (v if isinstance(v, (Literal, URIRef)) else Literal(v)) for k, v in bindings.items()}
    result = rdf_graph.query(SPARQL_QUESTIONS[name], initBindings=init)
    columns = [str(v) for v in result.vars]
    return [{c: _python_value(row[i]) for i, c in enumerate(columns)} for row in result]


def sparql_rows(rows: Iterable[dict[str, Any]], columns: Iterable[str]) -> list[tuple]:
    """Project result dicts onto ``columns`` (a helper for comparing answers)."""
    cols = list(columns)
    return [tuple(r.get(c) for c in cols) for r in rows]
