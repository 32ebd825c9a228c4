"""Stage 4 (responsibilities): who leads and who supports, in the written order."""

from pathlib import Path

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


@pytest.mark.parametrize(
    "text, expected",
    [
        # several units before 牵头 all lead
        ("拓展测试区域。（市交通委、市经济信息化委、市公安局牵头，相关区政府配合）",
         [("市交通委", "lead", 1), ("市经济信息化委", "lead", 2), ("市公安局", "lead", 3), ("相关区政府", "support", 4)]),
        # a list of units with 按职责分工负责 / a bare list closing the item: the first listed leads
        ("培育市场主体。（市经济信息化委、市商务委按职责分工负责）",
         [("市经济信息化委", "lead", 1), ("市商务委", "support", 2)]),
        ("加强监管。（市市场监管局、市商务委）", [("市市场监管局", "lead", 1), ("市商务委", "support", 2)]),
        # 牵头部门/协同部门, 牵头单位/参与单位, comma between the sections, 等相关部门
        ("建设平台。（牵头部门：市经济信息化委；协同部门：市发展改革委、市国资委）",
         [("市经济信息化委", "lead", 1), ("市发展改革委", "support", 2), ("市国资委", "support", 3)]),
        ("建设平台。（牵头部门：市科委，配合部门：市发展改革委、市财政局等相关部门）",
         [("市科委", "lead", 1), ("市发展改革委", "support", 2), ("市财政局", "support", 3)]),
        # a clause broken over lines after a colon or semicolon (a PDF line ends there)
        ("建设平台。（牵头单位：市经济信息化委；\n配合单位：市大数据中心、市通信管理局）",
         [("市经济信息化委", "lead", 1), ("市大数据中心", "support", 2), ("市通信管理局", "support", 3)]),
        # a name plate after a unit is the same unit
        ("加强人才引育。（责任单位：市委组织部（市人才办）、市人力资源社会保障局）",
         [("市委组织部", "lead", 1), ("市人力资源社会保障局", "support", 2)]),
        # lists on their own line after the item; 责任单位 after 牵头单位 are supporting units
        ("建设创新高地。\n责任部门：区科委、区经委、大零号湾办公室",
         [("区科委", "lead", 1), ("区经委", "support", 2), ("大零号湾办公室", "support", 3)]),
        ("打造示范场景。\n牵头部门：区经委\n协同部门：莘庄工业区管委会、各街镇",
         [("区经委", "lead", 1), ("莘庄工业区管委会", "support", 2), ("各街镇", "support", 3)]),
        ("打造产业集聚区。\n牵头单位：区科经委；责任单位：张江科学城管理局、金桥管理局",
         [("区科经委", "lead", 1), ("张江科学城管理局", "support", 2), ("金桥管理局", "support", 3)]),
        # inline: the supporters in a later clause of the sentence; A会同B
        ("市经济信息化委牵头负责项目管理，市财政局配合负责资金拨付。",
         [("市经济信息化委", "lead", 1), ("市财政局", "support", 2)]),
        ("第七条市经济信息化委会同市财政局每年发布申报指南。", [("市经济信息化委", "lead", 1), ("市财政局", "support", 2)]),
        ("由市经济信息化委牵头，会同市发展改革委、市交通委等部门统筹推进。",
         [("市经济信息化委", "lead", 1), ("市发展改革委", "support", 2), ("市交通委", "support", 3)]),
    ],
)
def test_more_forms(text, expected):
    assert parse(text)[0] == expected


def test_prose_after_a_clause_word_is_not_a_list():
    assert parse("加强宣传。\n责任单位：要加强组织领导，确保各项任务落到实处。")[0] == []


def test_unit_without_city_prefix_in_a_municipal_document():
    text = "沪经信数〔2024〕1号\n推进改造。（牵头单位：经济信息化委；参与单位：财政局、有关区政府）"
    assert parse(text)[0] == [("市经济信息化委", "lead", 1), ("市财政局", "support", 2), ("有关区政府", "support", 3)]
    # in a district's document the same bare names are the district's units: kept as written
    district = "闵府办发〔2024〕1号\n推进改造。（牵头单位：经济信息化委；参与单位：财政局）"
    assert parse(district)[0] == [("经济信息化委", "lead", 1), ("财政局", "support", 2)]


def test_district_units_are_kept_uncatalogued():
    nt = normalize("推进改造。（责任单位：浦东新区科经委、区商务委、市经济信息化委）", "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert [(r.agency, r.catalogued) for r in resp] == [
        ("浦东新区科经委", False), ("区商务委", False), ("市经济信息化委", True)]


def test_list_after_the_last_sub_point_belongs_to_the_item():
    from loaders.pipeline import load_file

    record = load_file(Path(__file__).parent / "fixtures" / "docs" / "icv_implementation_plan.txt")
    item = next(m for m in record.measures if m.title == "突破关键核心技术")
    assert [(r.agency, r.role) for r in item.responsibilities] == [
        ("市经济信息化委", "lead"), ("市科委", "support"), ("市发展改革委", "support")]
    assert all(not m.responsibilities for m in record.measures if m.parent_key == item.key)


def test_task_list_with_only_a_responsibility_column(tmp_path):
    # 序号 / 工作任务 / 责任单位 / 完成时限, one cell per line, group rows (一、…) between rows:
    # the first unit leads, the deadline is not a target, the task cell's places and targets are the row's
    from loaders.pipeline import load_file

    doc = tmp_path / "tasks.txt"
    doc.write_text(
        "2024年上海市数字经济重点工作安排\n附件：重点工作任务清单\n序号\n工作任务\n责任单位\n完成时限\n一、推动数字产业化\n"
        "1\n加快临港新片区集成电路项目建设，全年集成电路产业规模达到3000亿元。\n市经济信息化委、市发展改革委\n2024年12月底\n"
        "2\n新建智能工厂50家。\n市经济信息化委\n每季度\n", encoding="utf-8")
    record = load_file(doc)
    rows = {m.number: m for m in record.measures}
    assert [(r.agency, r.role) for r in rows["1"].responsibilities] == [("市经济信息化委", "lead"), ("市发展改革委", "support")]
    assert [(t.value, t.unit) for t in rows["1"].targets] == [(3000, "亿元")]
    assert [p.name for p in rows["1"].places] == ["临港新片区"]
    assert [(t.value, t.unit) for t in rows["2"].targets] == [(50, "家")]
    assert record.targets == [] and record.places == []  # table cells are not document-level prose
    assert record.meta.kind == "action_plan"  # 工作安排


def test_notice_title_without_guanyu():
    from loaders.pipeline import load_file

    doc = Path(__file__).parent / "fixtures" / "docs" / "ai_industry_opinions.txt"
    meta = load_file(doc).meta
    assert (meta.title, meta.issuer) == ("关于加快推进人工智能产业高质量发展的实施意见", "市政府办公厅")


@pytest.mark.parametrize(
    "text, expected",
    [
        # an unbracketed list as the paragraph's last sentence (district 若干举措 style)
        ("一、打造集聚区。到2025年集聚企业超过1200家。责任单位：区发展改革委、区商务委、漕河泾开发区管委会。",
         [("区发展改革委", "lead", 1), ("区商务委", "support", 2), ("漕河泾开发区管委会", "support", 3)]),
        ("推进改造。牵头单位：市经济信息化委；配合单位：市财政局。",
         [("市经济信息化委", "lead", 1), ("市财政局", "support", 2)]),
        # 会同有关部门 in prose names no unit
        ("在市委、市政府领导下，由市商务委牵头，会同有关部门建立工作推进机制。", [("市商务委", "lead", 1)]),
    ],
)
def test_sentence_clauses_and_generic_units(text, expected):
    got, issues = parse(text)
    assert got == expected
    assert issues == []


def test_clause_word_in_mid_paragraph_prose_is_not_a_list():
    got, _ = parse("完善考核机制。责任单位：要细化分工，明确时间节点。各区抓好落实。")
    assert got == []


def test_joint_party_government_document_metadata():
    from loaders.pipeline import load_file

    doc = Path(__file__).parent / "fixtures" / "docs" / "consumption_joint_opinions.txt"
    meta = load_file(doc).meta
    assert (meta.title, meta.issuer, meta.kind) == (
        "关于进一步激发消费活力加快建设国际消费中心城市的实施意见", "市委", "implementation_opinions")
    xuhui = load_file(Path(__file__).parent / "fixtures" / "docs" / "xuhui_ai_district_measures.txt").meta
    assert xuhui.kind == "policy_measures"  # 若干举措


@pytest.mark.parametrize("cell", [
    "2024年", "2024年底", "2024年12月底前", "2025年6月30日前", "2024年第四季度", "2024年上半年",
    "2025年年底前完成", "长期坚持", "每季度", "持续推进", "2023—2025年", "2024年内",
])
def test_task_table_deadline_cells_are_recognised(cell):
    """A 完成时限 cell is a deadline, never a task or an agency (and never a target)."""
    from loaders.tables import DEADLINE

    assert DEADLINE.match(cell)


@pytest.mark.parametrize("cell", ["推进人工智能产业发展", "市经济信息化委", "100家", "2024年培育50家企业"])
def test_task_table_text_cells_are_not_deadlines(cell):
    from loaders.tables import DEADLINE

    assert not DEADLINE.match(cell)


@pytest.mark.parametrize(
    "text, expected",
    [
        # 工作要点: "由A牵头，B、C按职责分工负责。" closing the item
        ("推进清理整治。由市发展改革委牵头，市商务委、市市场监管局按职责分工负责。",
         [("市发展改革委", "lead", 1), ("市商务委", "support", 2), ("市市场监管局", "support", 3)]),
        ("推介项目。由市发展改革委牵头，各区、各有关部门按职责分工负责。",
         [("市发展改革委", "lead", 1), ("各区政府", "support", 2), ("各有关部门", "support", 3)]),
        # "由A负责。" closing the item
        ("落实政府采购政策。由市财政局负责。", [("市财政局", "lead", 1)]),
        # 细则 articles: the 主管部门 leads, the units opening the other clauses support
        ("第三条　区经委为本细则的主管部门，负责项目受理；区财政局负责资金拨付；区审计局依法实施审计监督。",
         [("区经委", "lead", 1), ("区财政局", "support", 2), ("区审计局", "support", 3)]),
        # a unit list as the subject of "按职责分工负责"
        ("第十一条　区财政局、区审计局按职责分工负责专项资金的监督检查。企业弄虚作假的，追回资金。",
         [("区财政局", "lead", 1), ("区审计局", "support", 2)]),
        # "A每年发布指南，会同B…": the unit opening the sentence leads
        ("第十条　区经委每年发布申报指南，会同区财政局组织专家评审。", [("区经委", "lead", 1), ("区财政局", "support", 2)]),
    ],
)
def test_round4_inline_forms(text, expected):
    got, issues = parse(text)
    assert got == expected
    assert issues == []


@pytest.mark.parametrize("text", [
    "第十三条　本细则由区经委负责解释。",  # who interprets the rules is not a responsibility
    "各区、各部门要按职责分工负责抓好落实。",  # a call on everyone, not a list of units
    "对民营企业牵头承担的市级重大科技专项，给予最高1000万元支持。",  # 牵头 of an enterprise
])
def test_round4_inline_non_responsibilities(text):
    assert parse(text)[0] == []


def test_round4_interpretation_metadata():
    """A 政策解读 web page: its own kind, no 文号 of its own (the policy's is cited in brackets), the
    issuer from its 来源 field, and the policy's short name (以下简称《行动方案》) is not a citation."""
    from loaders.pipeline import load_file

    record = load_file(Path(__file__).parent / "fixtures" / "docs" / "smart_terminal_interpretation.txt")
    meta = record.meta
    assert (meta.kind, meta.doc_number, meta.issuer, meta.issued) == (
        "interpretation", None, "市经济信息化委", "2024-06-21")
    assert meta.cites == ["上海市促进智能终端产业高质量发展行动方案（2024—2026年）"]
    # its 一是/（一） points restate the policy: no measures, no responsibilities; the targets it
    # cites are the document's, the 2023 statistic and the count of the plan's tasks are not
    assert record.measures == [] and record.leads == []
    assert sorted((t.value, t.unit) for t in record.targets) == [
        (1, "亿元"), (5, "家"), (10, "%"), (10, "个"), (20, "%"), (60, "%"), (500, "万元"), (3500, "亿元")]


# --- round 5: annex tables repeating the body, companies in lists, 保障措施 items, proposals, metadata


def _load(tmp_path, text: str, name: str = "doc.txt", encoding: str = "utf-8"):
    from loaders.pipeline import load_file

    doc = tmp_path / name
    doc.write_text(text, encoding=encoding)
    return load_file(doc)


def test_annex_table_rows_repeating_body_items_belong_to_them(tmp_path):
    """An annex 重点任务分工表 repeats the body items: a row is the body item whose title it gives
    (its units only fill an item without a clause); a row that repeats nothing stays a task."""
    record = _load(tmp_path, (
        "上海市推进智慧港口建设行动方案\n沪交发〔2024〕5号\n二、主要任务\n"
        "1.建设自动化码头。推进洋山港四期扩建。（市交通委牵头，上港集团配合）\n"
        "2.发展航运服务。集聚航运企业。\n"
        "附件\n重点任务分工表\n序号\t重点任务\t牵头单位\t配合单位\t完成时间\n"
        "1\t建设自动化码头\t市交通委\t上港集团\t2025年底\n"
        "2\t发展航运服务\t市交通委\t市商务委、张江实验室\t持续推进\n"
        "3\t培育航运人才\t市人力资源社会保障局\t市教委\t每年\n"))
    got = {(m.number, m.title): [(r.agency, r.role, r.catalogued) for r in m.responsibilities] for m in record.measures}
    assert got == {
        ("1", "建设自动化码头"): [("市交通委", "lead", True), ("上港集团", "support", False)],
        # the row's 配合单位 cell keeps the known unit and the unknown one (uncatalogued)
        ("2", "发展航运服务"): [("市交通委", "lead", True), ("市商务委", "support", True), ("张江实验室", "support", False)],
        ("3", "培育航运人才"): [("市人力资源社会保障局", "lead", True), ("市教委", "support", True)],
    }


@pytest.mark.parametrize("text, expected", [
    ("建设储能电站。（市发展改革委牵头，市经济信息化委、上海电气集团股份有限公司配合）",
     [("市发展改革委", "lead", True), ("市经济信息化委", "support", True), ("上海电气集团股份有限公司", "support", False)]),
    ("推进电网改造。（国网上海市电力公司、市发展改革委）",
     [("国网上海市电力公司", "lead", False), ("市发展改革委", "support", True)]),
])
def test_companies_in_a_list_of_units_are_units(text, expected):
    nt = normalize(text, "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert [(r.agency, r.role, r.catalogued) for r in resp] == expected


def test_a_company_named_in_running_text_is_not_a_unit():
    assert parse("支持龙头企业与电力公司合作。（简称电力公司）")[0] == []


def test_by_units_according_to_duties():
    assert parse("加大资金支持。由市经济信息化委、市财政局按职责分工负责。")[0] == [
        ("市经济信息化委", "lead", 1), ("市财政局", "support", 2)]


def test_numbered_safeguard_items_with_their_own_lists_are_measures(tmp_path):
    """保障措施 1、2、 closing with "由A牵头，B配合。" in a document whose items all carry such lists:
    the lists stay on the items (no document-level lead)."""
    record = _load(tmp_path, (
        "上海市促进夜间经济发展工作方案\n沪商发〔2024〕9号\n一、打造夜间消费场景\n"
        "1、建设夜间集聚区。推出夜市50个。由市商务委牵头，各区政府配合。\n"
        "二、保障措施\n1、加强统筹。建立联席会议制度。由市商务委牵头，市文化旅游局配合。\n"
        "2、加强宣传。办好夜生活节。由市委宣传部牵头，市商务委配合。\n"))
    assert record.leads == []
    got = {m.title: [(r.agency, r.role) for r in m.responsibilities] for m in record.measures}
    assert got["加强统筹"] == [("市商务委", "lead"), ("市文化旅游局", "support")]
    assert got["加强宣传"] == [("市委宣传部", "lead"), ("市商务委", "support")]


def test_safeguard_item_of_a_document_without_item_lists_names_the_document_lead(tmp_path):
    record = _load(tmp_path, (
        "上海市数字文旅发展规划\n一、重点任务\n（一）发展数字演艺。推广沉浸式演出。\n（二）建设智慧景区。推进景区数字化。\n"
        "二、保障措施\n（一）加强组织领导。建立由市文化旅游局牵头，各有关部门协同推进的工作机制。\n"))
    assert [r.agency for r in record.leads] == ["市文化旅游局"]
    assert all(not m.responsibilities for m in record.measures)


def test_task_table_with_a_measures_column_is_titled_by_its_task_cell(tmp_path):
    record = _load(tmp_path, (
        "2024年上海市文化创意产业重点任务清单\n序号\n主要任务\n具体措施\n牵头部门\n配合部门\n完成时限\n"
        "1\n推动影视产业\n发展\n建设影视基地，全年引进重点影视项目20个。\n市委宣传部\n市文化旅游局\n2024年12月底\n"
        "2\n发展电竞产业\n举办国际电竞赛事，培育电竞企业。\n市体育局\n市经济信息化委\n持续推进\n"))
    rows = {m.number: m for m in record.measures}
    assert rows["1"].title == "推动影视产业发展" and rows["2"].title == "发展电竞产业"
    assert "建设影视基地" in rows["1"].text  # the measure's text keeps the 具体措施 cell
    assert [(r.agency, r.role) for r in rows["1"].responsibilities] == [("市委宣传部", "lead"), ("市文化旅游局", "support")]
    assert [(t.value, t.unit) for t in rows["1"].targets] == [(20, "个")]


def test_a_proposal_in_a_research_article_assigns_nothing(tmp_path):
    record = _load(tmp_path, (
        "关于上海发展银发经济的思考\n【摘要】本文分析上海银发经济现状并提出建议。\n一、发展现状\n（一）需求快速增长\n老年人口持续增加。\n"
        "二、对策建议\n（一）健全工作机制\n建议由市民政局牵头，会同市卫生健康委、市经济信息化委，建立银发经济发展协调机制。\n"
        "（二）丰富产品供给\n支持企业研发适老化产品。\n"))
    assert record.meta.kind == "research_report"
    assert [m.kind for m in record.measures] == ["recommendation", "recommendation"]
    assert all(not m.responsibilities for m in record.measures)


def test_government_opinions_with_a_wrapped_title_line(tmp_path):
    meta = _load(tmp_path, (
        "上海市人民政府文件\n沪府发〔2024〕3号\n上海市人民政府关于推进城市数字化转型\n加快建设国际数字之都的实施意见\n\n"
        "各区人民政府，市政府各委、办、局：\n　　为全面推进城市数字化转型，加快建设具有世界影响力的国际数字之都，\n"
        "现提出如下实施意见。\n　　一、总体要求\n　　坚持整体性转变、全方位赋能、革命性重塑，推动经济、生活、治理\n"
        "全面数字化转型，到2025年，基本建成国际数字之都框架体系。\n上海市人民政府\n2024年3月1日\n")).meta
    assert (meta.title, meta.issuer, meta.kind) == (
        "上海市人民政府关于推进城市数字化转型加快建设国际数字之都的实施意见", "市政府", "implementation_opinions")


def test_joint_issuer_written_with_a_count_is_the_first_signatory(tmp_path):
    meta = _load(tmp_path, (
        "上海市经济和信息化委员会等六部门关于印发《上海市促进工业设计发展若干措施》的通知\n沪经信规〔2024〕2号\n"
        "各区人民政府：\n　　现将《上海市促进工业设计发展若干措施》印发给你们。\n2024年5月6日\n")).meta
    assert (meta.issuer, meta.kind) == ("市经济信息化委", "policy_measures")


def test_web_page_issuer_from_its_source_field_and_sidebar_links_are_not_citations(tmp_path):
    meta = _load(tmp_path, (
        "首页 > 政务公开 > 政策文件\n关于印发《2024年上海市会展业发展工作方案》的通知\n"
        "发布日期：2024-03-02　　来源：上海市商务委员会\n沪商会展〔2024〕12号\n各区商务主管部门：\n"
        "　　为贯彻落实《关于促进会展经济发展的指导意见》，现将《2024年上海市会展业发展工作方案》印发给你们。\n"
        "上海市商务委员会\n2024年3月1日\n2024年上海市会展业发展工作方案\n一、工作目标\n　　全年举办展会800场，展览面积达到2000万平方米，"
        "带动相关消费稳步增长，进一步提升上海会展之都的国际影响力和品牌美誉度，形成一批具有全球影响力的品牌展会。\n"
        "分享到：　微信　　微博\n相关文件：\n关于印发《上海市会展业条例实施细则》的通知\n网站地图　|　联系我们\n"
        "主办：上海市商务委员会\n"), encoding="gb18030").meta
    assert meta.issuer == "市商务委"
    assert meta.cites == ["关于促进会展经济发展的指导意见"]


# ---------------------------------------------------------------- round 6
@pytest.mark.parametrize(
    "text, expected",
    [
        # a clause in full-width lenticular brackets 【】, broken over lines; district groups stay one unit
        ("（三）推进园区更新。到2026年完成改造项目8个。【责任单位：区科委、\n各街道、镇、区有关部门】",
         [("区科委", "lead", 1), ("各街道、镇", "support", 2), ("区有关部门", "support", 3)]),
        ("（四）优化营商环境。建设一站式服务中心。【区商务委、区市场监管局等按职责分工负责】",
         [("区商务委", "lead", 1), ("区市场监管局", "support", 2)]),
        ("（五）打造示范楼宇。【区商务委牵头，区房管局配合】",
         [("区商务委", "lead", 1), ("区房管局", "support", 2)]),
        # an article whose clauses each open with a unit: the first leads, the others support; a group
        # with its bracketed alternative (各区经委（商务委）) is one unit, a name plate still is not
        ("第四条（职责分工）市科委负责制定年度计划和组织评审；市财政局负责资金的预算安排；"
         "各区科委（科经委）负责本区项目的初审推荐。",
         [("市科委", "lead", 1), ("市财政局", "support", 2), ("各区科委（科经委）", "support", 3)]),
        ("第五条（监督）市财政局、市审计局依法对资金使用情况开展监督检查。",
         [("市财政局", "lead", 1), ("市审计局", "support", 2)]),
        ("第六条（评价）市科委、市财政局按照职责分工，对项目开展绩效评价。",
         [("市科委", "lead", 1), ("市财政局", "support", 2)]),
        # "A每年会同B…" after an article's label and caption
        ("第九条（评审）市商务委每年会同市财政局发布申报指南，组织专家评审。",
         [("市商务委", "lead", 1), ("市财政局", "support", 2)]),
        # other provinces' units in a joint document: kept (uncatalogued), never the municipal one
        ("6．共建算力平台。（上海市经济信息化委牵头，江苏省工业和信息化厅、浙江省发展改革委配合）",
         [("市经济信息化委", "lead", 1), ("江苏省工业和信息化厅", "support", 2), ("浙江省发展改革委", "support", 3)]),
        # "由A牵头，会同B、C、D…" wrapped over lines, with whole units after 会同
        ("8．推进人才互认。由上海市人力资源社会保障局牵头，\n会同江苏省人力资源社会保障厅、安徽省人力资源社会保障厅推进落实。",
         [("市人力资源社会保障局", "lead", 1), ("江苏省人力资源社会保障厅", "support", 2),
          ("安徽省人力资源社会保障厅", "support", 3)]),
    ],
)
def test_round6_forms(text, expected):
    got, issues = parse(text)
    assert got == expected
    assert issues == []


def test_round6_other_province_units_are_uncatalogued():
    nt = normalize("共建平台。（市科委牵头，江苏省科技厅、浙江省发展改革委配合）", "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert [(r.agency, r.catalogued) for r in resp] == [
        ("市科委", True), ("江苏省科技厅", False), ("浙江省发展改革委", False)]


def test_round6_name_plate_is_still_dropped():
    got, _ = parse("加强人才引进。（责任单位：市委组织部（市人才办）、市人力资源社会保障局）")
    assert got == [("市委组织部", "lead", 1), ("市人力资源社会保障局", "support", 2)]


@pytest.mark.parametrize("text", [
    "第十条（承担主体）企业负责项目的具体实施，对申报材料的真实性负责。",  # 企业 is not a unit
    "第十一条（项目管理）项目单位负责项目建设，按期完成验收。",  # nor is 项目单位
    "第十二条（支持）对市经济信息化委认定的示范项目，企业负责组织实施。",  # the unit is not the subject
    "第十九条（解释）本办法由市经济信息化委、市财政局负责解释。",
    "第十三条（区级配套）各区可结合实际制定配套支持政策。",  # permissive 可: no assignment
    "第八条（审核）推动由本市有关部门负责审核的事项下放。",
])
def test_round6_non_responsibilities(text):
    assert parse(text)[0] == []


def test_round6_joint_notice_without_issuer_in_its_title_line(tmp_path):
    meta = _load(tmp_path, (
        "上海市商务委员会\n江苏省商务厅\n浙江省商务厅\n\n沪商合作〔2024〕7号\n\n关于印发《长三角会展业协同发展\n"
        "工作方案》的通知\n\n各有关单位：\n　　现将《长三角会展业协同发展工作方案》印发给你们，请认真贯彻落实。\n\n"
        "上海市商务委员会　　江苏省商务厅\n浙江省商务厅\n2024年6月3日\n")).meta
    assert (meta.title, meta.issuer, meta.issued) == ("长三角会展业协同发展工作方案", "市商务委", "2024-06-03")


@pytest.mark.parametrize("signature, issued", [
    ("二〇二四年四月十日", "2024-04-10"),
    ("二○二三年十二月二十六日", "2023-12-26"),
    ("二零二五年一月三十一日", "2025-01-31"),
    ("二O二四年九月三日", "2024-09-03"),
])
def test_round6_signature_date_in_chinese_numerals(tmp_path, signature, issued):
    meta = _load(tmp_path, (
        "沪财规〔2024〕3号\n\n上海市财政局关于印发《上海市政府采购支持中小企业办法》的通知\n\n各区财政局：\n"
        "　　现将《上海市政府采购支持中小企业办法》印发给你们，请遵照执行。\n\n上海市政府采购支持中小企业办法\n\n"
        "第一条（目的）为支持中小企业发展，制定本办法。\n第二条（施行）本办法自2024年5月1日起施行，有效期5年。\n\n"
        f"上海市财政局\n{signature}\n")).meta
    assert meta.issued == issued
    assert meta.valid_from == "2024-05-01"


# Round 7: duty sentences of 规章 articles and 一是… paragraphs ("A应当…", "A、B要…", "A等部门按照各自职责"),
# the two levels 市、区人民政府, uncatalogued units marked by 由…牵头/会同, the enforcing authority of a
# 法律责任 article.
@pytest.mark.parametrize(
    "text, expected",
    [
        # "A应当…": the unit that is the subject of the duty leads (round 4 read it as nothing)
        ("第七条（监督检查）市市场监管局应当加强对产品质量的监督抽查。", [("市市场监管局", "lead", 1)]),
        ("第八条　市经济信息化委应当对项目实施情况开展绩效评价。", [("市经济信息化委", "lead", 1)]),
        # 区人民政府 in a city's regulation is every district government; 市、区人民政府 names both levels
        ("第五条（职责）市人民政府应当统筹协调全市工作。\n区人民政府应当做好本辖区相关工作。",
         [("市政府", "lead", 1), ("各区政府", "support", 2)]),
        ("第九条　市、区人民政府应当将所需经费纳入财政预算。", [("市政府", "lead", 1), ("各区政府", "support", 2)]),
        # a unit list with a trailer 等部门 as the subject of 按照各自职责 / 应当按照职责分工
        ("第十一条　市商务委、市文化旅游局等部门按照各自职责，做好相关工作。",
         [("市商务委", "lead", 1), ("市文化旅游局", "support", 2)]),
        ("第十二条　市教委、市国资委等行业主管部门应当按照职责分工，加强指导。",
         [("市教委", "lead", 1), ("市国资委", "support", 2)]),
        # the 主管部门 leads; the unit list of the next paragraph supports
        ("第四条　市科委是本市科技成果转化工作的主管部门，负责统筹协调。\n市教委、市国资委等部门按照各自职责，做好相关工作。",
         [("市科委", "lead", 1), ("市教委", "support", 2), ("市国资委", "support", 3)]),
        # "A应当会同B组建…": the list after 会同 stops at the verb; "会同市有关部门" names no unit
        ("第六条　市科委应当会同市教委组建本市科技成果转化专家咨询委员会。", [("市科委", "lead", 1), ("市教委", "support", 2)]),
        ("第十条　市商务委应当会同市有关部门每年发布重点展会目录。", [("市商务委", "lead", 1)]),
        # 一是… paragraphs: "A、B要…" anywhere in the paragraph; two duty clauses -- the first opened leads
        ("三是加强要素保障。鼓励园区盘活存量用地。市规划资源局、市住房城乡建设管理委要优化审批流程。",
         [("市规划资源局", "lead", 1), ("市住房城乡建设管理委", "support", 2)]),
        ("四是深化金融服务。市国资委要推动国有资本投资，市委金融办要会同市财政局设立引导基金。",
         [("市国资委", "lead", 1), ("市委金融办", "support", 2), ("市财政局", "support", 3)]),
        # an item's caption sentence, then "A负责…" / "A、B依法对…"
        ("3.资金拨付。市财政局负责按照预算管理规定拨付资金。", [("市财政局", "lead", 1)]),
        ("4.监督检查。市财政局、市审计局依法对资金使用情况实施监督。",
         [("市财政局", "lead", 1), ("市审计局", "support", 2)]),
        # uncatalogued units marked by 由…牵头 / 会同 (a 管委会's 处, a group company)
        ("2.完善推进机制。由综合协调处牵头，会同产业促进处、张江集团，定期研究重大问题。",
         [("综合协调处", "lead", 1), ("产业促进处", "support", 2), ("张江集团", "support", 3)]),
        # 法律责任: the authority named to enforce
        ("第三十条　违反本办法第十条规定的，由市市场监管局责令限期改正；逾期不改正的，处5000元以上3万元以下罚款。",
         [("市市场监管局", "lead", 1)]),
    ],
)
def test_round7_duty_forms(text, expected):
    got, issues = parse(text)
    assert got == expected
    assert issues == []


@pytest.mark.parametrize("text", [
    "第二十条　有关部门及其工作人员玩忽职守的，由所在单位或者上级主管部门依法给予处分。",  # no unit named
    "第十五条　市场监管等部门应当依法实施包容审慎监管。",  # a function, not a unit
    "第二十九条　浦东新区管委会可以参照本办法制定具体措施。",  # 可以: permission, not a duty
    "各部门、各单位要按照职责分工，抓好落实。",  # everyone
    "提供服务的，应当依法履行备案义务。",  # no subject unit
    "支持由龙头企业牵头，会同高校组建创新联合体。",  # 由…牵头 of an enterprise
    "第十四条　本办法由市商务委负责解释。",
])
def test_round7_non_duties(text):
    assert parse(text)[0] == []


def test_round7_addressed_groups_lead_no_document():
    """In document text (a 保障措施 paragraph) "各区要…" addresses the districts; a unit's duty still leads."""
    from loaders.responsibilities import inline_responsibilities

    nt = normalize("各区要结合实际制定实施方案。", "t.txt")
    assert inline_responsibilities(nt.text, 0, nt, resolve, None) == []
    nt = normalize("市发展改革委要加强统筹协调，各区要落实主体责任。", "t.txt")
    assert [(r.agency, r.role) for r in inline_responsibilities(nt.text, 0, nt, resolve, None)] == [
        ("市发展改革委", "lead"), ("各区政府", "support")]


def test_round7_list_after_a_circled_point_stays_with_its_subpoint():
    """"(1)…①…②…（责任单位：…）" then "(2)…（责任单位：…）": the list after ② is (1)'s, and the item holding
    (1) and (2) gets none (the deepest sub-points are lifted first)."""
    from loaders.pipeline import build_record

    text = ("上海市某局文件\n沪某规〔2025〕1号\n某实施细则\n一、支持内容\n"
            "1.支持载体建设。\n(1)支持集聚区建设。对集聚区给予以下支持：\n①对新建平台给予支持；\n②对租用用房给予补贴。\n"
            "（责任单位：市经济信息化委、浦东新区政府）\n(2)支持研发机构。对研发机构给予支持。（责任单位：市科委、市财政局）\n")
    record = build_record(normalize(text, "t.txt"))
    by_title = {m.title: [r.agency for r in m.responsibilities] for m in record.measures}
    assert by_title["支持载体建设"] == []
    assert by_title["支持集聚区建设"] == ["市经济信息化委", "浦东新区政府"]
    assert by_title["支持研发机构"] == ["市科委", "市财政局"]


def _meta(text):
    from loaders.metadata import extract_metadata

    return extract_metadata(normalize(text, "t.txt"), resolve)


def test_round7_government_order_metadata():
    """A 规章 published by a government order: its 令 number is the 文号, the 《…》 of the promulgation
    sentence is its title (not a citation), the government its issuer."""
    meta = _meta("上海市人民政府令\n\n第8号\n\n　　《上海市促进智能网联汽车发展若干规定》已经2023年3月6日市政府第10次常务会议"
                 "通过，现予公布，自2023年5月1日起施行。\n\n市长　某某\n\n2023年3月20日\n\n上海市促进智能网联汽车发展若干规定\n\n"
                 "第一条　（目的）为了促进发展，根据《中华人民共和国道路交通安全法》，制定本规定。\n")
    assert (meta.title, meta.doc_number, meta.issuer, meta.kind) == (
        "上海市促进智能网联汽车发展若干规定", "上海市人民政府令第8号", "市政府", "regulation")
    assert (meta.issued, meta.valid_from) == ("2023-03-20", "2023-05-01")
    assert meta.cites == ["中华人民共和国道路交通安全法"]
    # a citation of an order's number in a document with a 文号 of its own changes nothing
    cited = _meta("沪经信规〔2025〕2号\n关于印发《某实施细则》的通知\n为落实《某规定》（上海市人民政府令第8号），制定本细则。\n")
    assert cited.doc_number == "沪经信规〔2025〕2号"


def test_round7_title_lines():
    # a web page's breadcrumb is page furniture; the title line follows it
    report = _meta("首页 > 政务公开 > 法定主动公开内容 > 政府工作报告\n2025年某区政府工作报告\n"
                   "发布日期：2025-01-10　　来源：某区人民政府　　【字体：大 中 小】【打印】\n\n政府工作报告\n\n各位代表：\n\n"
                   "　　现在，我代表区人民政府向大会报告工作，请予审议，并请区政协委员和其他列席人员提出意见。\n\n"
                   "一、2024年工作回顾\n\n　　2024年，全区经济社会发展稳中有进。\n")
    assert (report.title, report.kind) == ("2025年某区政府工作报告", "government_work_report")
    # the 主送 line glued to the title line is not part of the title
    notice = _meta("上海市人民政府办公厅文件\n沪府办〔2025〕3号\n上海市人民政府办公厅关于做好2025年本市消费促进工作的通知"
                   "各区人民政府，市政府各委、办、局：\n为…，现就有关事项通知如下：\n")
    assert (notice.title, notice.issuer, notice.kind) == (
        "上海市人民政府办公厅关于做好2025年本市消费促进工作的通知", "市政府办公厅", "notice")
    # an issuer whose official name has brackets; a 申报指南 is an application guide
    guide = _meta("沪自贸临管委〔2025〕9号\n中国（上海）自由贸易试验区临港新片区管理委员会关于印发《2025年度临港新片区"
                  "科技创新项目申报指南》的通知\n")
    assert (guide.issuer, guide.kind) == ("临港新片区管委会", "application_guide")
    assert _meta("沪经信〔2025〕5号\n上海市经济和信息化委员会关于开展2025年度专项资金项目申报工作的通知\n").kind == \
        "application_guide"


@pytest.mark.parametrize(
    "text, expected",
    [
        # a 各 group in a list of units is one unit, kept as written when not catalogued
        ("开展招聘。（市人力资源社会保障局、市教委、各职业院校负责）",
         [("市人力资源社会保障局", "lead", True), ("市教委", "support", True), ("各职业院校", "support", False)]),
        ("整治岸线。（市水务局牵头，沿江各区配合）",
         [("市水务局", "lead", True), ("沿江各区", "support", False)]),
        # 由 inside the brackets; 按职责分工落实 like 按职责分工负责; 各相关部门 is the catalogued 各有关部门
        ("开展帮扶。（由市民政局、市残联按职责分工负责）",
         [("市民政局", "lead", True), ("市残联", "support", True)]),
        ("布局先导区。（市发展改革委牵头，各相关部门按职责分工落实）",
         [("市发展改革委", "lead", True), ("各有关部门", "support", True)]),
        # "建立由A牵头，B、C等参加的…机制": the participants support
        ("建立由市商务委牵头，市财政局、市税务局等参加的协调机制。",
         [("市商务委", "lead", True), ("市财政局", "support", True), ("市税务局", "support", True)]),
        # negative: only groups, or a 各类 phrase, is no list of units
        ("开展培训。（各高校、各区）", []),
        ("支持企业。（市科委、各类企业）", []),
        ("组织企业参加展会。由市商务委牵头，组织企业参加展会。", [("市商务委", "lead", True)]),
    ],
)
def test_round8_groups_and_participants(text, expected):
    nt = normalize(text, "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert [(r.agency, r.role, r.catalogued) for r in resp] == expected


def test_round8_bare_committee_is_the_issuing_committee():
    head = "上海虹桥国际中央商务区管理委员会文件\n\n沪虹商管〔2025〕1号\n\n"
    nt = normalize(head + "（一）建设平台。由管委会牵头，会同闵行区政府推进落实。\n", "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert [(r.agency, r.role) for r in resp] == [("虹桥国际中央商务区管委会", "lead"), ("闵行区政府", "support")]
    nt = normalize(head + "（二）完善规划。（责任单位：管委会规划建设处、管委会）\n", "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert [(r.agency, r.catalogued) for r in resp] == [("管委会规划建设处", False), ("虹桥国际中央商务区管委会", True)]
    # a document not issued by a 管委会: a bare 管委会 stays as written
    nt = normalize("沪经信〔2025〕1号\n（一）建设平台。（责任单位：市科委、管委会）\n", "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve)
    assert ("管委会", False) in [(r.agency, r.catalogued) for r in resp]


def test_round8_red_header_names_the_issuer():
    meta = _meta("上海市经济和信息化委员会文件\n\n沪经信规〔2025〕3号\n\n关于印发《某某实施方案》的通知\n\n各区人民政府：\n"
                 "　　现将《某某实施方案》印发给你们。\n\n上海市经济和信息化委员会\n2025年3月1日\n")
    assert (meta.issuer, meta.title, meta.issued) == ("市经济信息化委", "某某实施方案", "2025-03-01")


@pytest.mark.parametrize(
    "text, expected",
    [
        # 法规 name functions: 市X部门 is the unit holding that function
        ("第六条　市科技部门应当会同市财政部门制定扶持政策。", [("市科委", "lead", True), ("市财政局", "support", True)]),
        # a list of functions sharing 市 and 部门 names each unit
        ("第三条　市商务部门是本市会展业的主管部门，负责统筹协调。\n市发展改革、财政、市场监管等部门按照各自职责，做好相关工作。",
         [("市商务委", "lead", True), ("市发展改革委", "support", True), ("市财政局", "support", True),
          ("市市场监管局", "support", True)]),
        # 请 opening the sentence, a group with its bracketed alternative leading the 会同 list
        ("二、请各区科委（科经委）会同各区财政局，按时拨付资金。", [("各区科委（科经委）", "lead", False), ("各区财政局", "support", False)]),
        # （牵头） belongs to the unit just before it
        ("1．推进改造。\n责任单位：区科委、区经委（牵头）、区财政局", [("区科委", "support", False), ("区经委", "lead", False),
                                                  ("区财政局", "support", False)]),
        ("1．推进改造。\n责任单位：区科委、区经委、区财政局（牵头）", [("区科委", "support", False), ("区经委", "support", False),
                                                  ("区财政局", "lead", False)]),
        ("1．推进改造。（区科委、区经委牵头，区财政局配合）", [("区科委", "lead", False), ("区经委", "lead", False),
                                          ("区财政局", "support", False)]),
        # role words mark unknown names with a unit's suffix as units; 参与 = support
        ("（二）建设平台。（临港科技城管理局牵头，临港实验室、临港集团参与）",
         [("临港科技城管理局", "lead", False), ("临港实验室", "support", False), ("临港集团", "support", False)]),
        ("（三）建设载体。推动楼宇更新。由外滩投资集团负责。", [("外滩投资集团", "lead", False)]),
        # beside a unit, an unknown name with a unit's suffix in a bare closing list
        ("5. 推进项目落地。（区投资促进办、南京路开发办）", [("区投资促进办", "lead", False), ("南京路开发办", "support", False)]),
        # negative: no role word, no unit -- nothing
        ("（三）建设载体。（以企业为主体牵头，高校参与）", []),
        ("5. 推进项目落地。（2025年底前）", []),
    ],
)
def test_round9_functions_markers_and_marked_units(text, expected):
    nt = normalize(text, "t.txt")
    resp, _ = extract_responsibilities(nt.text, 0, nt, resolve, measure_key="k")
    assert [(r.agency, r.role, r.catalogued) for r in resp] == expected


def test_round9_announcement_and_joint_issuer_lines():
    """A 法规 published by a 人大常委会公告; a notice titled 关于… under two issuer lines and its 文号."""
    meta = _meta("上海市人民代表大会常务委员会公告\n〔十五届〕第八号\n\n　　《上海市某某促进条例》已由上海市第十五届人民代表大会常务委员会"
                 "第九次会议于2023年3月1日通过，现予公布，自2023年5月1日起施行。\n\n上海市人民代表大会常务委员会\n2023年3月1日\n\n"
                 "上海市某某促进条例\n\n第一条　根据《中华人民共和国某某法》，制定本条例。\n")
    assert (meta.title, meta.doc_number, meta.issuer, meta.kind) == (
        "上海市某某促进条例", "上海市人民代表大会常务委员会公告〔十五届〕第八号", "上海市人民代表大会常务委员会", "regulation")
    assert (meta.issued, meta.valid_from, meta.cites) == ("2023-03-01", "2023-05-01", ["中华人民共和国某某法"])
    meta = _meta("上海市科学技术委员会\n上海市财政局\n\n沪科〔2024〕100号\n\n关于下达2024年度某某项目经费的通知\n\n各区科委：\n"
                 "　　现将有关事项通知如下：\n\n上海市科学技术委员会\n2024年9月2日\n")
    assert (meta.title, meta.issuer, meta.kind) == ("关于下达2024年度某某项目经费的通知", "市科委", "notice")
