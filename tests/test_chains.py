"""Plan chains (graph/chains.py) on the founding corpus and on hand-built records.

Takes: the corpus in data/corpus, the hand-checked pairs in tests/fixtures/chains_pairs.json
(labels: strong = must be found, weak = defensible either way, negative = must not be linked).
Gives: checks of recall/precision on those pairs, the three required links, link direction and
relations, research-article dating, the ``chain_diff`` contents, and thresholds living in the
YAML. Runtime is printed (``pytest -s``), never asserted.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from graph import chains
from graph.build import build_graph, document_id, measure_id
from loaders.pipeline import DEFAULT_CORPUS_DIR, iter_document_files, load_file

FIXTURE = Path(__file__).parent / "fixtures" / "chains_pairs.json"
P2020 = "002_eb27fe6b47101308.txt"
P2023 = "003_3a33eb2e0612dacc.txt"
P2022 = "004_156aa47a0e02c8c7.txt"
ART2021 = "000_87ed43ca221483db.txt"
ART2023 = "001_60d9aecd27ad1ec3.txt"


@pytest.fixture(scope="module")
def corpus():
    records = [load_file(p) for p in iter_document_files([DEFAULT_CORPUS_DIR])]
    doc_ids = {r.source_file: document_id(r) for r in records}
    stats = chains.ChainStats()
    started = time.perf_counter()
    links = chains.compute_chains(records, doc_ids, stats=stats)
    print(f"\nchains on the corpus: {time.perf_counter() - started:.3f} s; {stats.summary()}")
    return records, doc_ids, links


def _find(records, source_file, number, title):
    rec = next(r for r in records if r.source_file == source_file)
    matches = [m for m in rec.measures if m.title == title]
    assert matches, f"{source_file}: no item titled {title!r} (loader changed?)"
    assert matches[0].number == number, (source_file, title, matches[0].number)
    return rec, matches[0]


def _measure_node(records, doc_ids, ref):
    rec, m = _find(records, ref["source_file"], ref["measure_number"], ref["title"])
    return measure_id(doc_ids[rec.source_file], m.key)


def _links_by_pair(links):
    return {(l.later_id, l.earlier_id): l for l in links}


def test_fixture_is_well_formed():
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    seen = set()
    for p in data["measures"]:
        assert p["label"] in {"strong", "weak", "negative"}
        assert p["relation"] in {"continues", "realizes"}
        assert p["reason"].strip()
        key = (p["from"]["source_file"], p["from"]["title"], p["to"]["source_file"], p["to"]["title"])
        assert key not in seen, key
        seen.add(key)


def test_precision_and_recall_on_hand_checked_pairs(corpus):
    records, doc_ids, links = corpus
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    found = _links_by_pair(l for l in links if l.level == "measure")
    judged = {}
    for p in data["measures"]:
        judged[(_measure_node(records, doc_ids, p["from"]), _measure_node(records, doc_ids, p["to"]))] = p
    strong = [k for k, p in judged.items() if p["label"] == "strong"]
    recall = sum(k in found for k in strong) / len(strong)
    predicted_judged = [k for k in found if k in judged]
    wrong = [judged[k] for k in predicted_judged if judged[k]["label"] == "negative"]
    precision = 1 - len(wrong) / max(1, len(predicted_judged))
    unjudged = [k for k in found if k not in judged]
    print(f"\nstrong recall {recall:.2f} ({sum(k in found for k in strong)}/{len(strong)}), "
          f"precision {precision:.2f} on {len(predicted_judged)} judged links, "
          f"{len(unjudged)} links not in the fixture")
    for p in wrong:
        print("  negative linked:", p["from"]["title"], "->", p["to"]["title"])
    assert recall >= 0.7
    assert precision >= 0.85
    # relation of each judged link matches the fixture
    for k in predicted_judged:
        assert found[k].relation == judged[k]["relation"], judged[k]


@pytest.mark.parametrize("later,earlier", [
    (("四", "完善在线新经济生态园综合配套环境"), ("23", "建设在线新经济生态园")),
    (("五", "鼓励在线新经济生态园创新建设与管理模式"), ("23", "建设在线新经济生态园")),
    (("十四", "优化互联网医疗体验"), ("12", "提升发展在线医疗")),
    (("十五", "促进线上教育有序发展"), ("10", "优化发展在线教育")),
])
def test_required_links(corpus, later, earlier):
    records, doc_ids, links = corpus
    a = _measure_node(records, doc_ids, {"source_file": P2023, "measure_number": later[0], "title": later[1]})
    b = _measure_node(records, doc_ids, {"source_file": P2020, "measure_number": earlier[0], "title": earlier[1]})
    link = _links_by_pair(links).get((a, b))
    assert link is not None, f"missing {later} -> {earlier}"
    assert link.relation == "continues"
    assert 0 < link.score <= 1
    assert "shared terms" in link.evidence
    assert (b, a) not in _links_by_pair(links)  # never the other way round


def test_direction_relations_and_scores(corpus):
    records, doc_ids, links = corpus
    issued = {doc_ids[r.source_file]: r.meta.issued for r in records}
    research = {doc_ids[r.source_file] for r in records if r.meta.kind == "research_report"}
    for l in links:
        assert l.relation in {"successor", "continues", "realizes"}
        assert 0.0 <= l.score <= 1.0
        assert l.evidence
        later_doc = l.later_id.split("/")[0]
        earlier_doc = l.earlier_id.split("/")[0]
        assert later_doc != earlier_doc
        assert later_doc not in research  # articles never continue or realize anything
        if l.relation == "realizes":
            assert earlier_doc in research
        else:
            assert issued[later_doc] > issued[earlier_doc]  # from = the later document


def test_document_lineage(corpus):
    records, doc_ids, links = corpus
    docs = {(l.later_source_file, l.earlier_source_file): l for l in links if l.level == "document"}
    for pair in [(P2023, P2020), (P2022, P2020), (P2023, P2022)]:
        assert docs[pair].relation == "continues", pair
        assert docs[pair].terms  # shared sectors named
    assert docs[(P2023, ART2021)].relation == "realizes"
    assert (P2020, ART2021) not in docs  # the 2020 plan predates the article
    assert (P2022, ART2023) not in docs  # the 2022 plan predates the article
    assert not any(l.later_source_file in (ART2021, ART2023) for l in links)


def test_research_articles_are_dated_by_their_own_figures():
    text_2021 = load_file(DEFAULT_CORPUS_DIR / ART2021).text
    text_2023 = load_file(DEFAULT_CORPUS_DIR / ART2023).text
    assert chains.estimate_written_after(text_2021)[0] == "2021-01-01"
    assert chains.estimate_written_after(text_2023)[0] == "2023-01-01"
    # forecasts, targets, plan periods and limits are not facts
    assert chains.estimate_written_after("预计到2025年规模将达到300亿元。")[0] is None
    assert chains.estimate_written_after("《规划（2021—2035年）》提出，2035年建设用地不超过3200平方公里。")[0] is None
    assert chains.estimate_written_after("截至2022年6月底，企业达到100家。")[0] == "2022-07-01"


def test_chain_diff_online_healthcare(corpus):
    records, _, _ = corpus
    _, later = _find(records, P2023, "十四", "优化互联网医疗体验")
    _, earlier = _find(records, P2020, "12", "提升发展在线医疗")
    d = chains.chain_diff(later, earlier)
    assert d.agencies_before[:2] == ["市卫生健康委", "市医保局"]
    assert d.lead_before == "市卫生健康委"
    assert d.agencies_after == ["市卫生健康委", "市医保局"]
    assert d.lead_after == "市卫生健康委" and not d.lead_changed
    assert set(d.agencies_dropped) == set(d.agencies_before) - {"市卫生健康委", "市医保局"}
    assert d.agencies_added == []
    assert "在线医疗" not in d.sectors_added
    assert json.dumps(d.to_dict(), ensure_ascii=False)  # JSON-ready for exports


def test_chain_diff_from_rows_targets_and_leads():
    earlier = {"agencies": ["市经济信息化委", "市科委"], "sectors": ["在线新经济"], "places": [],
               "targets": [{"metric": "新增保障性租赁住房", "value": 3, "unit": "万套", "comparator": "=", "year": 2022},
                           {"metric": "试点示范项目", "value": 20, "unit": "个", "comparator": ">=", "year": 2022}]}
    later = {"agencies": [{"agency": "市交通委", "role": "lead", "rank": 1},
                          {"agency": "市经济信息化委", "role": "support", "rank": 2}],
             "sectors": ["在线新经济", "算力"], "places": ["三个生态园"],
             "targets": [{"metric": "新增保障性租赁住房", "value": 5, "unit": "万套", "comparator": "=", "year": 2025},
                         {"metric": "试点示范项目", "value": 10, "unit": "个", "comparator": ">=", "year": 2025},
                         {"metric": "算力规模", "value": 5, "unit": "EFLOPS", "comparator": ">=", "year": 2025}]}
    d = chains.chain_diff_from_rows(later, earlier)
    assert d.lead_before == "市经济信息化委" and d.lead_after == "市交通委" and d.lead_changed
    assert d.agencies_added == ["市交通委"] and d.agencies_dropped == ["市科委"]
    assert d.sectors_added == ["算力"] and d.places_added == ["三个生态园"]
    assert [(c.metric, c.before, c.after) for c in d.targets_raised] == [("新增保障性租赁住房", 3.0, 5.0)]
    assert [(c.metric, c.before, c.after) for c in d.targets_lowered] == [("试点示范项目", 20.0, 10.0)]
    assert len(d.targets_after) == 3  # the new metric is listed, not compared


def test_shared_word_is_not_enough(make_pair_records):
    """Two items that both talk about 数据 but about different policies do not link."""
    links = make_pair_records(
        ("数据资源共享开放行动", "统筹完善城市大脑架构，优化公共数据采集质量，推动公共数据开放，加强数据治理和共享流通。"),
        ("提升人工智能大模型创新能力", "支持企业打造具有国际竞争力的大模型，组建大模型语料数据联盟，鼓励形成数据飞轮，加速模型迭代。"),
    )
    assert links == []


def test_same_subject_links(make_pair_records):
    links = make_pair_records(
        ("提升发展在线医疗", "推进互联网医院发展，在线开展就医复诊、健康咨询等服务，试点推广医保移动支付。"),
        ("优化互联网医疗体验", "优化互联网医院服务模式，推动远程复诊全链路管理，完善互联网医疗的医保线上支付结算。"),
    )
    assert len(links) == 1 and links[0].relation == "continues"


@pytest.fixture
def make_pair_records(corpus):
    """Two one-item documents (2030, 2031) added to the corpus -> the links between the two.

    The corpus is the background the IDF weights need (two items alone share every word).
    """
    from tests.conftest import make_record, measure_spec

    background = corpus[0]

    def build(earlier, later):
        recs = []
        for n, ((title, text), issued) in enumerate(((earlier, "2030-04-08"), (later, "2031-12-29"))):
            rec = make_record(f"t{n}.txt", f"测试文件{n}", doc_number=f"测试〔{issued[:4]}〕{n}号",
                              issued=issued, measures=(measure_spec("c1.m1", "1", title),))
            rec.measures[0].text = f"1．{title}。{text}"
            recs.append(rec)
        doc_ids = {r.source_file: document_id(r) for r in background + recs}
        ours = {doc_ids[r.source_file] for r in recs}
        return [l for l in chains.compute_chains(background + recs, doc_ids)
                if l.level == "measure" and l.later_id.split("/")[0] in ours
                and l.earlier_id.split("/")[0] in ours]

    return build


def test_thresholds_live_in_the_yaml():
    cfg = chains.load_chain_config()
    assert 0 < cfg.min_score < 1 and cfg.w_title >= cfg.w_text >= cfg.w_entities
    assert abs(cfg.w_title + cfg.w_text + cfg.w_entities - 1.0) < 1e-9
    assert ("互联网医疗", "在线医疗") in cfg.equivalents
    assert "线上教育" in dict(cfg.equivalents)


def test_build_graph_gets_continues_edges(corpus):
    records, doc_ids, _ = corpus
    g = build_graph(records)
    edges = [e for e in g.edges.values() if e.type == "CONTINUES"]
    assert edges
    assert {g.nodes[e.source].label for e in edges} == {"Document", "Measure"}
    assert all({"score", "evidence", "relation"} <= set(e.properties) for e in edges)


def test_blocking_scores_a_fraction_of_pairs(corpus):
    records, doc_ids, _ = corpus
    stats = chains.ChainStats()
    chains.compute_chains(records, doc_ids, stats=stats)
    assert stats.scored_pairs < stats.eligible_pairs
    print(f"\n{stats.summary()}")


def test_republished_copies_are_chained_once(tmp_path):
    """A document re-issued under another name/文号 does not multiply the links of its neighbours."""
    import shutil
    from pathlib import Path

    from graph.build import document_id
    from graph.chains import compute_chains
    from loaders.pipeline import load_file

    corpus = Path(__file__).resolve().parent.parent / "data" / "corpus"
    copy = tmp_path / "002_copy.txt"
    shutil.copy(corpus / "002_eb27fe6b47101308.txt", copy)
    copy.write_text(copy.read_text(encoding="utf-8").replace("〔2020〕1号", "〔2020〕91号"), encoding="utf-8")
    records = [load_file(corpus / "002_eb27fe6b47101308.txt"), load_file(copy), load_file(corpus / "003_3a33eb2e0612dacc.txt")]
    ids = {r.source_file: document_id(r) for r in records}
    links = compute_chains(records, ids)
    earlier_docs = {l.earlier_id.split("/")[0] for l in links if l.level == "measure"}
    copies = {ids["002_eb27fe6b47101308.txt"], ids["002_copy.txt"]}
    assert len(copies & earlier_docs) == 1  # chained through one copy only (the first by file name)
    assert ids["002_copy.txt"] in earlier_docs
