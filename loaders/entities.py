"""The entity layer: sectors, places and agencies named in normalized text.

Takes: a ``Gazetteer`` (loaders.gazetteer) once, then any number of normalized texts (a whole
document or, cheaper, one measure at a time).
Gives: ``EntityMatcher(gazetteer)`` with

    find_sectors(text)  -> list[EntityMatch]   kind "sector", longest match wins, no overlaps
    find_places(text)   -> list[PlaceMatch]    catalogued places and group names (五个新城, with
                                               members), uncatalogued places found by naming
                                               convention (catalogued=False, id "place:<name>"),
                                               and the sectors each mention is tied to in the text
    find_agencies(text) -> list[EntityMatch]   agency names in running text

Offsets are into the text given (the caller maps them to source spans).

Place conventions: a place name that begins a unit's name is not a place (浦东新区科经委,
莘庄工业区管委会, 上海市闵行区人民政府办公室), nor one that begins an institution's or company's name
(临港集团, 张江实验室, 临港经济发展集团有限公司) or opens a postal address (浦东新区世博村路300号); a group
followed by its members in brackets names the members (五个新城（嘉定、青浦、松江、奉贤、南汇） -> the five
new towns, not the districts); a district, or an area written by its bare short name, right before
another place only locates it (奉贤东方美谷, 临港东方芯港), while a named area before a place is a
place too (徐汇滨江模速空间); a district after a place naming its part is not a mention
(虹桥国际中央商务区闵行片区).
Uncatalogued places: a known district/area or a quoted name + a short name + a park/zone suffix
(金山工业区, “北上海”生物医药产业园), or, without a known place, a name that starts at a word
boundary (punctuation, 在/推动/支持/建设 …) and is not descriptive (does not start with a sector
or a generic word such as 特色/低空/研发/数字, contains no grading adjective such as 关键/核心, and
does not end before 基地/园区 in what is made or done there, e.g. 电池关键材料基地, …生产基地) before a
park/zone suffix (莘庄工业区, 吴泾智能制造产业园, 马桥人工智能创新试验区, 华东无人机基地, 北外滩功能区, or a named
valley …生态谷/…科创谷/…绿谷/…药谷; a bare 谷 or 港 is no suffix). A name never starts inside a verb
(建立/设立/共建/统筹/协调/解决/发挥/深化 end the text before it: 建立生物医药产业园区… is no name), with a
modal word (…管委会要…功能区) or with a date (2025年上海市…); a 基地/产业基地 named by its product or stage
(复合材料产业基地, 新材料中试基地) and a 特殊… designation (特殊经济功能区) are descriptive; 上海市/本市/全市 + a sector or generic word + 产业园区/园区/基地 names the city's parks of a
sector (上海市生物医药产业园区), a name starting with 跨 (跨省域产业协作园区) or ending in …协作园区 is descriptive,
and a quoted anchor must be a word (“北上海”), not a numbered scheme (“5+X”). …度假区 and …大学城 are suffixes
(金山滨海国际文化旅游度假区, 松江大学城: the district opening the name locates nothing separately), and so is
商圈 after a proper name of at most four characters (中山公园商圈; not 数字商圈/示范商圈, and 徐家汇商圈 is the
catalogued 徐家汇); a name never contains a unit (管委会每年安排商务区: the sentence's subject) nor starts
before 安排/每年; 上海/本市 + …改革/试点 + 试验区/示范区 is a city-wide pilot designation (上海科创金融改革试验区),
and 大学生/青年/高校 … 创业园区 is descriptive. A place opening a rail line's or road's name (金山铁路, 临港大道)
is not a place, nor a catalogued street followed by its house number (愚园路1018号).
A place opening a fund's, programme's or event's name (X天使投资引导基金, X人才集聚计划, …工程/…行动/…大赛/
…论坛; a document title's …行动方案/…行动计划 still names it) is not a mention, nor one opening a unit's name
right before 牵头/负责/会同/配合/参与 (X管理局牵头). 世界一流/国际一流/全球 + a generic noun (世界一流科学城) and a
name graded by 级 (千亿级产业基地) are descriptive; …示范园 is a suffix, and a code name's digits (G60智能制造示范园)
belong to the name.

How: every phrase of the three vocabularies, compiled once into one matcher -- by default a
regular-expression trie (``engine="trie"``); with ``engine="spacy"`` a blank Chinese spaCy
pipeline with per-character segmentation and one ``PhraseMatcher`` (same results, tested equal;
~10x slower on long texts, and importing spaCy alone costs ~1.2 s per process, so it is imported
only for that engine). A text is matched once (the result is
cached for the three ``find_*`` calls on the same text); overlaps are resolved across kinds,
longest first, so 浦东新区政府 is an agency and not the place 浦东新区, and 人工智能岛 is a place and
not the sector 人工智能. Whitespace is skipped (as the spaCy character segmenter does), so a phrase
also matches across a stray space (金桥5G 生态园).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple, Optional

from loaders.gazetteer import PLACE_ID_PREFIX, Gazetteer, PlaceEntry

SECTOR, PLACE, AGENCY = "sector", "place", "agency"
# "trie": one compiled regular expression over all phrases (fast; finds the longest phrase at
# each position). "spacy": the PhraseMatcher on a per-character Doc (every phrase at every
# position; ~10x slower on long texts). Both feed the same longest-first overlap resolution.
ENGINES = ("trie", "spacy")
_KIND_PRIORITY = {PLACE: 0, AGENCY: 1, SECTOR: 2}  # on an exact tie of span

# Generic conventions (not knowledge about particular entities):
# a running-text agency mention needs at least this many characters (市委 inside 全市委托 ...).
MIN_AGENCY_MENTION_CHARS = 3
# Characters that end the stretch of text in which a place mention collects sectors.
CLAUSE_END = "，,。；;！!？?：:\n\r"
_CLAUSE_END_RE = re.compile("[" + re.escape(CLAUSE_END) + "]")
# Suffixes of place names, for places the gazetteer does not know (longest first).
PLACE_SUFFIXES = (
    "综合保税区", "产业基地", "生态园", "科学城", "科技城", "新片区", "示范区", "试验区", "保税区", "商务区",
    "功能区", "产业园", "科技园", "软件园", "创新园", "智造园", "双创园", "工业区", "开发区", "高新区", "园区",
    "生态谷", "科创谷", "创新谷", "绿谷", "智谷", "药谷",
    "度假区", "大学城", "商圈",
)
# the kind of an uncatalogued place by its suffix (default: park for …园/…谷/产业基地, else zone)
_AREA_SUFFIXES = ("大学城", "商圈")
_MAX_NAME_MIDDLE = 8  # characters between the known prefix and the suffix
_SCAN = _MAX_NAME_MIDDLE + max(len(s) for s in PLACE_SUFFIXES)
# Characters that never occur inside the middle of such a name: function words and verbs that
# show the text is a phrase about a place, not a name (在临港新片区建设数字孪生城市先行示范区).
_NOT_IN_NAME = set("的和与及等在为对将把向从以于并或是建推打培支鼓加重批各个由到着了其该")
# Suffixes that end the proper name of a park or zone even when no known place precedes it
# (longest first); the name before them must start at a word boundary and look like a name.
_NAME_SUFFIX = re.compile(
    "产业园区|工业园区|产业基地|工业区|开发区|高新区|功能区|产业园|科技园|软件园|创新园|智造园|科技城|科学城"
    "|试验区|保税区|商务区|度假区|示范园|园区|基地|新区|商圈"
    "|生态谷|科创谷|创新谷|绿谷|智谷|药谷"  # named valleys (…生态谷, …科创绿谷); a bare 谷 is too risky
)
# Words a name cannot contain the start of: the text before them is a phrase, not a name.
_NAME_BOUNDARY_WORDS = (
    "推动", "推进", "支持", "依托", "建设", "打造", "围绕", "聚焦", "加快", "鼓励", "引导", "布局", "提升",
    "发展", "培育", "引进", "落户", "入驻", "落地", "集聚", "聚集", "形成", "创建", "推广", "开展", "实施",
    "优化", "完善", "拓展", "包括", "位于", "以上", "以下", "一批", "一些", "若干", "多个", "一个", "升级",
    "建立", "设立", "成立", "组建", "共建", "统筹", "协调", "解决",
    # verbs of a task sentence (…要发挥功能区政策优势, 深化特殊综合保税区制度创新)
    "发挥", "深化", "加强", "强化", "做强", "做大", "做优", "壮大", "用好", "利用", "扩大", "提高", "探索",
    "谋划", "深入", "持续", "全面", "大力", "着力", "积极",
    # a subject's frequency and verb (管委会每年安排商务区…): the name starts after them
    "安排", "每年", "每季度", "每月",
)
# A unit's name inside the stretch before a suffix is the sentence's subject (管委会每年安排商务区…),
# never part of a park's name.
_UNIT_IN_NAME = re.compile("管委会|管理委员会|人民政府|政府")
# 商圈 (a commercial district) is named by a short proper name (中山公园商圈, 天山商圈); a longer or
# graded one is a description (数字商圈, 示范商圈, 地标商圈).
_MAX_SHANGQUAN_NAME = 4
_GENERIC_SHANGQUAN_END = ("数字", "智慧", "示范", "特色", "地标", "标杆", "核心", "重点", "城市", "社区", "夜间",
                          "消费", "品质", "商业", "知名", "类型")
# 上海/本市 + … + 改革试验区 / 改革示范区 / 试点区: a city-wide pilot designation, not an area
# (上海科创金融改革试验区).
_CITY_DESIGNATION = re.compile("(?:上海|本市|全市).*(?:改革|试点)$")
# A line of transport named after a place (金山铁路, 临港大道): the place opens the line's name.
_LINE_AFTER_PLACE = re.compile(r"铁路|公路|高速|大道|快线|支线|城际|有轨电车")
# A name never starts with a modal word: the text is a sentence (…管委会要…功能区), not a name.
_MODAL_START = ("要", "将", "应当", "应", "须", "需", "拟", "可")
_NOT_MODAL_START = ("要素", "应用", "应急", "需求", "可持续")
_NAME_BOUNDARY_END = re.compile("(?:" + "|".join(_NAME_BOUNDARY_WORDS) + ")$")
_COUNTERS = set("个家批座处类项所")
_WEAK_SUFFIXES = ("园区", "基地")
# suffixes after which a name ending in what is made or done there is a description
# (电池关键材料基地, 复合材料产业基地, 新材料中试基地)
_NAMED_FOR_PRODUCT_SUFFIXES = ("园区", "基地", "产业基地")
_CN_NUMERALS = set("一二三四五六七八九十百千两")
# Descriptive words: a "name" containing or starting with one is a description (特色产业园区,
# 低空经济产业园, 研发基地), not the proper name of one park.
# (a grading adjective -- 关键/核心/骨干 -- never occurs in a proper name: 电池关键材料基地)
_GENERIC_NAME = re.compile(r"特色|重点|专业|主题|示范|特定|配套|若干|一批|相关|有关|各类|市级|区级|国家级|省级|现有|存量"
                           r"|关键|核心|骨干|[十百千万亿]级")
# A 基地/园区 named by what is made or done there is described, not named: …材料基地, …生产基地,
# …研发基地, …转化基地 (a name ends in a place or brand word: 华东无人机基地).
_GENERIC_NAME_END = (
    "材料", "产业", "生产", "制造", "研发", "应用", "示范", "转化", "孵化", "培训", "实训", "试验", "测试",
    "装备", "配套", "服务", "创新", "储备", "教育", "实践", "加工", "物流", "仓储", "协作", "中试", "验证",
    "创业",
)
_GENERIC_NAME_START = (
    "产业", "工业", "化工", "创新", "科技", "生产", "研发", "培训", "实训", "实践", "教育", "人才", "制造",
    "服务", "应用", "测试", "试验", "数据", "算力", "数字", "智能", "智慧", "高新", "高端", "先进", "绿色",
    "低碳", "综合", "全市", "全区", "本市", "本区", "大型", "中小", "新型", "新兴", "未来", "前沿", "战略",
    "低空", "商业", "航天", "航空", "机器人", "新能源", "汽车", "集成", "生物", "医药", "人工", "软件", "信息",
    "网络", "电子", "材料", "装备", "节能", "环保", "时尚", "消费", "文化", "创意", "旅游", "体育", "健康",
    "医疗", "养老", "创业", "双创", "孵化", "总部", "金融", "物流", "贸易", "电商", "跨境", "现代", "城市",
    "社区", "楼宇", "农业", "都市", "海洋", "氢能", "储能", "光伏", "量子", "元宇宙", "国际", "国内", "海外",
    "境外", "周边", "周围", "其他", "其余", "该", "这", "此", "所在", "各", "全国", "跨区", "产城", "经济",
    "地下", "地上", "合作", "内地", "外地", "异地", "长三角", "上下游", "重大", "一流", "世界级", "国家",
    "新经济", "新业态", "新一代", "跨", "特殊", "大学生", "青年", "高校", "留学",
    "世界一流", "国际一流", "国内一流", "全球",
)
# A name written with the city's full name first (上海市…) whose rest starts with a sector names the
# city's parks of that sector (上海市生物医药产业园区), not one park (a park's own name is written
# 上海智能传感器产业园, or 上海市工业综合开发区 with no sector after 上海市).
_CITY_PREFIX = re.compile("上海市|本市|全市")
_PARK_WORDS = ("产业园区", "工业园区", "产业基地", "产业园", "园区", "基地")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
# a code name opening a park's name: a Latin letter then digits (G60, S3)
_LETTER_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]\d*$")
_WS = re.compile(r"\s")
_WS_RUN = re.compile(r"\s+")
_QUOTED_NAME = re.compile(r"“([^“”，。、；：\s]{2,8})”")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_QUOTED_IS_NAME = re.compile(r"(?!\d)(?=.*[\u4e00-\u9fff])")  # “北上海”, “两山”; not “5+X”


@dataclass(frozen=True)
class EntityMatch:
    """A sector or agency named in a text; offsets into that text."""

    kind: str  # "sector" | "agency"
    entry_id: str  # sector id, or agency id ("agency:<name>")
    name: str  # canonical name
    start: int
    end: int
    text: str  # the text as written (between start and end)
    catalogued: bool = True


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a text; offsets into that text."""

    place_id: str
    name: str
    kind: str
    district: Optional[str]
    start: int
    end: int
    text: str
    sectors: tuple[str, ...] = ()  # sector ids tied to this mention in the text
    members: tuple[str, ...] = ()  # member place ids when the name is a group (五个新城)
    catalogued: bool = True


class _Hit(NamedTuple):
    kind: str
    entry_id: str
    start: int
    end: int


class EntityMatcher:
    """Finds sectors, places and agencies in normalized text. Build once, reuse for every text."""

    def __init__(self, gazetteer: Gazetteer, engine: str = "trie", cache_size: int = 8):
        if engine not in ENGINES:
            raise ValueError(f"Unknown matching engine {engine!r}. Available engines: {', '.join(ENGINES)}")
        self.gazetteer = gazetteer
        self._agencies_by_id = {a.id: a for a in gazetteer.agencies}
        self.engine = engine
        self.nlp = self.matcher = None
        if engine == "spacy":  # imported only here: importing spaCy costs ~1.2 s per process
            import spacy
            from spacy.matcher import PhraseMatcher

            self.nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
            self.matcher = PhraseMatcher(self.nlp.vocab)
        self._keys: dict[int, tuple[str, str]] = {}
        self._phrase_keys: dict[str, int] = {}  # whitespace-free phrase -> match key
        self._cache: OrderedDict[str, list[_Hit]] = OrderedDict()
        self._cache_size = cache_size
        self._ascii_edges: set[int] = set()  # match keys of phrases that begin/end in ASCII
        self._place_ids = {p.id for p in gazetteer.places}
        sector_phrases = sorted({_WS.sub("", p) for sec in gazetteer.sectors for p in sec.phrases} - {""}, key=len, reverse=True)
        self._sector_start = re.compile("|".join(re.escape(p) for p in sector_phrases) or "(?!)")
        place_forms = gazetteer.place_forms()

        phrases: dict[tuple[str, str], set[str]] = {}
        for sector in gazetteer.sectors:
            phrases.setdefault((SECTOR, sector.id), set()).update(sector.phrases)
        for place in gazetteer.places:
            phrases.setdefault((PLACE, place.id), set()).update(place.written_forms)
        for form, agency in gazetteer.agency_forms().items():
            if (
                len(form) < MIN_AGENCY_MENTION_CHARS
                or form in agency.clause_only_aliases
                or form in place_forms  # 浦东新区 is a place in running text
            ):
                continue
            phrases.setdefault((AGENCY, agency.id), set()).add(form)

        for (kind, entry_id), forms in phrases.items():
            key = f"{kind}|{entry_id}"
            key_hash = self.nlp.vocab.strings.add(key) if self.nlp is not None else len(self._keys) + 1
            self._keys[key_hash] = (kind, entry_id)
            compact = sorted({_WS.sub("", f) for f in forms} - {""})
            if self.matcher is not None:
                self.matcher.add(key, [self.nlp.make_doc(f) for f in compact])
            for phrase in compact:
                self._phrase_keys.setdefault(phrase, key_hash)
            for form in forms:
                if _ASCII_ALNUM.match(form[0]) or _ASCII_ALNUM.match(form[-1]):
                    self._ascii_edges.add(key_hash)
        initials = "".join(sorted({phrase[0] for phrase in self._phrase_keys}))
        # a cheap check of the first character before trying the whole trie at a position
        self._trie = re.compile("(?=[" + re.escape(initials) + "])(?=(" + _trie_pattern(self._phrase_keys) + "))")

    # -------------------------------------------------------------- public API
    def find_sectors(self, text: str) -> list[EntityMatch]:
        sectors = self.gazetteer
        out = []
        for hit in self._hits(text):
            if hit.kind == SECTOR:
                entry = sectors.sector(hit.entry_id)
                out.append(EntityMatch(SECTOR, entry.id, entry.name, hit.start, hit.end, text[hit.start:hit.end]))
        return out

    def find_agencies(self, text: str) -> list[EntityMatch]:
        by_id = self._agencies_by_id
        out = []
        for hit in self._hits(text):
            if hit.kind == AGENCY:
                entry = by_id[hit.entry_id]
                out.append(EntityMatch(AGENCY, entry.id, entry.name, hit.start, hit.end, text[hit.start:hit.end]))
        return out

    def find_places(self, text: str) -> list[PlaceMatch]:
        hits = self._hits(text)
        # a place name that begins a unit's name is not a place mention: 浦东新区科经委,
        # 上海市闵行区人民政府办公室 (catalogued units such as 浦东新区政府 never reach here)
        hits = [h for h in hits if not (h.kind == PLACE and _begins_unit_name(text, h.end))]
        place_hits = [h for h in hits if h.kind == PLACE]
        sector_hits = [h for h in hits if h.kind == SECTOR]
        members, hidden = self._group_members(text, place_hits)
        place_hits = [
            h for h, prev, nxt in zip(place_hits, [None, *place_hits[:-1]], [*place_hits[1:], None])
            if not any(a <= h.start < b for a, b in hidden)
            # "虹桥国际中央商务区闵行片区": a district naming a part of the place before it
            and not (prev is not None and prev.end == h.start and _PART_OF.match(text, h.end))
            # "奉贤东方美谷", "闵行大零号湾", "临港东方芯港": a district, or an area written by its bare
            # short name, right before a place only locates that place ("徐汇滨江模速空间" names both:
            # a named area of four or more characters is itself one of the places)
            and not (nxt is not None and nxt.start == h.end and _locates(self.gazetteer.place(h.entry_id), h))
            # "浦东新区世博村路300号": a place opening a postal address is not a mention, nor a
            # street followed by its house number (愚园路1018号)
            and not _ADDRESS_AFTER.match(text, h.end)
            and not (self.gazetteer.place(h.entry_id).kind == "street" and _HOUSE_NUMBER.match(text, h.end))
            # "金山铁路", "临港大道": a place opening the name of a rail line or road is not a mention
            and not _LINE_AFTER_PLACE.match(text, h.end)
        ]
        new = self._uncatalogued(text, hits)
        found: list[tuple[int, int, PlaceEntry, bool]] = [
            (h.start, h.end, self.gazetteer.place(h.entry_id), True)
            for h in place_hits
            if not any(s <= h.start and h.end <= e for s, e, _entry in new)  # the anchor of a new name
        ]
        found.extend((s, e, entry, False) for s, e, entry in new)
        found.extend((s, e, entry, True) for s, e, entry in members)
        found.sort(key=lambda item: item[0])
        sector_starts = [h.start for h in sector_hits]
        out = []
        for i, (start, end, entry, catalogued) in enumerate(found):
            stop = _clause_end(text, end)
            if i + 1 < len(found):
                stop = min(stop, found[i + 1][0])
            tied_ids = []
            for k in range(bisect_left(sector_starts, end), len(sector_hits)):
                if sector_hits[k].end > stop:
                    break
                tied_ids.append(sector_hits[k].entry_id)
            tied = tuple(dict.fromkeys(tied_ids))
            out.append(
                PlaceMatch(
                    place_id=entry.id,
                    name=entry.name,
                    kind=entry.kind,
                    district=entry.district,
                    start=start,
                    end=end,
                    text=text[start:end],
                    sectors=tied,
                    members=entry.members,
                    catalogued=catalogued,
                )
            )
        return out

    # -------------------------------------------------------------- matching
    def _hits(self, text: str) -> list[_Hit]:
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        hits = self._match(text)
        self._cache[text] = hits
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return hits

    def _raw_matches(self, text: str) -> list[tuple[int, int, int]]:
        """(match key, start, end) of every phrase found in the whitespace-free text."""
        compact = _WS_RUN.sub("", text)
        if self.engine == "spacy":
            from spacy.tokens import Doc

            doc = Doc(self.nlp.vocab, words=list(compact), spaces=[False] * len(compact))
            return self.matcher(doc)
        keys = self._phrase_keys
        return [(keys[m.group(1)], m.start(), m.start() + len(m.group(1))) for m in self._trie.finditer(compact)]

    def _match(self, text: str) -> list[_Hit]:
        if not text:
            return []
        raw = self._raw_matches(text)
        if not raw:
            return []
        to_text = _OffsetMap(text)
        keys, ascii_edges = self._keys, self._ascii_edges
        # (-length, start, kind priority, position found): longest first, then earliest, then
        # place > agency > sector, then as found -- plain tuples sort fastest
        candidates = []
        for i, (key_hash, start, end) in enumerate(raw):
            if to_text.gaps:
                start, end = to_text(start), to_text(end - 1) + 1
            if key_hash in ascii_edges and not _ascii_bounded(text, start, end):
                continue
            candidates.append((start - end, start, _KIND_PRIORITY[keys[key_hash][0]], i, end, key_hash))
        candidates.sort()
        taken = bytearray(len(text) + 1)
        chosen = []
        for _neg_len, start, _prio, _i, end, key_hash in candidates:
            if taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            kind, entry_id = keys[key_hash]
            chosen.append(_Hit(kind, entry_id, start, end))
        chosen.sort(key=lambda h: h.start)
        return chosen

    # -------------------------------------------------------------- uncatalogued places
    def _uncatalogued(self, text: str, hits: list[_Hit]) -> list[tuple[int, int, PlaceEntry]]:
        """Places the gazetteer does not know, by naming convention, kept to precise cases:
        a known geographic name (district, area, new town) or a quoted name, then a short
        name-like middle, then a place-name suffix: 嘉定工业区, 浦东软件园, “两山”双创园."""
        taken = bytearray(len(text) + 1)
        for h in hits:
            if h.kind in (PLACE, AGENCY):
                taken[h.start:h.end] = b"\x01" * (h.end - h.start)
        anchors: list[tuple[int, int, str]] = []  # (start of name, end of anchor, prefix as named)
        for h in hits:
            if h.kind != PLACE:
                continue
            entry = self.gazetteer.place(h.entry_id)
            if entry.kind in ("district", "area", "new_town") and not entry.is_group:
                anchors.append((h.start, h.end, text[h.start:h.end]))
        for m in _QUOTED_NAME.finditer(text):
            # a quoted scheme such as “5+X” (numbered groups of parks) is not a name
            if not any(taken[m.start():m.end()]) and _QUOTED_IS_NAME.match(m.group(1)):
                anchors.append((m.start(), m.end(), m.group(1)))
        out = []
        for start, anchor_end, prefix in anchors:
            j = anchor_end
            limit = min(len(text), anchor_end + _SCAN)
            while j < limit and _NAME_CHAR.match(text[j]) and not taken[j]:
                j += 1
            stretch = text[anchor_end:j]
            best = None
            for suffix in PLACE_SUFFIXES:  # the shortest name that ends in a suffix
                k = stretch.find(suffix)
                if k != -1 and k <= _MAX_NAME_MIDDLE and (best is None or k + len(suffix) < best[0] + len(best[1])):
                    best = (k, suffix)
            if best is None:
                continue
            middle = stretch[: best[0]]
            if any(ch in _NOT_IN_NAME for ch in middle):
                continue
            if best[1] == "商圈" and not middle:
                continue  # 徐家汇商圈: the known area itself
            end = anchor_end + best[0] + len(best[1])
            name = prefix + stretch[: best[0] + len(best[1])]
            if self.gazetteer.resolve_place(name) is not None or _begins_unit_name(text, end):
                continue
            entry = PlaceEntry(
                id=PLACE_ID_PREFIX + name,
                name=name,
                kind=_suffix_kind(best[1]),
                district=self._district_of(prefix),
                aliases=(),
                within=None,
            )
            out.append((start, end, entry))
        for s0, e0, _entry in out:
            taken[s0:e0] = b"\x01" * (e0 - s0)
        out.extend(self._named_by_suffix(text, taken))
        return out

    def _named_by_suffix(self, text: str, taken: bytearray) -> list[tuple[int, int, PlaceEntry]]:
        """Parks and zones named without a known place before them: a proper name right after a
        word boundary (punctuation, 在/推动/支持/建设 …), then a park or zone suffix:
        莘庄工业区, 吴泾智能制造产业园, 马桥人工智能创新试验区, 华东无人机基地. Descriptive phrases
        are not names: one that starts with a sector (人工智能产业园) or a generic word (特色产业园区,
        低空经济产业园, 研发基地) is left out."""
        out = []
        for m in _NAME_SUFFIX.finditer(text):
            k, end = m.start(), m.end()
            if taken[k] or taken[end - 1] or _begins_unit_name(text, end):
                continue
            start = k
            lower = max(0, k - _MAX_NAME_MIDDLE)
            bounded = False
            while start >= lower:
                if start == 0 or _NAME_BOUNDARY_END.search(text, max(0, start - 2), start):
                    bounded = True
                    break
                ch = text[start - 1]
                if ch.isdigit() and _LETTER_CODE.search(text, max(0, start - 6), start):
                    start -= 1  # a code name's digits (G60智能制造示范园) are part of the name
                    continue
                if not _NAME_CHAR.match(ch) or ch in _NOT_IN_NAME or taken[start - 1] or ch.isdigit():
                    bounded = True
                    break
                if ch in _COUNTERS and start >= 2 and (text[start - 2].isdigit() or text[start - 2] in _CN_NUMERALS):
                    bounded = True
                    break
                if ch == "年" and start >= 2 and (text[start - 2].isdigit() or text[start - 2] in "〇零"):
                    bounded = True  # a date is not part of a name: 2025年上海市…
                    break
                start -= 1
            prefix = text[start:k]
            if not bounded or len(prefix) < (4 if m.group() in _WEAK_SUFFIXES else 2):
                continue  # a name starts at a word boundary; 园区/基地 need a longer name
            if _GENERIC_NAME.search(prefix) or prefix.startswith(_GENERIC_NAME_START):
                continue
            if prefix.startswith(_MODAL_START) and not prefix.startswith(_NOT_MODAL_START):
                continue
            if _UNIT_IN_NAME.search(prefix):
                continue  # 管委会每年安排商务区: the sentence's subject, not a name
            if m.group() == "商圈" and (len(prefix) > _MAX_SHANGQUAN_NAME or prefix.endswith(_GENERIC_SHANGQUAN_END)):
                continue  # 不同类型数字商圈, 示范商圈: described, not named
            if m.group() in ("试验区", "示范区") and _CITY_DESIGNATION.match(prefix):
                continue  # 上海科创金融改革试验区: a city-wide pilot designation
            if m.group() in _NAMED_FOR_PRODUCT_SUFFIXES and prefix.endswith(_GENERIC_NAME_END):
                continue
            if self._sector_start.match(prefix):
                continue
            city = _CITY_PREFIX.match(prefix)
            if city and m.group() in _PARK_WORDS and (
                    self._sector_start.match(prefix, city.end()) or prefix[city.end():].startswith(_GENERIC_NAME_START)):
                continue  # 上海市生物医药产业园区: the city's parks of a sector
            name = prefix + m.group()
            if self.gazetteer.resolve_place(name) is not None:
                continue
            suffix = m.group()
            entry = PlaceEntry(
                id=PLACE_ID_PREFIX + name,
                name=name,
                kind="area" if suffix in _AREA_SUFFIXES else "park" if suffix.endswith(("园", "基地", "谷")) else "zone",
                district=None,
                aliases=(),
                within=None,
            )
            out.append((start, end, entry))
        return out

    def _group_members(self, text: str, place_hits: list[_Hit]) -> tuple[list[tuple[int, int, PlaceEntry]], list[tuple[int, int]]]:
        """Members of a group named with its list: 五个新城（嘉定、青浦、松江、奉贤、南汇） names the
        five new towns, not the districts 嘉定区, 青浦区 …. Returns the members (with the span of
        their short name) and the bracketed spans whose own matches are to be dropped."""
        members: list[tuple[int, int, PlaceEntry]] = []
        hidden: list[tuple[int, int]] = []
        for h in place_hits:
            entry = self.gazetteer.place(h.entry_id)
            if not entry.is_group or text[h.end:h.end + 1] not in ("（", "("):
                continue
            close = _BRACKET_CLOSE.search(text, h.end + 1, min(len(text), h.end + 80))
            if close is None:
                continue
            group = [self.gazetteer.place(mid) for mid in entry.members if mid in self._place_ids]
            found = []
            pos = h.end + 1
            for item in _LIST_SPLIT.split(text[h.end + 1:close.start()]):
                start = text.find(item, pos, close.start())
                pos = start + len(item)
                short = _WS_RUN.sub("", item)
                member = next((m for m in group if len(short) >= 2 and (m.name.startswith(short) or short in m.aliases
                                                                          or m.name == short)), None)
                if member is None:
                    break
                found.append((start, start + len(item), member))
            else:
                if found:
                    members.extend(found)
                    hidden.append((h.end, close.end()))
        return members, hidden

    def _district_of(self, prefix: str) -> Optional[str]:
        place = self.gazetteer.resolve_place(prefix)
        return place.district if place is not None else None


class _OffsetMap:
    """Maps an index in the whitespace-free text back to the index in the original text."""

    def __init__(self, text: str):
        self.gaps: list[int] = []  # compact index at which removed whitespace preceded
        self.shift: list[int] = []  # characters removed up to there
        removed = 0
        for m in _WS_RUN.finditer(text):
            removed += m.end() - m.start()
            self.gaps.append(m.end() - removed)
            self.shift.append(removed)

    def __call__(self, index: int) -> int:
        k = bisect_right(self.gaps, index)
        return index + (self.shift[k - 1] if k else 0)


def _trie_pattern(phrases) -> str:
    """A regular expression matching any of the phrases, the longest one at a position first."""
    root: dict = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a phrase may end here: try the longer phrases first
            return "(?:" + body + ")?"
        return body

    return build(root)


# A unit whose name begins with a place name: the place followed by a short run ending in a unit
# suffix (浦东新区科经委, 莘庄工业区管委会, 闵行区人民政府办公室文件).
_UNIT_AFTER_PLACE = re.compile(
    r"(?:人民政府|政府|管委会|管理委员会)"
    r"|[\u4e00-\u9fff]{0,4}?(?:委员会|办公室|委|局|办)(?=$|[^\u4e00-\u9fff]|文件|关于|联合|牵头|负责|会同|配合|参与|协同|等)"
)
# An institution or company named after the place: 临港集团, 张江实验室, 临港经济发展集团有限公司
# (a 大学城 is an area, not a university).
_INSTITUTION_AFTER_PLACE = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:集团|有限公司|公司|实验室|研究院|研究所|大学(?!城)|学院)")
# a verb or function word between the place and the unit word: the place is in a phrase, not a name
# (在临港建设实验室, 张江打造研究院)
_VERB_IN_UNIT_RUN = re.compile(r"建设|打造|建立|设立|成立|组建|引进|布局|推动|支持|依托|集聚|落户|新建|筹建|共建|[的和与及在等为对将向从以于各]")
# (a programme's name may hold its aim: 人才集聚计划)
_VERB_IN_PROGRAMME = re.compile(r"建设|打造|建立|设立|成立|组建|引进|布局|推动|支持|依托|落户|新建|筹建|共建|开展|实施|举办|启动|"
    r"[的和与及在等为对将向从以于各]")
_NOT_UNIT_TAIL = re.compile(r"(?:布局|格局|结局|大局|全局|举办|主办|承办|创办|开办|协办|申办|督办)$")
# A fund, programme or event named after the place: 张江科学城天使投资引导基金, 张江科学城人才集聚计划,
# …创新大赛, …论坛 (a document title …行动方案/…行动计划 still names its place).
_PROGRAMME_AFTER_PLACE = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:基金|(?<!行动)计划|工程|(?<!三年)(?<!专项)行动|大赛|论坛)"
                                    r"(?!方案|纲要|规划|计划|[\u4e00-\u9fff]{0,2}》)")
_PART_OF = re.compile(r"片区|部分|区域")
_LOCATOR_MAX_CHARS = 2  # 临港, 张江: a bare area name
# A postal address after a place: a road or street with a house number (世博村路300号, 张江路88弄).
_ADDRESS_AFTER = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:路|街|大道|公路)\s*\d+\s*(?:号|弄)")
_HOUSE_NUMBER = re.compile(r"\s*\d+\s*(?:号|弄)")
_BRACKET_CLOSE = re.compile(r"[）)]")
_LIST_SPLIT = re.compile(r"[、，,及和与]")


def _suffix_kind(suffix: str) -> str:
    if suffix in _AREA_SUFFIXES:
        return "area"
    return "park" if suffix.endswith(("园", "谷")) or suffix == "产业基地" else "zone"


def _locates(entry: PlaceEntry, hit: _Hit) -> bool:
    """A place written right before another place that only locates it: a district (奉贤东方美谷) or
    an area's bare short name (临港东方芯港), not a named area such as 徐汇滨江."""
    return entry.kind == "district" or (entry.kind == "area" and hit.end - hit.start <= _LOCATOR_MAX_CHARS)


def _begins_unit_name(text: str, end: int) -> bool:
    m = _UNIT_AFTER_PLACE.match(text, end)
    if m:
        return not _NOT_UNIT_TAIL.search(m.group())
    m = _INSTITUTION_AFTER_PLACE.match(text, end)
    if m and not _VERB_IN_UNIT_RUN.search(m.group()):
        return True
    m = _PROGRAMME_AFTER_PLACE.match(text, end)
    return bool(m) and not _VERB_IN_PROGRAMME.search(m.group())


def _clause_end(text: str, start: int) -> int:
    found = _CLAUSE_END_RE.search(text, start)
    return found.start() if found else len(text)


def _ascii_bounded(text: str, start: int, end: int) -> bool:
    """A phrase beginning/ending in a Latin letter or digit must not run into another one (AI in MAIL)."""
    if _ASCII_ALNUM.match(text[start]) and start > 0 and _ASCII_ALNUM.match(text[start - 1]):
        return False
    if _ASCII_ALNUM.match(text[end - 1]) and end < len(text) and _ASCII_ALNUM.match(text[end]):
        return False
    return True
