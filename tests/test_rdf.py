"""Tests of the RDF export, the SHACL shapes and the SPARQL questions (graph/rdf.py, ontology/).

Takes: a small hand-built ``GraphData`` in the shape ``graph.build`` produces (two documents of the
online-economy chain, chapters, measures with lead and support agencies, sectors with a broader
sector, a park in a district, targets, a CITES and a CONTINUES edge).
Gives: round trips through every format (compared by graph isomorphism), stable IRIs, a
conforming validation, one mutated graph per shape (each must be reported with a readable line),
SPARQL answers equal to the same answers computed from the GraphData (and from the Cypher named
queries when ``graph.queries`` exists), and a corpus-size timing figure (printed, not asserted).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any, Callable

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic

from graph import rdf as R
from graph.model import Edge, GraphData, Node

D20 = "doc:9f1c2a3b4d5e"  # 沪府办发〔2020〕1号
D23 = "doc:7a8b9c0d1e2f"  # 沪府办规〔2023〕27号
DEXT = "doc:ext:0a1b2c3d4e5f"
F20 = "002_eb27fe6b47101308.txt"
F23 = "003_3a33eb2e0612dacc.txt"
CLAUSE = "（责任部门：市经济信息化委、市发展改革委、市科委）"


def _prov(source_file: str, line: int, text: str) -> dict[str, Any]:
    return {"source_file": source_file, "line": line, "source_text": text}


def make_graph() -> GraphData:
    """Two documents of the online-new-economy chain, as graph.build would produce them."""
    g = GraphData()
    add = g.add_node
    link = g.add_edge
    # agencies
    add(Node("agency:市经济信息化委", "Agency", {
        "name": "市经济信息化委", "full_name": "上海市经济和信息化委员会", "kind": "municipal_commission",
        "aliases": "市经信委|经济信息化委", "catalogued": True}))
    add(Node("agency:市发展改革委", "Agency", {
        "name": "市发展改革委", "full_name": "上海市发展和改革委员会", "kind": "municipal_commission",
        "aliases": "市发改委", "catalogued": True}))
    add(Node("agency:市科委", "Agency", {
        "name": "市科委", "full_name": "上海市科学技术委员会", "kind": "municipal_commission",
        "aliases": None, "catalogued": True}))
    add(Node("agency:市商务委", "Agency", {
        "name": "市商务委", "full_name": "上海市商务委员会", "kind": "municipal_commission",
        "aliases": None, "catalogued": True}))
    add(Node("agency:各区政府", "Agency", {
        "name": "各区政府", "full_name": None, "kind": "group", "aliases": None, "catalogued": True}))
    add(Node("agency:市政府办公厅", "Agency", {
        "name": "市政府办公厅", "full_name": "上海市人民政府办公厅", "kind": "office",
        "aliases": None, "catalogued": True}))
    # documents
    add(Node(D20, "Document", {
        "title": "上海市促进在线新经济发展行动方案（2020-2022年）", "doc_number": "沪府办发〔2020〕1号",
        "issuer": "市政府办公厅", "issued": "2020-04-08", "valid_from": None, "valid_to": None,
        "kind": "action_plan", "source_file": F20, "sha256": "ab" * 32, "external": False,
        "text": "……"}))
    add(Node(D23, "Document", {
        "title": "上海市促进在线新经济健康发展的若干政策措施", "doc_number": "沪府办规〔2023〕27号",
        "issuer": "市政府办公厅", "issued": "2023-12-29", "valid_from": "2024-01-01",
        "valid_to": "2028-12-31", "kind": "policy_measures", "source_file": F23,
        "sha256": "cd" * 32, "external": False, "text": "……"}))
    add(Node(DEXT, "Document", {
        "title": "国务院办公厅关于促进平台经济规范健康发展的指导意见", "external": True}))
    link(Edge(D20, "ISSUED_BY", "agency:市政府办公厅"))
    link(Edge(D23, "ISSUED_BY", "agency:市政府办公厅"))
    # chapters
    add(Node(f"{D20}/c2", "Chapter", {
        "document_id": D20, "source_file": F20, "number": "二", "label": "二、", "title": "聚焦发展重点",
        "heading": "二、聚焦发展重点", "seq": 2, "line": 12}))
    add(Node(f"{D23}/c1", "Chapter", {
        "document_id": D23, "source_file": F23, "number": "一", "label": "一、", "title": "支持新业态新模式发展",
        "heading": "一、支持新业态新模式发展", "seq": 1, "line": 9}))
    link(Edge(D20, "CONTAINS", f"{D20}/c2", {"seq": 2}))
    link(Edge(D23, "CONTAINS", f"{D23}/c1", {"seq": 1}))
    # measures of the 2020 plan
    m20 = [
        ("c2.m1", "1", "1．", "打造标杆性无人工厂", ["市经济信息化委", "市发展改革委", "市科委"], 14),
        ("c2.m2", "2", "2．", "加快发展工业互联网", ["市经济信息化委", "市发展改革委", "市科委"], 17),
        ("c2.m3", "3", "3．", "推广远程办公模式", ["市经济信息化委", "市商务委", "市科委"], 20),
        ("c2.m4", "4", "4．", "拓展在线展览展示", ["市商务委", "市经济信息化委", "各区政府"], 23),
    ]
    for seq, (key, number, label, title, agencies, line) in enumerate(m20, 1):
        mid = f"{D20}/{key}"
        clause = "（责任部门：" + "、".join(agencies) + "）"
        add(Node(mid, "Measure", {
            "document_id": D20, "source_file": F20, "doc_number": "沪府办发〔2020〕1号",
            "number": number, "label": label, "title": title,
            "text": f"{label}{title}。……{clause}", "kind": "measure", "chapter": "二、聚焦发展重点",
            "level": 1, "seq": seq, "line": line, "start": line * 40, "end": line * 40 + 120}))
        link(Edge(f"{D20}/c2", "CONTAINS", mid, {"seq": seq}))
        for rank, name in enumerate(agencies, 1):
            link(Edge(f"agency:{name}", "RESPONSIBLE_FOR", mid, {
                "role": "lead" if rank == 1 else "support", "rank": rank, "written": name,
                **_prov(F20, line + 2, clause)}))
    # measures of the 2023 measures
    m23 = [
        ("c1.m1", "一", "（一）", "支持无人工厂建设", ["市经济信息化委", "市科委"], 11),
        ("c1.m2", "二", "（二）", "推动在线会展发展", ["市商务委", "市经济信息化委"], 15),
    ]
    for seq, (key, number, label, title, agencies, line) in enumerate(m23, 1):
        mid = f"{D23}/{key}"
        clause = "(责任单位:" + "、".join(agencies) + ")"
        add(Node(mid, "Measure", {
            "document_id": D23, "source_file": F23, "doc_number": "沪府办规〔2023〕27号",
            "number": number, "label": label, "title": title,
            "text": f"{label}{title}。……{clause}", "kind": "measure",
            "chapter": "一、支持新业态新模式发展", "level": 1, "seq": seq, "line": line,
            "start": line * 40, "end": line * 40 + 100}))
        link(Edge(f"{D23}/c1", "CONTAINS", mid, {"seq": seq}))
        for rank, name in enumerate(agencies, 1):
            link(Edge(f"agency:{name}", "RESPONSIBLE_FOR", mid, {
                "role": "lead" if rank == 1 else "support", "rank": rank, "written": name,
                **_prov(F23, line + 1, clause)}))
    # a nested task without its own responsibility list
    nested = f"{D20}/c2.m1.t1"
    add(Node(nested, "Measure", {
        "document_id": D20, "source_file": F20, "number": "1", "label": "一是", "title": "建设无人工厂示范",
        "text": "一是建设无人工厂示范，到2022年建设100家无人工厂", "kind": "task", "level": 2, "seq": 5,
        "line": 15}))
    link(Edge(f"{D20}/c2.m1", "CONTAINS", nested, {"seq": 5}))
    # document-level lead of the 2023 measures
    link(Edge("agency:市发展改革委", "LEADS", D23, {
        "rank": 1, **_prov(F23, 80, "由市发展改革委牵头，会同各有关部门推进落实")}))
    # sectors
    add(Node("sector:digital_economy", "Sector", {"name": "数字经济", "name_en": "Digital economy", "level": 1}))
    add(Node("sector:online_new_economy", "Sector", {"name": "在线新经济", "name_en": "Online new economy", "level": 2}))
    add(Node("sector:smart_manufacturing", "Sector", {"name": "智能制造", "name_en": "Smart manufacturing", "level": 2}))
    link(Edge("sector:online_new_economy", "BROADER", "sector:digital_economy"))
    link(Edge("sector:smart_manufacturing", "BROADER", "sector:digital_economy"))
    link(Edge(f"{D20}/c2.m1", "CONCERNS", "sector:smart_manufacturing", _prov(F20, 14, "无人工厂")))
    link(Edge(D23, "CONCERNS", "sector:online_new_economy", _prov(F23, 1, "在线新经济")))
    # places
    add(Node("place:jiading", "Place", {"name": "嘉定区", "kind": "district", "district": None, "catalogued": True}))
    add(Node("place:jiading_new_town", "Place", {
        "name": "嘉定新城", "kind": "new_town", "district": "嘉定区", "catalogued": True,
        "aliases": "嘉定新城核心区"}))
    add(Node("place:zhangjiang", "Place", {
        "name": "张江科学城", "kind": "park", "district": "浦东新区", "catalogued": True}))
    link(Edge("place:jiading_new_town", "WITHIN", "place:jiading"))
    link(Edge(f"{D20}/c2.m1", "LOCATED_IN", "place:jiading_new_town", _prov(F20, 15, "嘉定新城")))
    link(Edge(D23, "LOCATED_IN", "place:zhangjiang", _prov(F23, 40, "张江科学城")))
    link(Edge("place:jiading_new_town", "FOCUSES_ON", "sector:smart_manufacturing",
              {"source_file": F20, "line": 15}))
    # mentions
    link(Edge(f"{D20}/c2.m3", "MENTIONS", "agency:各区政府", _prov(F20, 21, "各区政府")))
    # targets
    add(Node(f"{D20}/c2.m1.t1/t1", "Target", {
        "metric": "无人工厂", "value": 100.0, "unit": "家", "comparator": "=", "year": 2022,
        "text": "到2022年建设100家无人工厂", "source_file": F20, "line": 15}))
    link(Edge(nested, "SETS", f"{D20}/c2.m1.t1/t1"))
    add(Node(f"{D23}/c1.m1/t1", "Target", {
        "metric": "无人工厂", "value": 200.0, "unit": "家", "comparator": ">=", "year": 2025,
        "text": "到2025年建成不少于200家无人工厂", "source_file": F23, "line": 12}))
    link(Edge(f"{D23}/c1.m1", "SETS", f"{D23}/c1.m1/t1"))
    add(Node(f"{D23}/t1", "Target", {
        "metric": "在线新经济规模", "value": 1.5, "unit": "万亿元", "comparator": "~", "year": 2025,
        "text": "到2025年在线新经济规模达到1.5万亿元左右", "source_file": F23, "line": 5}))
    link(Edge(D23, "SETS", f"{D23}/t1"))
    # citations and continuations
    link(Edge(D23, "CITES", DEXT, {"relation": "implements", **_prov(
        F23, 3, "国务院办公厅关于促进平台经济规范健康发展的指导意见")}))
    link(Edge(D23, "CONTINUES", D20, {"score": 1.0, "relation": "successor",
                                      "evidence": "same series: 上海市促进在线新经济…"}))
    link(Edge(f"{D23}/c1.m1", "CONTINUES", f"{D20}/c2.m1", {
        "score": 0.82, "relation": "continues",
        "evidence": "无人工厂: 2020 builds benchmark factories; 2023 adds a 200-factory target"}))
    link(Edge(f"{D23}/c1.m2", "CONTINUES", f"{D20}/c2.m4", {
        "score": 0.64, "relation": "continues", "evidence": "在线展览展示 → 在线会展"}))
    return g


@pytest.fixture(scope="module")
def graph() -> GraphData:
    return make_graph()


@pytest.fixture(scope="module")
def rdf_graph(graph: GraphData) -> rdflib.Graph:
    return R.to_rdf(graph)


def _isomorphic_or_diff(a: rdflib.Graph, b: rdflib.Graph) -> None:
    ia, ib = to_isomorphic(a), to_isomorphic(b)
    if ia != ib:
        _, only_a, only_b = graph_diff(ia, ib)
        lines = [f"- {t}" for t in sorted(only_a)[:10]] + [f"+ {t}" for t in sorted(only_b)[:10]]
        pytest.fail("graphs differ:\n" + "\n".join(lines))


# ------------------------------------------------------------------------------------------------
# Export, formats, IRIs
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,parse_as", [("turtle", "turtle"), ("json-ld", "json-ld"), ("nt", "nt")])
def test_every_format_parses_back_to_the_same_graph(graph, rdf_graph, fmt, parse_as):
    text = R.export_rdf(graph, fmt)
    assert "市经济信息化委" in text  # UTF-8, not escaped
    back = rdflib.Graph().parse(data=text, format=parse_as)
    assert len(back) == len(rdf_graph)
    _isomorphic_or_diff(back, rdf_graph)


@pytest.mark.parametrize("fmt", R.FORMATS)
def test_awkward_text_round_trips(fmt):
    nasty = 'He said "到2025年"\\ 第二行\n\r\t\x0c分页 \u2028 😀 <tag> & {json} @zh'
    g = make_graph()
    _set_node(g, f"{D20}/c2.m2", text=nasty, title="1.5 \"quoted\"")
    _set_node(g, f"{D23}/t1", value=0.0001, year=2025.0)
    _set_node(g, "place:zhangjiang", name="张江\\科学城", aliases="a|b")
    expected = R.to_rdf(g)
    back = rdflib.Graph().parse(data=R.export_rdf(g, fmt), format=fmt)
    _isomorphic_or_diff(back, expected)
    assert any(str(o) == nasty for o in back.objects(None, rdflib.RDF.value))


def test_export_is_stable(graph):
    for fmt in R.FORMATS:
        assert R.export_rdf(make_graph(), fmt) == R.export_rdf(graph, fmt)
    _isomorphic_or_diff(R.to_rdf(make_graph()), R.to_rdf(graph))
    # insertion order does not matter
    shuffled = GraphData.from_parts(reversed(list(graph.nodes.values())),
                                    reversed(list(graph.edges.values())))
    _isomorphic_or_diff(R.to_rdf(shuffled), R.to_rdf(graph))


def test_unknown_format_lists_the_valid_ones(graph):
    with pytest.raises(ValueError) as err:
        R.export_rdf(graph, "rdfxml")
    assert "'rdfxml'" in str(err.value) and "turtle, json-ld, nt" in str(err.value)


def test_iris_are_percent_encoded_and_base_is_configurable(graph):
    iri = R.node_iri("agency:市经济信息化委", "Agency")
    assert iri == URIRef(R.DEFAULT_BASE + "agency/%E5%B8%82%E7%BB%8F%E6%B5%8E%E4%BF%A1%E6%81%AF%E5%8C%96%E5%A7%94")
    assert str(iri).isascii()
    assert R.node_iri(f"{D20}/c2.m1", "Measure") == URIRef(R.DEFAULT_BASE + "measure/9f1c2a3b4d5e/c2.m1")
    other = R.to_rdf(graph, base="http://example.com/kg")
    subjects = {str(s) for s in other.subjects()}
    assert all(s.startswith("http://example.com/kg/") for s in subjects), sorted(subjects)[:3]
    with pytest.raises(ValueError, match="absolute"):
        R.to_rdf(graph, base="policy-kg/")


def test_vocabulary_used(rdf_graph):
    g = rdf_graph
    PKG, ELI = R.PKG, R.ELI
    ORG, SKOS, DCT, PROV = rdflib.namespace.ORG, rdflib.namespace.SKOS, rdflib.namespace.DCTERMS, rdflib.namespace.PROV
    doc = R.node_iri(D23, "Document")
    assert (doc, rdflib.RDF.type, ELI.LegalResource) in g
    assert g.value(doc, DCT.identifier) == Literal("沪府办规〔2023〕27号")
    assert g.value(doc, DCT.issued) == Literal("2023-12-29", datatype=rdflib.XSD.date)
    assert g.value(doc, ELI.first_date_entry_in_force) == Literal("2024-01-01", datatype=rdflib.XSD.date)
    assert g.value(doc, ELI.date_no_longer_in_force) == Literal("2028-12-31", datatype=rdflib.XSD.date)
    assert (doc, ELI.cites, R.node_iri(DEXT, "Document")) in g
    assert (doc, ELI.ensures_implementation_of, R.node_iri(DEXT, "Document")) in g
    assert (doc, ELI.passed_by, R.node_iri("agency:市政府办公厅", "Agency")) in g
    agency = R.node_iri("agency:市经济信息化委", "Agency")
    assert (agency, rdflib.RDF.type, ORG.Organization) in g
    assert g.value(agency, PKG.shortName) == Literal("市经济信息化委")
    assert g.value(agency, SKOS.prefLabel) == Literal("上海市经济和信息化委员会", lang="zh")
    assert set(g.objects(agency, SKOS.altLabel)) == {
        Literal(x, lang="zh") for x in ("市经济信息化委", "市经信委", "经济信息化委")}
    sector = R.node_iri("sector:smart_manufacturing", "Sector")
    assert (sector, SKOS.broader, R.node_iri("sector:digital_economy", "Sector")) in g
    assert (R.node_iri("sector:digital_economy", "Sector"), SKOS.topConceptOf, None) in g
    assert g.value(sector, SKOS.inScheme) is not None
    # a responsibility is reified with role, rank and provenance
    m1 = R.node_iri(f"{D20}/c2.m1", "Measure")
    resp = [r for r in g.subjects(PKG.measure, m1) if g.value(r, PKG.agency) == agency]
    assert len(resp) == 1
    r = resp[0]
    assert g.value(r, PKG.role) == PKG.lead and g.value(r, PKG.rank) == Literal(1)
    passage = g.value(r, PROV.wasDerivedFrom)
    assert str(g.value(passage, rdflib.RDF.value)) == CLAUSE
    assert g.value(g.value(passage, DCT.source), DCT.identifier) == Literal(F20)
    assert g.value(passage, PKG.line) == Literal(16)
    # a place link carries its provenance on a reified statement
    stmts = list(g.subjects(rdflib.RDF.predicate, PKG.locatedIn))
    assert stmts and all(g.value(s, PROV.wasDerivedFrom) is not None for s in stmts)
    # continuation with score
    conts = list(g.subjects(rdflib.RDF.type, PKG.Continuation))
    assert len(conts) == 3
    assert {float(g.value(c, PKG.score)) for c in conts} == {1.0, 0.82, 0.64}


# ------------------------------------------------------------------------------------------------
# SHACL
# ------------------------------------------------------------------------------------------------

def test_the_ontology_and_shapes_parse_and_label_in_both_languages():
    onto = R.load_ontology()
    PKG = R.PKG
    ours = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(PKG))}
    assert len(ours) >= 30
    for term in ours:
        langs = {l.language for l in onto.objects(term, rdflib.RDFS.label)}
        defs = {l.language for l in onto.objects(term, rdflib.namespace.SKOS.definition)}
        assert {"zh", "en"} <= langs, term
        assert {"zh", "en"} <= defs, term
    # every pkg: term the exporter writes is declared in the ontology
    used = {p for t in R.to_rdf(make_graph()) for p in t if isinstance(p, URIRef) and str(p).startswith(str(PKG))}
    assert used <= ours, sorted(used - ours)


def test_valid_graph_conforms(graph):
    conforms, report = R.validate_graph(graph)
    assert conforms, report
    assert report.startswith("Conforms")


def _mutate(fn: Callable[[GraphData], None]) -> GraphData:
    g = make_graph()
    g = GraphData(nodes=dict(g.nodes), edges=dict(g.edges))
    fn(g)
    return g


def _set_node(g: GraphData, nid: str, **props: Any) -> None:
    n = g.nodes[nid]
    g.nodes[nid] = Node(n.id, n.label, {**n.properties, **props})


def _set_edge(g: GraphData, key: tuple[str, str, str], **props: Any) -> None:
    e = g.edges[key]
    g.edges[key] = Edge(e.source, e.type, e.target, {**e.properties, **props})


def _drop_edge(g: GraphData, key: tuple[str, str, str]) -> None:
    del g.edges[key]


M1 = f"{D20}/c2.m1"
R_LEAD = ("agency:市经济信息化委", "RESPONSIBLE_FOR", M1)
R_SUPPORT = ("agency:市发展改革委", "RESPONSIBLE_FOR", M1)
T23 = f"{D23}/c1.m1/t1"

MUTATIONS: dict[str, tuple[Callable[[GraphData], None], str, str]] = {
    # name: (mutation, expected focus fragment, expected message fragment)
    "measure_without_document": (
        lambda g: _drop_edge(g, (f"{D20}/c2", "CONTAINS", f"{D20}/c2.m2")),
        "measure/9f1c2a3b4d5e/c2.m2", "exactly one Document"),
    "measure_in_two_documents": (
        lambda g: g.add_edge(Edge(D23, "CONTAINS", f"{D20}/c2.m3")),
        "measure/9f1c2a3b4d5e/c2.m3", "exactly one Document"),
    "responsibility_without_role": (
        lambda g: _set_edge(g, R_SUPPORT, role=None),
        "responsibility/", "exactly one role"),
    "responsibility_bad_role": (
        lambda g: _set_edge(g, R_SUPPORT, role="chief"),
        "responsibility/", "pkg:lead or pkg:support"),
    "responsibility_rank_zero": (
        lambda g: _set_edge(g, R_SUPPORT, rank=0),
        "responsibility/", "rank >= 1"),
    "two_leads": (
        lambda g: _set_edge(g, R_SUPPORT, role="lead"),
        "measure/9f1c2a3b4d5e/c2.m1", "exactly one lead"),
    "no_lead": (
        lambda g: _set_edge(g, R_LEAD, role="support"),
        "measure/9f1c2a3b4d5e/c2.m1", "exactly one lead"),
    "target_without_unit": (
        lambda g: _set_node(g, T23, unit=None),
        "target/7a8b9c0d1e2f/c1.m1/t1", "unit"),
    "target_value_not_numeric": (
        lambda g: _set_node(g, T23, value="两百"),
        "target/7a8b9c0d1e2f/c1.m1/t1", "numeric value"),
    "target_bad_comparator": (
        lambda g: _set_node(g, T23, comparator="≥"),
        "target/7a8b9c0d1e2f/c1.m1/t1", "comparator"),
    "target_year_out_of_range": (
        lambda g: _set_node(g, T23, year=20250),
        "target/7a8b9c0d1e2f/c1.m1/t1", "between 1900 and 2100"),
    "responsibility_missing_provenance": (
        lambda g: _set_edge(g, R_SUPPORT, source_file=None, source_text=None, line=None),
        "responsibility/", "prov:wasDerivedFrom"),
    "link_missing_provenance": (
        lambda g: _set_edge(g, (M1, "LOCATED_IN", "place:jiading_new_town"), source_file=None,
                            source_text=None, line=None),
        "statement/", "source passage"),
    "passage_without_file": (
        lambda g: _set_node(g, T23, source_file=None),
        "target/7a8b9c0d1e2f/c1.m1/t1", "source file and text"),
    "measure_without_text": (
        lambda g: _set_node(g, f"{D23}/c1.m2", text=None, source_file=None),
        "measure/7a8b9c0d1e2f/c1.m2", "prov:wasDerivedFrom"),
    "document_without_title": (
        lambda g: _set_node(g, D23, title=None),
        "document/7a8b9c0d1e2f", "title"),
    "agency_without_name": (
        lambda g: _set_node(g, "agency:市科委", name=None, full_name=None),
        "agency/市科委", "short name"),
    "bad_issue_date": (
        lambda g: _set_node(g, D20, issued="2020年4月8日"),
        "document/9f1c2a3b4d5e", "issue date"),
    "sector_broader_not_a_sector": (
        lambda g: g.add_edge(Edge("sector:online_new_economy", "BROADER", "place:jiading")),
        "sector/online_new_economy", "broader"),
    "continuation_score_out_of_range": (
        lambda g: _set_edge(g, (f"{D23}/c1.m1", "CONTINUES", M1), score=1.7),
        "continuation/", "[0, 1]"),
    "target_set_by_nothing": (
        lambda g: _drop_edge(g, (D23, "SETS", f"{D23}/t1")),
        "target/7a8b9c0d1e2f/t1", "not set by any"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_shape_catches_its_violation(name):
    mutate, focus, message = MUTATIONS[name]
    conforms, report = R.validate_graph(_mutate(mutate))
    assert not conforms, f"{name}: expected a violation\n{report}"
    lines = report.splitlines()
    assert lines[0].startswith("Does not conform")
    hits = [l for l in lines[1:] if focus in l and message in l]
    assert hits, f"{name}: no line with {focus!r} and {message!r}:\n{report}"
    # readable: severity, focus, path and message on one line, no raw blank-node ids
    assert all(l.startswith("Violation: ") and " | path " in l for l in lines[1:]), report


def test_report_line_format():
    _, report = R.validate_graph(_mutate(MUTATIONS["responsibility_bad_role"][0]))
    line = next(l for l in report.splitlines() if "pkg:role" in l)
    assert '(value: "chief")' in line
    assert "分工角色须为牵头或配合" in line


# ------------------------------------------------------------------------------------------------
# SPARQL questions == the same answers computed from GraphData
# ------------------------------------------------------------------------------------------------

def _document_of(g: GraphData, nid: str) -> list[str]:
    parents = {e.target: e.source for e in g.edges_by_type("CONTAINS")}
    seen = set()
    while nid in parents and nid not in seen:
        seen.add(nid)
        nid = parents[nid]
        if g.nodes[nid].label == "Document":
            return [nid]
    return []


def expected_agency_roles(g: GraphData, agency: str) -> set[tuple]:
    out = set()
    for e in g.edges_by_type("RESPONSIBLE_FOR"):
        a = g.nodes[e.source].properties
        if agency not in (a.get("name"), a.get("full_name"), *(a.get("aliases") or "").split("|")):
            continue
        m = g.nodes[e.target].properties
        for d in _document_of(g, e.target):
            out.add((a["name"], g.nodes[d].properties["title"], m["number"], m["title"],
                     e.properties["role"], e.properties["rank"]))
    return out


def expected_agency_pairs(g: GraphData) -> Counter:
    by_measure: dict[str, set[str]] = {}
    for e in g.edges_by_type("RESPONSIBLE_FOR"):
        by_measure.setdefault(e.target, set()).add(g.nodes[e.source].properties["name"])
    pairs: Counter = Counter()
    for names in by_measure.values():
        for a in names:
            for b in names:
                if a < b:
                    pairs[(a, b)] += 1
    return pairs


def expected_targets(g: GraphData, year: int) -> set[tuple]:
    leads = {e.target: g.nodes[e.source].properties["name"]
             for e in g.edges_by_type("RESPONSIBLE_FOR") if e.properties.get("role") == "lead"}
    doc_leads = {e.target: g.nodes[e.source].properties["name"]
                 for e in g.edges_by_type("LEADS") if e.properties.get("rank") == 1}
    out = set()
    for e in g.edges_by_type("SETS"):
        t = g.nodes[e.target].properties
        if t.get("year") != year:
            continue
        setter = g.nodes[e.source]
        doc = e.source if setter.label == "Document" else _document_of(g, e.source)[0]
        owner = leads.get(e.source) or doc_leads.get(doc)
        number = setter.properties.get("number") if setter.label == "Measure" else None
        out.add((g.nodes[doc].properties["title"], number, t["metric"], t["comparator"],
                 float(t["value"]), t["unit"], t["year"], owner))
    return out


def expected_continuations(g: GraphData) -> set[tuple]:
    out = set()
    for e in g.edges_by_type("CONTINUES"):
        if g.nodes[e.source].label != "Measure":
            continue
        later, earlier = g.nodes[e.source].properties, g.nodes[e.target].properties
        out.add((g.nodes[_document_of(g, e.source)[0]].properties["title"], later["number"],
                 g.nodes[_document_of(g, e.target)[0]].properties["title"], earlier["number"],
                 e.properties["relation"], float(e.properties["score"]), e.properties["evidence"]))
    return out


def expected_places(g: GraphData) -> set[tuple]:
    out = {}
    for e in g.edges_by_type("LOCATED_IN"):
        src = g.nodes[e.source]
        doc = e.source if src.label == "Document" else _document_of(g, e.source)[0]
        p = g.nodes[e.target].properties
        district = p.get("district")
        if not district:
            district = next((g.nodes[w.target].properties["name"] for w in g.edges_by_type("WITHIN")
                             if w.source == e.target and g.nodes[w.target].properties.get("kind") == "district"), None)
        sectors = frozenset(g.nodes[f.target].properties["name"] for f in g.edges_by_type("FOCUSES_ON")
                            if f.source == e.target)
        key = (p["name"], p.get("kind"), district, sectors)
        out.setdefault(key, set()).add(g.nodes[doc].properties["title"])
    return {(*k, frozenset(v)) for k, v in out.items()}


def sparql_answers(rdf_graph: rdflib.Graph) -> dict[str, Any]:
    roles = R.run_question(rdf_graph, "agency_roles", agencyName="上海市经济和信息化委员会")
    pairs = R.run_question(rdf_graph, "agency_pairs")
    targets = R.run_question(rdf_graph, "targets_for_year", targetYear=2025)
    conts = R.run_question(rdf_graph, "measure_continuations")
    places = R.run_question(rdf_graph, "places")
    return {
        "agency_roles": {(r["agency"], r["document"], r["measureNumber"], r["measureTitle"], r["role"],
                          r["rank"]) for r in roles},
        "agency_pairs": Counter({(r["agencyA"], r["agencyB"]): r["sharedMeasures"] for r in pairs}),
        "targets_for_year": {(r["document"], r["measureNumber"], r["metric"], r["comparator"],
                              r["value"], r["unit"], r["year"], r["owner"]) for r in targets},
        "measure_continuations": {(r["laterDocument"], r["laterNumber"], r["earlierDocument"],
                                   r["earlierNumber"], r["relation"], r["score"], r["evidence"])
                                  for r in conts},
        "places": {(r["place"], r["kind"], r["district"],
                    frozenset(filter(None, (r["sectors"] or "").split("、"))),
                    frozenset(filter(None, (r["documents"] or "").split("、")))) for r in places},
        "_raw": {"agency_roles": roles, "agency_pairs": pairs},
    }


def test_sparql_answers_equal_graphdata_answers(graph, rdf_graph):
    got = sparql_answers(rdf_graph)
    assert got["agency_roles"] == expected_agency_roles(graph, "上海市经济和信息化委员会")
    assert got["agency_pairs"] == expected_agency_pairs(graph)
    assert got["targets_for_year"] == expected_targets(graph, 2025)
    assert got["measure_continuations"] == expected_continuations(graph)
    assert got["places"] == expected_places(graph)


def test_sparql_answers_are_the_known_facts(rdf_graph):
    """Pinned answers, so the reference implementations above cannot drift together with SPARQL."""
    got = sparql_answers(rdf_graph)
    roles = got["agency_roles"]
    assert {(r[2], r[4]) for r in roles if r[1].startswith("上海市促进在线新经济发展")} == {
        ("1", "lead"), ("2", "lead"), ("3", "lead"), ("4", "support")}
    assert {(r[2], r[4]) for r in roles if r[1].startswith("上海市促进在线新经济健康")} == {
        ("一", "lead"), ("二", "support")}
    # alias and short name give the same answer
    short = R.run_question(rdf_graph, "agency_roles", agencyName="市经信委")
    assert len(short) == len(roles) == 6
    top = got["_raw"]["agency_pairs"][0]
    assert (top["agencyA"], top["agencyB"], top["sharedMeasures"]) == ("市科委", "市经济信息化委", 4)
    assert got["targets_for_year"] == {
        ("上海市促进在线新经济健康发展的若干政策措施", "一", "无人工厂", ">=", 200.0, "家", 2025, "市经济信息化委"),
        ("上海市促进在线新经济健康发展的若干政策措施", None, "在线新经济规模", "~", 1.5, "万亿元", 2025, "市发展改革委"),
    }
    assert {(c[1], c[3]) for c in got["measure_continuations"]} == {("一", "1"), ("二", "4")}
    assert got["places"] == {
        ("嘉定新城", "new_town", "嘉定区", frozenset({"智能制造"}),
         frozenset({"上海市促进在线新经济发展行动方案（2020-2022年）"})),
        ("张江科学城", "park", "浦东新区", frozenset(), frozenset({"上海市促进在线新经济健康发展的若干政策措施"})),
    }


def test_continuations_can_be_narrowed_by_document_number(rdf_graph):
    rows = R.run_question(rdf_graph, "measure_continuations", laterDocNumber="沪府办规〔2023〕27号",
                          earlierDocNumber="沪府办发〔2020〕1号")
    assert {(r["laterNumber"], r["earlierNumber"]) for r in rows} == {("一", "1"), ("二", "4")}
    assert R.run_question(rdf_graph, "measure_continuations", laterDocNumber="沪府办发〔2020〕1号") == []


def test_every_question_is_documented_verbatim():
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "rdf.md").read_text(encoding="utf-8")
    for name, query in R.SPARQL_QUESTIONS.items():
        body = query[len(R._SPARQL_PREFIXES):].strip("\n")
        assert f"### `{name}`" in doc and body in doc, f"docs/rdf.md is out of date for {name}"


def test_unknown_question_lists_the_available_ones(rdf_graph):
    with pytest.raises(ValueError, match="available: agency_roles"):
        R.run_question(rdf_graph, "nope")


def test_sparql_matches_cypher_named_queries_when_available(graph, rdf_graph, tmp_path):
    """The SPARQL answers equal the Cypher named queries (graph.queries) over the embedded store."""
    queries = pytest.importorskip("graph.queries")
    store_mod = pytest.importorskip("graph.ladybug_store")
    try:
        store = store_mod.LadybugStore(str(tmp_path / "store"))
        store.rebuild(graph, [])
    except Exception as exc:  # pragma: no cover - the store is being written concurrently
        pytest.skip(f"embedded store not usable: {exc}")
    got = sparql_answers(rdf_graph)
    title_of_file = {n.properties.get("source_file"): n.properties["title"]
                     for n in graph.nodes_by_label("Document") if n.properties.get("source_file")}
    with store:
        roles = queries.responsibility_rows(store, agency="上海市经济和信息化委员会")
        assert {(r["agency"], r["document"], r["measure_number"], r["measure_title"], r["role"],
                 r["rank"]) for r in roles} == got["agency_roles"]

        pairs = Counter({tuple(sorted((r["agency_a"], r["agency_b"]))): r["shared_measures"]
                         for r in queries.agency_pairs(store, limit=10_000)})
        assert pairs == got["agency_pairs"]

        cy_targets = queries.target_rows(store, year=2025)
        assert {(r["measure_number"], r["metric"], r["comparator"], float(r["value"]), r["unit"],
                 r["year"]) for r in cy_targets} == {t[1:7] for t in got["targets_for_year"]}
        # Cypher owners: the measure's leads, or the document's leads for document-level targets;
        # SPARQL adds a document-lead fallback for measures without a responsibility list.
        for r in cy_targets:
            if r["owners"]:
                assert any(t[1] == r["measure_number"] and t[2] == r["metric"] and t[7] == r["owners"][0]
                           for t in got["targets_for_year"]), r

        chains = [r for r in queries.chain_rows(store) if r["level"] == "measure"]
        assert {(title_of_file[r["from"]["source_file"]], r["from"]["measure_number"],
                 title_of_file[r["to"]["source_file"]], r["to"]["measure_number"], r["relation"],
                 float(r["score"]), r["evidence"]) for r in chains} == got["measure_continuations"]

        places = queries.place_rows(store, mentioned_only=True)
        assert {(p["name"], p["kind"], p["district"], frozenset(p["sectors"]),
                 frozenset(title_of_file[m["source_file"]] for m in p["mentions"]))
                for p in places} == got["places"]


# ------------------------------------------------------------------------------------------------
# Corpus-size timing (printed and recorded in docs/rdf.md; nothing asserted about time)
# ------------------------------------------------------------------------------------------------

def make_corpus_size_graph(n_docs: int = 5, measures_per_doc: int = 60) -> GraphData:
    """A generated graph of roughly the corpus' size (~300 measures) from the hand-built one."""
    base = make_graph()
    g = GraphData(nodes=dict(base.nodes), edges=dict(base.edges))
    agencies = [n.id for n in base.nodes_by_label("Agency")]
    sectors = [n.id for n in base.nodes_by_label("Sector")]
    places = [n.id for n in base.nodes_by_label("Place")]
    for d in range(n_docs):
        did = f"doc:gen{d:08d}"
        src = f"9{d:02d}_generated.txt"
        g.add_node(Node(did, "Document", {"title": f"生成的政策文件{d}", "doc_number": f"沪府发〔2024〕{d}号",
                                          "issued": "2024-01-01", "kind": "action_plan", "source_file": src}))
        for c in range(6):
            cid = f"{did}/c{c}"
            g.add_node(Node(cid, "Chapter", {"number": str(c), "title": f"第{c}章", "heading": f"{c}、第{c}章",
                                             "seq": c, "line": c * 50 + 1, "source_file": src}))
            g.add_edge(Edge(did, "CONTAINS", cid, {"seq": c}))
        for m in range(measures_per_doc):
            mid = f"{did}/c{m % 6}.m{m}"
            line = 10 + m * 4
            g.add_node(Node(mid, "Measure", {
                "number": str(m + 1), "label": f"{m + 1}．", "title": f"措施{m + 1}", "kind": "measure",
                "text": f"{m + 1}．措施{m + 1}。" + "推动在线新经济发展，" * 8, "level": 1, "seq": m,
                "line": line, "source_file": src}))
            g.add_edge(Edge(f"{did}/c{m % 6}", "CONTAINS", mid, {"seq": m}))
            chosen = [agencies[(m + k) % len(agencies)] for k in range(3)]
            clause = "（责任部门：" + "、".join(a.split(":", 1)[1] for a in chosen) + "）"
            for rank, aid in enumerate(chosen, 1):
                g.add_edge(Edge(aid, "RESPONSIBLE_FOR", mid, {
                    "role": "lead" if rank == 1 else "support", "rank": rank,
                    **_prov(src, line + 2, clause)}))
            g.add_edge(Edge(mid, "CONCERNS", sectors[m % len(sectors)], _prov(src, line, "在线新经济")))
            if m % 3 == 0:
                g.add_edge(Edge(mid, "LOCATED_IN", places[m % len(places)], _prov(src, line + 1, "嘉定新城")))
            if m % 4 == 0:
                tid = f"{mid}/t1"
                g.add_node(Node(tid, "Target", {"metric": "企业数", "value": float(m), "unit": "家",
                                                "comparator": ">=", "year": 2025, "text": f"到2025年达到{m}家",
                                                "source_file": src, "line": line + 1}))
                g.add_edge(Edge(mid, "SETS", tid))
            if d > 0 and m % 5 == 0:
                g.add_edge(Edge(mid, "CONTINUES", f"doc:gen{d - 1:08d}/c{m % 6}.m{m}",
                                {"score": 0.7, "relation": "continues", "evidence": "similar title"}))
    return g


def measure_timings(graph: GraphData, inferences: tuple[str, ...] = ("none",),
                    require_conforms: bool = True) -> dict[str, float]:
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    rdf_graph = R.to_rdf(graph)
    out["to_rdf_s"] = time.perf_counter() - t0
    out["triples"] = len(rdf_graph)
    for fmt in R.FORMATS:
        t0 = time.perf_counter()
        R.export_rdf(graph, fmt)
        out[f"export_{fmt}_s"] = time.perf_counter() - t0
    for inference in inferences:
        t0 = time.perf_counter()
        conforms, report = R.validate_graph(graph, inference=inference)
        out[f"validate_{inference}_s"] = time.perf_counter() - t0
        out[f"conforms_{inference}"] = float(conforms)
        assert conforms or not require_conforms, report
    t0 = time.perf_counter()
    for name in R.SPARQL_QUESTIONS:
        R.run_question(rdf_graph, name)
    out["sparql_all_s"] = time.perf_counter() - t0
    out["triples_per_s_turtle"] = out["triples"] / out["export_turtle_s"]
    return out


@pytest.mark.slow
def test_shipped_corpus_conforms():
    """The real graph of the five shipped documents passes every shape."""
    from graph.build import build_graph
    from loaders.pipeline import DEFAULT_CORPUS_DIR, iter_document_files, load_paths

    report = load_paths(iter_document_files([DEFAULT_CORPUS_DIR]))
    assert not report.failures, report.failures
    conforms, text = R.validate_graph(build_graph(report.records))
    assert conforms, text


@pytest.mark.slow
def test_corpus_size_timing_is_reported(capsys):
    graph = make_corpus_size_graph()
    assert sum(1 for _ in graph.nodes_by_label("Measure")) >= 300
    figures = measure_timings(graph)
    with capsys.disabled():
        print("\nRDF timing (corpus size): " + json.dumps({k: round(v, 3) for k, v in figures.items()}))


if __name__ == "__main__":  # python -m tests.test_rdf  -> the timing figure for docs/rdf.md
    g = make_corpus_size_graph()
    print(json.dumps({k: round(v, 3) for k, v in measure_timings(g, ("none", "rdfs")).items()},
                     indent=1))
