"""Tests for loaders.entities: sectors, places and agencies found in normalized corpus sentences."""

from __future__ import annotations

import pytest

from loaders.entities import EntityMatcher
from loaders.gazetteer import load_gazetteer

# Normalized sentences from the corpus.
NEW_TOWNS = (  # 004, 五个新城
    "重点发展嘉定新城智能传感器及物联网和精准医疗产业、青浦新城新一代通信和软件产业、松江新城人工智能和云计算产业、"
    "奉贤新城数字健康和智能网联汽车产业、南汇新城集成电路和智能计算产业，打造万亿级数字终端产品和器件、材料制造基地"
)
ZHONGHUAN = (  # 004, 中环数字产业创新带
    "以静安市北、杨浦创智、普陀桃浦智创城-海纳小镇、长宁虹桥智谷、漕河泾、张江在线-人工智能岛、金桥5G生态园"
    "等一批围绕中环的特色产业园区为依托"
)
ECO_PARKS = (  # 003, measure (四)
    "加快“长阳秀带”“张江在线”“虹桥之源”三个在线新经济生态园（以下简称“三个生态园”）建设，完善周边公共交通配套，"
    "加快实施轨道交通18号线二期、21号线和外环线西段抬升工程，推进轨道交通24、26、27号线规划研究。"
)
SCENE_AREAS = (  # 002, measure 14
    "依托临港新片区、长三角生态绿色一体化发展示范区、张江科学城、虹桥商务区等重点区域，探索设立在线新经济应用场景实践区"
)
ONLINE_HEALTH = (  # 002, measure 12
    "提升发展在线医疗。推进互联网医院发展，完善互联网诊疗服务管理制度，在线开展就医复诊、健康咨询、健康管理、家庭医生等各类服务。"
)
DATA_OPEN = (  # 002, measure 17
    "统筹完善“城市大脑”架构，依托市大数据中心，优化公共数据采集质量，实现公共数据集中汇聚，推动医疗、教育等重点领域的数据开放应用"
)


@pytest.fixture(scope="module")
def matcher():
    return EntityMatcher(load_gazetteer())


@pytest.fixture(scope="module")
def spacy_matcher():
    return EntityMatcher(load_gazetteer(), engine="spacy")


def _sector_ids(matches):
    return [m.entry_id for m in matches]


def test_five_new_towns_get_their_sectors(matcher):
    places = {p.name: p.sectors for p in matcher.find_places(NEW_TOWNS)}
    assert places == {
        "嘉定新城": ("smart_sensors", "iot", "precision_medicine"),
        "青浦新城": ("next_gen_communications", "software"),
        "松江新城": ("artificial_intelligence", "cloud_computing"),
        "奉贤新城": ("digital_health", "intelligent_connected_vehicles"),
        "南汇新城": ("integrated_circuits", "intelligent_computing"),
    }


def test_sectors_in_new_towns_sentence(matcher):
    found = matcher.find_sectors(NEW_TOWNS)
    assert _sector_ids(found) == [
        "smart_sensors", "iot", "precision_medicine", "next_gen_communications", "software",
        "artificial_intelligence", "cloud_computing", "digital_health", "intelligent_connected_vehicles",
        "integrated_circuits", "intelligent_computing",
    ]
    for match in found:
        assert NEW_TOWNS[match.start:match.end] == match.text


def test_zhonghuan_parks(matcher):
    places = matcher.find_places(ZHONGHUAN)
    assert [p.place_id for p in places] == [
        "shibei", "yangpu_chuangzhi", "taopu", "haina_town", "hongqiao_zhigu", "caohejing",
        "zhangjiang_online", "ai_island", "jinqiao_5g_park",
    ]
    assert all(p.catalogued for p in places)
    assert [p.district for p in places][:3] == ["静安区", "杨浦区", "普陀区"]
    # 人工智能岛 and 金桥5G生态园 are places; their names do not count as sector mentions
    assert matcher.find_sectors(ZHONGHUAN) == []


def test_three_eco_parks_and_rail_lines(matcher):
    places = matcher.find_places(ECO_PARKS)
    assert [p.place_id for p in places] == [
        "changyang_xiudai", "zhangjiang_online", "hongqiao_zhiyuan", "three_eco_parks", "three_eco_parks",
    ]
    group = places[3]
    assert group.members == ("changyang_xiudai", "zhangjiang_online", "hongqiao_zhiyuan")
    assert group.text == "三个在线新经济生态园"
    assert not any("号线" in p.text or "外环" in p.text for p in places)  # rail lines are not places


def test_scene_areas(matcher):
    places = matcher.find_places(SCENE_AREAS)
    assert [p.place_id for p in places] == [
        "lingang_special_area", "yrd_demo_zone", "zhangjiang_science_city", "hongqiao_business_district",
    ]
    assert all(p.sectors == () for p in places)  # the clause ends before 在线新经济


@pytest.mark.parametrize(
    "text",
    [
        "加快园区新型数字基础设施建设，围绕各园区特色应用场景",
        "打造一批特色鲜明、功能错位、相对集聚的在线新经济生态园",
        "加快实施轨道交通18号线二期、21号线和外环线西段抬升工程",
        "在市级在线新经济生态园开展试点",
    ],
)
def test_generic_park_words_are_not_places(matcher, text):
    assert matcher.find_places(text) == []


def test_group_followed_by_generic_word_is_only_the_group(matcher):
    places = matcher.find_places("支持三个生态园园区开发运营主体与在园企业协同共建产业技术平台")
    assert [(p.place_id, p.catalogued) for p in places] == [("three_eco_parks", True)]


def test_uncatalogued_places_by_convention(matcher):
    places = matcher.find_places("例如，浙江安吉与上海紫竹高新技术产业园合作成立“两山”双创园，将科技孵化项目引入园中培育")
    assert [(p.place_id, p.catalogued) for p in places] == [("zizhu", True), ("place:两山双创园", False)]
    places = matcher.find_places("推动金山工业区与周边区域联动")
    assert [(p.place_id, p.name, p.district, p.catalogued) for p in places] == [
        ("place:金山工业区", "金山工业区", "金山区", False)
    ]
    # a phrase about a place is not a name: 在临港新片区建设…示范区
    places = matcher.find_places("在临港新片区建设数字孪生城市先行示范区")
    assert [p.place_id for p in places] == ["lingang_special_area"]


def test_uncatalogued_places_without_a_known_place_before_them(matcher):
    text = "推动莘庄工业区、闵行经济技术开发区等园区企业开展智能化改造。支持马桥人工智能创新试验区建设，推动吴泾智能制造产业园提质增效，建设华东无人机基地"
    places = matcher.find_places(text)
    assert [(p.name, p.catalogued) for p in places] == [
        ("莘庄工业区", False), ("闵行经济技术开发区", False), ("马桥人工智能创新试验区", False),
        ("吴泾智能制造产业园", False), ("华东无人机基地", False),
    ]
    assert places[1].district == "闵行区" and places[0].district is None


@pytest.mark.parametrize(
    "text",
    [
        "打造3个以上低空经济特色产业园区",
        "建设一批人工智能产业园",
        "支持建设商业航天产业园和研发基地",
        "全力以赴推进新经济新业态试验区建设",
        "推动若干科技型园区与长三角园区建立结对关系",
        "在园区试点应用",
        # a base named by what is made or done there, or graded by an adjective, is described
        "推动化工园区建设锂电池正极材料基地",
        "支持龙头企业建设氢燃料电池核心部件基地",
        "在郊区布局一批新能源汽车零部件生产基地",
        # a name starts at a word boundary: not inside a verb (建立/统筹/协调/解决), not after a date
        "牵头建立人工智能产业园区发展联席会议制度",
        "每月召开例会，协调解决园区招商中的难点问题",
        "统筹协调园区规划和项目准入",
        "印发《2024年上海市集成电路产业园区高质量发展行动计划》",
        # the city's parks of a sector, a quoted scheme of park groups, a cross-region description
        "推动上海市新能源汽车产业园区集聚发展",
        "提升“3+6”集成电路产业园区能级",
        "合作共建跨区域产业协作园区",
    ],
)
def test_descriptive_park_phrases_are_not_names(matcher, text):
    assert [p.name for p in matcher.find_places(text) if not p.catalogued] == []


def test_commercial_centres_and_university_circles_are_catalogued(matcher):
    text = "推动静安寺、五角场商圈和徐家汇、豫园等地区商业更新，支持环同济知识经济圈建设创新街区"
    assert [(p.name, p.district, p.catalogued) for p in matcher.find_places(text)] == [
        ("静安寺", "静安区", True), ("五角场", "杨浦区", True), ("徐家汇", "徐汇区", True),
        ("豫园", "黄浦区", True), ("环同济知识经济圈", "杨浦区", True),
    ]


def test_a_place_that_begins_a_unit_name_is_not_a_place(matcher):
    assert matcher.find_places("（责任单位：市经济信息化委、浦东新区科经委）") == []
    assert matcher.find_places("上海市闵行区人民政府办公室文件") == []
    assert [p.name for p in matcher.find_places("协同部门：莘庄工业区管委会、各街镇")] == []
    # but a place followed by an ordinary word stays: 在临港新片区布局…
    assert [p.name for p in matcher.find_places("在临港新片区布局一批数据中心")] == ["临港新片区"]


def test_group_with_its_members_in_brackets(matcher):
    places = matcher.find_places("推动五个新城（嘉定、青浦、松江、奉贤、南汇）率先开展车路协同")
    assert [p.name for p in places] == ["五个新城", "嘉定新城", "青浦新城", "松江新城", "奉贤新城", "南汇新城"]
    # a district naming a part of the place before it is not a mention of the district
    places = matcher.find_places("在虹桥国际中央商务区闵行片区等区域开放应用场景")
    assert [p.name for p in places] == ["虹桥国际中央商务区"]


def test_online_healthcare_sector(matcher):
    assert set(_sector_ids(matcher.find_sectors(ONLINE_HEALTH))) == {"online_healthcare"}
    # 医疗 alone is not 在线医疗
    assert "online_healthcare" not in _sector_ids(matcher.find_sectors(DATA_OPEN))


def test_agency_in_running_text_wins_over_sector(matcher):
    agencies = matcher.find_agencies(DATA_OPEN)
    assert [(a.name, a.text) for a in agencies] == [("市大数据中心", "市大数据中心")]
    assert "big_data" not in _sector_ids(matcher.find_sectors(DATA_OPEN))


def test_agencies_and_places_do_not_overlap(matcher):
    text = "（责任单位：杨浦区政府、浦东新区政府、长宁区政府）"
    assert [a.name for a in matcher.find_agencies(text)] == ["杨浦区政府", "浦东新区政府", "长宁区政府"]
    assert matcher.find_places(text) == []
    # a bare district name in running text is a place, not an agency
    text = "上海嘉定区拥有国内最大的汽车产业基地以及工信部批准设立的首个国家级“智能网联汽车试点示范区”"
    assert [a.name for a in matcher.find_agencies(text)] == ["工业和信息化部"]
    places = matcher.find_places(text)
    assert [(p.place_id, p.sectors) for p in places] == [("jiading", ("intelligent_connected_vehicles",))]


def test_short_agency_names_do_not_fire_inside_words(matcher):
    assert matcher.find_agencies("全市委托第三方开展评估，各区按照要求推进") == []


def test_offsets_survive_stray_whitespace(matcher):
    text = "金桥5G 生态园和\n张江科学城"
    places = matcher.find_places(text)
    assert [(p.place_id, p.start, p.end, p.text) for p in places] == [
        ("jinqiao_5g_park", 0, 8, "金桥5G 生态园"),
        ("zhangjiang_science_city", 10, 15, "张江科学城"),
    ]


def test_latin_phrases_need_word_boundaries(matcher):
    assert _sector_ids(matcher.find_sectors("加速AI+、区块链+、5G+等核心技术突破")) == ["artificial_intelligence", "blockchain", "5g"]
    assert matcher.find_sectors("EMAIL地址和15GB存储") == []


@pytest.mark.parametrize("text", [NEW_TOWNS, ZHONGHUAN, ECO_PARKS, SCENE_AREAS, ONLINE_HEALTH, DATA_OPEN])
def test_spacy_engine_agrees_with_trie_engine(matcher, spacy_matcher, text):
    reference = spacy_matcher
    assert reference.find_sectors(text) == matcher.find_sectors(text)
    assert reference.find_places(text) == matcher.find_places(text)
    assert reference.find_agencies(text) == matcher.find_agencies(text)


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="Available engines: trie, spacy"):
        EntityMatcher(load_gazetteer(), engine="regex")


def test_pipeline_with_the_spacy_engine_gives_the_same_records(monkeypatch):
    """POLICY_KG_MATCHER=spacy runs the blank zh spaCy PhraseMatcher: the same facts as the trie."""
    from pathlib import Path

    from pydantic import TypeAdapter

    from loaders.pipeline import MATCHER_ENV, load_file
    from loaders.records import DocumentRecord

    doc = Path(__file__).resolve().parent.parent / "data" / "corpus" / "003_3a33eb2e0612dacc.txt"
    dump = TypeAdapter(DocumentRecord).dump_python
    monkeypatch.delenv(MATCHER_ENV, raising=False)
    trie = dump(load_file(doc))
    monkeypatch.setenv(MATCHER_ENV, "spacy")
    spacy_record = dump(load_file(doc))
    assert spacy_record == trie
    assert any(m["places"] for m in trie["measures"]) and any(m["sectors"] for m in trie["measures"])


def test_unknown_matching_engine_is_a_clear_error(monkeypatch):
    from pathlib import Path

    import pytest

    from loaders.errors import LoadError
    from loaders.pipeline import MATCHER_ENV, load_file

    monkeypatch.setenv(MATCHER_ENV, "bert")
    doc = Path(__file__).resolve().parent.parent / "data" / "corpus" / "003_3a33eb2e0612dacc.txt"
    with pytest.raises(LoadError, match="unknown matching engine 'bert'"):
        load_file(doc)


def test_named_valleys_and_functional_areas_are_places(matcher):
    # uncatalogued names ending in a named valley or 功能区 are found; a bare 谷 or 港 is not a suffix
    text = "推动吴泾科创谷、北外滩功能区建设，支持漕溪生态谷引进企业"
    assert [(p.name, p.kind, p.catalogued) for p in matcher.find_places(text)] == [
        ("吴泾科创谷", "park", False), ("北外滩功能区", "zone", False), ("漕溪生态谷", "park", False),
    ]
    assert [p.name for p in matcher.find_places("加强与香港、澳门合作，推动空港建设")] == []
    assert [p.name for p in matcher.find_places("打造核心功能区")] == []


def test_catalogued_names_win_over_the_district_inside_them(matcher):
    # the longest catalogued name wins: 临港奉贤园区 is not 奉贤园区, 嘉定氢能港 does not give 嘉定区
    text = "在临港奉贤园区、嘉定氢能港和大宁功能区布局氢能项目"
    assert [(p.name, p.district) for p in matcher.find_places(text)] == [
        ("临港奉贤园区", "奉贤区"), ("嘉定氢能港", "嘉定区"), ("大宁功能区", "静安区"),
    ]


def test_places_outside_shanghai_are_catalogued_without_a_district(matcher):
    text = "支持青浦、吴江、嘉善共建产业园区，推动嘉善经济技术开发区与汾湖高新区联动"
    found = [(p.name, p.kind, p.district, p.catalogued) for p in matcher.find_places(text)]
    assert found == [
        ("青浦区", "district", "青浦区", True), ("吴江区", "district", None, True), ("嘉善县", "district", None, True),
        ("嘉善经济技术开发区", "zone", None, False), ("汾湖高新区", "zone", None, False),
    ]
    # a unit named after the county is not a place
    assert matcher.find_places("（牵头单位：嘉善县政府）") == []


def test_a_place_that_begins_an_institution_or_company_name_is_not_a_place(matcher):
    # 张江实验室, 临港集团, 临港经济发展集团有限公司 are institutions, not mentions of 张江/临港
    text = "依托张江实验室和临港经济发展集团有限公司，会同临港集团推进项目"
    assert [p.name for p in matcher.find_places(text)] == []
    # a verb between the place and the institution word: the place is a mention
    assert [p.name for p in matcher.find_places("支持在张江建设实验室")] == ["张江"]
    # a 大学城 is an area, not a university: the named university town is the place
    assert [p.name for p in matcher.find_places("推动临港大学城建设")] == ["临港大学城"]


def test_uncatalogued_names_never_start_at_a_verb_or_modal_word(matcher):
    for text in (
        "虹桥国际中央商务区管委会要发挥功能区政策优势",  # 要发挥 + 功能区
        "各片区将深化综合保税区制度创新",
        "深化特殊综合保税区改革，打造特殊经济功能区",  # 特殊… is a designation, not a name
        "区政府应当强化开发区招商服务",
    ):
        assert [p.name for p in matcher.find_places(text) if not p.catalogued] == [], text
    # a name after the verb is still found
    assert [p.name for p in matcher.find_places("加强吴泾科创谷建设")] == ["吴泾科创谷"]


@pytest.mark.parametrize(
    "text",
    [
        "建设高性能纤维及复合材料产业基地",  # a base named by what is made there, after 及
        "到2026年建设先进材料中试基地3个",
        "布局一批新药验证基地",
    ],
)
def test_bases_named_by_their_product_or_stage_are_descriptive(matcher, text):
    assert [p.name for p in matcher.find_places(text) if not p.catalogued] == []


def test_named_area_before_a_park_is_a_place_but_a_short_locator_is_not(matcher):
    # 徐汇滨江 is a named area of its own; 临港 and 奉贤 only locate the park after them
    assert [p.name for p in matcher.find_places("支持徐汇滨江模速空间、临港东方芯港、奉贤东方美谷建设")] == [
        "徐汇滨江", "模速空间", "东方芯港", "东方美谷"]


def test_towns_and_lingang_zones_are_catalogued(matcher):
    text = "项目建设地点为枫泾镇和朱家角镇；推动滴水湖金融湾、信息飞鱼、真如城市副中心和中以（上海）创新园建设"
    assert [(p.name, p.kind, p.district) for p in matcher.find_places(text)] == [
        ("枫泾镇", "area", "金山区"), ("朱家角镇", "area", "青浦区"), ("滴水湖金融湾", "area", "浦东新区"),
        ("信息飞鱼", "park", "浦东新区"), ("真如城市副中心", "area", "普陀区"), ("中以（上海）创新园", "park", "普陀区"),
    ]
    # a town's government is a unit, not a place
    assert matcher.find_places("（牵头单位：枫泾镇人民政府）") == []


def test_a_place_opening_a_postal_address_is_not_a_mention(matcher):
    assert matcher.find_places("受理地址：闵行区沪闵路6088号1205室") == []
    assert matcher.find_places("地址：上海市浦东新区张杨路1588弄") == []
    assert [p.name for p in matcher.find_places("支持闵行区建设人工智能产业集聚区")] == ["闵行区"]


def test_rivers_parks_and_streets_are_catalogued_places(matcher):
    names = [p.name for p in matcher.find_places("推进黄浦江两岸和苏州河沿岸贯通，加快世纪公园周边改造")]
    assert names == ["黄浦江", "苏州河", "世纪公园"]
    assert [p.name for p in matcher.find_places("推动武康路、安福路等街区焕新")] == ["武康路", "安福路"]
    # a street followed by its house number is an address, not a mention
    assert [p.name for p in matcher.find_places("地址：武康路100号")] == []


def test_a_place_opening_a_rail_line_or_road_name_is_not_a_place(matcher):
    assert [p.name for p in matcher.find_places("推进金山铁路提速和嘉定城际建设")] == []
    assert [p.name for p in matcher.find_places("加快金山区交通建设")] == ["金山区"]


def test_resort_university_town_and_shopping_district_suffixes(matcher):
    found = {p.name: (p.kind, p.catalogued) for p in matcher.find_places("建设奉贤海湾旅游度假区，推动临港大学城发展")}
    assert found == {"奉贤海湾旅游度假区": ("zone", False), "临港大学城": ("area", False)}
    found = {p.name: p.kind for p in matcher.find_places("提升五角场商圈能级，对真北路商圈、七宝商圈内企业给予支持")}
    assert found == {"五角场": "area", "真北路商圈": "area", "七宝商圈": "area"}
    # described, not named: graded, generic or long
    for text in ("打造一批地标商圈", "培育数字化转型示范商圈", "建设不同类型数字商圈", "支持重点商圈更新", "新天地、环球港等商圈"):
        assert [p.name for p in matcher.find_places(text) if not p.catalogued] == [], text


def test_no_name_across_a_subject_and_its_verb(matcher):
    assert [p.name for p in matcher.find_places("管委会每年安排开发区专项资金不少于5亿元")] == []
    assert [p.name for p in matcher.find_places("区政府统筹安排功能区建设")] == []
    # a name after the verb is still one
    assert [p.name for p in matcher.find_places("加快建设莘庄工业区")] == ["莘庄工业区"]


def test_city_wide_pilot_designation_and_student_parks_are_not_places(matcher):
    assert [p.name for p in matcher.find_places("推进本市绿色金融改革试验区建设")] == []
    assert [p.name for p in matcher.find_places("高质量建设上海普惠金融改革试验区")] == []
    assert [p.name for p in matcher.find_places("支持各高校建设大学生创业园区和青年创业基地")] == []


def test_round9_place_opening_a_fund_or_programme_name_is_not_a_place(matcher):
    assert [p.name for p in matcher.find_places("设立临港新片区科技成果转化基金，规模50亿元")] == []
    assert [p.name for p in matcher.find_places("实施虹桥国际中央商务区英才集聚计划")] == []
    assert [p.name for p in matcher.find_places("举办临港新片区创新创业大赛")] == []
    # a unit named after the place before 牵头 is a unit, not a mention
    assert [p.name for p in matcher.find_places("（临港新片区管理局牵头，区科委配合）")] == []
    # the place itself, and a document title naming it, are still mentions
    assert [p.name for p in matcher.find_places("支持临港新片区开展招商行动")] == ["临港新片区"]
    assert [p.name for p in matcher.find_places("《临港新片区三年行动方案》")] == ["临港新片区"]


def test_round9_descriptive_and_graded_parks_are_not_places(matcher):
    assert [p.name for p in matcher.find_places("加快建设国际一流科学城")] == []
    assert [p.name for p in matcher.find_places("打造全球领先科技城")] == []
    assert [p.name for p in matcher.find_places("建设百亿级产业基地")] == []


def test_round9_demonstration_park_and_code_name(matcher):
    got = matcher.find_places("建设S3智能网联示范园，集聚企业")
    assert [(p.name, p.catalogued) for p in got] == [("S3智能网联示范园", False)]
    # a count before the name is no part of it
    assert [p.name for p in matcher.find_places("建设3个智能网联示范园")] == []


def test_round9_catalogued_hub_stops_a_suffix_name(matcher):
    assert [p.name for p in matcher.find_places("推进松江枢纽周边商务区开发")] == ["松江枢纽"]
    assert [p.name for p in matcher.find_places("推进多伦路、上海音乐谷等存量空间改造")] == ["多伦路", "音乐谷"]
