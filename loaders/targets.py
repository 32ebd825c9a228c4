"""Quantitative targets in normalized Chinese policy text.

Takes: NORMALIZED text (full-width digits/latin/％/＋ already ASCII, wrap line breaks and
spaces between CJK characters removed; Chinese punctuation full-width, though ASCII
punctuation and stray spaces are tolerated) and optionally ``default_year``, the deadline
year of an enclosing goals paragraph or plan horizon.

Gives: ``extract_targets(text, *, default_year=None) -> list[TargetMatch]``, one match per
committed quantity ("建设100家以上无人工厂" -> 100 家 ">="), in text order, each with the
offsets of its source phrase (``text[start:end] == match.text``).

Rules (conventions of Chinese government documents):

* Quantity = number + optional magnitude (万/亿/万亿 …, kept in the unit: "万套", "万亿元")
  + a unit from ``data/vocab/target_units.yaml`` (家, 个, %, 亿元, 平方公里 …), or a quoted
  "100+" (value 100, ">=", unit 个 -- the generic counter, since no measure word is written). Chinese numerals count only when clearly quantitative:
  with a magnitude (一万家, 百万平米 -> 100 万平米) or two or more numeral characters
  (二十个). Single-character ones (三个生态园, 四个“100+”, 百家, 百强, 千人千药) never do.
  Numbers glued to latin letters (5G, IPv6, Web3.0, G60), ordinals (第2位, 前10), rail
  lines and document numbers (no unit), and bare years/dates (年/月/日 are not units) are
  never quantities. The one unitless quantity is the value of an index (PUE值, 系数, 指数)
  right after a limit or goal verb ("新建数据中心PUE值不高于1.25" -> 1.25, unit "", "<=").
  A rate unit written with a slash is one unit (50万元/亩, 200万吨/年, 20万元/家, 5万元/人: any time
  span, area or counter in the vocabulary's denominators). 日/天 are durations, never a date (6月30日). An amount followed by 级 (not 级别) is a class of the counted noun, never a quantity
  ("培育营收百亿元级企业30家" -> 30家; "万吨级码头").
* Commitment: a quantity is a target only when something commits to it:
  - an explicit aim or limit right before it (力争/争取/确保 …, 最高/不超过/不低于/至少 …),
    always accepted, even in sentences with a forecast marker or a bare year;
  - a commitment verb (建设/培育/引进/打造/新增/推出/集聚/建立/选取/筹措/支持 … see the
    vocabulary file) earlier in the same clause, with no 的/有/是 between verb and number;
  - a goal verb right before it (达到/超过/大于/突破/提高到 …);
  - a weak copula (为/是/占/约 …) or only a modifier (左右/以上) when a deadline frame
    (到2025年, 2025年底, 至“十四五”末 …) is in the sentence or ``default_year`` is given;
    a bare quantity with no cue needs a deadline frame in the sentence or ``default_year``
    (a goals paragraph: "…，其中营业收入超百亿元的企业10家");
  - a support rate: a percentage paid as a subsidy or reward ("按照年度销售额的5%给予奖励",
    "给予不超过20%的补贴", "给予不超过产品年度销售额50%的奖励" <=; metric 奖励比例 / 补贴比例; after
    给予…N%的 the noun may carry a modifier: "给予不超过实际支付费用20%的算力券支持" <=, 算力券支持比例). A support cap is a limit like any other
    (最高/最高给予/最高不超过 … "<=").
  Qualifiers are not targets: a quantity followed by 的 whose noun a later quantity of the clause
  counts ("培育估值超10亿美元的独角兽企业5家" -> only 5家) or an earlier one counts ("培育5家以上营收超
  百亿元的龙头企业" -> only 5家, metric "营收超百亿元的龙头企业"), a threshold in a condition clause
  ("对年度营业收入首次超过1亿元的平台企业，给予…" -> only the reward), and a threshold that opens a
  noun phrase with no commitment verb before it ("超过400万元的工程采购项目中…，预留份额提高至40%以上").
  A verb in the perfective (部署了四个方面12项重点任务) reports what was done: no commitment.
  A verb governs every object of a list joined by 、/和 ("新增A100家以上、B1000家以上" -> both).
  预期目标/预期性 (planned goals) are not forecasts.
  Eligibility conditions are not commitments: a lower bound (不低于/不少于/超过 …) in a sentence whose
  subject is the applicant (申报项目总投资原则上不低于5000万元, 申请单位…) or in an article captioned
  （申报条件）/（申请条件）/（认定条件）.
  A section headed by conditions only (三、申报条件 / （二）支持对象和条件 / 第九条（申报条件）; every part of the
  heading a word of ``condition_headings``) states conditions: none of its quantities (不超过24个月 too) is a
  target. A section reviewing a past period (一、2024年工作回顾, 第一章 发展基础, …发展现状: ``review_headings``)
  reports results: none is a target. (``headings``: the titles around the text, given by the pipeline.)
  A legal obligation of a regulated party ("提供…服务的，应当…不少于6个月", "运营者应当…"; ``regulated_parties``)
  is not a commitment of the government (a unit's "市科委应当…不少于30个" is); a penalty (处…罚款) is no target.
  An item of a goals list ("主要预期目标是：…；区级一般公共预算收入增长3%；…") needs no commitment verb.
  After 给予 a beneficiary "对…引进的人才给予最高50万元的安居补贴" is no condition: the cap is a target.
  A paragraph opening with a past period (“十三五”期间/以来, 近年来, 一年来, 2020年以来 …) whose first sentence
  reports results (取得明显成效) with no aim or 到YYYY年 reviews the past: its quantities are statistics.
  Phrases naming a reference (同期贷款市场报价利率) are not statistic markers (vocabulary).
  A clause opening with 全年/年内 (the year of a work plan) accepts quantities as a deadline frame
  would ("全年供应产业用地3000亩"), unless a statistic marker (同比 …) is anywhere in the sentence;
  a clause opening with 年均/每年 + its verb whose count has 以上 is a plan's annual commitment
  ("年均转化科技成果100项以上"); a limit word before the quantity's verb ("至少建成1个") is its cue; 个月 (and other
  ``cue_only_units``) are quantities only after a limit or goal verb ("压缩至6个月以内").
  A series "最高1000万元、2000万元、3000万元支持" (same unit, joined by 、/和/及) shares the cue
  before its first member and the noun after its last one; a list of rates "分别按照实际投入的30%、20%给予
  补贴" is a list of support rates (个百分点 too: "按照贷款本金的1.5个百分点给予贴息").
  A support standard "按照[basis]N元的标准给予X" (每人1500元, 租金补贴每平方米每天1.5元, 每留用1人1000元) is a
  target "=" with X as metric (the basis head and 每… in brackets); the count of the basis (每留用1人) is not.
  Quantities inside a short quotation (“1次政策宣介、3次岗位推荐”的“1131”服务) name a scheme: no target.
  Statistics are rejected: a statistic marker (截至, 数据显示, 同比, 拥有, 目前, 仅为, 例如 …)
  earlier in the sentence, not followed by a deadline frame; and, for goal verbs, weak cues
  and commitment verbs, a bare year ("2019年上海…", "2021年…达6.8万亿美元") in the
  sentence (or "2019年的…" in the same clause) without a deadline frame. A year that is a
  comparison base ("较2023年增长1倍", "与2020年相比") is not such a bare year; 已建成 … inside the
  subject of a rate ("已建成电站接入率达到100%") and the nouns 拥有量/现有量 are not markers.
  Forecasts are rejected: a forecast marker (预计/预测/有望 …) earlier in the sentence, or
  "将" right before a goal verb without a deadline frame ("将超过20万亿美元"), unless a
  commitment verb governs the number ("将其培育成350亿元级别的新经济新业态" is a target).
* Comparator: modifiers after the quantity win (以上/及以上/+ ">=", 以下/以内 "<=",
  左右/上下/级别 "~", 余/多 ">"), else the cue before it: 最高/不超过/上限/至多/控制在/
  不突破/降至 "<="; 不低于/不少于/至少 ">="; 超过/大于/高于/突破 ">"; 达到/力争达到/达/
  提高到/实现 ">="; 低于/少于/小于/不足 "<"; 约/近/大约 "~"; otherwise (建设20个…, 为)
  "=". A bare aim (力争100家) is ">=".
  A range (3～5座, 3-5座, 3至5座, 100亿元至150亿元, 5%—8%) gives the lower bound with ">=" (text
  keeps the range). A change verb right before a rate with a modifier or a range (能耗下降3%左右,
  降低20%以上, 增长15%—20%) commits without a deadline frame; 压缩至/缩短至 are "<=".
  A goal verb opening a continuation clause ("…实现翻一番，达到1000亿元") takes the subject of the
  previous clause as its metric. A cap opening the base of a raised rate wins over the raise verb
  ("支持比例可提高至不超过项目总投资的35%" -> "<=").
* Metric: the noun phrase after the unit up to the next punctuation, parenthesis or next
  quantity of the same clause ("建设20个具有全国影响力的工业互联网平台" -> "具有全国影响力的
  工业互联网平台"; leading modifiers are kept, trailing 发展/落地/入驻 dropped); when nothing
  follows the unit (or only 规模/水平/目标), the subject before the cue ("增加值力争达到3万亿元"
  -> "增加值") or, without a cue, the object after the last commitment verb ("在三个生态园
  及周边建设筹措新增保障性租赁住房5万套" -> "新增保障性租赁住房"). 新增/新建 … and a preceding
  每年/年均/累计 stay in the metric ("每年新增数字经济新兴企业主体"). "将X打造成N亿元级别的…"
  uses X. A quantity whose metric comes out empty (打造四个“100+”) is dropped. A subject that is only a
  frequency ("设立…专项资金，每年不少于10亿元", also with a bare verb: 每年安排/每年投入不少于5亿元) gives way
  to the previous clause's object; a modal 可
  closing the subject is dropped. A subject that is only 最高分别/分别/均 names nothing (the previous clause's
  object is the metric), and a clause naming only a period (连续三年, 五年内) is skipped on the way back.
* Year: the nearest deadline frame BEFORE the quantity (到2025年, 到2025年底, 到2022年末,
  2025年前, 至2025年, 在2025年前; "十一五".."十五五" 期间/末 map to 2010..2030); a frame governs the
  clauses after it up to the end of its sentence, across ；("到2026年，…；建设…50家" -> 2026), never
  the clauses before it ("…不少于30个，到2026年…" -> 30个 has no year; a later frame still makes the
  sentence a plan for acceptance). A plain year opening a sentence of commitments (力争/确保/争取/
  不少于/不低于, no statistic or forecast marker: "2025年，全市…力争突破1万亿元") is such a frame. Else
  a bare year leading an accepted sentence with a limit ("2035年上海建设用地规模不超过…" -> 2035),
  else ``default_year``. In a goal section (a heading 总体目标/主要目标/发展目标 … in ``headings``) the last
  到YYYY年 frame before a quantity dates it across 。 to the end of the text (the year only: acceptance
  still needs the quantity's own cue).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from loaders import yamlio

VOCAB_PATH = Path(__file__).resolve().parent.parent / "data" / "vocab" / "target_units.yaml"


@dataclass(frozen=True)
class TargetMatch:
    metric: str
    value: float
    unit: str
    comparator: str  # one of ">=", ">", "<=", "<", "=", "~"
    year: Optional[int]
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- vocabulary


def _load_vocab(path: Path = VOCAB_PATH) -> dict:
    with open(path, encoding="utf-8") as fh:
        data = yamlio.safe_load(fh) or {}
    for key in ("units", "cue_only_units", "magnitudes", "action_verbs", "metric_verbs", "forecast_markers",
                "attribution_markers", "statistic_markers", "possession_markers", "rate_denominators",
                "statistic_exceptions", "condition_headings", "review_headings", "review_headings_opening", "review_heading_exceptions",
                "regulated_parties"):
        data[key] = [str(w) for w in data.get(key) or []]
    return data


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


_VOCAB = _load_vocab()
_UNIT_ALT = _alt(_VOCAB["units"])
_MAG_ALT = _alt(_VOCAB["magnitudes"])
_CUE_ONLY_UNITS = frozenset(_VOCAB["cue_only_units"])
# a rate unit "万元/亩", "万吨/年": the denominator after a slash belongs to the unit
_PER_ALT = _alt(_VOCAB["rate_denominators"])
_STAT_EXCEPTIONS = tuple(_VOCAB["statistic_exceptions"])
_METRIC_VERBS = frozenset(_VOCAB["metric_verbs"])
# Resultative forms first so "培育成" wins over "培育" and leaves no "成为" in the gap.
_ACTION_WORDS = set(_VOCAB["action_verbs"]) | _METRIC_VERBS
_ACTION_WORDS |= {v + s for v in ("培育", "打造", "建设", "发展") for s in ("成为", "成")}
_ACTION_WORDS.add("建成为")

# --------------------------------------------------------------------------- patterns

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)"
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_CHARS = _CN_DIGITS + "十百千"
_LATIN_UNIT = re.compile(r"[A-Za-z]")

_QTY = re.compile(
    # cheap first-character filter, then: quoted "100+"
    rf"(?=[“\"「『\d{_CN_CHARS}])(?:"
    # (also 『』「」), or 100+ glued to a following CJK noun
    rf"(?P<qplus>[“\"「『]\s*(?P<pv>\d+)\s*\+\s*[”\"」』]"
    rf"|(?<![0-9A-Za-z.])(?P<pv2>\d+)\s*\+(?=[\u4e00-\u9fff]))"
    # arabic number, optional range, magnitude, approximation, unit
    rf"|(?<![0-9A-Za-z._/\-])(?P<n1>{_NUM})"
    rf"(?:\s*(?:(?:{_MAG_ALT})?(?:{_UNIT_ALT})|{_MAG_ALT}|%)?\s*[～~〜\-—－至到]\s*(?P<n2>{_NUM}))?"
    rf"\s*(?P<mag>{_MAG_ALT})?(?P<approx>余|多)?\s*(?P<unit>{_UNIT_ALT})(?P<per>[/／](?:{_PER_ALT}))?(?![A-Za-z])"
    # chinese numerals
    rf"|(?<![{_CN_CHARS}])(?P<cn>[{_CN_CHARS}]+)(?P<cmag>{_MAG_ALT})?(?P<capprox>余|多)?"
    rf"(?P<cunit>{_UNIT_ALT})(?P<cper>[/／](?:{_PER_ALT}))?(?![A-Za-z]))"
)

_POST = re.compile(r"\s*(?P<post>及以上|以上|以下|以内|左右|上下|\+|级别的|级别|量级)?")

_CLAUSE_DELIM = re.compile(r"[，,；;。：:！!？?\n\r（）()【】\[\]]|\.(?:(?<!\d\.)|(?!\d))")
_SENT_DELIM = re.compile(r"[；;。！!？?\n\r]|\.(?:(?<!\d\.)|(?!\d))")

_CUE_WORDS = {
    # limit (always a commitment)
    "最高可达": "<=", "最高达到": "<=", "最高达": "<=", "最高为": "<=", "最高不超过": "<=",
    "最高给予": "<=", "最高可给予": "<=", "最多给予": "<=", "最高奖励": "<=", "最高补贴": "<=",
    "最高资助": "<=", "最高支持": "<=", "最高补助": "<=",
    "最高": "<=", "最多": "<=", "至多": "<=", "上限为": "<=", "上限": "<=", "不超过": "<=",
    "不高于": "<=", "不突破": "<=", "不大于": "<=", "控制在": "<=", "原则上不超过": "<=",
    "不低于": ">=", "不少于": ">=", "不小于": ">=", "至少": ">=", "最低": ">=",
    # goal verbs
    "超过": ">", "大于": ">", "高于": ">", "多于": ">", "突破": ">", "超": ">",
    "达到": ">=", "提高到": ">=", "提高至": ">=", "提升到": ">=", "提升至": ">=",
    "增长到": ">=", "增长至": ">=", "增加到": ">=", "增加至": ">=", "增至": ">=",
    "扩大到": ">=", "扩大至": ">=", "实现": ">=", "累计达到": ">=",
    "降低到": "<=", "降低至": "<=", "下降到": "<=", "下降至": "<=", "降到": "<=",
    "降至": "<=", "减少到": "<=", "减少至": "<=", "压减至": "<=", "压缩至": "<=", "压缩到": "<=",
    "缩短至": "<=", "缩短到": "<=",
    "保持在": "=", "稳定在": "=",
    # weak (need a deadline frame)
    "低于": "<", "少于": "<", "小于": "<", "不足": "<",
    "约为": "~", "大约": "~", "约": "~", "近": "~", "达": ">=", "为": "=", "是": "=", "占": "=",
    # change verbs (weak; the verb stays in the metric: "单位GDP能耗下降")
    "下降": "=", "降低": "=", "减少": "=", "增长": "=", "提高": "=", "提升": "=", "增加": "=",
    "压缩": "=", "缩短": "=",
}
_CHANGE_CUES = frozenset({"下降", "降低", "减少", "增长", "提高", "提升", "增加", "压缩", "缩短"})
_LIMIT_CUES = frozenset(
    w for w in _CUE_WORDS if w in {
        "最高给予", "最高可给予", "最多给予", "最高奖励", "最高补贴", "最高资助", "最高支持", "最高补助",
        "最高可达", "最高达到", "最高达", "最高为", "最高不超过", "最高", "最多", "至多", "上限为",
        "上限", "不超过", "不高于", "不突破", "不大于", "控制在", "原则上不超过", "不低于", "不少于",
        "不小于", "至少", "最低"})
_WEAK_CUES = frozenset({"低于", "少于", "小于", "不足", "约为", "大约", "约", "近", "达", "为",
                        "是", "占"}) | _CHANGE_CUES
_IMM = re.compile(
    r"(?P<aim>力争|争取|确保|努力|力求|目标为|目标是)?\s*(?P<will>将会|将|会)?\s*"
    rf"(?P<cue>{_alt(_CUE_WORDS)})"
    r"(?P<base>[^，。；,;：:（）()]{2,16}?的)?\s*$"
)
_AIM_ONLY = re.compile(r"(?:力争|争取|确保|努力|力求)\s*$")
# a limit word before the verb of its quantity: "每个新城至少建成1个消费地标", "最多支持3个项目"
_LIMIT_BEFORE_VERB = re.compile(rf"(?P<cue>至少|最少|最多|至多)\s*(?:{_alt(_ACTION_WORDS)})\s*$")
# the year of a work plan (工作要点/年度方案): "全年供应产业用地3000亩", "年内新开工…2个" -- a clause
# opening with 全年/年内 commits its bare counts as a deadline frame does (no year of its own)
_YEAR_SPAN = re.compile(r"(?:^|(?<=[，,；;。：:\n]))\s*(?:[一二三四五六七八九十]是|其中|同时)?\s*(?:全年|年内)")
# an aim word opening the clause governs its quantity: "全年力争数字经济核心产业增加值增长8%以上"
_AIM_CLAUSE = re.compile(r"^\s*(?:(?:全年|年内|当年|今年|明年|每年)\s*)?(?:力争|争取|确保|力求)")
# attributives inside the object of a verb do not cut it off from its count:
# "培育具有国际竞争力的整机企业5家", "新增营收超10亿元的软件企业10家"
# (the qualifier's amount may be written in Chinese numerals: "营收超千亿元的", "服务百万用户的")
_ATTRIBUTIVE = re.compile(r"具[有备][^，。；、的]{1,12}的"
                          r"|[^，。；、的]{0,10}(?:\d|[一二两三四五六七八九十百千万]亿|[一二两三四五六七八九十百千]万)"
                          r"[^，。；、的]{0,8}的")

_ACTION = re.compile(_alt(_ACTION_WORDS))
_CAP_OPENS_BASE = re.compile(r"\s*(?P<cap>最高不超过|不超过|不高于|最高)")
# a subject that is only a frequency ("…设立专项资金，每年不少于10亿元"): the previous clause names it
_FREQ_ONLY = re.compile(r"(?:每年|每年度|年均|全年|当年|每季度|每月|累计)(?:安排|投入|拨付|统筹)?")
# a clause opening with a yearly rate (年均/每年 + its verb) whose count is a lower bound (以上):
# a plan's annual commitment ("年均转化科技成果100项以上")
_ANNUAL_CLAUSE = re.compile(r"\s*(?:[一二三四五六七八九十]是)?\s*(?:年均|每年)")
# eligibility conditions of an application are not commitments: "申报项目总投资原则上不低于5000万元",
# and every lower bound in an article captioned （申报条件）
_APPLICANT = re.compile(r"(?:申报|申请)")
_CONDITION_CAPTION = re.compile(
    r"\s*(?:第[一二三四五六七八九十百零〇]+条\s*)?[（(](?:申报|申请|认定|支持|资助)(?:条件|要求)[）)]")
# a section headed by conditions only ("三、申报条件", "（二）支持对象和条件"): every quantity is a condition
_CONDITION_HEADING_WORDS = frozenset(_VOCAB["condition_headings"])
_HEADING_SPLIT = re.compile(r"\s*(?:和|与|及|以及|、|，|,)\s*")
_HEADING_LABEL = re.compile(r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[章节条部分]|[一二三四五六七八九十]+[、．.]|"
                            r"[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])?\s*")
# a section reviewing a past period ("一、2024年工作回顾", "第一章 发展基础"): its quantities are results
_REVIEW_PERIOD = (r"(?:(?:19|20)\d{2}\s*年度?|上年度?|过去[一二三四五十几]年|[“\"]?十[一二三四五六七八九]?五[”\"]?(?:时期|期间)?)?"
                  r"(?:的|以来)?\s*")
_REVIEW_HEADING = re.compile(
    rf"^{_REVIEW_PERIOD}(?:{_alt(_VOCAB['review_headings'] + _VOCAB['review_headings_opening'])})"
    rf"|(?:{_alt(_VOCAB['review_headings'])})$")
_REVIEW_HEADING_EXCEPT = re.compile(_alt(_VOCAB["review_heading_exceptions"]))
# a legal obligation of a regulated party (a 规章's "提供…服务的，应当…不少于6个月", "经营者应当…"):
# not a commitment of the government.  The subject opens the sentence (after an article label and
# caption); a conditional "…的，" opening it names whoever does something (not "对…的" beneficiaries).
_OBLIGATION = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇]+条)?\s*(?:[（(][^（）()]{1,12}[）)])?\s*"
    rf"(?!对|针对)(?:(?:(?!应当)[^，,。；;]){{1,40}}?的\s*[，,]\s*|(?:(?!应当)[^，,。；;]){{0,30}}?(?:{_alt(_VOCAB['regulated_parties'])})\s*)"
    r"(?:依法)?(?:应当|必须|须|应(?![用急对变]))")
_ARTICLE_CAPTION = re.compile(r"\s*第[一二三四五六七八九十百零〇]+条\s*[（(](?P<cap>[^（）()]{1,16})[）)]")
# an item of a list of goals "主要预期目标是：A增长5.5%左右；B增长3%；…" needs no commitment verb
_GOAL_LIST = re.compile(r"目标(?:是|为|如下)?\s*[：:]")
# a penalty ("处1万元以上10万元以下罚款") is a sanction, not a target
_GRANT = re.compile(r"给予|予以")
_PENALTY = re.compile(r"\s*(?:的)?\s*(?:罚款|罚金)")
_BAD_GAP = re.compile(r"的|有以下|主要有|其中|分别|是|在于")
_METRIC_PREFIX = re.compile(
    rf"(?:(?:每年|年均|每年度|累计|全年|当年)\s*)?(?:{_alt(_METRIC_VERBS)})\s*$")
_TO_X_MAKE = re.compile(r"将(?P<x>[^，。；,;将]{1,20}?)(?:打造成为|打造成|培育成为|培育成|建设成为|建设成|建成为)\s*$")

_FRAME = re.compile(
    r"(?=[到至\d“\"十])(?:(?:(?<!截)(?:到|至)\s*(?P<y1>(?:19|20)\d{2})\s*年\s*(?:底|末|前|以前|之前|内)?"
    r"|(?P<y2>(?:19|20)\d{2})\s*年\s*(?:底|末)?\s*(?:前|以前|之前)"
    r"|(?P<y3>(?:19|20)\d{2})\s*年\s*(?:底|末))(?![的0-9—\-～~月])"
    r"|(?:(?:到|至)\s*)?[“\"]?(?P<fyp>十[一二三四五六七八九]?五)[”\"]?\s*(?:期间|末|时期|末期|内))"
)
# a plain year opening a sentence ("2025年，全市…") and the words that make its sentence a plan's goals
_YEAR_OPENS_GOALS = re.compile(r"(?<![^\n。；;！!？?])(?:19|20)\d{2}\s*年\s*[，,]")
_GOAL_WORDS = re.compile(r"力争|确保|争取|不少于|不低于")
_SENT_END = re.compile(r"[。！!？?\n\r]")
# a paragraph opening with a past period whose first sentence reports results is a review
_REVIEW_OPEN = re.compile(
    r"(?:^|(?<=\n))\s*(?:[“\"]?十[一二三四五六七八九]?五[”\"]?(?:期间|以来|时期)|近年来|近几年来?|近[五十三]年来?|"
    r"过去[五十三几]年|一年来|过去一年|过去的一年|(?:19|20)\d{2}\s*年以来)\s*[，,]")
_REVIEW_RESULT = re.compile(r"取得(?:了)?[^，。；]{0,8}(?:成效|成绩|成就|进展)|成效(?:明显|显著)")
_AIM_ANY = re.compile(r"力争|确保|争取|努力|到\s*(?:19|20)\d{2}\s*年")
_BOOK_OPEN = re.compile("《")
_BOOK_CLOSE = re.compile("》")
_FIVE_YEAR_PLANS = {"十一五": 2010, "十二五": 2015, "十三五": 2020, "十四五": 2025, "十五五": 2030,
                    "十六五": 2035}
_BARE_YEAR = re.compile(r"(?<![0-9])(?P<y>(?:19|20)\d{2})\s*(?:年|—|-|－|～)(?P<de>的)?")
# a year that is the base of a comparison ("较2023年增长1倍", "比2020年翻一番", "与2023年相比") dates no
# statistic: it does not make the sentence a report of the past
_COMPARE_BEFORE = re.compile(r"(?:较|比|相较于?|相比于?)\s*$")
_COMPARE_AROUND = (re.compile(r"(?:与|同|和)\s*$"), re.compile(r"\s*(?:底|末)?\s*(?:相比|比较|相较)"))
_STAT = re.compile(
    rf"{_alt(_VOCAB['statistic_markers'])}"
    r"|已(?:经|有|达|超|突破|建|形成|完成|累计|集聚|实现|拥有|成为|培育|引进|吸引|落户|占)"
)
# 已+verb used attributively inside the subject of a rate: "已建成电站接入率达到100%" (the stations
# already built; the rate is the goal), not a report of work done.
_PERFECT_ATTRIBUTIVE = re.compile(
    r"[\u4e00-\u9fff]{1,12}?(?:率|比例|占比)\s*(?:力争|确保)?\s*"
    r"(?:达到|提高到|提高至|提升到|提升至|不低于|保持在|实现)\s*\d+(?:\.\d+)?\s*[%‰]")
_POSSESS = re.compile(_alt(_VOCAB["possession_markers"]))
_ATTRIB = re.compile(
    rf"{_alt(_VOCAB['attribution_markers'])}|显示(?=[，,：:])|[，,]如(?![期果何此今实])")
_FORECAST = re.compile(_alt(_VOCAB["forecast_markers"]))

_LEAD_NOISE = re.compile(
    r"^(?:\s|——|—|-|·|•|[、，,：:])+"
    r"|^(?:[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|[一二三四五六七八九十]+[、是]|第[一二三四五六七八九十百零〇]+条)"
)
_LEAD_WORDS = re.compile(
    r"^(?:其中|同时|此外|另外|并且|并|以及|和|及|或|(?:全年|年内)?(?:力争|争取|确保|努力|力求)|计划|预计|累计|共|实现|"
    r"(?:到|至|于|在)?\s*(?:19|20)\d{2}\s*年\s*(?:底|末)?\s*(?:前|以前|之前)?|"
    r"(?:到|至)?\s*[“\"]?十[一二三四五六七八九]?五[”\"]?\s*(?:期间|末|时期|末期|内)?)\s*[，,]?"
)
_METRIC_STOP = re.compile(r"[（(【\[]")
_TRAIL_CONJ = re.compile(r"(?:和|及|与|以及|、|或|并)\s*$")
_TRAIL_VERB = re.compile(r"(?:发展|落地|落户|入驻|集聚|上市)$")
_FILLER_AFTER = re.compile(r"^(?:规模|水平|目标|大关|以上水平|的目标|的水平|的规模)$")
_LIST_GAP = re.compile(r"\s*(?:、|和|及|与|或)\s*")
# A qualifier's comparative right before its quantity: "…营收超百亿元的企业".
_QUALIFIER_CUE = re.compile(r"(?:超过|超|逾|达到|达|高于|大于|不低于|不少于)\s*$")
# A cap written before the base of a support rate: "给予不超过产品年度销售额50%的奖励".
_RATE_CAP_BEFORE = re.compile(r"(?P<cue>最高不超过|不超过|不高于|最高)[^，,；;。：:（）()\d%]{1,16}$")
# Comparatives that make a quantity followed by 的 a threshold of the noun ("超过400万元的项目").
_THRESHOLD_CUES = frozenset({"超过", "超", "高于", "大于", "多于", "达到", "达", "不低于", "不少于", "低于", "少于", "不足"})
# A clause that states a condition ("对…的企业", "凡…的项目"): its quantities before 的 are thresholds.
_CONDITION = re.compile(r"\s*(?:对于|对|凡|针对)")
# What a rate is paid as: "…的5%给予奖励", "给予不超过20%的补贴"; after 给予/予以 the support noun may
# carry a short modifier ("给予配套支持", "给予落户奖励", "给予风险补偿").
# After "给予…N%的" the noun may carry a modifier too ("给予不超过实际支付费用20%的算力券支持"; only when
# 给予/予以 stands before the rate, so "超过5%的企业补贴" stays a threshold).
_RATE_AFTER = re.compile(r"\s*(?:(?:的)?\s*(?:给予|予以)\s*(?P<mod>(?:(?![的不最])[\u4e00-\u9fff]){0,4}?)|进行"
                         r"|的\s*(?P<mod2>(?:(?![的不最])[\u4e00-\u9fff]){1,4}?))?\s*(?:的)?"
                         r"(?P<noun>补贴|奖励|资助|支持|补助|贴息|奖补|补偿)")
# a support standard: "按照每人1500元的标准给予一次性扩岗补助", "按照租金补贴每平方米每天1.5元的标准给予补贴"
# (a fixed amount per beneficiary or per unit: "="); the support noun after 给予 is the metric, the basis
# written between 按照 and the amount (每人每月, 每留用1人) qualifies it
_STANDARD_AFTER = re.compile(r"\s*的\s*(?:标准|额度)\s*(?:给予|予以|发放)\s*(?P<obj>[^，,。；;：:（）()]{1,20})")
_STANDARD_BASIS = re.compile(r"按(?:照)?\s*(?P<head>[^，,。；;：:（）()每]{0,12}?)\s*(?P<per>(?:每[^，,。；;：:（）()每]{1,6}?)*)\s*$")
# a subject left with only a limit or distribution word ("…给予补贴，最高分别不超过200万元、100万元")
_SUBJECT_FILLER = re.compile(r"(?:最高|最多|至多)?\s*(?:分别|均|各)?\s*$")
# a clause naming only a period ("连续三年", "连续补贴三年", "五年内") is not the noun a cap limits
_PERIOD_CLAUSE = re.compile(r"\s*(?:连续|持续|最长)?[\u4e00-\u9fff]{0,3}?[一二两三四五六七八九十\d]+\s*(?:个)?"
                            r"(?:年|个月|月|周|天|日)(?:内|以内|期间)?\s*")
# quantities inside a short quotation name a scheme or slogan (“1次政策宣介、…、1次技能培训”的“1131”服务),
# not a commitment: a quotation without sentence punctuation, at most 40 characters
_QUOTE = re.compile(r"“[^“”。；;，,]{1,40}”")
# the heading of a goal section (一、总体目标 / （二）主要目标 / 发展目标): its 到YYYY年 frame dates every
# sentence of the section, across 。
_GOAL_HEADING = re.compile(r"^(?:总体|主要|发展|工作|行动|预期|总体发展|主要发展|具体)?目标$")
# where the subject of a goal clause ends: "入境消费规模|实现翻一番"
_SUBJECT_END = re.compile(r"实现|达到|突破|超过|保持|稳定在|力争|争取|确保|翻一番|翻番|增长|提高|提升")
_PRONOUNS = frozenset({"其", "之", "它", "它们", "其打造", "他们"})


# --------------------------------------------------------------------------- numbers


def _cn_to_int(s: str) -> Optional[int]:
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits.update({"〇": 0, "两": 2})
    units = {"十": 10, "百": 100, "千": 1000}
    total, cur, last_digit = 0, 0, False
    for ch in s:
        if ch in digits:
            if last_digit and digits[ch] != 0 and cur != 0:
                return None  # "二三" is not a number
            cur = digits[ch]
            last_digit = True
        else:
            total += (cur or 1) * units[ch]
            cur = 0
            last_digit = False
    return total + cur


def _num(s: str) -> float:
    return float(s.replace(",", ""))


# --------------------------------------------------------------------------- per-text index


class _Index:
    """Sorted positions of delimiters and markers in one text (queried with bisect)."""

    def __init__(self, text: str):
        self.text = text
        self.clause = [m.start() for m in _CLAUSE_DELIM.finditer(text)]
        self.sent = [m.start() for m in _SENT_DELIM.finditer(text)]
        self.book_open = [m.start() for m in _BOOK_OPEN.finditer(text)]
        self.book_close = [m.start() for m in _BOOK_CLOSE.finditer(text)]
        self.frames: list[tuple[int, int, int]] = []
        for m in _FRAME.finditer(text):
            s = m.start()
            if "截" in text[max(0, s - 3):s]:
                continue
            if m.group("fyp"):
                year = _FIVE_YEAR_PLANS.get(m.group("fyp"))
                if year is None:
                    continue
            else:
                year = int(m.group("y1") or m.group("y2") or m.group("y3"))
            self.frames.append((s, m.end(), year))
        self.frame_starts = [f[0] for f in self.frames]
        frame_spans = self.frames
        self.bare: list[tuple[int, int, bool]] = []  # (start, year, attributive 的)
        fi = 0
        for m in _BARE_YEAR.finditer(text):
            s = m.start()
            while fi < len(frame_spans) and frame_spans[fi][1] <= s:
                fi += 1
            if fi < len(frame_spans) and frame_spans[fi][0] <= s < frame_spans[fi][1]:
                continue
            if self._in_book(s):
                continue
            if _COMPARE_BEFORE.search(text, max(0, s - 4), s) or (
                    _COMPARE_AROUND[0].search(text, max(0, s - 2), s)
                    and _COMPARE_AROUND[1].match(text, m.end() if not m.group("de") else m.end() - 1)):
                continue
            self.bare.append((s, int(m.group("y")), bool(m.group("de"))))
        self.stat = [m.start() for m in _STAT.finditer(text)
                     if not (m.group().startswith("已") and _PERFECT_ATTRIBUTIVE.match(text, m.end()))
                     and not text.startswith(_STAT_EXCEPTIONS, m.start())]
        # a plain year opening a sentence of commitments is the plan's target year, a frame like
        # 到2025年: "2025年，全市…力争突破1万亿元，…不少于300亿元" (past statistics have no aim/limit)
        promoted = []
        for b in self.bare:
            if not b[2] and _YEAR_OPENS_GOALS.match(text, b[0]):
                se = _SENT_END.search(text, b[0])
                sent = text[b[0]:se.start() if se else len(text)]
                if _GOAL_WORDS.search(sent) and not _STAT.search(sent) and not _FORECAST.search(sent):
                    promoted.append(b)
        if promoted:
            self.bare = [b for b in self.bare if b not in promoted]
            self.frames = sorted(self.frames + [(b[0], b[0] + 5, b[1]) for b in promoted])
            self.frame_starts = [f[0] for f in self.frames]
        self.bare_starts = [b[0] for b in self.bare]
        # a 到YYYY年 frame governs the clauses after it to the end of its sentence (across ；, not past 。), never the
        # clauses before it: "到2026年，…达到5000亿元以上；建设概念验证中心50家" -> 2026; "…不少于30个，到2026年…" -> none
        self.group = [m.start() for m in _SENT_END.finditer(text)]
        # a paragraph reviewing a past period ("“十三五”期间，本市…取得明显成效。…101家") reports statistics
        self.review: list[tuple[int, int]] = []
        for m in _REVIEW_OPEN.finditer(text):
            pe = text.find("\n", m.start())
            pe = len(text) if pe < 0 else pe
            se = _SENT_END.search(text, m.start())
            first = text[m.start():se.start() if se else pe]
            if _REVIEW_RESULT.search(first) and not _AIM_ANY.search(first):
                self.review.append((m.start(), pe))
        self.attrib = [m.start() for m in _ATTRIB.finditer(text)]
        # 拥有量/现有量 are nouns (holdings: "每万人口发明专利拥有量达到60件"), not the verb of possession
        self.possess = [m.start() for m in _POSSESS.finditer(text) if not text.startswith(("量", "率"), m.end())]
        # 预期目标 / 预期性指标 name planned goals, not forecasts
        self.forecast = [m.start() for m in _FORECAST.finditer(text)
                         if not (m.group() == "预期" and text.startswith(("目标", "性", "指标"), m.end()))]
        self.actions = [(m.start(), m.end(), m.group()) for m in _ACTION.finditer(text)]
        self.year_spans = [m.end() for m in _YEAR_SPAN.finditer(text)]
        self.action_starts = [a[0] for a in self.actions]

    def _in_book(self, pos: int) -> bool:
        if not self.book_open:
            return False
        i = bisect_left(self.book_open, pos)
        if i == 0:
            return False
        last_open = self.book_open[i - 1]
        j = bisect_left(self.book_close, pos)
        last_close = self.book_close[j - 1] if j else -1
        return last_open > last_close

    @staticmethod
    def _bounds(delims: list[int], start: int, end: int, n: int) -> tuple[int, int]:
        i = bisect_left(delims, start)
        lo = delims[i - 1] + 1 if i else 0
        j = bisect_left(delims, end)
        hi = delims[j] if j < len(delims) else n
        return lo, hi

    def group_start(self, pos: int) -> int:
        i = bisect_left(self.group, pos)
        return self.group[i - 1] + 1 if i else 0

    def in_review(self, pos: int) -> bool:
        return any(lo <= pos < hi for lo, hi in self.review)

    def clause_bounds(self, start: int, end: int) -> tuple[int, int]:
        # delimiters inside the quantity itself (a decimal point never is one) are ignored
        return self._bounds(self.clause, start, end, len(self.text))

    def sent_bounds(self, start: int, end: int) -> tuple[int, int]:
        lo, hi = self._bounds(self.sent, start, end, len(self.text))
        return max(lo, start - 400), min(hi, end + 400)

    @staticmethod
    def _in(starts: list[int], lo: int, hi: int) -> range:
        return range(bisect_left(starts, lo), bisect_left(starts, hi))


# --------------------------------------------------------------------------- main


@dataclass
class _Cand:
    start: int
    end: int  # end of quantity incl. post modifier
    qty_end: int  # end of number+unit (before post modifier)
    value: float
    unit: str
    comparator: Optional[str]  # from the quantity itself (range, +, 余, post modifier)
    plus: bool
    chinese: bool


def _candidates(text: str) -> list[_Cand]:
    out: list[_Cand] = []
    for m in _QTY.finditer(text):
        s, e = m.start(), m.end()
        prev = text[s - 1] if s else ""
        if prev in "第前" or text[max(0, s - 3):s].lower() == "top":
            continue
        comp: Optional[str] = None
        plus = False
        chinese = False
        if m.group("qplus"):
            value = float(m.group("pv") or m.group("pv2"))
            unit = "个"  # "100+" names no measure word: the generic counter 个
            comp = ">="
            plus = True
        elif m.group("n1"):
            value = _num(m.group("n1"))
            unit = (m.group("mag") or "") + m.group("unit")
            if m.group("per") and m.group("unit") not in ("%", "‰", "个百分点", "倍"):
                unit += "/" + m.group("per")[1:]  # a rate unit: "万元/亩", "万吨/年"
            if m.group("n2"):
                comp = ">="
            elif m.group("approx"):
                comp = ">"
            if m.group("unit") in ("%", "‰", "个百分点") and m.group("mag"):
                continue
        else:
            chinese = True
            cn, mag = m.group("cn"), m.group("cmag")
            v = _cn_to_int(cn)
            if v is None or v == 0:
                continue
            if mag:
                if cn in ("千", "万", "百") and mag == "万" and cn != "百":
                    continue  # 千万 (idiom), 万万
            elif len(cn) < 2 or v < 10:
                continue  # 三个, 百家, 千人 ...
            if text[e:e + 1] in _CN_CHARS:
                continue  # 千人千药
            value = float(v)
            unit = (mag or "") + m.group("cunit")
            if m.group("cper"):
                unit += "/" + m.group("cper")[1:]
            if m.group("capprox"):
                comp = ">"
        if unit.endswith("个") and text.startswith("月", e):
            continue  # "3至6个月": a duration, not a count
        if unit in ("日", "天") and text[s - 1:s] in ("月", "年"):
            continue  # "6月30日": a date, not a duration
        if text.startswith("级", e) and not text.startswith("级别", e):
            continue  # a class of the counted noun: "营收百亿元级企业30家", "万吨级码头" (not an amount)
        qty_end = e
        pm = _POST.match(text, e)
        post = pm.group("post")
        if post:
            e = pm.end()
            if post in ("以上", "及以上", "+"):
                comp = comp if comp == ">=" and m.group("n1") and m.group("n2") else ">="
            elif post in ("以下", "以内"):
                comp = "<="
            elif post in ("左右", "上下", "级别", "级别的", "量级"):
                comp = "~"
        out.append(_Cand(s, e, qty_end, value, unit, comp, plus, chinese))
    # dimensionless indices with a limit or goal: "新建数据中心PUE值不高于1.25"
    for m in _INDEX_QTY.finditer(text):
        s, e = m.start("n"), m.end("n")
        if any(c.start <= s < c.end for c in out):
            continue
        post = _POST.match(text, e)
        comp = {"以上": ">=", "及以上": ">=", "以下": "<=", "以内": "<=", "左右": "~"}.get(post.group("post") or "")
        out.append(_Cand(s, post.end() if comp else e, e, _num(m.group("n")), "", comp, False, False))
    out.sort(key=lambda c: c.start)
    return out


# A number without a unit is a quantity only as the value of an index (PUE值, 系数, 指数) right
# after a limit or goal verb.
_INDEX_QTY = re.compile(
    r"(?:[A-Z]{2,5}值?|值|系数|指数)\s*(?:不高于|不超过|低于|控制在|降至|降到|降低到|下降到|不低于|达到|提高到|提升到)"
    r"\s*(?P<n>\d+(?:\.\d+)?)(?=\s*(?:及以上|以上|以下|以内|左右)|[^\d.%‰A-Za-z\u4e00-\u9fff]|$)"
)


def _drop_trailing_qualifiers(text: str, cands: list[_Cand]) -> list[_Cand]:
    """Drop a quantity that qualifies the noun an earlier count of the clause counts:
    "培育5家以上营收超百亿元的智能终端龙头企业" -> 5家 counts "营收超百亿元的…企业"; 百亿元 is a qualifier."""
    out: list[_Cand] = []
    for c in cands:
        prev = out[-1] if out else None
        if prev is not None and text.startswith("的", c.end) and prev.unit != c.unit and prev.end <= c.start:
            gap = text[prev.end:c.start]
            if len(gap) <= 12 and not _CLAUSE_DELIM.search(gap) and "、" not in gap and not _ACTION.search(gap) \
                    and _QUALIFIER_CUE.search(gap) and prev.unit not in ("%", "‰"):
                continue
        out.append(c)
    return out


def _rate_after(text: str, end: int, c_lo: int, start: int) -> Optional[re.Match]:
    """The support noun a rate is paid as ("…的5%给予奖励"); a modified noun after 的 ("20%的算力券支持")
    only when 给予/予以 stands before the rate in its clause."""
    m = _RATE_AFTER.match(text, end)
    if m and m.group("mod2") and not _GRANT.search(text, c_lo, start):
        return None
    return m


def _clean_lead(s: str, base: int) -> tuple[str, int]:
    """Drop list labels, dashes, time frames and connectives at the start; return new offset."""
    while True:
        m = _LEAD_NOISE.match(s) or _LEAD_WORDS.match(s)
        if not m or m.end() == 0:
            return s, base
        s, base = s[m.end():], base + m.end()


@lru_cache(maxsize=4096)
def _heading_text(heading: Optional[str]) -> str:
    """A heading without its label (一、/（二）) and closing punctuation; the same chapter and parent
    titles come with every measure, so the result is cached."""
    return _HEADING_LABEL.sub("", heading or "", count=1).strip().rstrip("。：:；;")


def condition_heading(heading: str) -> bool:
    """True for a heading naming only the conditions of an application ("申报条件", "支持对象和条件")."""
    h = _heading_text(heading)
    if not h or len(h) > 16:
        return False
    return all(part in _CONDITION_HEADING_WORDS for part in _HEADING_SPLIT.split(h) if part)


def review_heading(heading: str) -> bool:
    """True for a heading of a section reviewing a past period ("2024年工作回顾", "发展基础")."""
    h = _heading_text(heading)
    if not h or len(h) > 24:
        return False
    return bool(_REVIEW_HEADING.search(h)) and not _REVIEW_HEADING_EXCEPT.search(h)


def goal_heading(heading: str) -> bool:
    """True for the heading of a goal section ("一、总体目标", "（二）主要目标", "发展目标")."""
    h = _heading_text(heading)
    return bool(h) and bool(_GOAL_HEADING.match(h))


_RATE_UNITS = ("%", "‰", "个百分点")


def extract_targets(text: str, *, default_year: int | None = None,
                    headings: tuple[str, ...] | list[str] = ()) -> list[TargetMatch]:
    """Quantitative targets in ``text`` (see the module docstring for the rules).

    ``headings`` are the titles of the sections around the text (chapter, parent items): a section
    of application conditions or one reviewing a past period holds no target."""
    if not text or not isinstance(text, str):
        return []
    if any(condition_heading(h) or review_heading(h) for h in headings or ()):
        return []
    cap = _ARTICLE_CAPTION.match(text)
    if cap and condition_heading(cap.group("cap")):
        return []  # "第八条（申请条件）…": the article states conditions
    cands = _candidates(text)
    if not cands:
        return []
    cands = _drop_trailing_qualifiers(text, cands)
    # a quantity inside a short quotation names a scheme (“1次政策宣介、3次岗位推荐”的服务): no target
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    if quotes:
        cands = [c for c in cands if c.plus or not any(qs < c.start and c.qty_end < qe for qs, qe in quotes)]
        if not cands:
            return []
    # in a goal section a 到YYYY年 frame dates the whole section, not only its sentence
    goal_section = any(goal_heading(h) for h in headings or ())
    idx = _Index(text)
    out: list[TargetMatch] = []
    last_accept: Optional[tuple[int, int, str]] = None  # (clause_lo, metric end, how)
    # quantities listed with 、/和/及 (same unit) share the cue before the first and the noun
    # after the last: "分别给予最高1000万元、2000万元、3000万元支持"
    first_of = list(range(len(cands)))
    for k in range(1, len(cands)):
        if cands[k].unit == cands[k - 1].unit and _LIST_GAP.fullmatch(text[cands[k - 1].end:cands[k].start]):
            first_of[k] = first_of[k - 1]
    last_of = list(range(len(cands)))
    for k in range(len(cands) - 2, -1, -1):
        if first_of[k + 1] == first_of[k]:
            last_of[k] = last_of[k + 1]
    listed: dict[int, tuple[str, Optional[int], str]] = {}  # first member -> (comparator, year, metric)
    for i, c in enumerate(cands):
        c_lo, c_hi = idx.clause_bounds(c.start, c.start + 1)
        s_lo, s_hi = idx.sent_bounds(c.start, c.start + 1)
        if first_of[i] != i and first_of[i] in listed:
            comparator, year, metric = listed[first_of[i]]
            out.append(TargetMatch(metric=metric, value=c.value, unit=c.unit, comparator=c.comparator or comparator,
                                   year=year, start=c.start, end=c.end, text=text[c.start:c.end]))
            last_accept = (c_lo, c.end, "")
            continue
        last = cands[last_of[i]]
        nxt = cands[last_of[i] + 1].start if last_of[i] + 1 < len(cands) and cands[last_of[i] + 1].start < c_hi else c_hi
        seg_lo = c_lo
        inherited = False
        if last_accept and last_accept[0] == c_lo and last_accept[1] <= c.start:
            gap = text[last_accept[1]:c.start]
            seg_lo = last_accept[1]
            if re.fullmatch(r"\s*(?:和|及|与|以及|、|或)?\s*", gap):
                inherited = True
            gap_m = re.match(r"\s*(?:和|及|与|以及|、|或)\s*", gap)
            if gap_m:
                seg_lo += gap_m.end()
                # the next object of the same verb: "新增A100家以上、B1000家以上"
                if not _ACTION.search(gap) and not _IMM.search(gap) and len(gap) <= 25:
                    inherited = True

        # --- cue right before the number
        pre_lo = max(seg_lo, c.start - 40)
        prefix = text[pre_lo:c.start]
        imm = _IMM.search(prefix)
        cue = imm.group("cue") if imm else None
        aim = bool(imm and imm.group("aim")) or bool(_AIM_ONLY.search(prefix))
        aim_clause = aim or bool(_AIM_CLAUSE.match(text[c_lo:c.start]))  # a commitment, comparator as written
        will = bool(imm and imm.group("will"))
        cue_start = pre_lo + imm.start() if imm else c.start
        if imm and imm.group("base") and cue not in _LIMIT_CUES:
            # a cap inside the raised rate wins: "支持比例可提高至不超过项目总投资的35%" (<=)
            cm = _CAP_OPENS_BASE.match(imm.group("base"))
            if cm:
                cue = cm.group("cap")
        if imm is None:
            lv = _LIMIT_BEFORE_VERB.search(prefix)
            if lv:  # "至少建成1个": the limit governs the verb's quantity
                cue, cue_start = lv.group("cue"), pre_lo + lv.start()
        if imm is None and c.unit in _RATE_UNITS and _rate_after(text, last.end, c_lo, c.start):
            # "给予不超过产品年度销售额50%的奖励": the cap stands before the rate's base
            rc = _RATE_CAP_BEFORE.search(prefix)
            if rc:
                cue, cue_start = rc.group("cue"), pre_lo + rc.start()

        # --- commitment verb earlier in the clause
        action = None
        clause_actions = [idx.actions[k] for k in idx._in(idx.action_starts, c_lo, c.start)
                          if idx.actions[k][1] <= c.start]
        if clause_actions:
            a_s, a_e, verb = clause_actions[-1]
            gap = text[a_e:c.start]
            if len(gap) <= 25 and not _BAD_GAP.search(_ATTRIBUTIVE.sub("", gap)) and not gap.startswith("了"):
                action = clause_actions[-1]  # (a perfective "部署了…12项" reports what was done)

        # --- sentence context
        frame_before = None
        g_lo = idx.group_start(c.start)
        fr = idx._in(idx.frame_starts, min(s_lo, g_lo), c.start)
        if len(fr):
            frame_before = idx.frames[fr[-1]]
        frame_any = frame_before
        if frame_any is None:
            fr2 = idx._in(idx.frame_starts, c.end, s_hi)
            if len(fr2):
                frame_any = idx.frames[fr2[0]]
        frame_pos = frame_before[0] if frame_before else -1
        st = idx._in(idx.stat, s_lo, c.start)
        stat_blocked = (bool(len(st)) and idx.stat[st[-1]] > frame_pos) or bool(
            len(idx._in(idx.attrib, s_lo, c.start)))
        if not stat_blocked:
            p_lo = c_lo
            if text.startswith("其中", c_lo) and c_lo > s_lo:
                p_lo = idx.clause_bounds(c_lo - 1, c_lo)[0]
            stat_blocked = bool(len(idx._in(idx.possess, p_lo, c.start)))
        # (a statistic marker anywhere in the sentence makes 全年 the year reported on: "全年…，同比增长10%")
        # an item of a list of goals ("主要预期目标是：…；区级一般公共预算收入增长3%；…") is a goal
        year_span = not len(idx._in(idx.stat, s_lo, s_hi)) and (
            bool(len(idx._in(idx.year_spans, s_lo, c.start + 1)))
            or _GOAL_LIST.search(text, g_lo, c.start) is not None)
        forecast = bool(len(idx._in(idx.forecast, s_lo, c.start))) or (
            will and cue is not None and frame_any is None)
        bare_ctx = False
        lead_bare: Optional[int] = None
        if True:
            for k in idx._in(idx.bare_starts, max(s_lo, frame_pos + 1), c.start):
                b_s, b_y, attributive = idx.bare[k]
                if not attributive or b_s >= c_lo:
                    bare_ctx = True
                    if lead_bare is None:
                        lead_bare = b_y

        # a quantity qualifying a noun that a later quantity of the clause counts is not a target:
        # "培育估值超10亿美元的独角兽企业5家", "营业收入超百亿元的企业10家"
        if text.startswith("的", last.end) and last_of[i] + 1 < len(cands) and cands[last_of[i] + 1].start < c_hi:
            continue
        # a threshold opening a noun phrase with no verb before it: "超过400万元的工程采购项目中…"
        if text.startswith("的", last.end) and cue in _THRESHOLD_CUES and not aim and not clause_actions:
            continue
        # a threshold in a condition is not a target: "对年度营业收入首次超过1亿元的平台企业，给予…"
        if text.startswith("的", last.end) and _CONDITION.match(text, c_lo) and not _GRANT.search(text, c_lo, c.start):
            continue  # (after 给予 the quantity is the support: "对…引进的人才给予最高50万元的安居补贴")
        # the basis of a per-unit amount: "按照每吸纳1人2000元的标准给予奖励" (1人 counts the basis)
        if i + 1 < len(cands) and not text[c.end:cands[i + 1].start].strip() and "每" in text[c_lo:c.start]:
            continue
        # a penalty is a sanction: "处1万元以上10万元以下罚款"
        if _PENALTY.match(text, last.end):
            continue
        # a legal obligation of a regulated party: "提供…服务的，应当…留存网络日志不少于6个月"
        lead_text = _clean_lead(text[s_lo:c.start], 0)[0]
        if _OBLIGATION.match(lead_text):
            continue
        # a support rate: "按照年度销售额的5%给予奖励"
        # (a list of rates "分别按照实际投入的30%、20%给予补贴" is paid as the noun after its last member)
        rate = _rate_after(text, last.end, c_lo, c.start) if c.unit in _RATE_UNITS else None
        # a support standard: "按照每人1500元的标准给予一次性扩岗补助" (a fixed amount, "=")
        standard = _STANDARD_AFTER.match(text, last.end) if rate is None and not c.plus else None

        # --- decide
        strong = aim or (cue in _LIMIT_CUES)
        if stat_blocked or idx.in_review(c.start):
            continue
        if c.unit in _CUE_ONLY_UNITS and (cue is None or cue in _WEAK_CUES):
            continue  # a span of time ("每6个月评估一次") unless a limit or goal verb states it
        if c.plus and not (action or cue or frame_any):
            continue
        accepted = False
        if strong or rate or standard or aim_clause:
            accepted = True
        elif forecast and not action:
            accepted = False
        elif bare_ctx:
            accepted = False
        elif action or inherited:
            accepted = True
        elif cue and cue not in _WEAK_CUES:
            accepted = True
        elif cue in _CHANGE_CUES and imm is not None and not imm.group("base") and c.comparator is not None \
                and c.unit in ("%", "‰", "个百分点"):
            # "能耗下降3%左右", "碳排放强度降低20%以上", "贷款余额增长15%—20%": a change rate
            # with a modifier or a range is a planned rate, not a statistic
            accepted = True
        elif cue or c.comparator:
            accepted = frame_any is not None or default_year is not None or year_span or (
                c.comparator == ">=" and _ANNUAL_CLAUSE.match(text, c_lo) is not None)
        else:
            # a bare count in a goals paragraph ("…，其中营业收入超百亿元的企业10家") or in a work
            # plan's year ("全年供应产业用地3000亩") is a goal
            accepted = frame_before is not None or default_year is not None or year_span
        if not accepted:
            continue

        # --- comparator
        comparator = c.comparator or (_CUE_WORDS.get(cue) if cue else None) or "="
        if c.comparator is None and aim and cue is None:
            comparator = ">="
        if comparator in (">=", ">") and not aim and (
                _CONDITION_CAPTION.match(text)
                or _APPLICANT.match(lead_text)):
            continue  # a condition of application (申报条件), not a commitment

        # --- metric
        after_s = last.end
        m_after = text[after_s:nxt]
        stop = _METRIC_STOP.search(m_after)
        if stop:
            m_after = m_after[:stop.start()]
        if re.match(r"(?:、|和|及|与|以及)", m_after):
            m_after = ""  # a list "设施200个、床位1万张": each count's metric comes before it
        if m_after.startswith("的"):
            m_after = m_after[1:]
            after_s += 1
        m_after = _TRAIL_CONJ.sub("", m_after).rstrip()
        stripped = _TRAIL_VERB.sub("", m_after)
        if stripped:
            m_after = stripped
        metric = ""
        metric_end = c.end
        metric_start = c.start
        if rate:
            metric = (rate.group("mod") or rate.group("mod2") or "") + rate.group("noun") + "比例"  # "给予不超过30%的补贴" -> 补贴比例
            metric_end = rate.end()
        elif standard:
            obj = _TRAIL_CONJ.sub("", standard.group("obj")).strip()
            metric, metric_end = obj, standard.end()
            bm = _STANDARD_BASIS.search(text, c_lo, c.start)
            if bm:
                head, per = bm.group("head").strip(), re.sub(r"\s+", "", bm.group("per"))
                if head and "的" not in head:
                    metric = head if head.endswith(obj) else head + obj
                if per:
                    metric += "（" + per + "）"
                metric_start = bm.start()
        elif m_after and not _FILLER_AFTER.match(m_after):
            metric = m_after.strip()
            metric_end = after_s + len(m_after)
            mp = _METRIC_PREFIX.search(text, max(seg_lo, c.start - 12), c.start)
            if mp:
                metric = re.sub(r"\s+", "", mp.group()) + metric
            tx = _TO_X_MAKE.search(text, max(seg_lo, c.start - 30), c.start)
            if tx and tx.group("x").strip() not in _PRONOUNS:
                metric = tx.group("x").strip()
        else:
            if c.plus:
                continue
            if cue and imm:
                subj_end = c.start if cue in _CHANGE_CUES and not imm.group("base") else cue_start
                if imm.group("aim") is None:
                    am = _AIM_ONLY.search(text, seg_lo, subj_end)
                    if am:
                        subj_end = am.start()
                seg, off = _clean_lead(text[seg_lo:subj_end], seg_lo)
            else:
                seg, off = _clean_lead(text[seg_lo:c.start], seg_lo)
                for a_s, a_e, verb in reversed(clause_actions if action else []):
                    if a_s < off:
                        break
                    cut = a_s if verb in _METRIC_VERBS else a_e
                    mp = _METRIC_PREFIX.search(text, max(off, a_s - 4), a_e)
                    if mp and verb in _METRIC_VERBS:
                        cut = mp.start()
                    if text[cut:c.start].strip():
                        seg, off = text[cut:c.start], cut
                        break
            metric = seg.strip().rstrip("的").strip()
            metric = re.sub(r"(?<=.)(?:可以|可)$", "", metric)  # "支持比例可提高至…": the modal is no part
            if cue in _LIMIT_CUES:  # "…给予补贴，最高分别不超过200万元": 最高分别 names nothing
                metric = metric[:_SUBJECT_FILLER.search(metric).start()].strip()
            freq = ""
            if _FREQ_ONLY.fullmatch(metric):
                freq, metric = metric, ""
            # "审批时限由6个月缩短至3个月": the starting value is not part of the metric
            metric = re.sub(r"(?<=.)(?:由|从)[^，。；由从]*\d[^，。；由从]*$", "", metric) if cue else metric
            metric_start = off
            if not metric and cue and cue not in _WEAK_CUES and cue not in _LIMIT_CUES and c_lo > s_lo:
                # "入境消费规模实现翻一番，达到1000亿元": the goal verb continues the previous
                # clause, whose subject (before its own verb) is the metric
                p_lo, p_hi = idx.clause_bounds(c_lo - 1, c_lo - 1)
                prev_clause = text[p_lo:p_hi]
                vm = _SUBJECT_END.search(prev_clause)
                if vm and vm.start() >= 2:
                    metric = _clean_lead(prev_clause[:vm.start()].strip(), 0)[0].strip()
                    metric_start = p_lo
            if not metric and strong and c_lo > s_lo:
                # "…给予奖励，最高不超过1000万元": the limit applies to the previous clause (a clause
                # naming only a period, "…给予落户奖励，连续三年，每年最高…", is skipped)
                p_lo, p_hi = idx.clause_bounds(c_lo - 1, c_lo - 1)
                while p_lo > s_lo and _PERIOD_CLAUSE.fullmatch(text, p_lo, p_hi):
                    p_lo, p_hi = idx.clause_bounds(p_lo - 1, p_lo - 1)
                prev_clause = text[p_lo:p_hi]
                pa = [a for a in idx.actions[bisect_left(idx.action_starts, p_lo):]
                      if a[1] <= p_hi]
                metric = prev_clause
                for a_s, a_e, _verb in reversed(pa):
                    if prev_clause[a_e - p_lo:].strip():
                        metric = prev_clause[a_e - p_lo:]
                        break
                metric = _clean_lead(metric.strip(), 0)[0].strip()
            if not metric:
                metric = freq
        if not metric:
            continue

        # --- year (a frame governs the clauses after it, not those before it)
        section_frame = None
        if frame_before is None and goal_section:
            # a goal section's 到YYYY年 dates its later sentences too (only their year: acceptance
            # still needs a cue of their own)
            sf = idx._in(idx.frame_starts, 0, c.start)
            if len(sf):
                section_frame = idx.frames[sf[-1]]
        if frame_before is not None:
            year: Optional[int] = frame_before[2]
        elif section_frame is not None and not bare_ctx:
            year = section_frame[2]
        elif lead_bare is not None and strong:
            year = lead_bare
        else:
            year = default_year

        # --- source phrase
        # the clause from its start; a long clause (run-on heading + body) from the verb/cue
        t_lo = min(_clean_lead(text[seg_lo:c.start], seg_lo)[1], metric_start, c.start)
        if c.start - t_lo > 40:
            anchors = [metric_start, c.start]
            if imm:
                anchors.append(cue_start)
            if action:
                anchors.append(action[0])
            t_lo = max(t_lo, min(anchors))
        t_hi = max(c.end, metric_end)
        phrase = text[t_lo:t_hi]
        lead = len(phrase) - len(phrase.lstrip())
        t_lo += lead
        phrase = text[t_lo:t_hi]
        out.append(TargetMatch(metric=metric, value=c.value, unit=c.unit, comparator=comparator,
                               year=year, start=t_lo, end=t_hi, text=phrase))
        last_accept = (c_lo, t_hi, "")
        if last_of[i] != i:
            listed[i] = (comparator, year, metric)
    return out


# --------------------------------------------------------------------------- indicator tables
#
# A plan's 主要指标 table flattened to text (cells separated by spaces, tabs or line breaks):
#
#   指标名称  2023年  2027年          序号 指标名称 单位 基期值 2025年 属性
#   机器人产业规模（亿元） 800 1500   1 智能工厂 家 100 ≥200 预期性
#
# Each row's value in the LATEST year column (or a 目标值/预期值 column) is a target of that year;
# earlier year columns (基期/现状) are past statistics.  "—" is an empty cell (no target when in the
# target column); a value in brackets "[14]" (注：[ ]内为五年累计数) is the cumulative value 14.  The unit comes from a 单位 column, the
# bracket after the indicator name (…（亿元）) or the value cell itself (80%).

_IND_HEADER = re.compile(r"^(?:主要)?指标(?:名称)?$")
_IND_YEAR_COL = re.compile(r"^(?:(?P<y>(?:19|20)\d{2})年?(?:底)?(?:目标值?|预期值?|预期目标|目标|基期值?|现状值?|实际值?|值)?|"
                           r"(?P<goal>目标值|预期值|预期目标|规划目标))$")
_IND_OTHER_COL = re.compile(r"^(?:序号|单位|计量单位|属性|指标属性|指标性质|类别|基期值|现状值|基准值|备注)$")
# (a cumulative value in brackets "[14]" (注：[ ]内为五年累计数) is the value; "—" is an empty cell)
_IND_VALUE = re.compile(rf"^(?P<cmp>[≥>≤<＞＜]|大于等于|不低于|不少于|超过|不高于|小于)?\s*[\[［〔【]?(?P<num>{_NUM})[\]］〕】]?\s*"
                        r"(?P<unit>%|‰|(?!以上|以下|左右)[^\d\s≥≤<>，。、；\[\]［］〔〕【】]{1,6}?)?\s*(?P<post>以上|以下|左右)?$")
_IND_EMPTY = re.compile(r"^(?:[—\-－–/／]+|无|/)$")
_IND_UNIT_IN_NAME = re.compile(r"[（(](?P<u>[^（）()]{1,8})[）)]$")
_IND_CMP = {"≥": ">=", "大于等于": ">=", "不低于": ">=", "不少于": ">=", ">": ">", "＞": ">", "超过": ">",
            "≤": "<=", "不高于": "<=", "<": "<", "＜": "<", "小于": "<"}
_IND_POST = {"以上": ">=", "以下": "<=", "左右": "~"}
_IND_TOKEN = re.compile(r"\S+")


def _ind_cell(tok: str) -> bool:
    return bool(_IND_VALUE.match(tok) or _IND_EMPTY.match(tok))


def extract_indicator_tables(text: str, *, default_year: int | None = None) -> list[TargetMatch]:
    """Targets of flattened 主要指标 tables in ``text`` (offsets into ``text``)."""
    out: list[TargetMatch] = []
    tokens = [(m.group(), m.start(), m.end()) for m in _IND_TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        if not _IND_HEADER.match(tokens[i][0]):
            i += 1
            continue
        # header: optional 序号 before, then column names
        cols: list[str] = ["name"]
        has_number = i > 0 and tokens[i - 1][0] == "序号"
        j = i + 1
        years: list[tuple[int, Optional[int]]] = []  # (column index, year)
        while j < len(tokens):
            tok = tokens[j][0]
            ym = _IND_YEAR_COL.match(tok)
            if ym:
                years.append((len(cols), int(ym.group("y")) if ym.group("y") else None))
                cols.append("year")
            elif _IND_OTHER_COL.match(tok):
                cols.append("base" if tok in ("基期值", "现状值", "基准值") else
                            "unit" if "单位" in tok else "text")
            else:
                break
            j += 1
        if not years:
            i = j
            continue
        dated = [(c, y) for c, y in years if y is not None]
        goal_cols = [(c, y) for c, y in years if y is None]
        if goal_cols:
            target_col, year = goal_cols[-1][0], (max(y for _, y in dated) if dated else default_year)
        else:
            target_col, year = max(dated, key=lambda cy: cy[1])
        n_after = len(cols) - 1
        lead_text_cols = next((n for n, c in enumerate(cols[1:]) if c in ("year", "base")), 0)
        expected = 1
        while j < len(tokens):
            k = j
            if has_number:
                if not (tokens[k][0].isdigit() and int(tokens[k][0]) == expected):
                    break
                k += 1
            # the name: text tokens (a wrapped name spans several) up to the text cells (单位) that
            # precede the first value-like cell
            v = k
            while v < len(tokens) and not _ind_cell(tokens[v][0]) and v - k < 6:
                v += 1
            k_end = v - lead_text_cols
            if v >= len(tokens) or k_end <= k or k_end + n_after > len(tokens):
                break
            name_start, k = k, k_end
            cells = tokens[k:k + n_after]
            name_tokens = tokens[name_start:k]
            name = "".join(t for t, _, _ in name_tokens)
            if "。" in name or len(name) > 40:
                break
            values = [cells[c - 1] for c in range(1, len(cols)) if cols[c] == "year"]
            if not all(_ind_cell(v[0]) for v in values):
                break
            unit = ""
            if "unit" in cols:
                unit = cells[cols.index("unit") - 1][0]
            um = _IND_UNIT_IN_NAME.search(name)
            if um:
                name = name[:um.start()]
                unit = unit or um.group("u")
            cell = cells[target_col - 1]
            vm = _IND_VALUE.match(cell[0])
            if vm is None:  # no value in the target year ("—"): no target, the table goes on
                expected += 1
                j = k + n_after
                continue
            unit = vm.group("unit") or unit
            comparator = _IND_CMP.get(vm.group("cmp") or "", None) or _IND_POST.get(vm.group("post") or "", "=")
            out.append(TargetMatch(metric=name, value=_num(vm.group("num")), unit=unit, comparator=comparator,
                                   year=year, start=name_tokens[0][1], end=cells[-1][2],
                                   text=text[name_tokens[0][1]:cells[-1][2]]))  # the row
            expected += 1
            j = k + n_after
        i = j
    return out


