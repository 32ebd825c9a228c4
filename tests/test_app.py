"""The explorer app (app.py + ui/) through ``streamlit.testing.v1.AppTest``, page by page.

Takes: a small LadybugDB store built from the hand-made records in ``tests/conftest.py`` (fast,
independent of the loaders); one test builds the shipped corpus on first start.
Gives: checks that every page renders without an exception, that selections, deep links,
the Cypher console (results, refused writes, bad Cypher, empty results) and graph-explorer node
selection (simulated through session_state, as the component's JavaScript does not run in
AppTest) behave, and that errors are messages, not tracebacks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from streamlit.testing.v1 import AppTest

from tests.conftest import FakeGazetteer, sample_records_list

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60

_SHARED: dict = {}


def make_app(**params: str) -> AppTest:
    """An AppTest of app.py with URL query parameters set."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    # Scanning installed packages for v2 components takes ~3 s per AppTest; share one scan.
    if "bidi" in _SHARED and hasattr(at, "_bidi_component_manager"):
        at._bidi_component_manager = _SHARED["bidi"]
    for key, value in params.items():
        at.query_params[key] = value
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    if "bidi" not in _SHARED and getattr(at, "_bidi_component_manager", None) is not None:
        _SHARED["bidi"] = at._bidi_component_manager
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> str:
    from graph.build import build_graph
    from graph.store import open_store

    records = sample_records_list()
    path = str(tmp_path_factory.mktemp("app_store") / "store")
    store = open_store("ladybug", path)
    store.rebuild(build_graph(records, FakeGazetteer()), records)
    store.close()
    return path


@pytest.fixture(autouse=True)
def _env(sample_store, monkeypatch):
    monkeypatch.setenv("POLICY_KG_STORE", sample_store)
    monkeypatch.delenv("POLICY_KG_BACKEND", raising=False)


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def measure_rows(at: AppTest) -> list[dict[str, str]]:
    """The rows of the agency page's measure tables (HTML), as a user reads them."""
    import html as html_lib

    rows = []
    for element in at.get("html"):
        body = element.proto.body
        if "kg-measures" not in body:
            continue
        for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            cells = re.findall(r'<td class="([^"]*)">(.*?)</td>', tr, flags=re.S)
            if cells:
                rows.append({cls or f"c{i}": html_lib.unescape(re.sub(r"<[^>]+>", "", v))
                             for i, (cls, v) in enumerate(cells)})
    return rows


def measure_titles(at: AppTest) -> set[str]:
    return {r["title"] for r in measure_rows(at)}


def component_args(at: AppTest) -> list[dict]:
    """Arguments of custom components (st-link-analysis) on the page."""
    out = []
    for el in at.main:
        proto = getattr(el, "proto", None)
        if proto is not None and hasattr(proto, "json_args") and proto.json_args:
            out.append(json.loads(proto.json_args))
    return out


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def all_components(at: AppTest) -> list[dict]:
    out = []
    for el in _walk(at._tree):
        proto = getattr(el, "proto", None)
        args = getattr(proto, "json_args", None) if proto is not None else None
        if args:
            out.append(json.loads(args))
    return out


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# -- overview -----------------------------------------------------------------------------------
def test_overview_shows_counts_rankings_and_unowned():
    at = run(make_app())
    assert "Overview" in at.title[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["文件 Documents"] == "2"
    assert metrics["措施 Measures"] == "5"
    ranking = next(df for df in frames(at) if "led" in df and "supported" in df)
    top = ranking.iloc[0]
    assert top["agency"] in ("市经济信息化委", "市发展改革委")
    assert int(ranking.set_index("agency").loc["市经济信息化委", "led"]) == 3
    # every sample measure has an agency
    assert any("Every measure" in s.value for s in at.success)


# -- agencies -----------------------------------------------------------------------------------
def test_agency_selection_shows_lead_and_support_rows():
    at = run(make_app(page="agency"))
    at.selectbox(key="agency").set_value("市经济信息化委")
    run(at)
    assert measure_titles(at) == {"打造标杆性无人工厂", "加快发展工业互联网", "加大总部型企业支持力度"}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["牵头 Lead"] == "3" and metrics["配合 Support"] == "0"
    assert at.query_params["agency"] == "市经济信息化委"

    at.selectbox(key="agency").set_value("市商务委")
    run(at)
    assert measure_titles(at) == {"建设平台", "加快发展工业互联网"}
    assert all(r["src"] for r in measure_rows(at)), "every row shows its responsibility clause"
    assert {m.label: m.value for m in at.metric}["牵头 Lead"] == "1"
    assert at.query_params["agency"] == "市商务委"
    labels = [b.label for b in at.get("download_button")]
    assert any("CSV" in b for b in labels) and any("DOCX" in b for b in labels)
    assert any("XLSX" in b for b in labels) and any("JSON" in b for b in labels)
    assert any("All agencies" in b for b in labels)


def test_agency_search_accepts_alias_and_full_name():
    at = run(make_app(page="agency"))
    at.text_input(key="agency_search").input("市经信委")
    run(at)
    assert at.selectbox(key="agency").value == "市经济信息化委"
    at.text_input(key="agency_search").input("上海市发展和改革委员会")
    run(at)
    assert at.selectbox(key="agency").value == "市发展改革委"
    at.text_input(key="agency_search").input("不存在的委员会")
    run(at)
    assert "不存在的委员会" in texts(at.warning)


def test_agency_deep_link_with_full_name():
    at = run(make_app(page="agency", agency="上海市科学技术委员会"))
    assert at.selectbox(key="agency").value == "市科委"
    assert "附则条款" in measure_titles(at)


def test_agency_deep_link_on_root_without_page():
    at = run(make_app(agency="市科委"))
    assert at.selectbox(key="agency").value == "市科委"


def test_unknown_agency_in_url_is_a_warning():
    at = run(make_app(page="agency", agency="没有这个部门"))
    assert "没有这个部门" in texts(at.warning)


def test_co_responsibility_network_is_drawn():
    at = run(make_app(page="agency", agency="市经济信息化委"))
    graphs = [a for a in all_components(at) if "elements" in a]
    assert graphs, "the co-responsibility graph component is missing"
    captions = {n["data"]["caption"] for n in graphs[0]["elements"]["nodes"]}
    assert {"市发展改革委", "市科委", "市商务委"} <= {c.replace("◉ ", "") for c in captions}


# -- graph explorer -----------------------------------------------------------------------------
def _measure_id(title: str) -> str:
    from graph.store import open_store
    import os

    store = open_store("ladybug", os.environ["POLICY_KG_STORE"])
    rows = store.query("MATCH (m:Measure) WHERE m.title = $t RETURN m.id", {"t": title}).rows
    return rows[0][0]


def test_graph_explorer_deep_link_and_node_selection():
    at = run(make_app(node="agency:市经济信息化委"))
    assert "Graph explorer" in at.title[0].value
    assert at.session_state["gx_centre"] == "agency:市经济信息化委"
    graph = [a for a in all_components(at) if "elements" in a][0]["elements"]
    captions = [n["data"]["caption"] for n in graph["nodes"]]
    assert any("打造标杆性无人工厂" in c for c in captions)
    assert all(e["data"]["source"] and e["data"]["target"] for e in graph["edges"])
    assert any("市经济信息化委" in s.value for s in at.subheader)

    # a click on a node (what the component's event callback does) selects it
    mid = _measure_id("打造标杆性无人工厂")
    at.session_state["gx_selected"] = mid
    run(at)
    assert any("打造标杆性无人工厂" in s.value for s in at.subheader)
    assert at.query_params["select"] == mid
    assert "市经济信息化委" in texts(at.info)  # the measure's source text
    relations = " ".join(h.proto.body for h in at.get("html") if "kg-relations" in h.proto.body)
    assert "RESPONSIBLE_FOR" in relations and "市经济信息化委" in relations  # who owns it
    assert "lead" in relations and "（责任部门" in relations  # role and the clause as provenance

    # expand adds its neighbourhood
    at.button(key="gx_expand_btn").click()
    run(at)
    assert at.session_state["gx_expanded"] == [mid]
    graph = [a for a in all_components(at) if "elements" in a][0]["elements"]
    assert any("无人工厂" in n["data"]["caption"] for n in graph["nodes"])  # its target


def test_graph_explorer_search_recentres():
    at = run(make_app(page="graph"))
    at.text_input(key="gx_search").input("工业互联网")
    run(at)
    options = at.selectbox(key="gx_pick").options
    assert any("加快发展工业互联网" in o for o in options)
    # options are shown through format_func; set_value takes the underlying value (a node id)
    at.selectbox(key="gx_pick").set_value(_measure_id("加快发展工业互联网"))
    run(at)
    assert at.session_state["gx_centre"] == _measure_id("加快发展工业互联网")


def test_graph_explorer_node_cap_note():
    at = make_app(node="agency:市经济信息化委")
    run(at)
    at.radio(key="gx_hops").set_value(2)
    at.number_input(key="gx_cap").set_value(10)
    run(at)
    assert any("10" in w.value for w in at.warning)
    graph = [a for a in all_components(at) if "elements" in a][0]["elements"]
    assert len(graph["nodes"]) <= 10


def test_graph_explorer_unknown_node_is_a_message():
    at = run(make_app(node="doc:nothing"))
    assert "doc:nothing" in texts(at.warning)


def test_click_events_map_to_node_ids():
    from ui.graph_render import clicked_node_id, graph_from_cells

    assert clicked_node_id({"action": "clicked_node",
                            "data": {"target_id": "agency:市科委", "target_group": "nodes"}}) \
        == "agency:市科委"
    assert clicked_node_id({"action": "expand", "data": {"node_ids": ["x"]}}) == "x"
    assert clicked_node_id({"action": "remove", "data": {"node_ids": ["x"]}}) is None
    assert clicked_node_id(None) is None
    path = {"_kind": "path", "nodes": [{"_kind": "node", "_label": "Agency", "id": "a"},
                                       {"_kind": "node", "_label": "Measure", "id": "m"}],
            "rels": [{"_kind": "rel", "_type": "RESPONSIBLE_FOR", "_source": "a", "_target": "m"}]}
    nodes, rels = graph_from_cells([[path, 1]])
    assert [n["id"] for n in nodes] == ["a", "m"] and len(rels) == 1


# -- documents ----------------------------------------------------------------------------------
def test_documents_page_measure_deep_link_highlights():
    mid = _measure_id("打造标杆性无人工厂")
    at = run(make_app(measure=mid))
    assert "Documents" in at.title[0].value
    assert at.selectbox(key="doc_measure").value == mid
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert 'class="sel"' in html and 'class="clause"' in html
    tree = texts(at.markdown)
    assert "牵头 市经济信息化委" in tree and "配合 市发展改革委、市科委" in tree
    assert "目标 无人工厂" in tree


def test_documents_page_by_doc_number():
    at = run(make_app(page="document", document="沪府办规〔２０２３〕２７号"))
    assert "若干政策措施" in texts(at.header)
    assert "implements" not in texts(at.error)


def test_locator_ignores_line_breaks():
    from ui.documents import Locator, highlight_html

    text = "一、总体\n1．打造标杆性\n无人工厂。（责任部门：市经济信\n息化委）"
    loc = Locator(text)
    start, end = loc.find("1．打造标杆性无人工厂。")
    assert text[start:end] == "1．打造标杆性\n无人工厂。"
    assert loc.find("不存在") is None
    html = highlight_html(text, [(start, end, "m1", "t"), (start + 2, start + 5, "tgt", "x")])
    assert html.count("<span") == 3 and 'class="tgt"' in html


# -- chains and targets -------------------------------------------------------------------------
def test_chains_page_shows_citations_and_related_measures():
    at = run(make_app(page="chains"))
    assert "Plan chains" in at.title[0].value
    cites = next(df for df in frames(at) if "引用 cites" in df)
    assert len(cites) == 2 and "✓" in set(cites["已收录 loaded"])
    assert at.selectbox(key="ch_measure").value is not None


def test_targets_page_filters_by_year():
    at = run(make_app(page="targets", year="2022"))
    assert at.selectbox(key="tg_year").value == "2022"
    table = frames(at)[-1]
    assert set(table["metric"]) == {"无人工厂", "在线新经济规模"}
    assert "市经济信息化委" in set(table["owners"])


# -- Cypher console -----------------------------------------------------------------------------
def test_cypher_example_query_runs():
    at = run(make_app(page="cypher"))
    assert at.selectbox(key="cy_example").value == "agency_lead_support"
    at.button(key="cy_run").click()
    run(at)
    df = frames(at)[0]
    assert set(df["role"]) == {"lead"} and "打造标杆性无人工厂" in set(df["measure"])
    assert [b.label for b in at.get("download_button")] == ["下载 CSV · Download CSV"]


def test_cypher_every_example_runs_without_error():
    at = run(make_app(page="cypher"))
    from graph.cypher import EXAMPLE_QUERIES

    for i, example in enumerate(EXAMPLE_QUERIES):
        at.selectbox(key="cy_example").set_value(example.name)
        run(at)
        assert at.text_area(key="cy_query").value == example.cypher.strip()
        name = example.name
        at.button(key="cy_run").click()
        run(at)
        assert not at.error, (name, texts(at.error))


def test_cypher_write_is_refused():
    at = run(make_app(page="cypher"))
    for text in ("CREATE (a:Agency {id: 'x', name: 'x'}) RETURN a",
                 "MATCH (n) DETACH DELETE n"):
        at.text_area(key="cy_query").input(text)
        at.button(key="cy_run").click()
        run(at)
        assert "read-only" in texts(at.error), text
    # nothing was written
    at.text_area(key="cy_query").input("MATCH (a:Agency) WHERE a.id = 'x' RETURN a")
    at.text_area(key="cy_params").input("{}")
    at.button(key="cy_run").click()
    run(at)
    assert "no rows" in texts(at.warning)


def test_cypher_bad_query_and_bad_params_are_messages():
    at = run(make_app(page="cypher"))
    at.text_area(key="cy_query").input("MATCH (n RETURN n")
    at.button(key="cy_run").click()
    run(at)
    assert "Query failed" in texts(at.error)
    at.text_area(key="cy_query").input("MATCH (a:Agency) RETURN a.name")
    at.text_area(key="cy_params").input("{not json")
    at.button(key="cy_run").click()
    run(at)
    assert "JSON" in texts(at.error)


def test_cypher_graph_results_are_drawn():
    at = run(make_app(page="cypher",
                      query="MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(m:Measure) RETURN a, r, m"))
    graphs = [a for a in all_components(at) if "elements" in a]
    assert graphs and graphs[0]["elements"]["edges"]
    assert len(frames(at)[0]) == 10


def test_cypher_row_cap_truncates():
    at = run(make_app(page="cypher", query="MATCH (m:Measure) RETURN m.title"))
    at.number_input(key="cy_max_rows").set_value(2)
    at.button(key="cy_run").click()
    run(at)
    assert len(frames(at)[0]) == 2
    assert "More than 2 rows" in texts(at.warning)


# -- store errors and first start ---------------------------------------------------------------
def test_unreachable_neo4j_is_a_message(monkeypatch):
    monkeypatch.setenv("POLICY_KG_BACKEND", "neo4j")
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    monkeypatch.setenv("NEO4J_USER", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong")
    at = run(make_app())
    assert "unavailable" in texts(at.error).lower()


@pytest.mark.slow
def test_missing_store_is_built_on_first_start(tmp_path, monkeypatch, pipeline_ready):
    if not pipeline_ready:
        pytest.skip("the loader pipeline cannot load the corpus yet")
    from graph.store import open_store

    path = str(tmp_path / "fresh")
    monkeypatch.setenv("POLICY_KG_STORE", path)
    at = make_app(page="agency", agency="市经济信息化委")
    at.run(timeout=300)
    assert not at.exception, [e.message for e in at.exception]
    assert open_store("ladybug", path).exists()
    assert measure_titles(at), "the freshly built graph shows the agency's measures"
