"""graph.build: ids, canonicalization, structure, agencies, sectors, places, targets, citations."""

import random

import pytest

from graph.build import (
    build_graph,
    dedupe_records,
    document_id,
    external_document_id,
    measure_id,
    normalize_title,
)
from graph.chains import ChainLink
from graph.schema import NODE_TYPE_BY_LABEL, REL_TYPE_BY_NAME
from tests.conftest import make_record, measure_spec, sample_records_list


def _edges(g, rtype):
    return {(e.source, e.target): e.properties for e in g.edges_by_type(rtype)}


def test_ids_are_stable_and_independent_of_load_order(sample_gazetteer):
    a = build_graph(sample_records_list(), sample_gazetteer)
    recs = sample_records_list()
    random.Random(3).shuffle(recs)
    b = build_graph(list(reversed(recs)), sample_gazetteer)
    assert set(a.nodes) == set(b.nodes)
    assert set(a.edges) == set(b.edges)
    for nid, node in a.nodes.items():
        assert b.nodes[nid].properties == node.properties


def test_document_ids_from_doc_number_else_file(sample_records):
    plan, measures = sample_records
    assert document_id(plan).startswith("doc:") and len(document_id(plan)) == 16
    # full-width digits and spaces in the 文号 do not change the id
    same = make_record("other.txt", "X", "沪府办规 〔2023〕27号")
    assert document_id(same) == document_id(measures)
    no_number = make_record("c.txt", "无文号")
    assert document_id(no_number) != document_id(make_record("d.txt", "无文号"))


def test_every_label_and_property_is_in_the_schema(sample_graph):
    for node in sample_graph.nodes.values():
        assert node.label in NODE_TYPE_BY_LABEL
        assert set(node.properties) <= set(NODE_TYPE_BY_LABEL[node.label].property_names)
    for edge in sample_graph.edges.values():
        rt = REL_TYPE_BY_NAME[edge.type]
        pair = (sample_graph.label_of(edge.source), sample_graph.label_of(edge.target))
        assert pair in rt.pairs, (edge.type, pair)
        assert set(edge.properties) <= set(rt.property_names)


def test_structure_contains_edges(sample_graph, sample_records):
    g = sample_graph
    plan_id = document_id(sample_records[0])
    contains = _edges(g, "CONTAINS")
    assert (plan_id, f"{plan_id}/c2") in contains
    assert (f"{plan_id}/c2", measure_id(plan_id, "c2.m1")) in contains
    # nested task hangs under its parent measure, not the chapter
    assert (measure_id(plan_id, "c2.m2"), measure_id(plan_id, "c2.m2.t1")) in contains
    assert (f"{plan_id}/c2", measure_id(plan_id, "c2.m2.t1")) not in contains
    # an item outside any chapter hangs under the document
    m_id = document_id(sample_records[1])
    assert (m_id, measure_id(m_id, "m2")) in contains
    m = g.nodes[measure_id(plan_id, "c2.m1")].properties
    assert m["doc_number"] == "沪府办发〔2020〕1号" and m["chapter"] == "二、聚焦发展重点"
    assert m["seq"] == 1 and m["line"] > 0 and m["end"] > m["start"]


def test_responsibilities_roles_ranks_and_provenance(sample_graph, sample_records):
    plan_id = document_id(sample_records[0])
    rf = _edges(sample_graph, "RESPONSIBLE_FOR")
    lead = rf[("agency:市经济信息化委", measure_id(plan_id, "c2.m1"))]
    assert lead["role"] == "lead" and lead["rank"] == 1
    assert lead["source_text"] == "（责任部门：市经济信息化委、市发展改革委、市科委）"
    assert lead["source_file"] == "a_plan.txt" and lead["line"] > 0
    sup = rf[("agency:市科委", measure_id(plan_id, "c2.m1"))]
    assert (sup["role"], sup["rank"]) == ("support", 3)


def test_agencies_catalogued_from_gazetteer_uncatalogued_kept(sample_graph):
    a = sample_graph.nodes["agency:市经济信息化委"].properties
    assert a["full_name"] == "上海市经济和信息化委员会" and a["catalogued"] is True
    assert "市经信委" in a["aliases"].split("|")
    # written alias resolves to the canonical node (no duplicate node)
    assert "agency:市经信委" not in sample_graph.nodes
    u = sample_graph.nodes["agency:市测试办"].properties
    assert u["catalogued"] is False and u["name"] == "市测试办"


def test_issuer_leads_and_mentions(sample_graph, sample_records):
    plan_id, m_id = (document_id(r) for r in sample_records)
    assert (plan_id, "agency:市政府办公厅") in _edges(sample_graph, "ISSUED_BY")
    assert ("agency:市发展改革委", m_id) in _edges(sample_graph, "LEADS")
    assert (measure_id(plan_id, "c2.m2"), "agency:市科委") in _edges(sample_graph, "MENTIONS")


def test_sector_chain_is_complete(sample_graph):
    broader = _edges(sample_graph, "BROADER")
    assert ("sector:industrial_internet", "sector:smart_manufacturing") in broader
    assert ("sector:smart_manufacturing", "sector:digital_economy") in broader
    assert sample_graph.nodes["sector:industrial_internet"].properties["level"] == 3


def test_places_within_district_and_group(sample_graph, sample_records):
    within = _edges(sample_graph, "WITHIN")
    assert ("place:jiading_new_town", "place:jiading") in within  # district is a known place
    assert ("place:park_a", "place:eco_parks") in within  # member -> group
    assert ("place:park_b", "place:eco_parks") in within
    plan_id = document_id(sample_records[0])
    assert (measure_id(plan_id, "c2.m1"), "place:jiading_new_town") in _edges(sample_graph, "LOCATED_IN")
    assert ("place:jiading_new_town", "sector:smart_manufacturing") in _edges(sample_graph, "FOCUSES_ON")


def test_targets_from_measure_and_document(sample_graph, sample_records):
    plan_id = document_id(sample_records[0])
    sets = _edges(sample_graph, "SETS")
    mt = f"{measure_id(plan_id, 'c2.m1')}/t1"
    assert (measure_id(plan_id, "c2.m1"), mt) in sets
    assert (plan_id, f"{plan_id}/t1") in sets
    t = sample_graph.nodes[mt].properties
    assert (t["metric"], t["value"], t["unit"], t["year"]) == ("无人工厂", 100.0, "家", 2022)


def test_cites_match_loaded_titles_and_make_external_documents(sample_graph, sample_records):
    plan_id, m_id = (document_id(r) for r in sample_records)
    cites = _edges(sample_graph, "CITES")
    # 2020—2022 (em dash) in the citation matches the loaded (2020-2022年) title
    assert cites[(m_id, plan_id)]["relation"] == "cites"
    ext = external_document_id("国务院办公厅关于促进平台经济规范健康发展的指导意见")
    assert cites[(m_id, ext)]["relation"] == "implements"
    node = sample_graph.nodes[ext].properties
    assert node["external"] is True and node["title"].startswith("国务院办公厅")


def test_normalize_title():
    assert normalize_title("《上海市促进在线新经济发展行动方案（2020—2022年）》") == \
        normalize_title("上海市促进在线新经济发展行动方案(2020-2022年)")
    assert normalize_title("«上海市 数据 条例»") == "上海市数据条例"


def test_self_citation_is_dropped():
    rec = make_record("a.txt", "上海市某某方案", cites=("上海市某某方案",))
    g = build_graph([rec], None)
    assert not list(g.edges_by_type("CITES"))


def test_dedupe_same_doc_number_keeps_smaller_file():
    a = make_record("b.txt", "T", "沪府发〔2021〕1号")
    b = make_record("a.txt", "T copy", "沪府发〔2021〕1号")
    kept, msgs = dedupe_records([a, b])
    assert [r.source_file for r in kept] == ["a.txt"]
    assert "b.txt" in msgs[0]


def test_chain_links_become_continues_edges(monkeypatch, sample_records, sample_gazetteer):
    """The builder turns graph.chains links into CONTINUES edges (the algorithm is tested in its
    own module); CITES edges stay separate from CONTINUES."""
    import graph.build as build_mod

    plan_id, m_id = (document_id(r) for r in sample_records)
    seen = {}

    def fake_chains(records, doc_ids, gazetteer=None, **kw):
        seen["doc_ids"] = dict(doc_ids)
        return [ChainLink(m_id, plan_id, "continues", 0.8, "same policy line"),
                ChainLink(measure_id(m_id, "c1.m1"), measure_id(plan_id, "c2.m1"), "continues",
                          0.6, "shared terms: 企业"),
                ChainLink("doc:nope", plan_id, "continues", 0.5, "dangling: dropped")]

    monkeypatch.setattr(build_mod, "compute_chains", fake_chains)
    g = build_graph(sample_records, sample_gazetteer)
    assert seen["doc_ids"] == {"a_plan.txt": plan_id, "b_measures.txt": m_id}
    cont = _edges(g, "CONTINUES")
    assert cont[(m_id, plan_id)] == {"score": 0.8, "evidence": "same policy line",
                                     "relation": "continues"}
    assert (measure_id(m_id, "c1.m1"), measure_id(plan_id, "c2.m1")) in cont
    assert len(cont) == 2
    assert _edges(g, "CITES")[(m_id, plan_id)]["relation"] == "cites"


def test_corpus_end_to_end(pipeline_ready):
    if not pipeline_ready:
        pytest.skip("loaders.pipeline.load_file is not available yet")
    from loaders.pipeline import DEFAULT_CORPUS_DIR, iter_document_files, load_paths

    report = load_paths(iter_document_files([DEFAULT_CORPUS_DIR]))
    assert not report.failures
    g = build_graph(report.records)
    rec002 = next(r for r in report.records if r.source_file.startswith("002_"))
    did = document_id(rec002)
    first = min((m for m in rec002.measures if m.number == "1"), key=lambda m: m.order)
    lead = [e for e in g.edges_by_type("RESPONSIBLE_FOR")
            if e.target == measure_id(did, first.key) and e.properties["role"] == "lead"]
    assert [e.source for e in lead] == ["agency:市经济信息化委"]
    assert g.nodes["agency:市经济信息化委"].properties["catalogued"] is True


# -- streamed build (GraphBuilder): one part per document, then the shared part ----------------


def _parts(records, gazetteer):
    from graph.build import iter_graph_parts

    return list(iter_graph_parts(sorted(records, key=lambda r: r.source_file), gazetteer))


def test_parts_merge_to_the_whole_graph(sample_records, sample_gazetteer):
    from graph.model import GraphData

    parts = _parts(sample_records, sample_gazetteer)
    assert len(parts) == len(sample_records) + 1
    merged = GraphData()
    for part in parts:
        merged.merge(part)
    whole = build_graph(sample_records, sample_gazetteer)
    assert merged.nodes.keys() == whole.nodes.keys() and merged.edges.keys() == whole.edges.keys()
    assert all(merged.nodes[i].properties == n.properties for i, n in whole.nodes.items())
    # no node is in two parts (a store may copy every part's nodes as they come)
    ids = [i for part in parts for i in part.nodes]
    assert len(ids) == len(set(ids))


def test_document_parts_hold_only_that_document_and_label_what_they_reach(sample_records,
                                                                          sample_gazetteer):
    *docs, shared = _parts(sample_records, sample_gazetteer)
    for rec, part in zip(sorted(sample_records, key=lambda r: r.source_file), docs):
        did = document_id(rec)
        assert {n.label for n in part.nodes.values()} <= {"Document", "Chapter", "Measure", "Target"}
        assert all(i == did or i.startswith(did + "/") for i in part.nodes)
        for src, _type, dst in part.edges:  # every edge end is here or labelled in refs
            for end in (src, dst):
                assert part.label_of(end) in NODE_TYPE_BY_LABEL
        assert part.refs["agency:市经济信息化委"] == "Agency"
    assert {n.label for n in shared.nodes.values()} <= {"Agency", "Sector", "Place", "Document"}
    assert {t for _s, t, _d in shared.edges} <= {"BROADER", "WITHIN", "FOCUSES_ON", "CITES", "CONTINUES"}
    assert all(shared.nodes[i].properties.get("external") for i in shared.nodes
               if shared.nodes[i].label == "Document")


def test_builder_drops_duplicates_and_needs_sorted_input(sample_gazetteer):
    from graph.build import GraphBuilder

    builder = GraphBuilder(sample_gazetteer)
    assert builder.add(make_record("a.txt", "T", "沪府发〔2021〕1号")) is not None
    assert builder.add(make_record("b.txt", "T copy", "沪府发〔2021〕1号")) is None
    assert "b.txt" in builder.dropped[0] and "a.txt" in builder.dropped[0]
    with pytest.raises(ValueError, match="sorted by source_file"):
        builder.add(make_record("0.txt", "Other"))
    builder.finish()
    with pytest.raises(RuntimeError):
        builder.add(make_record("z.txt", "Late"))


def test_builder_keeps_no_document_record(sample_records, sample_gazetteer):
    """Memory that does not grow with the corpus: after add(), the builder holds no reference to
    the record (plan chains keep a copy without the full text)."""
    import gc
    import weakref

    from graph.build import GraphBuilder

    builder = GraphBuilder(sample_gazetteer)
    refs = []
    for rec in sorted(sample_records, key=lambda r: r.source_file):
        copy = make_record(rec.source_file, rec.meta.title, rec.meta.doc_number)
        copy.measures, copy.text = rec.measures, "全文" * 1000
        builder.add(copy)
        refs.append(weakref.ref(copy))
        del copy
    gc.collect()
    assert all(r() is None for r in refs)
    assert all(not r.text for r in builder._chain_records if r.meta.issued)
