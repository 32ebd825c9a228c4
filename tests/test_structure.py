"""Stage 3 (structure): chapters, measures and nested tasks from Chinese numbering conventions."""

from loaders.normalize import normalize
from loaders.structure import cn_to_int, parse_label, parse_structure


def structure(text: str, kind: str = "action_plan"):
    return parse_structure(normalize(text, "t.txt"), kind)


def test_chinese_numerals():
    assert [cn_to_int(s) for s in ["一", "十", "十四", "二十", "二十三", "一百"]] == [1, 10, 14, 20, 23, 100]


def test_labels():
    assert parse_label("（十四）优化互联网医疗体验。").number == "十四"
    assert parse_label("23．建设在线新经济生态园。").number == "23"
    assert parse_label("一是推进示范工程。").style == "shi"
    assert parse_label("0.2%，2020年平均增速只有2.5%。") is None  # a wrapped number, not a label
    assert parse_label("2025年上海规模") is None


def test_items_numbered_across_chapters():
    s = structure("一、甲\n1．第一项。（责任部门：市科委）\n2．第二项。（责任部门：市科委）\n二、乙\n3．第三项。（责任部门：市教委）\n")
    assert [(m.number, m.chapter) for m in s.measures] == [("1", "一、甲"), ("2", "一、甲"), ("3", "二、乙")]


def test_numbering_restarts_in_each_section():
    s = structure("一、主要任务\n（一）甲类\n1．甲一。\n2．甲二。\n（二）乙类\n1．乙一。\n")
    assert [(m.number, m.level, m.parent_key) for m in s.measures] == [
        ("一", 1, None), ("1", 2, "c1.s1"), ("2", 2, "c1.s1"), ("二", 1, None), ("1", 2, "c1.s2")]
    assert {m.kind for m in s.measures} == {"task"}


def test_out_of_sequence_label_is_text_not_a_measure():
    s = structure("一、甲\n1．第一项。\n2．第二项，预计增速\n5．5个百分点的目标。\n3．第三项。\n")
    assert [m.number for m in s.measures] == ["1", "2", "3"]


def test_headings_mid_line_and_label_at_line_end():
    raw = "  二、重点任务  围绕重点领域。  （一）拓展数字新产业  1.数字健\n康。以5G为基础。  2.\n智能制造。加快转型。"
    s = structure(raw, "five_year_plan")
    assert [(m.number, m.title) for m in s.measures] == [("一", "拓展数字新产业"), ("1", "数字健康"), ("2", "智能制造")]


def test_closing_paragraphs_and_notices_are_not_measures():
    raw = ("一、措施\n1．建设生态园。（责任部门：市经济信息化委）\n支持各区按照本方案要求出台专项政策。\n"
           "本政策措施自2024年1月1日起实施，有效期至2028年12月31日。\n抄送：市委各部门。\n")
    s = structure(raw)
    assert len(s.measures) == 1
    assert s.measures[0].text.endswith("（责任部门：市经济信息化委）")
    free = [p.text for p, _ in s.free_paragraphs]
    assert any(t.startswith("支持各区") for t in free) and any(t.startswith("本政策措施") for t in free)


def test_guiding_principles_are_preamble_and_targets_are_goals():
    s = structure("一、总体要求\n（一）指导思想\n以某思想为指导。\n（二）发展目标\n到2025年，建设10个平台。\n二、重点任务\n（三）建设平台。\n")
    assert [(m.number, m.kind) for m in s.measures] == [("二", "goal"), ("三", "task")]


def test_research_articles_yield_recommendations_only():
    raw = ("一、现状分析\n（一）优势\n1.市场优势\n上海市场大。\n二、对策建议\n（一）强化规划\n一是制定规划。二是完善政策。\n"
           "（二）加快基建\n建设新基建。\n注释\n①一个注释。\n")
    s = structure(raw, "research_report")
    assert [(m.label, m.kind) for m in s.measures] == [
        ("（一）", "recommendation"), ("一是", "recommendation"), ("（二）", "recommendation")]
