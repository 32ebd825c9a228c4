"""graph.exports: file formats (xlsx, docx, csv, json, md) and the DESIGN.md JSON contracts."""

from __future__ import annotations

import io
import json

import pytest

from graph import exports
from graph import queries as Q
from graph.ladybug_store import LadybugStore
from tests.conftest import FakeGazetteer


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from graph.build import build_graph
    from tests.conftest import sample_records_list

    recs = sample_records_list()
    s = LadybugStore(tmp_path_factory.mktemp("exports") / "store")
    s.rebuild(build_graph(recs, FakeGazetteer()), recs)
    yield s
    s.close()


def test_responsibilities_json_keys_and_order(store):
    rows = json.loads(exports.responsibilities_bytes(store, "json").decode("utf-8"))
    assert all(list(r) == list(Q.RESPONSIBILITY_KEYS) for r in rows)
    first = rows[0]
    assert first == {
        "source_file": "a_plan.txt", "doc_number": "沪府办发〔2020〕1号",
        "document": "上海市促进测试经济发展行动方案（2020-2022年）", "chapter": "二、聚焦发展重点",
        "measure_number": "1", "measure_title": "打造标杆性无人工厂", "agency": "市经济信息化委",
        "agency_full_name": "上海市经济和信息化委员会", "role": "lead", "rank": 1,
        "source_text": "（责任部门：市经济信息化委、市发展改革委、市科委）",
    }
    assert [(r["measure_number"], r["rank"]) for r in rows[:3]] == [("1", 1), ("1", 2), ("1", 3)]
    assert "\\u" not in exports.responsibilities_bytes(store, "json").decode("utf-8")


@pytest.mark.parametrize("name", ["市经济信息化委", "上海市经济和信息化委员会", "市经信委"])
def test_agency_filter_accepts_short_full_and_alias(store, name):
    rows = exports.responsibility_records(store, agency=name)
    assert {r["agency"] for r in rows} == {"市经济信息化委"}
    assert len(rows) == 3


def test_unknown_agency_and_document_name_the_value(store):
    with pytest.raises(Q.QueryInputError, match="市不存在委.*known agencies"):
        exports.responsibility_records(store, agency="市不存在委")
    with pytest.raises(Q.QueryInputError, match="nope.txt"):
        exports.responsibility_records(store, document="nope.txt")


def test_document_filter(store):
    for ref in ("b_measures.txt", "沪府办规〔2023〕27号", "上海市促进测试经济健康发展的若干政策措施", "b_"):
        rows = exports.responsibility_records(store, document=ref)
        assert {r["source_file"] for r in rows} == {"b_measures.txt"}, ref


def test_csv_has_bom_and_header(store):
    data = exports.responsibilities_bytes(store, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(Q.RESPONSIBILITY_KEYS)
    assert "市经济信息化委" in text


def test_md_table(store):
    text = exports.responsibilities_bytes(store, "md").decode("utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("| source_file | doc_number |") and lines[1].startswith("|---|")
    assert len(lines) == 2 + len(exports.responsibility_records(store))


def test_xlsx_formatting(store):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exports.responsibilities_bytes(store, "xlsx", agency="市科委")))
    ws = wb.active
    assert ws.title == "市科委"
    assert [c.value for c in ws[1]] == list(Q.RESPONSIBILITY_KEYS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["K"].width >= 40  # source_text
    assert ws.cell(row=2, column=11).alignment.wrap_text
    assert ws.max_row == 1 + len(exports.responsibility_records(store, agency="市科委"))


def test_xlsx_one_sheet_per_agency(store):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exports.responsibilities_workbook(store, per_agency=True)))
    agencies = sorted({r["agency"] for r in exports.responsibility_records(store)})
    assert sorted(wb.sheetnames) == agencies
    assert all(len(n) <= 31 for n in wb.sheetnames)


def test_sheet_titles_unique_and_short():
    titles = exports._unique_titles(["上海市" + "很长的部门名称" * 6, "上海市" + "很长的部门名称" * 6 + "二", "a/b"])
    assert len(set(t.lower() for t in titles)) == 3
    assert all(len(t) <= 31 for t in titles) and titles[2] == "a_b"


def test_docx_task_table(store):
    from docx import Document
    from docx.enum.section import WD_ORIENT

    doc = Document(io.BytesIO(exports.responsibilities_bytes(store, "docx", agency="市经信委")))
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert any("任务分工表" in p.text and "市经信委" in p.text for p in doc.paragraphs)
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "任务", "牵头单位", "配合单位", "目标", "来源"]
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(body) == 3  # one line per measure
    first = body[0]
    assert first[0] == "1" and "打造标杆性无人工厂" in first[1]
    assert first[2] == "市经济信息化委" and first[3] == ""
    assert "无人工厂" in first[4] and "沪府办发〔2020〕1号" in first[5]


def test_docx_all_agencies_groups_lead_and_support(store):
    from docx import Document

    doc = Document(io.BytesIO(exports.responsibilities_bytes(store, "docx")))
    body = [[c.text for c in row.cells] for row in doc.tables[0].rows[1:]]
    assert body[0][2] == "市经济信息化委" and body[0][3] == "市发展改革委、市科委"


def test_unknown_format_lists_valid_ones(store):
    with pytest.raises(exports.ExportError, match="csv, xlsx, docx, json, md"):
        exports.responsibilities_bytes(store, "pdf")


def test_measures_json_contract(store):
    rows = json.loads(exports.records_json(store, "measures"))
    assert all(list(r) == list(Q.MEASURE_KEYS) for r in rows)
    m1 = rows[0]
    assert (m1["source_file"], m1["measure_number"], m1["kind"]) == ("a_plan.txt", "1", "measure")
    assert m1["agencies"] == ["市经济信息化委", "市发展改革委", "市科委"]
    assert m1["sectors"] == ["工业互联网"] and m1["places"] == ["嘉定新城"]
    assert m1["targets"][0]["value"] == 100 and m1["targets"][0]["year"] == 2022
    assert [r["source_file"] for r in rows] == sorted(r["source_file"] for r in rows)


def test_targets_json_contract(store):
    rows = json.loads(exports.records_json(store, "targets"))
    assert all(list(r) == list(Q.TARGET_KEYS) for r in rows)
    doc_level = [r for r in rows if r["measure_number"] is None]
    assert doc_level and doc_level[0]["comparator"] == ">="
    assert all(isinstance(r["value"], (int, float)) for r in rows)


def test_places_json_contract(store):
    rows = json.loads(exports.records_json(store, "places"))
    assert all(list(r) == list(Q.PLACE_KEYS) for r in rows)
    town = next(r for r in rows if r["name"] == "嘉定新城")
    assert town["district"] == "嘉定区" and town["sectors"] == ["智能制造"]
    assert town["mentions"] == [{"source_file": "a_plan.txt", "measure_number": "1"}]


def test_documents_json_contract(store):
    rows = json.loads(exports.records_json(store, "documents"))
    assert all(list(r) == list(Q.DOCUMENT_KEYS) for r in rows)
    assert [r["source_file"] for r in rows] == ["a_plan.txt", "b_measures.txt"]  # no externals
    b = rows[1]
    assert "国务院办公厅关于促进平台经济规范健康发展的指导意见" in b["cites"]
    assert rows[0]["issuer"] == "市政府办公厅" and rows[0]["issued"] == "2020-04-08"


def test_chains_json_contract(store):
    assert json.loads(exports.records_json(store, "chains")) == []


def test_exports_are_deterministic(store):
    for kind in exports.RECORD_KINDS:
        assert exports.records_json(store, kind) == exports.records_json(store, kind)
    assert exports.responsibilities_bytes(store, "csv") == exports.responsibilities_bytes(store, "csv")


def test_named_queries_and_examples_run(store):
    from graph.cypher import EXAMPLE_QUERIES

    assert len(EXAMPLE_QUERIES) == 5
    for q in EXAMPLE_QUERIES:
        assert q.title_zh and q.title_en and "$" in q.cypher
        for banned in ("label(", "labels(", "type(", "shortestPath", "apoc."):
            assert banned not in q.cypher
        Q.run_example(store, q.name)
    rows = Q.run_example(store, "agency_lead_support").records()
    assert {r["role"] for r in rows} == {"lead"}
    pairs = Q.agency_pairs(store)
    assert pairs[0] == {"agency_a": "市发展改革委", "agency_b": "市经济信息化委", "shared_measures": 2}
    co = Q.co_responsibility(store, "市经信委")
    assert co[0]["agency"] == "市发展改革委" and co[0]["shared_measures"] == 2
    nodes, edges, capped = Q.neighbourhood(store, "place:park_a", hops=2)
    assert {n["id"] for n in nodes} >= {"place:park_a", "place:eco_parks", "place:jiading"}
    assert not capped and all(e["_source"] and e["_target"] for e in edges)
    nodes, edges, capped = Q.neighbourhood(store, "agency:市经济信息化委", hops=1, limit=2)
    assert len(nodes) == 2 and capped
    hits = Q.search_nodes(store, "工业互联网")
    assert hits[0]["label"] == "Sector" and hits[0]["name"] == "工业互联网"
    s = Q.stats(store)
    assert s.nodes["Measure"] == 5 and s.documents[0]["responsibilities"] == 7
