"""Stage 4 (responsibilities): who leads and who supports, in the written order."""

import pytest

from loaders.gazetteer import load_gazetteer
from loaders.normalize import normalize
from loaders.responsibilities import extract_responsibilities

GAZ = load_gazetteer()


def resolve(name):
    entry = GAZ.resolve_agency(name)
    return entry.name if entry else None


def parse(text):
    nt = normalize(text, "t.txt")
    resp, issues = extract_responsibilities(nt.text, 0, nt, resolve)
    return [(r.agency, r.role, r.rank) for r in resp], issues


@pytest.mark.parametrize(
    "text, expected",
    [
        ("打造平台。（责任部门：市经济信息化委、市发展改革委、市科委）",
         [("市经济信息化委", "lead", 1), ("市发展改革委", "support", 2), ("市科委", "support", 3)]),
        ("打造平台.(责任单位:市经信委、上海市商务委员会)",
         [("市经济信息化委", "lead", 1), ("市商务委", "support", 2)]),
        ("打造平台。（牵头单位：市科委；配合单位：市财政局、市教委）",
         [("市科委", "lead", 1), ("市财政局", "support", 2), ("市教委", "support", 3)]),
        ("打造平台。（责任单位：各区政府、市经济信息化委（牵头））",
         [("各区政府", "support", 1), ("市经济信息化委", "lead", 2)]),
        ("打造平台。由市科委牵头，市经济信息化委、市发展改革委配合。",
         [("市科委", "lead", 1), ("市经济信息化委", "support", 2), ("市发展改革委", "support", 3)]),
        ("打造平台。（责任单位：各区、县级市，市商务委）",
         [("各区、县级市", "lead", 1), ("市商务委", "support", 2)]),
        ("打造平台。（责任\n\n单位：市经济信\n\n息化委、市委网信办）",
         [("市经济信息化委", "lead", 1), ("市委网信办", "support", 2)]),
    ],
)
def test_forms(text, expected):
    got, issues = parse(text)
    assert got == expected
    assert issues == []


def test_unknown_agency_is_kept_and_marked_uncatalogued():
    nt = normalize("开展试点。（责任单位：市新设数据局、市科委）", "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert [(r.agency, r.catalogued) for r in resp] == [("市新设数据局", False), ("市科委", True)]


def test_unclosed_clause_reads_to_paragraph_end_with_a_warning():
    got, issues = parse("1．开展试点。（责任单位：市科委、市教委\n2．下一项。")
    assert got == [("市科委", "lead", 1), ("市教委", "support", 2)]
    assert len(issues) == 1 and "unclosed" in issues[0].message and issues[0].line == 1


def test_clause_keeps_provenance():
    raw = "1．打造平台。（责任部门：市经济信\n息化委、市科委）"
    nt = normalize(raw, "doc.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert resp[0].clause == "（责任部门：市经济信息化委、市科委）"
    assert resp[0].span.source_file == "doc.txt" and resp[0].span.line == 1
    assert raw[resp[0].span.start:resp[0].span.end].startswith("（责任部门")


def test_task_division_table_assigns_lead_and_support():
    from pathlib import Path

    from loaders.pipeline import load_file

    record = load_file(Path(__file__).parent / "fixtures" / "docs" / "task_table.txt")
    by_title = {m.title: [(r.agency, r.role) for r in m.responsibilities] for m in record.measures}
    assert by_title["完善数据交易体系"] == [("市大数据中心", "lead"), ("市委网信办", "support"), ("市经济信息化委", "support")]
    assert by_title["推进数字化转型示范"][0] == ("市国资委", "lead")
    assert all(r.span.line >= 17 for m in record.measures for r in m.responsibilities)
