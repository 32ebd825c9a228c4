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


def test_articles_of_a_regulation_are_measures_titled_by_their_caption():
    raw = ("第一章　总则\n第一条（目的和依据）\n为规范管理，制定本办法。\n第二条（管理职责）\n市经济信息化委负责组织实施。\n"
           "第二章　附则\n第三条　本办法由市经济信息化委负责解释。\n")
    s = structure(raw, "regulation")
    assert [c.heading for c in s.chapters] == ["第一章总则", "第二章附则"]
    assert [(m.number, m.title, m.kind, m.chapter) for m in s.measures] == [
        ("一", "目的和依据", "measure", "第一章总则"), ("二", "管理职责", "measure", "第一章总则"),
        ("三", "本办法由市经济信息化委负责解释", "measure", "第二章附则")]


def test_a_responsibility_list_on_its_own_line_closes_the_item():
    raw = ("二、主要任务\n（一）创新策源\n1．建设创新高地。集聚研发机构。\n责任部门：区科委、区经委\n"
           "2．支持大模型。\n（1）给予补贴；\n（2）给予奖励。\n牵头部门：区经委  协同部门：区科委、各街镇\n"
           "三、保障措施\n加强统筹协调。\n")
    s = structure(raw)
    by_title = {m.title: m for m in s.measures}
    assert by_title["建设创新高地"].text.endswith("责任部门：区科委、区经委")
    # the list after the last sub-point (1)(2) is in the last sub-point's text (lifted to the item later)
    assert s.measures[-1].label == "（2）" and s.measures[-1].text.endswith("协同部门：区科委、各街镇")
    assert [(m.number, m.level) for m in s.measures] == [("一", 1), ("1", 2), ("2", 2), ("1", 3), ("2", 3)]


def test_nested_numbering_down_to_circled_numbers():
    raw = "一、任务\n（一）甲\n1．甲一。\n（1）子项。\n①细项；\n②细项。\n2．甲二。\n"
    s = structure(raw)
    assert [(m.label, m.level) for m in s.measures] == [
        ("（一）", 1), ("1.", 2), ("（1）", 3), ("①", 4), ("②", 4), ("2.", 2)]


def test_a_clause_broken_after_its_colon_still_closes_the_item():
    raw = ("一、措施\n　　（一）发放算力券。面向中小企业发放“算力券”，市级财政每年安排资金\n１亿元，单个企业每年最高给予５０万元补贴。（责任单位：\n"
           "市经济信息化委、市财政局、各区人民政府）\n　　各区要结合实际，抓紧制定配套政策，确保各项措施落到实处，形成\n工作合力。\n")
    s = structure(raw, "policy_measures")
    assert s.measures[0].text.endswith("（责任单位：市经济信息化委、市财政局、各区人民政府）")
    assert [p.text[:4] for p, _ in s.free_paragraphs] == ["各区要结"]


def test_a_list_right_under_a_bare_heading_leads_the_item():
    # "（一）标题" on its own line, then "牵头单位：…。配合单位：…。", then the body: the body is the item's
    raw = ("一、重点任务\n（一）突破关键核心技术\n牵头单位：市科委。配合单位：市经济信息化委。\n"
           "聚焦核心零部件，每年支持攻关项目不少于20项。\n（二）培育优势企业\n牵头单位：市经济信息化委。\n"
           "培育整机企业5家以上。\n二、保障措施\n（一）加强组织领导。建立工作机制。\n")
    s = structure(raw)
    by_title = {m.title: m for m in s.measures}
    assert by_title["突破关键核心技术"].text.endswith("每年支持攻关项目不少于20项。")
    assert by_title["培育优势企业"].text.endswith("培育整机企业5家以上。")
    assert [p.text for p, _ in s.free_paragraphs] == []


def test_a_list_after_a_sentence_item_still_closes_it():
    raw = "一、重点任务\n（一）给予奖励。\n牵头单位：市科委\n各区要抓好落实。\n"
    s = structure(raw)
    assert s.measures[0].text.endswith("牵头单位：市科委")
    assert [p.text[:4] for p, _ in s.free_paragraphs] == ["各区要抓"]


def test_flat_items_numbered_like_chapters():
    """A district's 若干举措 numbers its measures 一、二、 with the body in the same paragraph and
    nothing numbered below: the headings are items, not chapters."""
    s = structure(
        "为推动发展，制定本举措。\n"
        "一、打造产业集聚区。以滨江为核心承载区，集聚企业。责任单位：区发展改革委、区商务委。\n"
        "二、强化算力支撑。统筹建设公共算力平台。责任单位：区科委。\n"
        "三、加强人才引育。对领军人才给予支持（区人才局牵头，各街镇配合）。\n"
        "本举措自2024年4月1日起施行。\n", "policy_measures")
    assert s.chapters == []
    assert [(m.number, m.title, m.chapter) for m in s.measures] == [
        ("一", "打造产业集聚区", None), ("二", "强化算力支撑", None), ("三", "加强人才引育", None)]
    assert "本举措自" not in s.measures[-1].text


def test_bare_chapter_headings_stay_chapters():
    s = structure("一、总体要求\n坚持创新驱动，推动高质量发展。\n二、重点任务\n推进产业集聚。\n")
    assert [c.heading for c in s.chapters] == ["一、总体要求", "二、重点任务"]


def test_chapter_heading_closed_by_a_clause_without_children_is_an_item():
    """Mixed 一、 headings: those with numbered items below are chapters (their body sentences are
    document text), one that carries its own clause and nothing numbered below is an item."""
    s = structure(
        "一、做强先导产业。聚焦集成电路，到2027年规模达到2万亿元。\n"
        "1．提升集成电路能级。加快建设。（责任单位：市经济信息化委）\n"
        "二、推动数字化转型。对智能化改造给予支持。（责任单位：市经济信息化委、市财政局）\n"
        "三、强化要素保障。\n1．加大金融支持。（责任单位：市委金融办）\n", "policy_measures")
    assert [c.heading for c in s.chapters] == ["一、做强先导产业", "三、强化要素保障"]
    assert [(m.number, m.title, m.chapter) for m in s.measures] == [
        ("1", "提升集成电路能级", "一、做强先导产业"), ("二", "推动数字化转型", None), ("1", "加大金融支持", "三、强化要素保障")]
    free = [(p.text, key) for p, key in s.free_paragraphs]
    assert ("聚焦集成电路，到2027年规模达到2万亿元。", "c1") in free


def test_interpretation_has_no_items_and_addressees_are_not_text():
    s = structure("问：主要任务有哪些？\n答：主要有：\n（一）加大资金支持。最高不超过1亿元。\n（二）强化人才保障。\n",
                  "interpretation")
    assert s.measures == [] and s.chapters == []
    assert len(s.free_paragraphs) == 4
    s = structure("各镇人民政府、街道办事处，嘉定工业区、菊园新区管委会，区政府各委、办、局：\n"
                  "现将细则印发给你们。\n第一条　为促进发展，制定本细则。\n", "regulation")
    assert [p.text for p, _ in s.free_paragraphs] == ["现将细则印发给你们。"]


def test_item_cards_with_labelled_lines():
    """任务一：title / 举措二：title cards: the ordinal is the item's number, every labelled line
    (工作目标：/牵头单位：/完成时限：) belongs to the card; 任务 without a colon is prose."""
    s = structure(
        "二、重点工作\n"
        "举措一：建设数字孪生平台\n工作目标：全年接入企业200家。\n"
        "主要举措：支持园区建设公共数据平台，推动重点企业开展数字孪生应用，鼓励园区企业开放应用场景。\n"
        "牵头单位：区经委\n配合单位：区科委、区财政局\n完成时限：2025年12月底\n"
        "举措二：优化营商环境\n"
        "工作目标：审批时间压缩至5个工作日，企业开办全程网办，政务服务事项全部实现一网通办。\n"
        "责任单位：区政务服务办\n完成时限：持续推进\n"
        "三、保障措施\n加强统筹。任务一是推进落实，本区各部门要形成合力。\n")
    assert [(m.number, m.label, m.title) for m in s.measures] == [
        ("一", "举措一：", "建设数字孪生平台"), ("二", "举措二：", "优化营商环境")]
    assert s.measures[0].text.endswith("完成时限：2025年12月底")
    assert "配合单位：区科委、区财政局" in s.measures[0].text
    assert s.measures[1].text.endswith("完成时限：持续推进")
    assert parse_label("专项行动三：打造标杆园区").number == "三"
    assert parse_label("任务分工如下：") is None and parse_label("任务一是推进落实") is None


def test_sections_restart_numbering_and_boxes_hold_projects():
    """第一节 headings close the open items (一、 restarts under each 节; the heading is neither a
    chapter nor an item); a 专栏 box's 1．… lines are its own items (projects for 重大工程), not
    children of the item before it; an item numbered on after the box leaves the box."""
    s = structure(
        "第一章　主要任务\n第一节　优化产业结构\n一、淘汰落后产能。每年调整项目100项。\n二、发展新兴产业。\n"
        "第二节　提升能效水平\n一、推进节能改造。\n"
        "专栏1　重点工程\n1．节能改造工程。建成项目20个。\n2．循环利用工程。\n"
        "二、推进清洁用能。\n"
        "第二章　保障措施\n第一节　加强组织\n各部门要抓好落实。\n", "five_year_plan")
    assert [c.heading for c in s.chapters] == ["第一章主要任务", "第二章保障措施"]
    assert [(m.number, m.title, m.parent_key, m.kind) for m in s.measures] == [
        ("一", "淘汰落后产能", None, "task"), ("二", "发展新兴产业", None, "task"),
        ("一", "推进节能改造", None, "task"),
        ("1", "节能改造工程", None, "project"), ("2", "循环利用工程", None, "project"),
        ("二", "推进清洁用能", None, "task")]
    assert "专栏" not in s.measures[2].text and "第二节" not in s.measures[1].text
    free = [p.text for p, _ in s.free_paragraphs]
    assert "各部门要抓好落实。" in free


def test_table_note_does_not_end_the_numbered_text():
    """A 注：… line under a table is a note: numbering resumes at the next chapter heading (its
    numbered lines right below the note are notes, not items); a bare 注释 line is back matter."""
    s = structure("第一章　目标\n一、主要指标\n见下表。\n注：[ ]内为累计数。\n1．数据来源于统计年鉴。\n"
                  "第二章　任务\n一、建设平台。\n", "five_year_plan")
    assert [(m.number, m.title) for m in s.measures] == [("一", "主要指标"), ("一", "建设平台")]
    assert "1.数据来源于统计年鉴。" in [p.text for p, _ in s.free_paragraphs]
    s = structure("一、主要任务\n（一）建设平台。\n注释\n（二）见某某文献。\n", "research_report")
    assert all(m.number != "二" for m in s.measures)


def test_enumerations_inside_an_article_are_part_of_it():
    """第五条（支持范围）…：（一）…（二）…: the list is the article's text, not items of its own."""
    s = structure("第一章　总则\n第一条（目的）为规范管理，制定本办法。\n第二条（范围）重点支持以下项目：\n"
                  "（一）技术改造项目；\n（二）数字化转型项目。\n第三条（方式）采取资助方式。\n", "regulation")
    assert [(m.number, m.title) for m in s.measures] == [("一", "目的"), ("二", "范围"), ("三", "方式")]
    assert "（二）数字化转型项目。" in s.measures[1].text
    # outside an article, the same list is numbered items
    s = structure("一、支持范围\n（一）技术改造项目；\n（二）数字化转型项目。\n")
    assert [m.number for m in s.measures] == ["一", "二"]


def _resolve(name: str):
    from loaders.pipeline import _context

    return _context().resolve(name)


def test_task_table_rows_restart_under_group_rows_and_remarks_are_not_units():
    """序号 restarting at 1 under each group row (一、…) still gives every row; a 备注 cell (tab-
    separated, or after the 时限 cell when one cell per line) is a remark, even when it names units."""
    from loaders.tables import find_task_tables

    tab = ("序号\t重点任务\t牵头单位\t配合单位\t完成时限\t备注\n一、夯实产业基础\n"
           "1\t建设中试平台\t市经济信息化委\t市科委\t2025年底\t市经济信息化委、市财政局联合发文\n"
           "2\t培育链主企业\t市经济信息化委\t市国资委\t\t已纳入年度计划\n"
           "二、优化发展环境\n1\t加强用地保障\t市规划资源局\t市经济信息化委\t持续推进\t\n")
    rows = find_task_tables(tab.replace("\t", " "), _resolve, tab)
    assert [(r.group, r.number, r.task, r.leads, r.supports) for r in rows] == [
        ("一", "1", "建设中试平台", ["市经济信息化委"], ["市科委"]),
        ("一", "2", "培育链主企业", ["市经济信息化委"], ["市国资委"]),
        ("二", "1", "加强用地保障", ["市规划资源局"], ["市经济信息化委"])]
    per_line = "序号\n重点任务\n牵头单位\n配合单位\n完成时限\n备注\n1\n建设中试平台\n市经济信息化委\n市科委\n2025年底\n市经济信息化委、市财政局联合发文\n"
    rows = find_task_tables(per_line, _resolve)
    assert [(r.leads, r.supports) for r in rows] == [(["市经济信息化委"], ["市科委"])]
    # numbering running on over the groups keeps the plain row numbers
    run_on = "序号\t重点任务\t牵头单位\t配合单位\n一、甲\n1\t建设中试平台\t市经济信息化委\t市科委\n二、乙\n2\t加强用地保障\t市规划资源局\t市财政局\n"
    assert [(r.group, r.number) for r in find_task_tables(run_on, _resolve, run_on)] == [(None, "1"), (None, "2")]


def test_repeated_item_accepts_an_abridged_title():
    from loaders.tables import repeated_item

    items = [("a", "拓宽科技金融服务渠道"), ("b", "加强知识产权保护运用"), ("c", "建设中试验证平台")]
    assert repeated_item("拓宽科技金融渠道", items) == "a"  # 服务 left out
    assert repeated_item("加强知识产权保护", items) == "b"  # contained
    assert repeated_item("拓宽融资渠道", items) is None  # too little of the title
    assert repeated_item("加强知识产权运用", [("b", "加强知识产权保护运用"), ("d", "加强知识产权转化运用")]) is None  # ambiguous
    assert repeated_item("建设验证平台", [("e", "建设中试验证公共服务平台")]) is None  # too short a share


def test_table_row_refines_a_plain_body_list(tmp_path):
    """An annex row with two units in its 牵头 column makes both lead on the body item it repeats
    when the body list is plain (first leads); a body clause marking 牵头 itself is kept."""
    from loaders.pipeline import load_file

    doc = ("上海市某某行动方案\n一、重点任务\n"
           "（一）支持企业承接高校成果。对企业购买科技成果的给予补助。（责任单位：市科委、市经济信息化委、市财政局）\n"
           "（二）建设中试验证平台。支持建设中试平台。（市经济信息化委牵头，市科委、市财政局配合）\n"
           "（三）发挥技术市场作用。支持技术交易市场建设。\n"
           "附件\n序号\t重点任务\t牵头单位\t配合单位\t完成时限\n"
           "1\t支持企业承接高校成果\t市科委、市经济信息化委\t市财政局\t持续推进\n"
           "2\t建设中试平台\t市经济信息化委、市科委\t市财政局\t2025年底\n"
           "3\t发挥技术市场作用\t市科委\t市财政局\t每年\n")
    path = tmp_path / "plan.txt"
    path.write_text(doc, encoding="utf-8")
    by_number = {m.number: [(r.agency, r.role) for r in m.responsibilities] for m in load_file(path).measures}
    assert by_number["一"] == [("市科委", "lead"), ("市经济信息化委", "lead"), ("市财政局", "support")]
    assert by_number["二"] == [("市经济信息化委", "lead"), ("市科委", "support"), ("市财政局", "support")]
    assert by_number["三"] == [("市科委", "lead"), ("市财政局", "support")]
    assert set(by_number) == {"一", "二", "三"}


def _load(tmp_path, doc: str, name: str = "doc.txt"):
    from loaders.pipeline import load_file

    path = tmp_path / name
    path.write_text(doc, encoding="utf-8")
    return load_file(path)


def test_bullet_items_are_numbered_by_position_under_part_headings():
    """A DOCX converted to text: ■ part headings over 一、 chapters, ● items (no written number:
    numbered 1, 2, … in each chapter), ◆ lines belonging to the ● item above them; ◆ lines under a
    part without items are document text."""
    raw = ("某区促进数字经济发展工作方案\n■\t发展目标\n到2026年，数字经济核心产业规模达到800亿元。\n■\t主要任务\n"
           "一、做强数字产业\n●\t培育软件企业。支持企业做大做强。\n●\t建设算力设施。按照“一城两园”布局：\n"
           "◆\t北部园区：重点建设智算中心；\n◆\t南部园区：重点建设数据中心。\n"
           "二、推动融合应用\n●\t推进工业互联网。支持企业上云。\n■\t保障措施\n◆\t加强组织领导。由区发展改革委牵头建立工作机制。\n")
    s = structure(raw)
    assert [c.heading for c in s.chapters] == ["一、做强数字产业", "二、推动融合应用"]
    assert [(m.number, m.title, m.chapter, m.kind) for m in s.measures] == [
        ("1", "培育软件企业", "一、做强数字产业", "task"), ("2", "建设算力设施", "一、做强数字产业", "task"),
        ("1", "推进工业互联网", "二、推动融合应用", "task")]
    assert s.measures[1].text.endswith("南部园区：重点建设数据中心。")
    free = [(p.text, key) for p, key in s.free_paragraphs]
    assert ("◆加强组织领导。由区发展改革委牵头建立工作机制。", None) in free  # document text, no chapter
    assert ("到2026年，数字经济核心产业规模达到800亿元。", None) in free
    assert any(t == "保障措施" for t in s.part_titles.values())
    assert parse_label("●") is None and parse_label("●\t建设平台。").style == "bullet"
    assert parse_label("•\t政务公开") is None  # a web page's menu line, not an item


def test_a_list_closing_a_chapter_applies_to_its_items_without_a_list(tmp_path):
    """"责任单位：A、B" on a line of its own after the last of several items, none of the earlier ones
    with a list line of its own: every item of the chapter without its own list gets it; an item's
    own clause wins; the list is not in the last item's text."""
    raw = ("某市推进先进材料产业发展工作方案\n一、强化创新\n●\t建设创新平台。布局一批中试平台。\n"
           "●\t攻关关键材料。实施重大专项。（牵头：市科委；参与：市财政局）\n●\t引进高端人才。支持人才集聚。\n"
           "责任单位：市经济信息化委、市科委、市教委\n二、扩大应用\n●\t推广示范应用。每年遴选示范项目。\n")
    s = structure(raw)
    assert len(s.chapter_lists) == 1 and s.chapter_lists[0][1] == ["c1.b1", "c1.b2", "c1.b3"]
    assert s.measures[2].text == "●引进高端人才。支持人才集聚。"
    rec = _load(tmp_path, raw)
    by_title = {m.title: [(r.agency, r.role) for r in m.responsibilities] for m in rec.measures}
    chapter_list = [("市经济信息化委", "lead"), ("市科委", "support"), ("市教委", "support")]
    assert by_title["建设创新平台"] == chapter_list and by_title["引进高端人才"] == chapter_list
    assert [a for a, _ in by_title["攻关关键材料"]] == ["市科委", "市财政局"]
    assert by_title["推广示范应用"] == []  # another chapter


def test_list_lines_after_each_item_stay_with_their_items():
    """Negative: where the earlier items carry list lines of their own, the last list is the last item's."""
    raw = ("一、主要任务\n1．建设平台。支持建设。\n责任单位：市科委\n2．培育企业。支持企业。\n责任单位：市经济信息化委\n")
    s = structure(raw)
    assert s.chapter_lists == []
    assert s.measures[1].text.endswith("责任单位：市经济信息化委")
    # a chapter of one item: its list is its own
    s = structure("一、主要任务\n1．建设平台。支持建设。\n责任单位：市科委\n二、保障措施\n1．加强领导。\n")
    assert s.chapter_lists == [] and s.measures[0].text.endswith("责任单位：市科委")


def test_paragraph_after_an_enumeration_introduced_by_a_colon_is_the_parents(tmp_path):
    """"（2）…按以下标准给予补贴：" "①…；" "②…。" then "单个企业最高…（责任单位：…）": the enumeration is
    over, the paragraph (and its list) is the sub-point (2)'s; (2)'s facts exclude ①/②'s text."""
    raw = ("某区专项资金实施细则\n一、支持内容\n1.支持技术攻关。\n(1)支持芯片设计。对企业流片的，按照以下标准给予补贴：\n"
           "①采用先进工艺的，按照流片费用的30%给予补贴；\n②采用其他工艺的，按照流片费用的15%给予补贴。\n"
           "单个企业每年补贴最高不超过1000万元。（责任单位：区科委、区财政局）\n"
           "(2)支持软件研发。给予最高200万元奖励。（责任单位：区科委）\n")
    s = structure(raw, "regulation")
    assert [(m.number, m.parent_key) for m in s.measures] == [
        ("1", None), ("1", "c1.m1"), ("①", "c1.m1.p1"), ("②", "c1.m1.p1"), ("2", "c1.m1")]
    assert s.measures[1].text.endswith("（责任单位：区科委、区财政局）")
    assert s.measures[3].text.endswith("15%给予补贴。")
    rec = _load(tmp_path, raw)
    by_number = {m.key: m for m in rec.measures}
    sub = by_number["c1.m1.p1"]
    assert [r.agency for r in sub.responsibilities] == ["区科委", "区财政局"]
    assert [(t.value, t.unit) for t in sub.targets] == [(1000, "万元")]  # not ①'s 30% or ②'s 15%
    assert [r.agency for r in by_number["c1.m1.p2"].responsibilities] == ["区科委"]
    # negative: without the introducing colon the paragraph stays with the last point
    s = structure("一、任务\n1.推进改造。\n(1)改造产线。\n(2)建设工厂。\n建成后开展评估。\n")
    assert s.measures[-1].text.endswith("建成后开展评估。")


def test_review_chapter_has_no_items_and_web_footer_is_not_text():
    """一、2024年工作回顾 reports results: its （一）… are document text; the plan's （一）… are items.
    A web page's 相关链接 / 主办： / ICP备 lines after the document are dropped."""
    raw = ("各位代表：\n一、2024年工作回顾\n过去一年，全区经济稳中有进。\n（一）坚持创新驱动。新增高新技术企业120家。\n"
           "（二）坚持民生为本。新增就业岗位2万个。\n二、2025年工作安排\n（一）扩大有效需求。全年引进重点企业200家。\n"
           "（二）提升城区品质。新建口袋公园8座。\n相关链接：\n2024年某区政府工作报告\n分享到：微信\n"
           "主办：上海市某区人民政府办公室　沪ICP备00000000号\n")
    s = structure(raw, "policy_document")
    assert [(m.number, m.chapter) for m in s.measures] == [("一", "二、2025年工作安排"), ("二", "二、2025年工作安排")]
    assert s.measures[-1].text == "（二）提升城区品质。新建口袋公园8座。"
    free = [p.text for p, _ in s.free_paragraphs]
    assert "（一）坚持创新驱动。新增高新技术企业120家。" in free
    assert not any("ICP" in t or "主办" in t or "相关链接" in t for t in free)
    # negative: an event's "主办单位：" line inside the document is its text, not a site footer
    s = structure("一、重点活动\n1．举办人工智能大会。\n主办单位：上海市经济和信息化委员会\n2．举办消费节。\n3．举办论坛。\n"
                  "4．举办展会。\n5．举办赛事。\n6．举办路演。\n7．举办沙龙。\n")
    assert len(s.measures) == 7 and s.measures[0].text.endswith("主办单位：上海市经济和信息化委员会")


def test_top_level_shi_items_are_paragraphs_and_closing_formula_ends_the_text():
    """A notice whose body is "一是…" … "三是…" paragraphs: each is an item of one paragraph; the
    closing "各区、各部门要…" paragraph and 特此通知 / signature are document text; a 主送 line joined to
    the title line is dropped from the text."""
    raw = ("上海市某局关于做好2025年招商工作的通知各区人民政府，市政府有关部门：\n为做好招商工作，现通知如下：\n"
           "一是聚焦重点产业。市商务委要会同市经济信息化委编制招商图谱。\n二是强化协同。各区要落实属地责任。\n"
           "各区、各部门要高度重视，确保各项任务落到实处。\n特此通知。\n上海市某局\n2025年3月1日\n")
    s = structure(raw, "notice")
    assert [(m.number, m.title) for m in s.measures] == [("一", "聚焦重点产业"), ("二", "强化协同")]
    assert s.measures[-1].text == "二是强化协同。各区要落实属地责任。"
    free = [p.text for p, _ in s.free_paragraphs]
    assert free[0] == "上海市某局关于做好2025年招商工作的通知"
    assert "各区、各部门要高度重视，确保各项任务落到实处。" in free and "特此通知。" in free
    # negative: a nested 一是 keeps its following paragraph
    s = structure("一、任务\n1．推进改造。\n一是改造产线。\n二是建设工厂。\n建成后开展评估。\n")
    assert s.measures[-1].text.endswith("建成后开展评估。")


def test_project_table_rows_are_projects_titled_by_their_name_cell(tmp_path):
    """A 重点项目表 (序号/项目名称/建设地点/总投资/建设周期/牵头单位, one cell per line): each row is a
    project titled by its 项目名称 cell; every unit of the 牵头单位 cell leads (offices such as
    …管委会 / …镇人民政府 included, a wrapped name joined); the row's place cell is read for its
    places, a wrapped place name joined."""
    from loaders.tables import find_task_tables

    table = ("附件\n某区重点项目表\n序号\n项目名称\n建设地点\n总投资（亿元）\n建设周期\n牵头单位\n"
             "1\n智能装备产业化项目\n漕河泾开发区\n12.5\n2024—2026年\n区经委\n"
             "2\n新材料中试基地项目\n某某镇\n3.0\n2025—2026年\n某某镇人民政府、区科委\n"
             "3\n高端传感器项目\n上海湾区高新技术产业\n开发区\n8.6\n2024—2025年\n上海湾区高新技术产业开发区管\n委会\n")
    rows = find_task_tables(table, _resolve)
    assert [(r.number, r.task, r.leads, r.supports, r.kind) for r in rows] == [
        ("1", "智能装备产业化项目", ["区经委"], [], "project"),
        ("2", "新材料中试基地项目", ["某某镇人民政府", "区科委"], [], "project"),
        ("3", "高端传感器项目", ["上海湾区高新技术产业开发区管委会"], [], "project")]
    rec = _load(tmp_path, "某区行动计划\n一、主要任务\n（一）建设平台。支持建设平台。（责任单位：区科委）\n" + table)
    rows = {m.number: m for m in rec.measures if m.chapter == "任务分工表"}
    assert [p.name for p in rows["1"].places] == ["漕河泾"]
    assert "上海湾区高新技术产业开发区" in [p.name for p in rows["3"].places]
    assert rows["1"].kind == "project"
    # negative: a task table with a single 责任单位 column: the first unit leads
    plain = "序号\n重点任务\n责任单位\n1\n建设平台\n区科委、区经委\n"
    assert [(r.task, r.leads, r.supports, r.kind) for r in find_task_tables(plain, _resolve)] == [
        ("建设平台", ["区科委"], ["区经委"], "task")]


def test_markdown_pipe_table_rows_groups_wrapped_cells_and_end(tmp_path):
    """A pipe table ("| 序号 | 任务 | 牵头单位 | 配合单位 | 时限 |", a |---| separator, group rows
    "| 一、… | | |") is read like a tab-separated one: cells split on |, a cell wrapped onto a line
    that does not start with | is one cell, group rows name the rows' chapter, and the table ends at the
    first line that is not a table line (a 注： line after it is document text)."""
    from loaders.tables import find_task_tables, pipe_tables

    table = ("某区2025年重点工作清单\r\n\r\n| 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 |\r\n"
             "|:---|---|---|---|---|\r\n| 一、提升产业能级 | | | | |\r\n"
             "| 1 | 建设中试平台，全年新增中试平台3个 | 区科委 | 区经委、\r\n区财政局 | 2025年底 |\r\n"
             "| 2 | 推进园区更新改造 | 区经委 | — | 持续推进 |\r\n"
             "| 二、优化营商环境 | | | | |\r\n"
             "| 3 | 优化企业服务，\r\n建立企业服务专员制度 | 区发展改革委 | 区经委 | 每季度 |\r\n"
             "\r\n注：各街镇每月5日前报送进展，全年新增企业100家。\r\n")
    rows = find_task_tables(table, _resolve, table)
    assert [(r.number, r.task, r.leads, r.supports, r.group_title) for r in rows] == [
        ("1", "建设中试平台，全年新增中试平台3个", ["区科委"], ["区经委", "区财政局"], "一、提升产业能级"),
        ("2", "推进园区更新改造", ["区经委"], [], "一、提升产业能级"),
        ("3", "优化企业服务，建立企业服务专员制度", ["区发展改革委"], ["区经委"], "二、优化营商环境")]
    assert rows[-1].end < table.index("注：")
    rec = _load(tmp_path, table)
    by_number = {m.number: m for m in rec.measures}
    assert by_number["3"].title == "优化企业服务，建立企业服务专员制度"
    assert by_number["1"].chapter == "一、提升产业能级"
    assert [t.value for t in by_number["1"].targets] == [3]
    assert 100 in [t.value for t in rec.targets]  # the 注： line is the document's text, not row 3's
    # negative: a site footer with | separators and a single pipe line in prose are no tables
    assert pipe_tables("网站地图\t|\t联系我们\t|\t隐私声明\n主办：某区人民政府\n") == []
    assert pipe_tables("正文一段。\n| 甲 | 乙 |\n正文又一段。\n") == []


def test_a_bare_section_heading_over_items_gives_its_places_to_the_document(tmp_path):
    """（一）北部某区：打造… -- a heading that is only a title, over numbered items and without a list of
    its own -- names places for the document, not for a measure of its own; a heading with a body
    sentence, or with its own list, keeps its places."""
    rec = _load(tmp_path, "某某行动方案\n一、重点任务\n（一）北部宝山：打造科创承载区\n"
                          "1．建设创新城。推动存量用地转型。（责任单位：市规划资源局）\n"
                          "（二）南部金山：推进化工区转型。加快金山区产业升级，建设一批项目。\n"
                          "2．建设产业园。推动项目落地。（责任单位：市经济信息化委）\n")
    by_number = {m.number: m for m in rec.measures}
    assert [p.name for p in by_number["一"].places] == []
    assert "宝山区" in [p.name for p in rec.places]
    assert "金山区" in [p.name for p in by_number["二"].places]  # a body sentence: a measure's own text
    s = structure("一、重点任务\n（一）推进宝山转型\n1．建设平台。\n（二）推进金山转型。加快建设。\n2．建设园区。\n")
    assert [m.key for m in s.measures if m.key in s.section_heads] == ["c1.s1"]


def test_year_goal_columns_are_the_rows_items_targets_and_unit_cell_by_column(tmp_path):
    """An annex task list (序号/任务/2025年目标/2026年目标/责任单位, tab-separated): the unit column's cell
    is the row's units whatever its names (an unknown 某某产业园 kept); each year-goal cell is a
    target of the row's body item dated by its column; no new measures, cells give no places."""
    from loaders.tables import find_task_tables

    annex = ("附件\n重点任务清单\n序号\t任务\t2025年目标\t2026年目标\t责任单位\n"
             "1\t建设创新平台\t新建研发平台5个\t研发平台达到12个\t区科委、区经委\n"
             "2\t壮大产业集群\t产业规模达到80亿元\t产业规模突破100亿元\t区经委、某某产业园\n")
    rows = find_task_tables(annex.replace("\t", " "), _resolve, annex)
    assert [(r.task, r.leads, r.supports, [y for y, _, _ in r.year_cells]) for r in rows] == [
        ("建设创新平台", ["区科委"], ["区经委"], [2025, 2026]),
        ("壮大产业集群", ["区经委"], ["某某产业园"], [2025, 2026])]
    rec = _load(tmp_path, "某区行动方案\n一、重点任务\n（一）建设创新平台。推动平台建设。\n"
                          "（二）壮大产业集群。推动集群发展。\n" + annex)
    items = {m.number: m for m in rec.measures}
    assert set(items) == {"一", "二"}
    assert [(t.value, t.year) for t in items["二"].targets] == [(80, 2025), (100, 2026)]
    assert items["二"].targets[1].comparator == ">"
    assert [r.agency for r in items["二"].responsibilities][-1] == "某某产业园"
    # negative: a 主要指标 table's year columns are not goal columns (no 目标 in the header)
    plain = "序号\t任务\t2025年\t责任单位\n1\t建设平台\t已建成\t区科委\n"
    assert all(not r.year_cells for r in find_task_tables(plain.replace("\t", " "), _resolve, plain))


def test_uncaptioned_article_title_is_its_first_sentence_whole():
    """A 条例's un-captioned 第X条 is titled by its whole first sentence (up to 。, or ； unless a further
    情形 "…的，" follows); a long numbered item's title is counted without punctuation."""
    s = structure("第一章　总则\n第一条　市经济信息化部门应当会同市财政部门，通过市级专项资金对企业智能化改造项目、"
                  "数字化车间项目和工业互联网平台项目给予支持，支持比例不超过项目总投资的30%。其余内容。\n"
                  "第二条　违反本条例规定骗取财政资金的，由市财政部门责令改正；构成犯罪的，依法追究刑事责任。\n"
                  "第三条　区经委负责受理；区财政局负责拨付。\n", "regulation")
    titles = [m.title for m in s.measures]
    assert titles[0].endswith("支持比例不超过项目总投资的30%")
    assert titles[1].endswith("依法追究刑事责任")
    assert titles[2] == "区经委负责受理"  # negative: a ； before another unit's duty ends the title
    s = structure("一、主要任务\n1．实施“甲—乙—丙”梯度培育行动，完善“科技型中小企业—高新技术企业—科技小巨人”梯度培育体系，"
                  "全年新认定企业120家以上。\n")
    assert s.measures[0].title.endswith("120家以上")


def test_notice_points_written_as_sentences_are_items():
    """A notice's 一、–四、 points that are whole sentences (nothing numbered below) are items, not chapters;
    negative: short 一、 titles over body text stay chapters."""
    s = structure("关于某事项的通知\n各区：\n现将有关事项通知如下：\n一、项目单位要按照合同组织实施，专款专用。\n"
                  "二、请各区经委会同各区财政局，在收到资金后将资金拨付至项目单位。\n"
                  "三、市经济信息化委会同市财政局，对项目实施情况进行绩效评价。\n特此通知。\n", "notice")
    assert [m.number for m in s.measures] == ["一", "二", "三"]
    s = structure("一、发展目标\n到2027年，规模达到100亿元。\n二、保障措施\n加强组织领导。\n")
    assert s.measures == [] and len(s.chapters) == 2
