"""Tests for loaders/targets.py: quantitative targets in normalized policy text.

Cases are written in NORMALIZED form (ASCII digits/%/+, no wrap breaks, full-width Chinese
punctuation), as the normalizer hands text to ``extract_targets``.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.targets import TargetMatch, extract_targets

# (sentence, metric, value, unit, comparator, year) -- the single expected target
POSITIVE = [
    # DESIGN.md's export example (003)
    ("到2025年，在三个生态园及周边建设筹措新增保障性租赁住房5万套。",
     "新增保障性租赁住房", 5, "万套", "=", 2025),
    ("加强保障性租赁住房建设，按照“产城融合、职住平衡”的原则，到2025年，在三个生态园及周边建设筹措新增保障性租赁住房5万套。",
     "新增保障性租赁住房", 5, "万套", "=", 2025),
    ("1．打造标杆性无人工厂。建设100家以上无人工厂、无人生产线、无人车间，加快高端装备、汽车等行业智能化转型。",
     "无人工厂、无人生产线、无人车间", 100, "家", ">=", None),
    ("支持大型龙头企业建设企业专网，建设20个具有全国影响力的工业互联网平台。",
     "具有全国影响力的工业互联网平台", 20, "个", "=", None),
    ("数字经济核心产业增加值占全市生产总值比重达到15%左右，",
     "数字经济核心产业增加值占全市生产总值比重", 15, "%", "~", None),
    ("规模以上制造业企业数字化转型比例达到80%左右，数字经济新动能和经济贡献度跃上新台阶。",
     "规模以上制造业企业数字化转型比例", 80, "%", "~", None),
    ("引进和培育100家以上数字经济领军企业和高成长性企业，",
     "数字经济领军企业和高成长性企业", 100, "家", ">=", None),
    ("每年新增1万家以上数字经济新兴企业主体，一批高价值的新产业新业态新模式不断涌现。",
     "每年新增数字经济新兴企业主体", 1, "万家", ">=", None),
    ("鼓励在线新经济企业融合公共数据与社会数据开展创新应用，到2025年，建设30个以上试点示范项目。",
     "试点示范项目", 30, "个", ">=", 2025),
    ("经市政府批准，支持比例最高可达核定项目总投资的50%，",
     "支持比例", 50, "%", "<=", None),
    ("支持金额最高5000万元。", "支持金额", 5000, "万元", "<=", None),
    ("——集聚“100+”创新型企业。", "创新型企业", 100, "个", ">=", None),
    ('——推出"100+"应用场景。', "应用场景", 100, "个", ">=", None),
    ("——突破“100+”关键技术。", "关键技术", 100, "个", ">=", None),
    ("在南京路步行街、虹桥商务区、北外滩等中心城区和有条件的新城选址建设100家市内免税店，争取放开市内免税店国内居民出境购买限制。",
     "市内免税店", 100, "家", "=", None),
    ("围绕新兴产业发展新品推广应用、质量监管等问题，选取100家新业态企业，实施“沙盒监管”模式。",
     "新业态企业", 100, "家", "=", None),
    # range: lower bound with ">=" (text keeps the range)
    ("重点围绕商圈楼宇、地铁换乘站等，探索高密度混合用地，推进建设3～5座枢纽型多功能综合体(如日本新宿地铁站交通枢纽综合体)。",
     "枢纽型多功能综合体", 3, "座", ">=", None),
    ("加快培育100家以上掌握核心技术的高成长性创新企业，聚焦支持10家左右创新型头部企业和领军企业发展。",
     None, None, None, None, None),  # two targets, checked below
    # chinese numerals with a magnitude: 百万平米 -> 100 万平米
    ("以特色产业园区为依托，争取拓展百万平米产业空间新载体，加快建设数字经济示范园区。",
     "产业空间新载体", 100, "万平米", "=", None),
    ("力争到2025年，新增一万家科技型中小企业。", "新增科技型中小企业", 1, "万家", "=", 2025),
    # forecasts in research articles count only with a commitment verb
    ("上海在线教育可依托重点企业，加大线上业务布局和拓展，到2025年，将其培育成400亿元级别的新经济新业态。",
     "新经济新业态", 400, "亿元", "~", 2025),
    ("上海可重点扶持海得控制等企业，将工业互联网打造成300亿元级别的新经济新业态。",
     "工业互联网", 300, "亿元", "~", None),
    # typical government-document forms
    ("到2025年，全市研发经费支出占地区生产总值比重达到4.5%左右。",
     "全市研发经费支出占地区生产总值比重", 4.5, "%", "~", 2025),
    ("到2030年，全市人工智能产业规模突破1万亿元。", "全市人工智能产业规模", 1, "万亿元", ">", 2030),
    ("“十四五”期间，全市累计新增就业岗位50万个以上。", "累计新增就业岗位", 50, "万个", ">=", 2025),
    ("到2022年末，全市在线新经济企业营业收入超过5000亿元。",
     "全市在线新经济企业营业收入", 5000, "亿元", ">", 2022),
    ("2025年前，建成10个国家级制造业创新中心。", "国家级制造业创新中心", 10, "个", "=", 2025),
    ("至2025年，培育20家左右国家级专精特新“小巨人”企业。",
     "国家级专精特新“小巨人”企业", 20, "家", "~", 2025),
    ("对符合条件的项目，给予最高不超过500万元的资金支持。", "资金支持", 500, "万元", "<=", None),
    ("每年举办不少于20场专题对接活动。", "专题对接活动", 20, "场", ">=", None),
    ("支持建设3-5个市级人工智能创新中心。", "市级人工智能创新中心", 3, "个", ">=", None),
    ("到2025年，PM2.5年均浓度控制在35微克/立方米以下。", "PM2.5年均浓度", 35, "微克/立方米", "<=", 2025),
    ("单个项目补贴金额原则上不超过200万元。", "单个项目补贴金额", 200, "万元", "<=", None),
    ("到2025年，个人所得税申报差错率低于1%。", "个人所得税申报差错率", 1, "%", "<", 2025),
    ("到2025年，数字化转型企业占比约为60%。", "数字化转型企业占比", 60, "%", "~", 2025),
    ("至“十四五”末上海建设用地总规模不突破3185平方公里。", "上海建设用地总规模", 3185, "平方公里", "<=", 2025),
    ("新引进总部企业，按照实际投资额给予奖励，最高不超过1000万元。", "奖励", 1000, "万元", "<=", None),
    ("推动100家以上企业上云用云。", "企业上云用云", 100, "家", ">=", None),
    ("打造2至3个千亿级产业集群。", "千亿级产业集群", 2, "个", ">=", None),
    ("集聚100余家平台企业。", "平台企业", 100, "家", ">", None),
    # ASCII punctuation and stray spaces are tolerated
    ("到 2025 年,建设 30 个以上试点示范项目.", "试点示范项目", 30, "个", ">=", 2025),
    ("增加值力争达到 3 万亿元，", "增加值", 3, "万亿元", ">=", None),
    # round 3: ranges with the unit written twice, change rates with a modifier, service limits
    ("设立规模100亿元至150亿元的人工智能产业基金，", "人工智能产业基金", 100, "亿元", ">=", None),
    ("全年单位生产总值能耗下降3%左右，", "全年单位生产总值能耗下降", 3, "%", "~", None),
    ("示范区域建筑碳排放强度降低20%以上。", "示范区域建筑碳排放强度降低", 20, "%", ">=", None),
    ("绿色贷款余额增长15%—20%，", "绿色贷款余额增长", 15, "%", ">=", None),
    ("进口整体通关时间控制在30小时以内。", "进口整体通关时间", 30, "小时", "<=", None),
    ("企业开办时间压缩至1个工作日以内。", "企业开办时间", 1, "个工作日", "<=", None),
    ("到2027年，入境消费规模实现翻一番，达到1000亿元。", "入境消费规模", 1000, "亿元", ">=", 2027),
]


@pytest.mark.parametrize("sentence,metric,value,unit,comparator,year",
                         [p for p in POSITIVE if p[1] is not None])
def test_single_target(sentence, metric, value, unit, comparator, year):
    found = extract_targets(sentence)
    assert len(found) == 1, found
    t = found[0]
    assert (t.metric, t.value, t.unit, t.comparator, t.year) == (
        metric, float(value), unit, comparator, year)
    assert sentence[t.start:t.end] == t.text


def test_goal_paragraph_of_five_year_plan():
    text = ("到2025年底，上海数字经济发展水平稳居全国前列，增加值力争达到3万亿元，"
            "占全市生产总值比重大于60%，产业集聚度和显示度明显提高。")
    got = [(t.metric, t.value, t.unit, t.comparator, t.year) for t in extract_targets(text)]
    assert got == [("增加值", 3.0, "万亿元", ">=", 2025),
                   ("占全市生产总值比重", 60.0, "%", ">", 2025)]


def test_two_counts_in_one_clause():
    text = "支持建设国内首个规模化医疗大数据训练设施，建立10万例医疗影像数据训练集和3.5万例测试集，服务本市。"
    got = [(t.metric, t.value, t.unit, t.comparator) for t in extract_targets(text)]
    assert got == [("医疗影像数据训练集", 10.0, "万例", "="), ("测试集", 3.5, "万例", "=")]


def test_list_of_counts_takes_metric_before_each():
    text = "新增社区嵌入式养老服务设施200个、养老床位1万张。"
    got = [(t.metric, t.value, t.unit) for t in extract_targets(text)]
    assert got == [("新增社区嵌入式养老服务设施", 200.0, "个"), ("养老床位", 1.0, "万张")]


def test_about_ten_and_hundred_plus_in_one_sentence():
    text = ("——集聚“100+”创新型企业。加快培育100家以上掌握核心技术、拥有自主知识产权、具有国际竞争力的"
            "高成长性创新企业，聚焦支持10家左右创新型头部企业和领军企业发展。")
    got = [(t.metric, t.value, t.unit, t.comparator) for t in extract_targets(text)]
    assert got == [
        ("创新型企业", 100.0, "个", ">="),
        ("掌握核心技术、拥有自主知识产权、具有国际竞争力的高成长性创新企业", 100.0, "家", ">="),
        ("创新型头部企业和领军企业", 10.0, "家", "~"),
    ]


def test_default_year_applies_and_sentence_year_wins():
    bullet = "数字经济核心产业增加值占全市生产总值比重达到15%左右。"
    assert extract_targets(bullet, default_year=2025)[0].year == 2025
    assert extract_targets(bullet)[0].year is None
    own = "到2023年，建设30个以上试点示范项目。"
    assert extract_targets(own, default_year=2025)[0].year == 2023
    # a weak copula needs a frame: with default_year (goals section) it is a target
    weak = "全市数字经济核心产业增加值占比为15%。"
    assert extract_targets(weak) == []
    assert extract_targets(weak, default_year=2025)[0].value == 15.0


def test_limit_applies_to_previous_clause():
    text = "对国家和本市明确的重点任务，经市政府批准，支持比例最高可达核定项目总投资的50%，支持金额最高5000万元。"
    got = [(t.metric, t.value, t.unit, t.comparator) for t in extract_targets(text)]
    assert got == [("支持比例", 50.0, "%", "<="), ("支持金额", 5000.0, "万元", "<=")]


def test_research_article_commitments_vs_forecasts():
    text = ("因此，上海在线医疗领域发展潜力较小，市场份额占全国比重将由2019年的10.61%降至2025年的5.62%，"
            "这就需要重点扶持国药控股、上海医药等重点企业，加快产业数字化转型力度，"
            "大力发展线上医疗业务，将其培育成350亿元级别的新经济新业态。")
    got = [(t.value, t.unit, t.comparator) for t in extract_targets(text)]
    assert got == [(350.0, "亿元", "~")]
    forecast = "预计到2025年，上海无人驾驶行业规模有望达到263.94亿元，占全国比重高达22.44%。"
    assert extract_targets(forecast) == []


def test_quoted_plan_limits_in_analysis_text():
    text = ("《上海市城市总体规划(2017—2035年)》提出，2035年上海建设用地规模不超过3200平方公里。"
            "《上海市自然资源利用和保护“十四五”规划》要求，至“十四五”末上海建设用地总规模不突破3185平方公里，"
            "这意味着2025—2035年上海建设用地增量仅为15平方公里。")
    got = [(t.metric, t.value, t.comparator, t.year) for t in extract_targets(text)]
    assert got == [("上海建设用地规模", 3200.0, "<=", 2035), ("上海建设用地总规模", 3185.0, "<=", 2025)]


NEGATIVE = [
    "推进轨道交通24、26、27号线规划研究。",
    "加快实施轨道交通18号线二期、21号线和外环线西段抬升工程，推进轨道交通24、26、27号线规划研究。",
    "加快5G技术应用，提高远程办公效率。",
    "(十一)探索建设规范先行的Web3.0生态.支持在线新经济企业面向Web3.0智能合约开展研发攻关.",
    "强化6G、IPv6（互联网协议第6版）、Wi-Fi6（第六代无线网络技术）、量子通信等前瞻研发和部署。",
    "加快虚拟数字人、图形引擎、云渲染、全息成像、人工智能自动生成、裸眼3D、8K等关键技术体系建设。",
    "德国着力推进“工业4.0”。",
    "本政策措施自2024年1月1日起实施，有效期至2028年12月31日。",
    "沪府办发〔2020〕1号",
    "上海市人民政府办公厅2020年4月8日",
    "到2025年底，",
    "加快“长阳秀带”“张江在线”“虹桥之源”三个在线新经济生态园（以下简称“三个生态园”）建设。",
    "聚焦一年，着眼三年，集聚优势资源，围绕重点领域打造四个“100+”。",
    "支持总部型企业争创“中国互联网百强”“软件和信息技术服务竞争力百强”“全国电子信息竞争力百强”等荣誉称号。",
    "将入选并符合条件的当年度上海软件和信息技术服务业百强、高成长百家的企业推荐纳入本市人才引进重点机构。",
    "鼓励搭建精准药效评估平台，推动“千人一药”到“千人千药”的跃变，加快实现精准给药。",
    "发展万物互联、虚实映射、实时交互的数字孪生城市。",
    "依托“一网通办”平台为灵活就业人员提供经营主体登记等业务集约化办理。",
    "2019年上海在线医疗规模占全国比重为10.61%。",
    "预计到2025年，上海无人驾驶行业规模有望达到263.94亿元，占全国比重高达22.44%。",
    "从数据看，2019年上海在线教育规模仅占全国的0.22%，预测到2025年，这一比值将达到4.02%。",
    "截至2021年底，上海离境退税商店不足550家，远少于新加坡的4000～5000家。",
    "上海拥有各类高校64所，其中国家双一流建设高校17所，重点高校数仅次于北京。",
    "根据福布斯中国发布的经营成本最高的30个城市榜单，上海仅次于北京，居第2位。",
    "企业生态圈的打造主要有以下5种模式：一是龙头企业主导模式。",
    "中国信通院测算数据显示，“十四五”期间我国新基建投资规模将达到10.6万亿元，仅5G网络建设就将带动产业链上下游以及各行业应用投资超过3.5万亿元。",
    "未来10年元宇宙、人工智能等新兴产业市场规模将超过20万亿美元。",
    "2021年，上海生产性服务业占服务业比重超63%，而纽约、东京比重超过70%。",
    "各城市产业链供应链深度融合，如特斯拉21个核心供应商中13个位于长三角区域，占比超过61%，若产业链供应链不稳定，将严重冲击生产生活秩序。",
    "2021年上海人均GDP是18.70万元，深圳是22.82万元，东京和纽约分别是48.84万元和83.35万元。",
    "住宿和餐饮零售额增速也呈下降态势，只有在2021年实现反弹，2020年更是大幅下降19.6%。",
    "此外，从参与国家或上海新经济项目申报来看，52.27%的企业参与企业类项目，如“100+”创新型企业；",
    "上海重点高校数量居全国第2位，仅次于北京。",
    "上海市数字经济发展“十四五”规划",
    "上海市促进在线新经济发展行动方案（2020-2022年）",
    "2008年全球基础货币总量为4万亿美元，2021年全球基础货币总量超过36万亿美元，增长9倍；",
    "截至2022年6月底，纽约纳斯达克市场总市值超过23万亿美元，为4250余家企业提供融资服务，而同期上海科创板总市值为5.4万亿元，上市企业仅431家。",
    "一些研究机构预测，2025年全球工业互联网硬件和网络产品市场规模将达到6000亿美元。",
    "日本推出“供应链改革”项目，计划投资20亿美元，帮助本国企业将零部件生产线转回本土。",
    "2020年全市新经济实现增加值13654亿元，占地区生产总值的比重达37.8%。",
    "麦肯锡报告显示，数字化转型失败的企业占比达70%。",
    "从调研来看，新经济新业态的本科生年薪比传统行业普遍高20%～50%。",
    "我国经济从10%左右的高速增长转为5%～6%的中高速增长。",
    "上汽集团在上海疫情防控期间，率先排摸近400家供应商，协助支持其防疫及复产。",
    "加强重点商务楼宇、交通连接点、文化场所等区域15～40米的中层地下空间开发。",
    "按照一年见成效(有望短期进入百亿级的现有准百亿级产业)、三年上台阶(百亿级产业提速工程)、五年树标杆(千亿级产业突破工程)的目标要求。",
    "打造万亿级数字经济服务业创新带。",
    "逐步构建本市核心区域、重点区域、五个新城实景三维地图。",
    "依托S32、G60、G15(嘉浏段)等建设智慧高速公路。",
    "放大“6+365”进博会一站式交易服务平台效应。",
    "鼓励5G+、数字人、无人车、服务机器人等创新业态在园区试点应用。",
    "根据《上海市国民经济和社会发展第十四个五年规划和二○三五年远景目标纲要》，制定本规划。",
    "截至2021年2月底，上海共核发《外国人工作许可证》27万余份，其中外国高端人才(A类)近5万份，而硅谷外籍科技人才超过40万人。",
    "这意味着2025—2035年上海建设用地增量仅为15平方公里。",
]


@pytest.mark.parametrize("sentence", NEGATIVE)
def test_not_a_target(sentence):
    assert extract_targets(sentence) == []


# A whole normalized goals chapter + tasks: exactly these targets, in order.
PLAN_TEXT = (
    "（三）发展目标到2025年底，上海数字经济发展水平稳居全国前列，增加值力争达到3万亿元，"
    "占全市生产总值比重大于60%，产业集聚度和显示度明显提高。——数字经济核心竞争力不断提升。"
    "数字经济核心产业增加值占全市生产总值比重达到15%左右，规模以上制造业企业数字化转型比例达到80%左右。"
    "——数字经济企业活跃度显著提高。引进和培育100家以上数字经济领军企业和高成长性企业，"
    "每年新增1万家以上数字经济新兴企业主体。二、重点任务（一）拓展数字新产业1.数字健康。以5G、人工智能、"
    "大数据等新基建关键技术为基础，推动“千人一药”到“千人千药”的跃变。强化6G、IPv6（互联网协议第6版）、"
    "Wi-Fi6（第六代无线网络技术）等前瞻研发和部署。逐步构建本市核心区域、重点区域、五个新城实景三维地图。"
)


def test_plan_chapter():
    got = [(t.value, t.unit, t.comparator) for t in extract_targets(PLAN_TEXT)]
    assert got == [(3.0, "万亿元", ">="), (60.0, "%", ">"), (15.0, "%", "~"), (80.0, "%", "~"),
                   (100.0, "家", ">="), (1.0, "万家", ">=")]
    for t in extract_targets(PLAN_TEXT):
        assert PLAN_TEXT[t.start:t.end] == t.text


def test_result_type():
    t = extract_targets("建设20个工业互联网平台。")[0]
    assert isinstance(t, TargetMatch)
    assert t.comparator in {">=", ">", "<=", "<", "=", "~"}
    with pytest.raises(Exception):
        t.value = 3  # frozen


def test_empty_and_non_text():
    assert extract_targets("") == []
    assert extract_targets("。。，，") == []


# ----------------------------------------------------------------------------- properties

_ALPHABET = st.sampled_from(list(
    "0123456789.,%+～~-—至到年底末前第号线万亿千百十一二三四五两家个座套例项元平米公里以上下左右约近"
    "最高不超过低于达到力争建设培育新增引进打造推出集聚“”\"《》（）()，。；：、 \n企业平台项目比重GWebIPv"
))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=200))
def test_never_crashes_and_offsets_are_exact(text):
    for t in extract_targets(text):
        assert 0 <= t.start < t.end <= len(text)
        assert text[t.start:t.end] == t.text
        assert t.comparator in {">=", ">", "<=", "<", "=", "~"}
        assert t.metric
        assert t.value == t.value  # not NaN


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.integers(1900, 2100)))
def test_arbitrary_unicode(text, year):
    for t in extract_targets(text, default_year=year):
        assert text[t.start:t.end] == t.text


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 99999), st.sampled_from(["家", "个", "万套", "亿元", "%"]),
       st.sampled_from(["以上", "左右", ""]))
def test_generated_commitments(n, unit, post):
    text = f"到2025年，建设{n}{unit}{post}示范项目。"
    found = extract_targets(text)
    assert len(found) == 1
    t = found[0]
    assert (t.value, t.unit, t.year) == (float(n), unit, 2025)
    assert t.comparator == {"以上": ">=", "左右": "~", "": "="}[post]


def test_speed():
    # ~30k chars of dense policy text; a 1,000-document benchmark must stay well under a minute
    text = (PLAN_TEXT + "".join(p[0] for p in POSITIVE) + "".join(NEGATIVE)) * 4
    text = text[:30000]
    t0 = time.perf_counter()
    for _ in range(5):
        extract_targets(text)
    per_doc = (time.perf_counter() - t0) / 5
    assert per_doc < 0.25, per_doc


def _all(text, **kw):
    return [(t.metric, t.value, t.unit, t.comparator, t.year) for t in extract_targets(text, **kw)]


def test_support_caps_written_with_the_verb():
    # a cap is a target (as in the shipped 003: 支持金额最高5000万元) whatever the verb after 最高
    assert _all("单个企业每年最高给予50万元补贴。") == [("补贴", 50, "万元", "<=", None)]
    assert _all("单个项目最高给予1000万元补贴。") == [("补贴", 1000, "万元", "<=", None)]


def test_support_rates():
    assert _all("按照年度销售额的5%给予奖励，每个品种每年最高不超过1000万元。") == [
        ("奖励比例", 5, "%", "=", None), ("每个品种每年", 1000, "万元", "<=", None)]
    assert _all("按照设备投资额给予不超过20%的补贴。") == [("补贴比例", 20, "%", "<=", None)]


def test_a_quantity_that_qualifies_a_counted_noun_is_not_a_target():
    assert [t[1:3] for t in _all("到2026年，培育估值超10亿美元的独角兽企业5家。")] == [(5, "家")]
    assert [t[1:3] for t in _all("力争培育企业突破100家，其中营业收入超百亿元的企业10家；", default_year=2026)] == [
        (100, "家"), (10, "家")]


def test_thresholds_of_a_condition_are_not_targets():
    assert _all("对年度营业收入首次超过1亿元的平台企业，给予一次性100万元奖励。") == [("奖励", 100, "万元", "=", None)]
    assert [t[1:4] for t in _all("对年营业收入首次超过10亿元、50亿元、100亿元的企业，分别给予最高100万元、200万元、500万元奖励。")] == [
        (100, "万元", "<="), (200, "万元", "<="), (500, "万元", "<=")]


def test_a_listed_series_shares_the_cue_and_the_noun():
    assert _all("分别给予最高1000万元、2000万元、3000万元支持。") == [
        ("支持", 1000, "万元", "<=", None), ("支持", 2000, "万元", "<=", None), ("支持", 3000, "万元", "<=", None)]


def test_dimensionless_index_with_a_limit():
    assert _all("到2025年，新建数据中心PUE值不高于1.25。") == [("新建数据中心PUE值", 1.25, "", "<=", 2025)]
    assert _all("新建数据中心PUE值控制在1.3以下。") == [("新建数据中心PUE值", 1.3, "", "<=", None)]
    assert _all("采用L2级以上技术，提升5G应用。") == []


def test_bare_count_in_a_goal_paragraph():
    assert _all("新增智能网联汽车测试道路1000公里，开放测试应用场景1万个。", default_year=2026) == [
        ("新增智能网联汽车测试道路", 1000, "公里", "=", 2026), ("测试应用场景", 1, "万个", "=", 2026)]


def test_an_attributive_does_not_cut_a_count_from_its_verb():
    # 具有…的 / a numeric qualifier …超10亿元的 inside the object of 培育/新增
    assert _all("培育具有国际竞争力的整机企业5家以上。") == [("具有国际竞争力的整机企业", 5, "家", ">=", None)]
    assert _all("新增营收超10亿元的软件企业10家。") == [("新增营收超10亿元的软件企业", 10, "家", "=", None)]


def test_an_aim_word_opening_the_clause_makes_a_commitment():
    assert _all("全年力争数字经济核心产业增加值增长8%以上。") == [("数字经济核心产业增加值增长", 8, "%", ">=", None)]
    # the comparator stays as written
    assert _all("以特色园区为依托，争取拓展百万平米产业空间新载体。")[0][3] == "="


def _ind(text, **kw):
    from loaders.targets import extract_indicator_tables

    return [(t.metric, t.value, t.unit, t.comparator, t.year) for t in extract_indicator_tables(text, **kw)]


def test_indicator_table_one_cell_per_line():
    text = ("主要指标如下：\n指标名称\n2023年\n2027年\n机器人产业规模（亿元）\n800\n1500\n"
            "工业机器人密度（台/万人）\n400\n600\n二、重点任务\n")
    # the latest year column is the target; the base year is a past statistic
    assert _ind(text) == [("机器人产业规模", 1500, "亿元", "=", 2027), ("工业机器人密度", 600, "台/万人", "=", 2027)]


def test_indicator_table_with_number_unit_and_attribute_columns():
    text = ("序号 指标名称 单位 基期值 2025年 属性\n1 智能工厂 家 100 ≥200 预期性\n"
            "2 规模以上工业企业数字化\n转型比例 % 60 80以上 预期性\n三、主要任务\n")
    assert _ind(text) == [("智能工厂", 200, "家", ">=", 2025), ("规模以上工业企业数字化转型比例", 80, "%", ">=", 2025)]


def test_indicator_table_value_with_its_own_unit():
    assert _ind("指标 2020年 2025年目标\n数字经济核心产业增加值占GDP比重 12% 15%左右\n") == [
        ("数字经济核心产业增加值占GDP比重", 15, "%", "~", 2025)]


def test_prose_about_indicators_is_not_a_table():
    assert _ind("主要指标达到国内领先水平。到2025年，产业规模1000亿元。") == []


@pytest.mark.parametrize("sentence", [
    "前三季度，全市生产总值同比增长5%以上。",  # statistic (同比)
    "2023年，全市社会消费品零售总额增长12.6%。",  # past statistic, no modifier
    "入境消费规模实现翻一番。",  # 翻一番 writes no quantity
    "项目建设周期3至6个月。",  # a duration, not a count of 个
])
def test_round3_non_targets(sentence):
    assert extract_targets(sentence) == []


def test_round4_planned_goals_lists_qualifiers_and_rate_caps():
    # 预期目标 names planned goals, not a forecast
    assert _all("主要预期目标是：民间投资增长10%左右。") == [("民间投资增长", 10, "%", "~", None)]
    # one verb governs every object of a list joined by 、
    assert _all("全年新增国家级专精特新企业100家以上、市级专精特新企业1000家以上。") == [
        ("全年新增国家级专精特新企业", 100, "家", ">=", None), ("市级专精特新企业", 1000, "家", ">=", None)]
    # a qualifier after a count is part of the counted noun
    assert _all("到2026年，培育5家以上营收超百亿元的龙头企业。") == [
        ("营收超百亿元的龙头企业", 5, "家", ">=", 2026)]
    # a cap written before the base of a support rate
    assert _all("给予不超过产品年度销售额50%的奖励。") == [("奖励比例", 50, "%", "<=", None)]
    # an article's label is not part of a metric
    assert _all("第四条区财政每年安排专项资金不少于3亿元。")[0][0] == "区财政每年安排专项资金"


@pytest.mark.parametrize("sentence", [
    "《行动方案》部署了四个方面12项重点任务。",  # perfective: what was done, not a commitment
    "超过400万元的工程采购项目中适宜由中小企业提供的，",  # a threshold opening a noun phrase
])
def test_round4_non_targets(sentence):
    assert extract_targets(sentence) == []


def test_round5_comparison_bases_multiples_and_qualifiers():
    # a comparison base (较2023年) is not a past statistic: the later goals of the sentence stand
    assert _all("到2028年，专利密集型产业增加值较2022年增长1倍以上，企业研发投入强度提高0.8个百分点，"
                "上市企业累计达到200家。") == [
        ("专利密集型产业增加值较2022年增长", 1, "倍", ">=", 2028),
        ("企业研发投入强度提高", 0.8, "个百分点", "=", 2028),
        ("上市企业", 200, "家", ">=", 2028)]
    assert _all("到2030年，与2020年相比单位产值能耗下降18%。")[0][1:] == (18, "%", "=", 2030)
    # a qualifier whose amount is in Chinese numerals does not cut the count from its verb
    assert _all("引进营收超百亿元的总部企业8家。") == [("营收超百亿元的总部企业", 8, "家", "=", None)]
    # support rates whose noun carries a modifier after 给予, and 补偿
    assert _all("按照项目总投资的15%给予配套资助。") == [("配套资助比例", 15, "%", "=", None)]
    assert _all("按照实际贷款额的2%给予风险补偿。") == [("风险补偿比例", 2, "%", "=", None)]
    # 已建成 inside the subject of a rate is not a report of work done
    assert _all("存量数据中心改造完成后，已建成充电站联网率达到95%。") == [("已建成充电站联网率", 95, "%", ">=", None)]
    # a possession noun (拥有量) is not the verb of possession
    assert _all("每万人口发明专利拥有量达到80件。") == [("每万人口发明专利拥有量", 80, "件", ">=", None)]
    # a limit before the verb of its quantity; durations in months only with a limit or goal verb
    assert _all("每个区至少新建2个社区服务中心。")[0][1:] == (2, "个", ">=", None)
    assert _all("企业开办时间由5个工作日缩短至1个工作日，商标注册周期压缩至4个月以内。") == [
        ("企业开办时间", 1, "个工作日", "<=", None), ("商标注册周期", 4, "个月", "<=", None)]
    # a work plan's 全年 frame commits bare counts (no year of its own)
    assert _all("二是全年出让工业用地2000亩，收储存量土地800亩。") == [
        ("全年出让工业用地", 2000, "亩", "=", None), ("收储存量土地", 800, "亩", "=", None)]


@pytest.mark.parametrize("sentence", [
    "2023年，全市专利密集型产业增加值较2020年增长1倍。",  # a past statistic with a comparison base
    "2024年全年接待入境游客600万人次。",  # 全年 of a reported year
    "全年接待游客1.2亿人次，同比增长10%。",  # 全年 with a 同比 statistic
    "目前本市已建成充电桩覆盖率达到90%。",  # 目前: a report
    "全市已建成5G基站超过8万个。",  # 已建成 governing the count: work done
    "上海拥有国家级孵化器60家。",  # possession: a statistic
    "到2025年，每6个月开展一次评估。",  # a span of time, not a commitment
    "项目实施周期为3至6个月。",
    "2023年，每万人口发明专利拥有量达到50件。",  # a bare year: a past statistic
])
def test_round5_non_targets(sentence):
    assert extract_targets(sentence) == []


def test_round6_class_qualifiers_rate_units_and_compute():
    # 十亿元级 / 万吨级: a class of the counted noun, not an amount; the verb governs both counts
    assert _all("培育年产值十亿元级企业20家、百亿元级企业3家。") == [
        ("年产值十亿元级企业", 20, "家", "=", None), ("百亿元级企业", 3, "家", "=", None)]
    assert [t[1:3] for t in _all("建设10万吨级泊位4个。")] == [(4, "个")]
    # 级别 is still an approximation of the amount
    assert _all("将智能制造打造成500亿元级别的新兴产业。")[0][1:4] == (500, "亿元", "~")
    # a rate unit after a slash is one unit
    assert _all("工业用地亩均产出达到1000万元/亩以上。") == [("工业用地亩均产出", 1000, "万元/亩", ">=", None)]
    assert _all("新增生活垃圾焚烧处理能力3000吨/日。")[0][1:3] == (3000, "吨/日")
    # compute power in its usual casings
    assert _all("到2027年，全市智能算力规模超过10EFlops。") == [("全市智能算力规模", 10, "EFlops", ">", 2027)]


def test_round6_frame_scope():
    # a 到YYYY年 frame governs the clauses after it across ；
    assert [t[4] for t in _all("到2027年，全市数据产业规模达到5000亿元；建设数据交易服务机构20家、"
                                "数据标注基地5个。")] == [2027, 2027, 2027]
    # ... but never the clauses before it
    assert _all("每年举办供需对接活动不少于20场，到2027年累计服务企业1万家。") == [
        ("每年举办供需对接活动", 20, "场", ">=", None), ("服务企业", 1, "万家", "=", 2027)]
    # ... nor the next sentence
    assert _all("到2027年，培育数据企业100家。对新认定的企业给予最高50万元奖励。")[1][1:] == (
        50, "万元", "<=", None)
    # a plain year opening a sentence of commitments (力争/不少于) is its target year
    assert _all("2026年，全区软件产业营收力争达到800亿元，规上企业数量不少于200家，企业上云率达到90%。") == [
        ("全区软件产业营收", 800, "亿元", ">=", 2026), ("规上企业数量", 200, "家", ">=", 2026),
        ("企业上云率", 90, "%", ">=", 2026)]


def test_round6_caps_rates_and_subjects():
    # a cap inside a raised rate wins over 提高至; the modal 可 is no part of the metric
    assert _all("对位于重点区域的项目，补贴比例可提高至不超过实际投资额的40%。") == [
        ("补贴比例", 40, "%", "<=", None)]
    # 同期贷款市场报价利率 names the reference rate, not a statistic; 贴息 is a support noun
    assert _all("按照不超过同期贷款市场报价利率的30%给予贴息，年度贴息金额最高不超过300万元。") == [
        ("贴息比例", 30, "%", "<=", None), ("年度贴息金额", 300, "万元", "<=", None)]
    # a clause whose subject is only a frequency takes the previous clause's object
    got = _all("市区两级共同设立产业引导资金，每年不少于5亿元。")
    assert got == [("产业引导资金", 5, "亿元", ">=", None)]


@pytest.mark.parametrize("sentence", [
    # eligibility conditions of an application (申报条件) are not commitments
    "申报企业上年度营业收入原则上不低于1亿元，研发投入占比不低于3%。",
    "第八条（申请条件）申请单位研发投入占营业收入比例不低于5%，研发人员不少于50名。",
    # a paragraph reviewing a past period reports statistics
    "“十四五”以来，本区数字经济发展取得显著成效。累计培育上市企业15家，建成5G基站达到8000个。",
    "近年来，本市产业园区建设取得积极进展，创建市级特色产业园区53个。",
    # a plain year opening past statistics is no frame
    "2023年，全区软件产业营收达到650亿元，同比增长12%。",
    "同比增长15%，较上年同期提高2个百分点。",
])
def test_round6_non_targets(sentence):
    assert extract_targets(sentence) == []


def test_round6_goals_still_found_next_to_those_conventions():
    # a support cap in the same document is still a target
    assert _all("对符合条件的申报项目，给予最高不超过200万元支持。")[0][1:4] == (200, "万元", "<=")
    # a goal paragraph opening with a future period keeps its goals (aim word)
    assert _all("“十五五”期间，力争取得重大突破，培育上市企业30家。")[0][1:] == (30, "家", "=", 2030)


def test_indicator_table_with_empty_and_cumulative_cells():
    text = ("主要指标\n序号\n指标\n2020年\n2025年\n属性\n1\n单位产值能耗下降（%）\n—\n[16]\n约束性\n"
            "2\n绿色工厂（家）\n80\n200\n预期性\n3\n碳排放强度下降（%）\n12\n—\n约束性\n"
            "4\n光伏装机容量（万千瓦）\n40\n120\n预期性\n注：[ ]内为五年累计数。\n")
    # "—" is an empty cell ("—" in the target column gives no target), "[16]" a cumulative value
    assert _ind(text) == [("单位产值能耗下降", 16, "%", "=", 2025), ("绿色工厂", 200, "家", "=", 2025),
                          ("光伏装机容量", 120, "万千瓦", "=", 2025)]


# --------------------------------------------------------------------------- round 7

from loaders.targets import condition_heading, review_heading  # noqa: E402


@pytest.mark.parametrize("heading,conditions,review", [
    ("三、申报条件", True, False),
    ("（二）支持对象和条件", True, False),
    ("四、申请主体", True, False),
    ("支持对象和支持标准", False, False),   # 标准 carries the support caps
    ("五、申报时间和方式", False, False),
    ("一、2023年工作回顾", False, True),
    ("第一章　发展基础与面临形势", False, True),
    ("“十三五”时期主要成绩", False, True),
    ("本区数字经济发展现状", False, True),
    ("（三）夯实产业发展基础", False, False),  # a task, not a review
    ("二、2024年工作安排", False, False),
    ("回顾与展望", False, False),
])
def test_round7_section_headings(heading, conditions, review):
    assert condition_heading(heading) is conditions
    assert review_heading(heading) is review


def test_round7_conditions_and_review_sections_hold_no_target():
    body = "申报单位注册资本不低于1000万元，项目建设期原则上不超过18个月，同一单位限报2个项目。"
    assert extract_targets(body, headings=("三、申报条件",)) == []
    assert extract_targets("（一）项目建设期原则上不超过18个月。", headings=("申请条件", "（一）")) == []
    # the same sentence under a support-standards heading keeps its cap
    assert _all("单个项目支持金额最高不超过300万元。") == [("单个项目支持金额", 300, "万元", "<=", None)]
    assert extract_targets("单个项目支持金额最高不超过300万元。", headings=("二、支持标准",)) != []
    # an article captioned with conditions: every quantity (upper bounds too) is a condition
    assert extract_targets("第九条（申报条件）项目实施周期不超过2年，总投资不低于3000万元。") == []
    review = "全年新增市场主体1.8万户，新引进重点企业210家，城镇调查失业率控制在4.5%以内。"
    assert len(extract_targets(review)) == 3  # written like commitments ...
    assert extract_targets(review, headings=("一、2023年工作回顾",)) == []  # ... but reported results
    # a paragraph opening with 一年来/过去一年 whose first sentence reports results
    assert extract_targets("过去一年，全区招商引资取得明显成效。新引进总部型企业15家，落地亿元以上项目28个。") == []


def test_round7_goal_list_items_need_no_verb():
    got = _all("今年全区经济社会发展的主要预期目标是：地区生产总值增长6%左右；区级一般公共预算收入增长4%；"
               "城镇调查失业率控制在5%以内。")
    assert got == [("地区生产总值增长", 6, "%", "~", None), ("区级一般公共预算收入增长", 4, "%", "=", None),
                   ("城镇调查失业率", 5, "%", "<=", None)]
    # without a goals list a bare change rate is a statistic
    assert extract_targets("区级一般公共预算收入增长4%。") == []
    assert extract_targets("主要目标是：利润总额同比增长4%。") == []  # 同比 still marks a statistic


def test_round7_obligations_and_penalties_are_not_targets():
    assert extract_targets("从事数据交易服务的，应当建立交易记录保存制度，交易记录保存期限不少于3年，"
                           "相关日志留存不少于12个月。") == []
    assert extract_targets("第二十条（运营者义务）平台运营者应当确保数据中心PUE值不高于1.3。") == []
    assert extract_targets("违反本办法第十条规定的，由市场监管部门责令限期改正；逾期不改正的，处5000元以上3万元以下罚款。") == []
    assert extract_targets("情节严重的，对直接责任人员处最高2万元罚款。") == []
    # the government's own duty with 应当 is still a commitment
    assert _all("市科委应当会同有关部门每年遴选示范项目，每年遴选的示范项目不少于30个。") == [
        ("每年遴选的示范项目", 30, "个", ">=", None)]
    # a beneficiary conditional "对…的，" is not a regulated party
    assert _all("对符合条件的中小企业，给予不超过实际投入30%的补贴。")[0][1:4] == (30, "%", "<=")


def test_round7_beneficiary_before_grant_and_modified_support_noun():
    # 对X…的 before 给予 names the beneficiary: the cap after 给予最高 is a target
    assert _all("对园区企业新引进的领军人才给予最高30万元的购房补贴。") == [("购房补贴", 30, "万元", "<=", None)]
    # a threshold in 对…的 is still a condition
    assert _all("对年营业收入首次超过5亿元的企业，给予一次性奖励100万元。") == [("一次性奖励", 100, "万元", "=", None)]
    # a cap before the rate's base with a modified support noun after 的
    assert _all("给予不超过设备购置费用15%的技改补助。") == [("技改补助比例", 15, "%", "<=", None)]
    # ... but "N%的<noun>" without 给予 before it is a threshold, not a rate
    assert extract_targets("对研发投入占比超过8%的企业，优先推荐。") == []


def test_round7_pipeline_passes_section_headings():
    # the loader hands each measure's chapter (and parents') headings to the extractor
    from loaders.normalize import normalize
    from loaders.pipeline import build_record

    text = ("关于发布2026年度某专项资金申报指南的通知\n\n一、支持标准\n"
            "（一）按照不超过项目总投资的20%给予支持，单个项目最高不超过300万元。\n"
            "二、申报条件\n（一）申报单位注册资本不低于1000万元。\n（二）项目建设期原则上不超过18个月。\n")
    record = build_record(normalize(text, "guide.txt"))
    values = sorted(t.value for m in record.measures for t in m.targets) + [t.value for t in record.targets]
    assert values == [20, 300]


def test_round8_rate_units_per_counter():
    # X/家, X/个, X/人 are one unit, like 万元/亩 and 万吨/年
    assert _all("对首次认定的企业，分别给予30万元/家、50万元/家的一次性奖励。") == [
        ("一次性奖励", 30, "万元/家", "=", None), ("一次性奖励", 50, "万元/家", "=", None)]
    assert _all("给予最高不超过8万元/个的建设补贴。")[0][1:4] == (8, "万元/个", "<=")


def test_round8_paired_rate_and_cap_lists():
    # every rate of a 、 list is paid as the noun after the last one; "最高分别" names nothing
    assert _all("对A类和B类项目，分别按照设备投资的15%、10%给予补贴，最高分别不超过500万元、300万元。") == [
        ("补贴比例", 15, "%", "=", None), ("补贴比例", 10, "%", "=", None),
        ("补贴", 500, "万元", "<=", None), ("补贴", 300, "万元", "<=", None)]
    # a rate in 个百分点 is a support rate too
    assert _all("对符合条件的技改项目，按照贷款本金的1个百分点给予贴息。") == [("贴息比例", 1, "个百分点", "=", None)]


def test_round8_support_standard_per_head():
    # "按照…N元的标准给予X": a fixed amount ("="), the support noun its metric, the basis kept
    assert _all("对吸纳就业困难人员的企业，按照每人每月800元的标准给予社保补贴。") == [
        ("社保补贴（每人每月）", 800, "元", "=", None)]
    assert _all("按照场地租金每平方米每月20元的标准给予补贴。") == [("场地租金补贴（每平方米每月）", 20, "元", "=", None)]
    assert _all("按照每吸纳1人2000元的标准给予奖励。") == [("奖励（每吸纳1人）", 2000, "元", "=", None)]
    # no standard, no commitment
    assert extract_targets("企业平均每人每月工资为8000元，按照国家标准执行。") == []


def test_round8_period_clause_is_not_the_capped_noun():
    assert _all("按照其区级财力贡献的30%给予奖励，连续五年，每年最高不超过200万元。") == [
        ("奖励比例", 30, "%", "=", None), ("奖励", 200, "万元", "<=", None)]


def test_round8_counters_durations_and_pursued_projects():
    assert _all("年内完成产业地块出让不少于8宗。") == [("年内完成产业地块出让", 8, "宗", ">=", None)]
    assert _all("每年滚动推进重大科技攻关项目50项以上。") == [("推进重大科技攻关项目", 50, "项", ">=", None)]
    assert _all("制修订地方标准30项以上。")[0][1:4] == (30, "项", ">=")
    # 日/天 are durations only after a limit or goal verb; a date is never one
    assert _all("企业投资项目备案时限压缩至15日以内。") == [("企业投资项目备案时限", 15, "日", "<=", None)]
    assert _all("办理时间不超过5天。") == [("办理时间", 5, "天", "<=", None)]
    assert extract_targets("本办法自2025年7月1日起施行。") == []
    assert extract_targets("各区于每月10日前报送数据，公示期为30日。") == []


def test_round8_quoted_scheme_counts_are_names():
    # the counts inside a quoted scheme name are not targets
    assert extract_targets("为每家企业提供“1次走访、2次政策解读、1次对接”的“121”服务。") == []
    # ... a quoted "100+" still is, and a count after the quotation too
    assert _all("建设“望海亭”驿站30个。") == [("“望海亭”驿站", 30, "个", "=", None)]


def test_round8_goal_section_frame_crosses_sentences():
    text = ("到2030年，滨海地区生态品质全面提升。滨海岸线贯通总长达到50公里以上；"
            "新增公共绿地200公顷以上，沿线20公里堤防景观品质持续提升。")
    got = _all(text, headings=("一、总体目标",))
    assert got == [("滨海岸线贯通总长", 50, "公里", ">=", 2030), ("新增公共绿地", 200, "公顷", ">=", 2030)]
    # outside a goal section the frame stays in its sentence
    assert [t[4] for t in _all(text, headings=("二、重点任务",))] == [None, None]


def test_round9_annual_rate_with_lower_bound_commits():
    # a clause opening with 年均/每年 + its verb and a count with 以上: a plan's annual commitment
    assert _all("推动校企合作，年均转让专利300件以上。") == [("年均转让专利", 300, "件", ">=", None)]
    # without 以上, or without the yearly opening, a count after a non-commitment verb is no target
    assert extract_targets("推动校企合作，年均转让专利300件。") == []
    assert extract_targets("推动校企合作，转让专利300件以上。") == []


def test_round9_frequency_and_bare_verb_take_previous_object():
    # "每年安排/每年投入 不少于…": the frequency and its verb name nothing; the previous clause's object is the metric
    got = _all("设立区级科技创新专项资金，每年投入不少于3亿元，支持企业研发。")
    assert got == [("区级科技创新专项资金", 3, "亿元", ">=", None)]
    got = _all("设立人才发展资金，每年安排不少于8000万元。")
    assert got == [("人才发展资金", 8000, "万元", ">=", None)]
